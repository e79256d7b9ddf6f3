"""Rules-only extraction speed against another commit's, both in one process, rounds shuffled.

On a shared virtual machine two runs of bench/extraction_throughput.py minutes apart can differ
by a third; a change of a few percent needs both versions timed side by side under the same
conditions. This copies annotations/extraction as it was at COMMIT (``git archive``) into a
temporary package beside today's (the package is pure Python with relative imports), then times
``extract_candidates`` over the same articles for each, in a shuffled order every round, and
prints the ratio of today's time to the other's (below 1: today is faster). "Today" is the
working tree as it is, uncommitted edits included.

    EMBEDDING_MODEL=none .venv/bin/python bench/extraction_ab.py COMMIT [--rounds 40]
"""

from __future__ import annotations

import argparse
import importlib
import io
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extraction_throughput import corpus  # noqa: E402

PACKAGE = "annotations/extraction"


def package_at(commit: str, into: Path, name: str) -> None:
    """Write annotations/extraction as it was at ``commit`` to ``into / name``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, PACKAGE],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into / "_archive", filter="data")
    (into / "_archive" / PACKAGE).rename(into / name)


def rounds(
    versions: dict[str, Callable[[str], Any]], texts: Sequence[str], count: int
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in versions}
    order = list(versions)
    shuffle = random.Random(1)
    for _ in range(count):
        shuffle.shuffle(order)
        for name in order:
            extract = versions[name]
            started = time.perf_counter()
            for text in texts:
                extract(text)
            times[name].append(time.perf_counter() - started)
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commit", help="the commit to compare with (e.g. c001e71^)")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--megabytes", type=float, default=0.5)
    args = parser.parse_args(argv)

    from annotations.extraction.pipeline import extract_candidates

    with tempfile.TemporaryDirectory() as folder:
        try:
            package_at(args.commit, Path(folder), "other_extraction")
        except subprocess.CalledProcessError as error:
            sys.exit(f"extraction_ab: git archive {args.commit}: {error.stderr.decode().strip()}")
        sys.path.insert(0, folder)
        other = importlib.import_module("other_extraction.pipeline").extract_candidates
        texts = [text for _, text in corpus(args.megabytes)]
        versions = {"today": extract_candidates, args.commit: other}
        for extract in versions.values():  # warm up: lazily compiled patterns, caches
            for text in texts:
                extract(text)
        times = rounds(versions, texts, args.rounds)
    today, then = times["today"], times[args.commit]
    paired = statistics.median(now / before for now, before in zip(today, then, strict=True))
    chars = sum(len(text) for text in texts)
    print(f"corpus: {len(texts)} articles, {chars / 1e6:.2f} M characters, {args.rounds} rounds")
    for name, values in times.items():
        print(f"{name}: best {min(values):.3f} s, median {statistics.median(values):.3f} s")
    print(f"today / {args.commit}: best {min(today) / min(then):.3f}, median of pairs {paired:.3f}")


if __name__ == "__main__":
    main()
