"""Extraction through a real Celery worker consuming from Redis: running twice changes nothing,
and an article saved while the broker was down is extracted once the sweep sends it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from annotations.models import Article, CandidateClaim, Claim, ClaimMatch, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.articles import article_create, article_request_extraction
from annotations.services.candidates import candidate_dismiss
from annotations.services.claims import claim_create
from annotations.tasks import extract_article, sweep_stalled_articles
from tests.test_extraction_task import ENGLISH, unreachable_broker
from tests.test_worker import _wait_for, worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _extracted_after(article_id: int, moment: datetime | None) -> Callable[[], bool]:
    def done() -> bool:
        article = Article.objects.get(pk=article_id)
        return article.extraction_status == "done" and (
            moment is None or (article.extracted_at is not None and article.extracted_at > moment)
        )

    return done


def test_it_leaves_the_same_candidates_and_matches_when_a_worker_runs_it_twice(
    worker: None,  # noqa: F811
    workspace: Workspace,
    erin: User,
    bob: User,
    dave: User,
) -> None:
    checked_text = "Unemployment fell to 3.5 percent in September, the lowest rate since 1969."
    earlier = article_create(user=erin, workspace=workspace, text=checked_text, language="en")
    claim = claim_create(user=bob, article=earlier, start=0, end=len(checked_text)).claim
    adjudication_create(user=dave, claim=claim, verdict="true")

    article = article_create(user=erin, workspace=workspace, text=ENGLISH)
    _wait_for(_extracted_after(article.pk, None))
    candidates = CandidateClaim.objects.filter(article=article).order_by("start")
    before = list(candidates.values_list("pk", "start", "end", "score", "scorer", "text"))
    matches = list(
        ClaimMatch.objects.filter(candidate__article=article).values_list(
            "pk", "candidate_id", "matched_claim_id", "score"
        )
    )
    assert len(before) >= 3 and [m[2] for m in matches] == [claim.pk]
    first = candidates.first()
    assert first is not None
    candidate_dismiss(user=erin, candidate=first)

    # Redelivered tasks find the article done and do nothing; "Re-run extraction" runs it again.
    for _ in range(2):
        extract_article.delay(article.pk)
    moment = Article.objects.get(pk=article.pk).extracted_at
    article_request_extraction(article_id=article.pk)
    _wait_for(_extracted_after(article.pk, moment))

    assert list(candidates.values_list("pk", "start", "end", "score", "scorer", "text")) == before
    assert CandidateClaim.objects.get(pk=first.pk).status == "dismissed"
    assert (
        list(
            ClaimMatch.objects.filter(candidate__article=article).values_list(
                "pk", "candidate_id", "matched_claim_id", "score"
            )
        )
        == matches
    )
    assert Claim.objects.filter(article=article).count() == 0


def test_it_extracts_what_was_saved_while_the_broker_was_down_once_the_sweep_runs(
    worker: None,  # noqa: F811
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
) -> None:
    with unreachable_broker():
        response = api(erin).post("/api/v1/articles/", {"workspace": workspace.pk, "text": ENGLISH})
    assert response.status_code == 201, response.content
    article_id = response.json()["id"]
    # The broker is back, but nothing was ever sent: the article waits for the sweep.
    assert Article.objects.get(pk=article_id).extraction_status == "queued"
    Article.objects.filter(pk=article_id).update(
        extraction_requested_at=timezone.now() - timedelta(minutes=30)
    )
    sweep_stalled_articles.delay()
    _wait_for(_extracted_after(article_id, None))
    assert CandidateClaim.objects.filter(article_id=article_id).count() >= 3
