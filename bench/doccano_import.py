"""doccano's own import of a doccano JSONL file, timed beside the workbench's (issue 14).

    bash bench/doccano_venv.sh                      # once: doccano 1.8.4 in /tmp/doccano-venv
    python bench/doccano_import.py FILE.jsonl [--database postgresql|sqlite]
    python bench/doccano_import.py --generate 10000 /tmp/doccano-10k.jsonl   # a test file

FILE holds one document a line, `{"text": "...", "label": [[start, end, "TAG"], ...]}`.
Prints one JSON line: tool, version, documents and spans in the file, doccano's Example and
Span rows after the import (`examples`, `span_rows`), seconds (wall) and cpu_seconds of the
import, peak_rss_mb, database, ok. Exit 1 when the rows do not match the file (or doccano
reported errors), 2 when the scratch environment is missing. A doccano project drops
overlapping spans unless told otherwise (`--allow-overlapping`), which the counts then show.

doccano is never a dependency of the project: it lives in a scratch virtual environment
(bench/doccano_venv.sh). This file uses the standard library only; run by any Python 3.9+ it
drives, and it is run again by the scratch environment's Python for each stage:

- setup (not timed): a fresh database (PostgreSQL `doccano_bench`, dropped and created, or a
  SQLite file), doccano's migrations, a user, a SequenceLabeling project, and the file
  uploaded through doccano's own upload endpoint (django-drf-filepond's `/v1/fp/process/`,
  called with Django's test client), which gives the upload id the import needs;
- import, in a fresh process so that its peak memory is the import's: doccano's celery task
  `data_import.celery_tasks.import_dataset` called in-process, as a worker would run it
  (format JSONL, task SequenceLabeling, columns `text` and `label`, encoding utf_8, the
  options doccano's upload page sends): readers, example and label makers, bulk creates,
  then the upload moved to the file store. Only that call is timed; peak memory is
  `ru_maxrss` of that process (Django loaded included; `baseline_rss_mb` is the figure just
  before the call), then the rows are counted.

doccano's production settings are used (DEBUG off); only the paths of the uploads and the
file store are moved under the work directory (`--workdir`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TMP = Path(tempfile.gettempdir())
DEFAULT_VENV = os.environ.get("DOCCANO_VENV", str(TMP / "doccano-venv"))
DEFAULT_WORKDIR = str(TMP / "doccano-bench")
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/doccano_bench"
SETTINGS_MODULE = "doccano_bench_settings"
STAGE_PREFIX = "DOCCANO_BENCH "


# ----------------------------------------------------------------- the driver (any Python)


def count_file(path: Path) -> tuple[int, int]:
    """Documents (non-blank lines) and spans in a doccano JSONL file."""
    documents = spans = 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                documents += 1
                spans += len(json.loads(line).get("label") or [])
    return documents, spans


def run_stage(python: str, stage: str, env: dict[str, str], args: list[str]) -> dict:
    """Run this file as `stage` under the scratch Python; return the JSON it reports."""
    proc = subprocess.run(
        [python, str(Path(__file__).resolve()), "--stage", stage, *args],
        env=env,
        capture_output=True,
        check=False,
        text=True,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(STAGE_PREFIX):
            return json.loads(line[len(STAGE_PREFIX) :])
    sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
    raise SystemExit(f"doccano_import: the {stage} stage failed (exit {proc.returncode})")


def drive(opts: argparse.Namespace) -> int:
    python = Path(opts.venv) / "bin" / "python"
    if not python.exists():
        print(
            f"doccano_import: no scratch environment at {opts.venv}; create it with\n"
            f"    bash bench/doccano_venv.sh {opts.venv}",
            file=sys.stderr,
        )
        return 2
    source = Path(opts.file).resolve()
    if not source.is_file():
        print(f"doccano_import: no file {source}", file=sys.stderr)
        return 2
    documents, spans = count_file(source)

    workdir = Path(opts.workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "media").mkdir(parents=True)
    if opts.database == "sqlite":
        url = f"sqlite:///{workdir / 'db.sqlite3'}"
    else:
        url = opts.database_url
        # dj-database-url asks for SSL unless the URL says otherwise.
        url += ("&" if "?" in url else "?") + "sslmode=disable"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(workdir / "media"),
        "DOCCANO_BENCH_WORKDIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DEBUG": "False",
        "IMPORT_BATCH_SIZE": str(opts.batch_size),
        "PYTHONHASHSEED": "0",
    }
    for key in ("VIRTUAL_ENV", "PYTHONPATH", "CELERY_BROKER_URL"):
        env.pop(key, None)

    setup = run_stage(
        str(python),
        "setup",
        env,
        [str(source), *(["--allow-overlapping"] if opts.allow_overlapping else [])],
    )
    done = run_stage(
        str(python),
        "import",
        env,
        [str(setup["user_id"]), str(setup["project_id"]), setup["upload_id"]],
    )
    ok = not done["errors"] and done["examples"] == documents and done["span_rows"] == spans
    result = {
        "tool": "doccano",
        "version": done["version"],
        "documents": documents,
        "spans": spans,
        "seconds": done["seconds"],
        "cpu_seconds": done["cpu_seconds"],
        "peak_rss_mb": done["peak_rss_mb"],
        "baseline_rss_mb": done["baseline_rss_mb"],
        "database": opts.database,
        "examples": done["examples"],
        "span_rows": done["span_rows"],
        "span_types": done["span_types"],
        "batch_size": opts.batch_size,
        "errors": done["errors"][:5],
        "ok": ok,
    }
    print(json.dumps(result))
    if not ok:
        print(
            "doccano_import: doccano's rows do not match the file "
            f"({done['examples']}/{documents} examples, {done['span_rows']}/{spans} spans"
            f"{', errors reported' if done['errors'] else ''})",
            file=sys.stderr,
        )
        return 1
    return 0


# --------------------------------------------------- the stages (the scratch venv's Python)


def use_doccano_settings() -> None:
    """doccano's production settings, with its upload paths under the work directory.

    Its backend modules are top-level packages inside the `backend` distribution folder, which
    doccano's own command line puts on sys.path the same way."""
    import importlib
    import importlib.util
    import types

    spec = importlib.util.find_spec("backend")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("doccano_import: doccano's backend is not installed in this Python")
    sys.path.append(next(iter(spec.submodule_search_locations)))
    workdir = Path(os.environ["DOCCANO_BENCH_WORKDIR"])
    settings = types.ModuleType(SETTINGS_MODULE)
    production = importlib.import_module("config.settings.production")
    settings.__dict__.update({k: v for k, v in vars(production).items() if k.isupper()})
    settings.DJANGO_DRF_FILEPOND_UPLOAD_TMP = str(workdir / "filepond-temp-uploads")
    settings.DJANGO_DRF_FILEPOND_ALLOW_EXTERNAL_UPLOAD_DIR = True
    settings.LOGGING = {"version": 1, "disable_existing_loggers": False}
    sys.modules[SETTINGS_MODULE] = settings
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE

    import django

    django.setup()


