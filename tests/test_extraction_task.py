"""The extraction task as a desk sees it: status and error on the article, the scorer it used,
running twice, and the periodic sweep that sends again what the broker never got."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django import Settings as SettingsWrapper
from rest_framework.test import APIClient

from annotations.extraction.learned import train_scorer
from annotations.extraction.pipeline import DEFAULT_THRESHOLD
from annotations.models import Article, CandidateClaim, ScorerModel, Workspace
from annotations.services.articles import article_create
from annotations.services.candidates import candidate_dismiss
from annotations.services.scorers import scorer_model_store
from annotations.services.sweep import articles_requeue_stalled
from annotations.services.workspaces import workspace_create
from annotations.tasks import extract_article
from tests.api.conftest import web_server  # noqa: F401  (fixture)
from workbench.celery import app

ENGLISH = (
    "Unemployment fell to 3.5 percent in September, the lowest rate since 1969, the Labor "
    'Department said. "We have created more than 200,000 jobs a month," said Maria Lopez, the '
    "labor secretary. The meeting ended at noon. Officials expect inflation to reach 4% by the "
    "end of 2026."
)


def _snapshot(article: Article) -> list[tuple[int, int, int, float, str, str, str]]:
    return list(
        CandidateClaim.objects.filter(article=article)
        .order_by("start")
        .values_list("pk", "start", "end", "score", "scorer", "status", "claimant_guess")
    )


def test_it_starts_a_new_desk_at_the_extractors_threshold(alice: User) -> None:
    workspace = workspace_create(user=alice, name="Nouvelle rédaction")
    assert workspace.candidate_threshold == DEFAULT_THRESHOLD == 0.35


def test_it_extracts_after_commit_and_says_so_on_the_article(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(erin).post("/api/v1/articles/", {"workspace": workspace.pk, "text": ENGLISH})
    assert response.status_code == 201
    assert response.json()["extraction_status"] == "queued" and not CandidateClaim.objects.exists()
    for callback in callbacks:
        callback()
    shown = api(erin).get(f"/api/v1/articles/{response.json()['id']}/").json()
    assert shown["extraction_status"] == "done" and shown["extraction_error"] == ""
    assert shown["language"] == "en"  # detected, since none was given
    candidates = CandidateClaim.objects.filter(article_id=shown["id"])
    assert {c.scorer for c in candidates} == {"embed-1"}
    assert all(c.score >= DEFAULT_THRESHOLD for c in candidates)
    said = next(c for c in candidates if "200,000" in c.text)
    assert "quotation" in said.kinds and said.claimant_guess == "Maria Lopez"
    assert not any("meeting ended" in c.text for c in candidates)


def test_it_leaves_the_same_candidates_when_run_twice_and_keeps_decisions(
    article: Article, erin: User
) -> None:
    extract_article.apply(args=(article.pk,))
    first = _snapshot(article)
    assert len(first) >= 3
    dismissed = CandidateClaim.objects.get(pk=first[0][0])
    candidate_dismiss(user=erin, candidate=dismissed)
    extract_article.apply(args=(article.pk,))
    extract_article.apply(args=(article.pk,))
    again = _snapshot(article)
    assert [row[:5] for row in again] == [row[:5] for row in first]
    assert again[0][5] == "dismissed" and {row[5] for row in again[1:]} == {"pending"}


def test_it_extracts_with_the_desks_active_model_and_names_it(
    workspace: Workspace, alice: User, erin: User
) -> None:
    numbers = [f"Les prix ont augmenté de {n} % en {2000 + n}, selon l'Insee." for n in range(12)]
    chatter = [f"La réunion numéro {n} s'est bien passée, dit-on au village." for n in range(12)]
    examples = [(t, "fr", 1) for t in numbers] + [(t, "fr", 0) for t in chatter]
    scorer = train_scorer(examples, version="desk-model-1")
    scorer_model_store(
        scorer=scorer, workspace_id=workspace.pk, trained_from="test", metrics={}, activate=True
    )
    article = article_create(
        user=erin,
        workspace=workspace,
        text="Les loyers ont augmenté de 12 % en 2025, selon l'Insee.",
    )
    extract_article.apply(args=(article.pk,))
    candidate = CandidateClaim.objects.get(article=article)
    assert candidate.scorer == "desk-model-1"
    assert candidate.reasons[0].startswith("model desk-model-1:")
    assert "quantity" in candidate.kinds


def test_it_records_why_an_extraction_failed(workspace: Workspace, article: Article) -> None:
    ScorerModel.objects.create(
        workspace=workspace,
        version="damaged",
        trained_from="a disk error",
        n_examples=1,
        data=b"not a model",
        is_active=True,
    )
    extract_article.apply(args=(article.pk,))
    article.refresh_from_db()
    assert article.extraction_status == "failed"
    assert "not a serialised claim scorer" in article.extraction_error


# --- The sweep ----------------------------------------------------------------------------------


def _age(article: Article, minutes: float, **fields: object) -> None:
    then = timezone.now() - timedelta(minutes=minutes)
    Article.objects.filter(pk=article.pk).update(
        extraction_requested_at=then, updated_at=then, **fields
    )


def test_it_sends_again_an_extraction_left_queued(
    workspace: Workspace,
    erin: User,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.ARTICLE_REQUEUE_AFTER = 600
    # Saved, but its task never ran (the commit callbacks of this test transaction are dropped).
    old = article_create(user=erin, workspace=workspace, text=ENGLISH)
    recent = article_create(user=erin, workspace=workspace, text=ENGLISH + " Again.")
    failed = article_create(user=erin, workspace=workspace, text=ENGLISH + " Once more.")
    _age(old, 11)
    _age(recent, 5)
    _age(failed, 60, extraction_status="failed", extraction_error="ValueError: bad")

    with django_capture_on_commit_callbacks(execute=True):
        outcome = articles_requeue_stalled()
    assert (outcome.extractions, outcome.fetches) == (1, 0)
    statuses = dict(Article.objects.values_list("pk", "extraction_status"))
    assert statuses == {old.pk: "done", recent.pk: "queued", failed.pk: "failed"}
    assert CandidateClaim.objects.filter(article=old).exists()
    # Sent once: the next sweep waits for the new request to age.
    assert articles_requeue_stalled().extractions == 0


def test_it_sends_again_an_extraction_whose_worker_died(
    article: Article, settings: SettingsWrapper
) -> None:
    extract_article.apply(args=(article.pk,))
    limit = settings.CELERY_TASK_TIME_LIMIT / 60
    _age(article, limit - 1, extraction_status="running")
    assert articles_requeue_stalled().extractions == 0  # still within the time limit
    _age(article, limit + 2, extraction_status="running")
    assert articles_requeue_stalled().extractions == 1
    article.refresh_from_db()
    assert article.extraction_status == "queued"
    assert article.extraction_requested_at is not None
    assert timezone.now() - article.extraction_requested_at < timedelta(minutes=1)


def test_it_sends_again_a_fetch_left_queued(
    workspace: Workspace,
    erin: User,
    web_server: str,  # noqa: F811
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    article = article_create(user=erin, workspace=workspace, url=f"{web_server}/article")
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = articles_requeue_stalled()
    assert (outcome.fetches, outcome.extractions) == (1, 0)
    article.refresh_from_db()
    assert article.fetch_status == "done" and article.extraction_status == "done"
    assert "Observatoire des loyers" in article.text


def test_it_schedules_the_sweep_with_celery_beat(settings: SettingsWrapper) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stalled-articles"]
    assert entry["task"] == "annotations.sweep_stalled_articles"
    assert entry["task"] in app.tasks
    assert 0 < entry["schedule"] <= settings.ARTICLE_REQUEUE_AFTER


# --- Broker down --------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def unreachable_broker() -> Iterator[None]:
    """Publishing goes to a port nobody listens on, as when Redis is down; a running worker
    keeps its own connection."""
    original, eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.update(broker_url=f"redis://127.0.0.1:{_closed_port()}/0")
    app.close()  # drop the pooled connections to the real broker
    try:
        yield
    finally:
        app.conf.update(broker_url=original)
        app.close()
        app.conf.task_always_eager = eager


@pytest.fixture
def broker_down() -> Iterator[None]:
    with unreachable_broker():
        yield


def test_it_saves_an_article_while_the_broker_is_down_and_the_sweep_sends_it_later(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    broker_down: None,
) -> None:
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(erin).post("/api/v1/articles/", {"workspace": workspace.pk, "text": ENGLISH})
    assert response.status_code == 201, response.content
    assert time.monotonic() - started < settings.TASK_PUBLISH_TIMEOUT
    article = Article.objects.get(pk=response.json()["id"])
    assert article.text.startswith("Unemployment") and article.extraction_status == "queued"

    # Still down when the sweep runs: it fails the same way, and keeps the article queued.
    _age(article, 11)
    with django_capture_on_commit_callbacks(execute=True):
        assert articles_requeue_stalled().extractions == 1
    article.refresh_from_db()
    assert article.extraction_status == "queued" and not CandidateClaim.objects.exists()
