"""fever-scorer itself reads the workbench's FEVER export (issue 14).

    .venv/bin/python bench/fever_scorer.py [--articles 20] [--cache /tmp/fever-scorer]

In one run, on the embedded defaults (a fresh SQLite database in a scratch directory, tasks
in-process, no broker):

1. `migrate` and `load_demo` (the demo desk and its people);
2. `import_articles --format jsonl` of a generated file: ARTICLES articles of three sentences, each
   sentence a claim that bob and carol gave verdicts on and dave adjudicated, every verdict of the
   default scale in turn (true, mostly true, half true, mostly false, false, unverifiable), two
   claims in three with a source (one in six with two), so the export has SUPPORTS, REFUTES and
   NOT ENOUGH INFO claims, with and without evidence;
3. `export_claims --format fever` of the workspace;
4. fever-scorer 2.0.39, as published on PyPI (the sdist, checked against its SHA-256, unpacked in
   the cache; its setup.py no longer builds with current setuptools, so its `fever.scorer` module is
   imported from the unpacked source, which needs only `six`), scores the export with the gold
   labels and the gold evidence's [page, sentence] pairs as the predictions: `fever_score`'s strict
   score, label accuracy, evidence precision, recall and F1.

Prints one line per step, then one JSON line with the figures. Exit 1 when fever-scorer rejects the
export or the label accuracy is not 1.0, 2 when the scorer cannot be had (no network, a changed
file). fever-scorer is never a dependency of the project.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any

VERSION = "2.0.39"
SDIST = f"fever-scorer-{VERSION}.tar.gz"
SHA256 = "b87979f85c8ba2bf09d86db43f9805de110610288f45348a81657f0f4d3058a3"
SCORER = f"fever-scorer-{VERSION}/src/fever/scorer.py"
VERDICTS = ("true", "mostly-true", "half-true", "mostly-false", "false", "unverifiable")
SENTENCES = (
    "Le chômage a baissé de {n} % en un an selon le ministre.",
    "The city spent {n} million euros on its new tram line last year.",
    "La région compte {n}000 emplois de plus qu'en 2020.",
)


def scorer_module(cache: Path) -> ModuleType:
    """fever.scorer from the published sdist, downloaded once into `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / SDIST
    if not archive.exists():
        index = urllib.request.Request(  # PyPI's simple index, in its JSON form (PEP 691)
            "https://pypi.org/simple/fever-scorer/",
            headers={"Accept": "application/vnd.pypi.simple.v1+json"},
        )
        with urllib.request.urlopen(index, timeout=30) as answer:  # noqa: S310
            files = json.load(answer)["files"]
        url = next(f["url"] for f in files if f["filename"] == SDIST)
        with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310
            archive.write_bytes(answer.read())
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != SHA256:
        archive.unlink()
        raise SystemExit(f"bench: {SDIST} has SHA-256 {digest}, not {SHA256}")
    source = cache / SCORER
    if not source.exists():
        with tarfile.open(archive) as tar:
            tar.extract(SCORER, cache, filter="data")
    spec = importlib.util.spec_from_file_location("fever_scorer", source)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def records(articles: int) -> list[dict[str, Any]]:
    """The import file: each sentence a claim, verdicts of the default scale in turn."""
    lines = []
    number = 0
    for index in range(articles):
        sentences = [s.format(n=index * 3 + k + 2) for k, s in enumerate(SENTENCES)]
        text = " ".join(sentences)
        claims = []
        for sentence in sentences:
            start = text.index(sentence)
            verdict = VERDICTS[number % len(VERDICTS)]
            sources = []
            if number % 3:
                sources.append(
                    {
                        "url": f"https://stats.example.org/series/{number}",
                        "stance": "refutes" if "false" in verdict else "supports",
                        "creator": "bob",
                        "quote": f"Série {number} : {sentence}",
                    }
                )
            if number % 6 == 1:
                sources.append(
                    {
                        "url": f"https://archive.example.net/{number}",
                        "stance": "context",
                        "creator": "carol",
                    }
                )
            claims.append(
                {
                    "start": start,
                    "end": start + len(sentence),
                    "exact": sentence,
                    "creator": "bob",
                    "assessments": [
                        {"creator": "bob", "verdict": verdict},
                        {"creator": "carol", "verdict": verdict},
                    ],
                    "sources": sources,
                    "adjudications": [{"creator": "dave", "verdict": verdict, "note": "OK"}],
                }
            )
            number += 1
        lines.append(
            {
                "url": f"https://news.example.org/{index}",
                "title": f"Article {index}",
                "language": "fr",
                "text": text,
                "claims": claims,
            }
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fever-scorer")
    args = parser.parse_args()
    try:
        scorer = scorer_module(args.cache)
    except (OSError, StopIteration, tarfile.TarError, KeyError) as exc:
        print(f"bench: fever-scorer {VERSION} could not be had: {exc}", file=sys.stderr)
        return 2
    print(f"fever-scorer {VERSION}: {args.cache / SCORER} (sha256 of the sdist checked)")

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from scratch_desk import export, import_records, open_desk

    workspace, scratch = open_desk()
    import_records(workspace, scratch, records(args.articles))
    exported = export(workspace, scratch, "fever")
    gold = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    labels: dict[str, int] = {}
    for line in gold:
        labels[line["label"]] = labels.get(line["label"], 0) + 1
    print(f"export: {len(gold)} claims {labels}, {exported.stat().st_size} bytes")

    # The gold answers as predictions: the label, and every [page, sentence] of the evidence.
    predictions = [
        {
            "predicted_label": line["label"],
            "predicted_evidence": [[e[2], e[3]] for group in line["evidence"] for e in group],
        }
        for line in gold
    ]
    try:
        strict, accuracy, precision, recall, f1 = scorer.fever_score(predictions, gold)
    except (AssertionError, KeyError, TypeError) as exc:
        print(f"bench: fever-scorer rejected the export: {exc!r}", file=sys.stderr)
        return 1
    verifiable = [i for i, line in enumerate(gold) if line["label"] != "NOT ENOUGH INFO"]
    with_evidence = [i for i in verifiable if gold[i]["evidence"]]
    strict_with_evidence = scorer.fever_score(
        [predictions[i] for i in with_evidence], [gold[i] for i in with_evidence]
    )[0]
    result = {
        "scorer": f"fever-scorer {VERSION}",
        "claims": len(gold),
        "labels": labels,
        "verifiable_with_evidence": len(with_evidence),
        "verifiable_without_evidence": len(verifiable) - len(with_evidence),
        "label_accuracy": accuracy,
        "strict_score": strict,
        "strict_score_claims_with_evidence": strict_with_evidence,
        "evidence_precision": precision,
        "evidence_recall": recall,
        "evidence_f1": f1,
    }
    print(json.dumps(result))
    return 0 if accuracy == 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
