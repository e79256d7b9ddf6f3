"""Articles per second through a real Celery worker, with PostgreSQL and Redis.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/worker_throughput.py \
        [--articles 200] [--concurrency 2] [--checked-claims 1000]

Uses a database of its own, `<DATABASE_URL db>_worker_bench` (created and migrated when missing),
and the Redis of REDIS_URL (its default queue is purged first: give it a Redis database nobody
else uses). Starts `celery -A workbench worker` as a subprocess, then measures two things on
news-length articles built from bench/data (no language given, so detection runs too), in a
workspace holding already-checked claims for the similar-claim search to match against:

- drain: N articles saved and queued while the worker does not consume, then the time from
  letting it consume until every article's extraction is done (the worker's own throughput);
- end to end: N articles saved through the service (save, commit, publish) while the worker
  consumes, from the first save until every extraction is done.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workbench")
_base = os.environ["DATABASE_URL"]
os.environ["DATABASE_URL"] = (
    _base.rsplit("/", 1)[0] + "/" + _base.rsplit("/", 1)[1] + "_worker_bench"
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402
from benchdb import ensure_database  # noqa: E402

DATA = ROOT / "bench" / "data"
SENTENCES_PER_PARAGRAPH = 3
WORKSPACE = "Worker bench desk"


def news_articles() -> list[str]:
    from annotations.extraction.evaluation import read_clef_tsv

    texts = []
    for path in sorted(DATA.glob("*/*.tsv")):
        lines = [line.text for line in read_clef_tsv(path)]
        texts.append(
            "\n\n".join(
                " ".join(lines[start : start + SENTENCES_PER_PARAGRAPH])
                for start in range(0, len(lines), SENTENCES_PER_PARAGRAPH)
            )
        )
    return texts


def seed(checked_claims: int) -> tuple[Any, Any]:
    """The bench workspace, emptied of articles except those holding its checked claims."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from annotations.extraction.segment import split_sentences
    from annotations.models import Article, Claim, VerdictLabel, Workspace
    from annotations.services.workspaces import workspace_create
    from annotations.text import checksum, quote_at

    user, _ = User.objects.get_or_create(username="bench-worker-editor")
    workspace = Workspace.objects.filter(name=WORKSPACE).first()
    if workspace is None:
        workspace = workspace_create(user=user, name=WORKSPACE)
    Article.objects.filter(workspace=workspace).exclude(title="checked").delete()
    have = Claim.objects.filter(workspace=workspace, status="resolved").count()
    if have < checked_claims:
        verdict = VerdictLabel.objects.get(workspace=workspace, slug="mostly-true")
        with transaction.atomic():
            for index, original in enumerate(news_articles() * (1 + checked_claims // 300)):
                if have >= checked_claims:
                    break
                # Reworded so that matches are near, not exact.
                text = original.replace(" selon ", " d'après ").replace(" said", " stated")
                article = Article.objects.create(
                    workspace=workspace,
                    title="checked",
                    text=text,
                    checksum=checksum(text),
                    extraction_status="done",
                    created_by=user,
                )
                spans = split_sentences(text, "fr" if index % 16 < 12 else "en")
                claims = []
                for start, end in spans[: checked_claims - have]:
                    quote = quote_at(text, start, end)
                    claims.append(
                        Claim(
                            workspace=workspace,
                            article=article,
                            start=start,
                            end=end,
                            exact=quote.exact,
                            prefix=quote.prefix,
                            suffix=quote.suffix,
                            status="resolved",
                            final_verdict=verdict,
                            created_by=user,
                        )
                    )
                Claim.objects.bulk_create(claims)
                have += len(claims)
    return workspace, user


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the worker")
        time.sleep(step)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--checked-claims", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from annotations.models import Article, CandidateClaim, ClaimMatch
    from annotations.services.articles import article_create
    from workbench.celery import app

    workspace, user = seed(args.checked_claims)
    texts = news_articles()
    app.control.purge()
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "--quiet",
            "-A",
            "workbench",
            "worker",
            "--pool=prefork",
            f"--concurrency={args.concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--hostname=bench-worker@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    try:
        pending = Article.objects.filter(workspace=workspace).exclude(title="checked")

        def all_done() -> bool:
            return not pending.exclude(extraction_status__in=["done", "failed"]).exists()

        def save(count: int, label: str) -> None:
            for index in range(count):
                text = f"{texts[index % len(texts)]}\n\n({label} {index})"
                article_create(user=user, workspace=workspace, text=text, title=label)

        # Warm up: the worker has started, imported everything and extracted once.
        save(2, "warm-up")
        wait_until(all_done, args.timeout)

        app.control.cancel_consumer("celery", destination=["bench-worker@" + os.uname()[1]])
        time.sleep(1)
        save(args.articles, "drain")
        queued = pending.filter(title="drain")
        chars = sum(len(text) for text in queued.values_list("text", flat=True))
        assert not queued.filter(extraction_status="done").exists(), "the worker kept consuming"
        started = time.perf_counter()
        app.control.add_consumer("celery", destination=["bench-worker@" + os.uname()[1]])
        wait_until(all_done, args.timeout)
        drain = time.perf_counter() - started

        started = time.perf_counter()
        save(args.articles, "end-to-end")
        saved = time.perf_counter() - started
        wait_until(all_done, args.timeout)
        end_to_end = time.perf_counter() - started

        failed = pending.filter(extraction_status="failed").count()
        candidates = CandidateClaim.objects.filter(article__in=pending).count()
        matches = ClaimMatch.objects.filter(candidate__article__in=pending).count()
        print(
            f"PostgreSQL + Redis, celery worker --pool=prefork --concurrency={args.concurrency}; "
            f"{args.checked_claims} already-checked claims in the workspace"
        )
        print(
            f"articles: {args.articles} per run, {chars / args.articles:,.0f} characters on "
            f"average, language detected; failed: {failed}"
        )
        print(
            f"drain (queued, then consumed):  {drain:6.1f} s  "
            f"{args.articles / drain:6.1f} articles/s  {chars / drain / 1e3:6.0f} k chars/s"
        )
        print(
            f"end to end (save -> done):      {end_to_end:6.1f} s  "
            f"{args.articles / end_to_end:6.1f} articles/s  (saving took {saved:.1f} s)"
        )
        print(f"candidates stored: {candidates}; similar-claim matches stored: {matches}")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


if __name__ == "__main__":
    main()
