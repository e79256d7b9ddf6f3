"""Time GET /api/v1/workspaces/{id}/agreement/ on PostgreSQL with 100,000 assessments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/workbench .venv/bin/python bench/agreement_api.py

Builds once, in a database of its own (`<DATABASE_URL db>_agreement_bench`, created if missing),
a workspace shaped like a busy desk: 20 reviewers, 500 articles of 50 claims (25,000 claims); each
article goes to a panel of 4 reviewers who all assess every claim in it (100,000 assessments,
verdicts clustered around the claim's "true" one, a few Unverifiable), and 3 of the 4 highlight
each claim (75,000 highlights, one in four shifted by a few characters); the panels' assignments are open. Then times the request through the whole Django stack (middleware, DRF,
selector, compute_agreement, serializer) with the test client: median of several runs, and the
number of queries. The review queues of the same desk are timed last.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchdb import ensure_database, use_own_database

use_own_database("agreement_bench")

import django  # noqa: E402

REVIEWERS = 20
ARTICLES = 500
CLAIMS_PER_ARTICLE = 50
PER_CLAIM = 4
HIGHLIGHTS_PER_CLAIM = 3
SENTENCE = "Le taux de chômage a baissé de 0,3 point au troisième trimestre, selon l'Insee. "
WORKSPACE = "Agreement bench desk"


def seed() -> Any:
    from django.contrib.auth.models import User
    from django.db import transaction

    from annotations.models import (
        Article,
        Assessment,
        Assignment,
        Claim,
        Highlight,
        Membership,
        Role,
        VerdictLabel,
        Workspace,
    )
    from annotations.services.workspaces import workspace_create
    from annotations.text import checksum, quote_at

    editor, _ = User.objects.get_or_create(username="bench-editor")
    workspace = Workspace.objects.filter(name=WORKSPACE).first()
    if workspace is not None:
        return workspace, editor
    rng = random.Random(5)
    with transaction.atomic():
        workspace = workspace_create(user=editor, name=WORKSPACE)
        reviewers = [
            User.objects.get_or_create(username=f"bench-reviewer-{i:02d}")[0]
            for i in range(REVIEWERS)
        ]
        Membership.objects.bulk_create(
            Membership(workspace=workspace, user=user, role=Role.REVIEWER) for user in reviewers
        )
        labels = list(VerdictLabel.objects.filter(workspace=workspace).order_by("position"))
        valued, unverifiable = labels[:5], labels[5]
        text = SENTENCE * CLAIMS_PER_ARTICLE
        size = len(SENTENCE)
        articles = Article.objects.bulk_create(
            Article(
                workspace=workspace,
                title=f"Article {i}",
                language="fr",
                text=text,
                checksum=checksum(text),
                extraction_status="done",
                created_by=editor,
            )
            for i in range(ARTICLES)
        )
        quotes = [quote_at(text, i * size, (i + 1) * size - 1) for i in range(CLAIMS_PER_ARTICLE)]
        claims = Claim.objects.bulk_create(
            (
                Claim(
                    workspace=workspace,
                    article=article,
                    start=i * size,
                    end=(i + 1) * size - 1,
                    exact=quotes[i].exact,
                    prefix=quotes[i].prefix,
                    suffix=quotes[i].suffix,
                    status="assessed",
                    created_by=editor,
                )
                for article in articles
                for i in range(CLAIMS_PER_ARTICLE)
            ),
            batch_size=5000,
        )
        assessments = []
        highlights = []
        panel: dict[int, list[User]] = {}
        for claim in claims:
            # Each article goes to its own panel of reviewers, who all assess every claim in it.
            chosen = panel.setdefault(claim.article_id, rng.sample(reviewers, PER_CLAIM))
            truth = rng.randrange(5)
            for reviewer in chosen:
                if rng.random() < 0.05:
                    label = unverifiable
                else:
                    label = valued[min(4, max(0, truth + rng.choice((-1, 0, 0, 0, 1))))]
                assessments.append(
                    Assessment(claim=claim, reviewer=reviewer, verdict=label, initial_verdict=label)
                )
            assert claim.start is not None
            assert claim.end is not None
            for reviewer in rng.sample(chosen, HIGHLIGHTS_PER_CLAIM):
                shift = rng.choice((0, 0, 0, rng.randrange(1, 8)))
                highlights.append(
                    Highlight(
                        claim=claim,
                        article_id=claim.article_id,
                        user=reviewer,
                        start=claim.start + shift,
                        end=claim.end,
                        exact=claim.exact[shift:],
                    )
                )
        Assessment.objects.bulk_create(assessments, batch_size=5000)
        Highlight.objects.bulk_create(highlights, batch_size=5000)
        # The panels' assignments, still open: the reviewers' "to annotate" queues.
        Assignment.objects.bulk_create(
            Assignment(workspace=workspace, article_id=article_id, user=user, assigned_by=editor)
            for article_id, users in panel.items()
            for user in users
        )
    return workspace, editor


def measure(
    label: str, call: Callable[[], Any], runs: int, size: Callable[[Any], int]
) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries = 0
    body: dict[str, Any] = {}
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
        queries = len(captured)
        body = response.json()
    print(
        f"{label:<52} {size(body):>11,} {queries:>8} "
        f"{statistics.median(timings) * 1000:>9.1f} {min(timings) * 1000:>9.1f}"
    )
    return body


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from annotations.models import Article, Assessment

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    workspace, editor = seed()
    seeded = time.perf_counter() - started
    total = Assessment.objects.filter(claim__workspace=workspace).count()
    print(f"PostgreSQL; workspace of {total:,} assessments (ready in {seeded:.1f} s)")
    client = APIClient()
    client.force_authenticate(editor)
    url = f"/api/v1/workspaces/{workspace.pk}/agreement/"
    article = Article.objects.filter(workspace=workspace).order_by("pk").first()
    assert article is not None
    print(
        f"{'GET /workspaces/{id}/agreement/':<52} {'assessments':>11} {'queries':>8} "
        f"{'median ms':>9} {'best ms':>9}"
    )
    figures: Callable[[Any], int] = lambda body: body["assessments"]  # noqa: E731
    body = measure("(whole workspace)", lambda: client.get(url), args.runs, figures)
    measure(
        "?reviewer=bench-reviewer-00",
        lambda: client.get(url, {"reviewer": "bench-reviewer-00"}),
        args.runs,
        figures,
    )
    measure("?article=", lambda: client.get(url, {"article": article.pk}), args.runs, figures)
    alpha = body["krippendorff_alpha"]
    spans = body["span_agreement"]
    print(
        f"alpha nominal {alpha['nominal']:.3f}, ordinal {alpha['ordinal']:.3f}, interval "
        f"{alpha['interval']:.3f}; {len(body['cohen_kappa'])} kappa pairs; span exact F1 "
        f"{spans['exact_f1']:.3f}, overlap F1 {spans['overlap_f1']:.3f}"
    )

    # The queues on the same desk: one page of 50, oldest first, from tens of thousands of items.
    from django.contrib.auth.models import User

    reviewer = APIClient()
    reviewer.force_authenticate(User.objects.get(username="bench-reviewer-00"))
    print(
        f"\n{'GET (page of 50)':<52} {'items':>11} {'queries':>8} {'median ms':>9} {'best ms':>9}"
    )
    items: Callable[[Any], int] = lambda body: body["count"]  # noqa: E731
    waiting: Callable[[Any], int] = lambda body: sum(body["totals"].values())  # noqa: E731
    ws = {"workspace": workspace.pk}
    measure(
        "/queues/ (editor: counts of every queue)",
        lambda: client.get("/api/v1/queues/"),
        args.runs,
        waiting,
    )
    measure(
        "/queues/disputed/ (editor)",
        lambda: client.get("/api/v1/queues/disputed/", ws),
        args.runs,
        items,
    )
    measure(
        "/queues/unassigned/ (editor)",
        lambda: client.get("/api/v1/queues/unassigned/", ws),
        args.runs,
        items,
    )
    measure("/queues/ (reviewer)", lambda: reviewer.get("/api/v1/queues/"), args.runs, waiting)
    measure(
        "/queues/to_annotate/ (reviewer)",
        lambda: reviewer.get("/api/v1/queues/to_annotate/", ws),
        args.runs,
        items,
    )
    measure(
        "/queues/to_assess/ (reviewer)",
        lambda: reviewer.get("/api/v1/queues/to_assess/", ws),
        args.runs,
        items,
    )


if __name__ == "__main__":
    main()
