"""Accepting, dismissing, correcting and re-extracting one article at the same time, on PostgreSQL.

Real threads, each with its own database connection, committing for real (a transactional test):
what the issue measured as 12 deadlocks and 500s in 24 requests, and a correction silently lost
when two editors saved at once. Every answer must be one a client can act on (never a 500), every
correction that got 201 must be in the article's history, and the article must end consistent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from django.db import connection
from rest_framework.test import APIClient

from annotations.models import Article, ArticleRevision, CandidateClaim, Claim, Workspace
from annotations.services.articles import article_create, article_request_extraction
from annotations.services.extraction import article_extract

# Real threads and commits on PostgreSQL (tests/services_env.py stops the suite when it is missing).
pytestmark = pytest.mark.django_db(transaction=True)

SENTENCES = 24
ROUNDS = 4


def _text(label: str) -> str:
    return "\n".join(
        f"{label} Le chômage a reculé de {i},3 point au troisième trimestre {2000 + i}, selon "
        f"l'Insee. « Nous avons créé plus de {i}0 000 emplois », a déclaré la ministre."
        for i in range(SENTENCES)
    )


@dataclass
class Outcomes:
    statuses: list[tuple[str, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)  # texts saved with 201
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, what: str, status: int) -> None:
        with self.lock:
            self.statuses.append((what, status))

    def fail(self, what: str, error: BaseException) -> None:
        with self.lock:
            self.errors.append(f"{what}: {error.__class__.__name__}: {error}")


def _client(user: User) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _pending(article_id: int) -> list[int]:
    return list(
        CandidateClaim.objects.filter(
            article_id=article_id, status=CandidateClaim.Status.PENDING
        ).values_list("pk", flat=True)
    )


def _run_together(jobs: list[Callable[[], None]], outcomes: Outcomes) -> None:
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], None]) -> None:
        try:
            start.wait()
            job()
        except BaseException as error:  # anything a thread raises fails the test
            outcomes.fail(getattr(job, "__name__", "job"), error)
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"


def test_accept_dismiss_correct_and_reextract_at_once_lose_nothing(
    workspace: Workspace, alice: User, carol: User
) -> None:
    article = article_create(user=alice, workspace=workspace, text=_text("R0"), language="fr")
    article_extract(article_id=article.pk)
    assert len(_pending(article.pk)) >= 20
    outcomes = Outcomes()

    def correct(editor: str, round_: int) -> Callable[[], None]:
        def job() -> None:
            client = _client(alice)
            url = f"/api/v1/articles/{article.pk}/revisions/"
            text = _text(f"{editor}{round_}")
            # A second editor correcting at once gets 412, reloads and saves again.
            for _attempt in range(5):
                version = client.get(f"/api/v1/articles/{article.pk}/").json()["version"]
                response = client.post(url, {"text": text, "version": version}, format="json")
                outcomes.record("correct", response.status_code)
                if response.status_code == 201:
                    with outcomes.lock:
                        outcomes.corrections.append(text)
                    return
                if response.status_code != 412:
                    return

        job.__name__ = f"correct-{editor}"
        return job

    def decide(action: str, ids: list[int]) -> Callable[[], None]:
        def job() -> None:
            client = _client(carol)
            for pk in ids:
                response = client.post(f"/api/v1/candidates/{pk}/{action}/")
                outcomes.record(action, response.status_code)

        job.__name__ = action
        return job

    def accept_all() -> None:
        response = _client(carol).post(
            f"/api/v1/articles/{article.pk}/candidates/accept-all/", {}, format="json"
        )
        outcomes.record("accept-all", response.status_code)

    def reextract() -> None:
        # What "Re-run extraction" and a redelivered task do, in the worker's own thread.
        article_request_extraction(article_id=article.pk)
        article_extract(article_id=article.pk)
        outcomes.record("re-extract", 0)

    for round_ in range(ROUNDS):
        pending = _pending(article.pk)
        jobs = [
            decide("accept", pending[0::4]),
            decide("dismiss", pending[1::4]),
            correct("A", round_),
            correct("B", round_),
            reextract,
        ]
        if round_ % 2:
            jobs.append(accept_all)
        _run_together(jobs, outcomes)

    assert outcomes.errors == []
    allowed = {
        # 409: decided already, or removed by a correction while locked; 404: removed before.
        "accept": {200, 201, 404, 409},
        "dismiss": {200, 404, 409},
        "accept-all": {200},
        "correct": {201, 412},
        "re-extract": {0},
    }
    unexpected = [(what, code) for what, code in outcomes.statuses if code not in allowed[what]]
    assert unexpected == []
    assert len(outcomes.corrections) == 2 * ROUNDS  # each editor's correction was saved

    # No correction lost: every text saved with 201 is either the current one or the text a
    # later correction replaced (kept as a revision), each exactly once.
    article.refresh_from_db()
    kept = list(ArticleRevision.objects.filter(article=article).values_list("text", flat=True))
    assert sorted([*kept, article.text]) == sorted([_text("R0"), *outcomes.corrections])
    assert article.version == 1 + 2 * ROUNDS
    assert article.revision == 1 + 2 * ROUNDS

    # The queued extraction runs once more (as the worker would): a consistent end state.
    article_extract(article_id=article.pk)
    article.refresh_from_db()
    assert article.extraction_status == Article.Status.DONE
    for candidate in CandidateClaim.objects.filter(article=article, status="pending"):
        assert article.text[candidate.start : candidate.end] == candidate.text
    accepted = CandidateClaim.objects.filter(article=article, status="accepted")
    assert accepted.exists() and not accepted.filter(claim__isnull=True).exists()
    for claim in Claim.objects.filter(article=article, orphaned=False):
        assert claim.start is not None and claim.end is not None
        assert article.text[claim.start : claim.end] == claim.exact