def recreate_database() -> None:
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:"):
        return  # the work directory, and the file with it, was removed by the driver
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def stage_setup(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--allow-overlapping", action="store_true")
    opts = parser.parse_args(argv)
    recreate_database()
    use_doccano_settings()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from projects.models import ProjectType, SequenceLabelingProject

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench")
    project = SequenceLabelingProject.objects.create(
        name="bench",
        project_type=ProjectType.SEQUENCE_LABELING,
        created_by=user,
        allow_overlapping=opts.allow_overlapping,
    )
    client = Client()
    client.force_login(user)
    with open(opts.file, "rb") as fh:
        response = client.post("/v1/fp/process/", {"filepond": fh})
    if response.status_code != 200:
        raise SystemExit(
            f"doccano_import: the upload answered {response.status_code}: "
            f"{response.content[:500]!r}"
        )
    return {
        "user_id": user.pk,
        "project_id": project.pk,
        "upload_id": response.content.decode().strip(),
    }


def stage_import(argv: list[str]) -> dict:
    import gc
    import importlib.metadata
    import resource
    import time

    user_id, project_id, upload_id = int(argv[0]), int(argv[1]), argv[2]
    use_doccano_settings()
    from data_import.celery_tasks import import_dataset
    from examples.models import Example
    from label_types.models import SpanType
    from labels.models import Span

    def rss_mb() -> float:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    gc.collect()
    baseline = rss_mb()
    cpu_started, started = cpu(), time.perf_counter()
    # Calling the task runs its body here, as a celery worker would (no broker involved).
    outcome = import_dataset(
        user_id=user_id,
        project_id=project_id,
        file_format="JSONL",
        upload_ids=[upload_id],
        task="SequenceLabeling",
        encoding="utf_8",
        column_data="text",
        column_label="label",
    )
    seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
    peak = rss_mb()
    return {
        "version": importlib.metadata.version("doccano"),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "peak_rss_mb": peak,
        "baseline_rss_mb": baseline,
        "errors": outcome.get("error", []),
        "examples": Example.objects.filter(project_id=project_id).count(),
        "span_rows": Span.objects.filter(example__project_id=project_id).count(),
        "span_types": SpanType.objects.filter(project_id=project_id).count(),
    }


# ------------------------------------------------------------------ a file to test with

WORDS = tuple(
    " ".join(
        (
            "le gouvernement a annoncé mardi une hausse de pour cent des dépenses publiques",
            "selon les chiffres officiels la ministre affirme que le chômage recule depuis",
            "trois ans mais plusieurs économistes contestent cette lecture des données de l'Insee",
        )
    ).split()
)
EMOJI = ("😀", "🇫🇷", "📈", "👍🏽")
TAGS = ("CLAIM", "SOURCE", "NUMBER", "PERSON")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def write_sample(path: Path, documents: int, spans_per_document: int = 10, seed: int = 14) -> None:
    """French-like documents, an emoji now and then, `spans_per_document` disjoint spans each,
    offsets in UTF-16 code units as doccano's pages count them."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(documents):
            text, labels = "", []
            for _ in range(spans_per_document):
                lead = " ".join(rng.choices(WORDS, k=rng.randint(3, 8)))
                if rng.random() < 0.1:
                    lead += " " + rng.choice(EMOJI)
                text += lead.capitalize() + " "
                span = " ".join(rng.choices(WORDS, k=rng.randint(1, 4)))
                start = utf16_len(text)
                text += span
                labels.append([start, start + utf16_len(span), rng.choice(TAGS)])
                text += ". "
            out.write(json.dumps({"text": text.strip(), "label": labels}, ensure_ascii=False))
            out.write("\n")


# ----------------------------------------------------------------------------- entry point


def main(argv: list[str]) -> int:
    if argv[:1] == ["--stage"]:
        # doccano's apps (`api`, ...) are top-level modules: keep bench/'s files out of the way.
        here = Path(__file__).resolve().parent
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
        stage = {"setup": stage_setup, "import": stage_import}[argv[1]]
        print(STAGE_PREFIX + json.dumps(stage(argv[2:])), flush=True)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="doccano JSONL file (or the output of --generate)")
    parser.add_argument(
        "--generate",
        type=int,
        metavar="DOCUMENTS",
        help="write a test file of DOCUMENTS documents with 10 spans each to FILE and stop",
    )
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_PG,
        help="PostgreSQL URL; its database is dropped and created (default %(default)s)",
    )
    parser.add_argument("--venv", default=DEFAULT_VENV, help="default %(default)s")
    parser.add_argument(
        "--workdir", default=DEFAULT_WORKDIR, help="emptied each run (default %(default)s)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=1000, help="doccano's IMPORT_BATCH_SIZE (default 1000)"
    )
    parser.add_argument(
        "--allow-overlapping",
        action="store_true",
        help="let the project keep overlapping spans (doccano's default drops them)",
    )
    opts = parser.parse_args(argv)
    if opts.generate is not None:
        write_sample(Path(opts.file), opts.generate)
        documents, spans = count_file(Path(opts.file))
        print(json.dumps({"documents": documents, "spans": spans}))
        return 0
    return drive(opts)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
