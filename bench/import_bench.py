"""Importing 10,000 articles with 100,000 highlights: time and peak memory.

    make bench-import         # or: DATABASE_URL=postgres://... .venv/bin/python bench/import_bench.py

Writes a doccano JSONL file (10 spans per document, an emoji in one document of ten, so UTF-16
offsets differ from code points there), imports it through the import service into a fresh
workspace of a database of its own (`<DATABASE_URL db>_import`), exactly as a job would run in a
worker (extraction off: candidate extraction is its own figure), and prints the time, the rows
written and the process's peak resident memory before and after. With --doccano, doccano's own
import of the same file runs in the same run (bench/doccano_import.py, in a scratch virtual
environment: doccano is never a dependency of the workbench).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdb import ensure_database, use_own_database

url = use_own_database("import")

import django  # noqa: E402

WORDS = [
    "le",
    "gouvernement",
    "a",
    "annoncé",
    "que",
    "le",
    "chômage",
    "avait",
    "baissé",
    "de",
    "points",
    "au",
    "troisième",
    "trimestre",
    "selon",
    "l'Insee",
    "la",
    "ministre",
    "a",
    "déclaré",
    "que",
    "les",
    "prix",
    "de",
    "l'énergie",
    "resteraient",
    "stables",
    "cet",
    "hiver",
    "d'après",
    "le",
    "rapport",
    "publié",
    "lundi",
]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    return f"« {' '.join(words).capitalize()} {n} % ». "


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def write_file(path: Path, documents: int, spans: int) -> tuple[int, int]:
    """A doccano file of `documents` texts with `spans` spans each; returns the counts."""
    rng = random.Random(7)
    total = 0
    with path.open("w", encoding="utf-8") as out:
        for doc in range(documents):
            text = "🙂 " if doc % 10 == 0 else ""
            labels = []
            for n in range(spans):
                piece = sentence(rng, doc * spans + n)
                start = utf16(text)
                text += piece
                labels.append([start, start + utf16(piece.rstrip()), "CLAIM"])
            out.write(json.dumps({"id": doc, "text": text, "label": labels}, ensure_ascii=False))
            out.write("\n")
            total += len(labels)
    return documents, total


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_workbench(path: Path) -> dict[str, object]:
    from django.contrib.auth.models import User

    from annotations.models import ImportJob
    from annotations.services import imports
    from annotations.services.workspaces import workspace_create

    user, _ = User.objects.get_or_create(username="bench-importer")
    workspace = workspace_create(user=user, name=f"Import bench {time.time():.0f}")
    before = peak_mb()
    started = time.perf_counter()
    with path.open("rb") as upload:
        job = imports.import_job_create(
            user=user,
            workspace_id=workspace.pk,
            data={"format": "doccano", "extract": False},
            upload=upload,
            file_name=path.name,
            enqueue=False,
        )
    imports.import_job_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    job = ImportJob.objects.get(pk=job.pk)
    assert job.failed == 0, job.report[:3]
    return {
        "tool": "workbench",
        "documents": job.counts["articles"],
        "spans": job.counts["highlights"],
        "claims": job.counts["claims"],
        "seconds": round(seconds, 2),
        "peak_rss_mb_before": round(before),
        "peak_rss_mb": round(peak_mb()),
        "database": "postgresql",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=10, help="spans per document")
    parser.add_argument(
        "--doccano", action="store_true", help="also time doccano's own import of the file"
    )
    args = parser.parse_args()
    ensure_database(url)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, stdout=io.StringIO())
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bench.jsonl"
        documents, spans = write_file(path, args.documents, args.spans)
        size = path.stat().st_size / 1024 / 1024
        print(f"file: {documents} documents, {spans} spans, {size:.1f} MB", flush=True)
        print(json.dumps(run_workbench(path)), flush=True)
        if args.doccano:
            doccano = Path(__file__).with_name("doccano_import.py")
            subprocess.run([sys.executable, str(doccano), str(path)], check=True)


if __name__ == "__main__":
    main()
