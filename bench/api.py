"""Query counts and timings of the main API reads and writes on PostgreSQL, at realistic sizes.

    make bench-api            # or: DATABASE_URL=postgres://... .venv/bin/python bench/api.py

Builds (once, in a database of its own, `<DATABASE_URL db>_bench`) a workspace of 10,000
articles and one article carrying 1,000 claims, then times each request through the full Django
stack (middleware, DRF, serializers) with the test client, median of several runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from benchdb import prepare_database, use_own_database

use_own_database("bench")


ARTICLES = 10_000
CLAIMS = 1_000
SENTENCE = "Le taux de chômage a baissé de 0,3 point au troisième trimestre, selon l'Insee. "


def seed() -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db import transaction

    from annotations.models import Article, Claim, Highlight, Role, Workspace
    from annotations.services.workspaces import member_add, workspace_create
    from annotations.text import checksum, quote_at

    editor, _ = User.objects.get_or_create(username="bench-editor")
    reviewer, _ = User.objects.get_or_create(username="bench-reviewer")
    workspace = Workspace.objects.filter(name="Bench desk").first()
    if workspace is None:
        workspace = workspace_create(user=editor, name="Bench desk")
        member_add(actor=editor, workspace=workspace, username="bench-reviewer", role=Role.REVIEWER)
    have = Article.objects.filter(workspace=workspace).count()
    if have < ARTICLES:
        text = SENTENCE * 40  # about 3,200 characters: a short news article
        with transaction.atomic():
            Article.objects.bulk_create(
                (
                    Article(
                        workspace=workspace,
                        title=f"Article {i}",
                        language="fr",
                        text=text,
                        checksum=checksum(text),
                        extraction_status="done",
                        created_by=editor,
                    )
                    for i in range(have, ARTICLES)
                ),
                batch_size=1000,
            )
    big = Article.objects.filter(workspace=workspace, title="Big article").first()
    if big is None:
        text = SENTENCE * 60  # 4,860 characters, room for 1,000 short spans 4 apart
        big = Article.objects.create(
            workspace=workspace,
            title="Big article",
            language="fr",
            text=text,
            checksum=checksum(text),
            extraction_status="done",
            created_by=editor,
        )
        with transaction.atomic():
            quotes = [quote_at(text, i * 4, i * 4 + 3) for i in range(CLAIMS)]
            claims = Claim.objects.bulk_create(
                Claim(
                    workspace=workspace,
                    article=big,
                    start=i * 4,
                    end=i * 4 + 3,
                    created_by=reviewer,
                    exact=q.exact,
                    prefix=q.prefix,
                    suffix=q.suffix,
                )
                for i, q in enumerate(quotes)
            )
            Highlight.objects.bulk_create(
                Highlight(
                    claim=c,
                    article=big,
                    user=reviewer,
                    start=c.start,
                    end=c.end,
                    exact=c.exact,
                    prefix=c.prefix,
                    suffix=c.suffix,
                )
                for c in claims
            )
    small = Article.objects.filter(workspace=workspace).exclude(pk=big.pk).first()
    assert small is not None
    return {
        "workspace": workspace,
        "big": big,
        "small": small,
        "editor": editor,
        "reviewer": reviewer,
    }


def measure(label: str, call: Callable[[], Any], runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries = 0
    status = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            timings.append(time.perf_counter() - started)
        queries = len(captured)
        status = response.status_code
        if status >= 400:  # a refused request measures nothing: say so rather than print a time
            raise SystemExit(f"bench: {label} answered {status}: {response.content[:300]!r}")
    print(f"{label:<58} {status:>4} {queries:>8} {statistics.median(timings) * 1000:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    prepare_database()
    from rest_framework.test import APIClient

    data = seed()
    client = APIClient()
    client.force_authenticate(data["reviewer"])
    ws, big, small = data["workspace"].pk, data["big"].pk, data["small"].pk

    print(
        f"PostgreSQL, workspace of {ARTICLES:,} articles; one article with {CLAIMS:,} claims; median of {args.runs} runs"
    )
    print(f"{'request':<58} {'code':>4} {'queries':>8} {'ms':>9}")
    measure(
        "GET /articles/?workspace= (page of 50 of 10,001)",
        lambda: client.get("/api/v1/articles/", {"workspace": ws}),
        args.runs,
    )
    measure(
        "GET /articles/{id}/ (article without claims)",
        lambda: client.get(f"/api/v1/articles/{small}/"),
        args.runs,
    )
    measure(
        "GET /articles/{id}/ (article with 1,000 claims)",
        lambda: client.get(f"/api/v1/articles/{big}/"),
        args.runs,
    )
    measure(
        "GET /claims/?article= (page of 50)",
        lambda: client.get("/api/v1/claims/", {"article": big}),
        args.runs,
    )
    measure(
        "GET /claims/?article=&page_size=1000",
        lambda: client.get("/api/v1/claims/", {"article": big, "page_size": 1000}),
        args.runs,
    )

    from annotations.models import Article, Claim

    counter = iter(range(10**9))
    run = uuid.uuid4().hex[:8]  # the database is kept between runs: texts of its own
    measure(
        "POST /articles/ (3 kB text, extraction in-process)",
        lambda: client.post(
            "/api/v1/articles/",
            # Each text its own (the same words twice are refused as a duplicate: 409).
            {"workspace": ws, "text": f"{run} {next(counter)}. " + SENTENCE * 40, "title": "new"},
            format="json",
        ),
        args.runs,
    )
    free_start = iter(range(CLAIMS * 4 + 1, len(SENTENCE) * 60 - 3, 4))

    def new_claim() -> Any:
        start = next(free_start)
        return client.post(
            "/api/v1/claims/", {"article": big, "start": start, "end": start + 3}, format="json"
        )

    measure("POST /claims/ (on the article with 1,000 claims)", new_claim, args.runs)
    target = Claim.objects.filter(article_id=big).order_by("-id").first()
    assert target is not None
    reviewer_client = APIClient()
    editor = data["editor"]
    reviewer_client.force_authenticate(editor)
    verdicts = iter(["true", "false"] * 50)

    def assess() -> Any:
        claim = Claim.objects.filter(article_id=big, assessments__isnull=True).first()
        assert claim is not None
        return reviewer_client.post(
            f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": next(verdicts)}, format="json"
        )

    measure("POST /claims/{id}/assessments/", assess, args.runs)
    # Leave the fixture as it was found: the writes above are cleaned up for the next run.
    Article.objects.filter(workspace_id=ws, title__startswith="new ").delete()
    Claim.objects.filter(article_id=big, start__gt=CLAIMS * 4).delete()
    from annotations.models import Assessment

    Assessment.objects.filter(claim__article_id=big).delete()
    Claim.objects.filter(article_id=big).update(status="open")


if __name__ == "__main__":
    main()
