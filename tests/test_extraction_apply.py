"""Extraction scores outside any transaction and applies its result only to the text it read.

A redelivered task finds the article done and changes nothing (it once turned a finished article
into `failed` with SoftTimeLimitExceeded); a correction saved while the sentences were scored
makes the stale result be dropped and the fresh extraction propose the new text's candidates;
re-extraction writes only what differs.
"""

from __future__ import annotations

from typing import Any

import pytest
from billiard.exceptions import SoftTimeLimitExceeded
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoCaptureOnCommitCallbacks

from annotations.extraction.pipeline import extract_candidates
from annotations.models import Article, CandidateClaim, Workspace
from annotations.services import extraction
from annotations.services.articles import article_create, article_request_extraction
from annotations.services.revisions import article_revise
from annotations.tasks import extract_article
from tests.conftest import FRENCH_TEXT


def _candidates(article: Article) -> list[tuple[int, int, int, str, str]]:
    return list(
        CandidateClaim.objects.filter(article=article)
        .order_by("start")
        .values_list("pk", "start", "end", "text", "status")
    )


def _extracted(workspace: Workspace, user: User, text: str = FRENCH_TEXT) -> Article:
    article = article_create(user=user, workspace=workspace, text=text, language="fr")
    extraction.article_extract(article_id=article.pk)
    article.refresh_from_db()
    assert article.extraction_status == Article.Status.DONE
    return article


def test_a_redelivered_extraction_leaves_a_finished_article_done(
    workspace: Workspace, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = _extracted(workspace, alice)
    before = _candidates(article)
    assert before

    def out_of_time(*_args: Any, **_kwargs: Any) -> Any:
        raise SoftTimeLimitExceeded()

    # Were the redelivered task to score again, it would run out of time, as in production.
    monkeypatch.setattr(extraction, "extract_candidates", out_of_time)
    extract_article.apply(args=(article.pk,))

    article.refresh_from_db()
    assert article.extraction_status == Article.Status.DONE
    assert article.extraction_error == ""
    assert _candidates(article) == before


def test_a_failure_after_another_run_finished_does_not_undo_it(
    workspace: Workspace, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = _extracted(workspace, alice)
    article_request_extraction(article_id=article.pk)  # "Re-run extraction"

    def finished_elsewhere_then_out_of_time(*_args: Any, **_kwargs: Any) -> Any:
        # A duplicate delivery of the same task finished while this one was still scoring.
        Article.objects.filter(pk=article.pk).update(extraction_status=Article.Status.DONE)
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(extraction, "extract_candidates", finished_elsewhere_then_out_of_time)
    extract_article.apply(args=(article.pk,))

    article.refresh_from_db()
    assert (article.extraction_status, article.extraction_error) == (Article.Status.DONE, "")


def test_a_correction_while_scoring_drops_the_stale_result(
    workspace: Workspace,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    article = _extracted(workspace, alice)
    article_request_extraction(article_id=article.pk)
    corrected = "Selon le ministère, le chômage a baissé de 2 % en 2024.\n" + FRENCH_TEXT

    def corrected_meanwhile(*args: Any, **kwargs: Any) -> Any:
        result = extract_candidates(*args, **kwargs)
        # An editor saves a correction while the worker scores the old text.
        article_revise(user=alice, article=article, text=corrected, version=article.version)
        return result

    monkeypatch.setattr(extraction, "extract_candidates", corrected_meanwhile)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        extraction.article_extract(article_id=article.pk)
    monkeypatch.setattr(extraction, "extract_candidates", extract_candidates)

    article.refresh_from_db()
    # The old text's candidates were not written back over the corrected text.
    assert article.text == corrected
    assert article.extraction_status == Article.Status.QUEUED
    assert not CandidateClaim.objects.filter(article=article, status="pending").exists()
    # The correction queued the extraction of the new text; it proposes its sentences.
    assert queued
    for callback in queued:
        callback()
    article.refresh_from_db()
    assert article.extraction_status == Article.Status.DONE
    pending = CandidateClaim.objects.filter(article=article, status="pending")
    assert pending.filter(text__startswith="Selon le ministère").exists()
    for candidate in pending:
        assert corrected[candidate.start : candidate.end] == candidate.text


def test_re_extraction_writes_only_what_changed_in_a_few_statements(
    workspace: Workspace, alice: User
) -> None:
    sentences = [
        f"Le chômage a baissé de {n} points en {1900 + n}, selon l'Insee." for n in range(300)
    ]
    article = _extracted(workspace, alice, "\n".join(sentences))
    before = _candidates(article)
    assert len(before) == 300

    article_request_extraction(article_id=article.pk)
    with CaptureQueriesContext(connection) as same_text:
        extraction.article_extract(article_id=article.pk)
    # A new scorer: every pending candidate changes, in bounded statements.
    CandidateClaim.objects.filter(article=article).update(scorer="old-model")
    article_request_extraction(article_id=article.pk)
    with CaptureQueriesContext(connection) as all_changed:
        extraction.article_extract(article_id=article.pk)

    assert _candidates(article) == before
    assert set(CandidateClaim.objects.filter(article=article).values_list("scorer", flat=True)) == {
        "embed-1"
    }
    writes = [q["sql"] for q in same_text.captured_queries if "candidateclaim" in q["sql"].lower()]
    assert not [sql for sql in writes if sql.startswith(("UPDATE", "INSERT", "DELETE"))]
    updates = [
        q
        for q in all_changed.captured_queries
        if q["sql"].startswith('UPDATE "annotations_candidateclaim"')
    ]
    assert 0 < len(updates) <= 300 / extraction._UPDATE_BATCH + 1


def _extract_while(
    article: Article,
    meanwhile: Any,
    monkeypatch: pytest.MonkeyPatch,
    capture: DjangoCaptureOnCommitCallbacks,
) -> list[Any]:
    """Run the extraction, doing `meanwhile()` after the sentences are scored and before the
    result is applied; return what it queued after commit, not yet run."""

    def scored_then(*args: Any, **kwargs: Any) -> Any:
        result = extract_candidates(*args, **kwargs)
        meanwhile()
        return result

    monkeypatch.setattr(extraction, "extract_candidates", scored_then)
    with capture(execute=False) as queued:
        extraction.article_extract(article_id=article.pk)
    monkeypatch.setattr(extraction, "extract_candidates", extract_candidates)
    return list(queued)


def _run_all(queued: list[Any]) -> None:
    assert queued  # something is on its way
    for callback in queued:
        callback()


def test_a_run_asked_for_while_another_scores_still_runs(
    workspace: Workspace,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # An editor activates another scorer and presses "Re-run extraction" while the previous run
    # is still scoring: that run's result is stored, but the article is not marked done, so the
    # run asked for (with the new scorer) is not skipped as a redelivery.
    article = _extracted(workspace, alice)
    article_request_extraction(article_id=article.pk)

    queued = _extract_while(
        article,
        lambda: article_request_extraction(article_id=article.pk),
        monkeypatch,
        django_capture_on_commit_callbacks,
    )

    article.refresh_from_db()
    assert article.extraction_status == Article.Status.QUEUED
    _run_all(queued)
    article.refresh_from_db()
    assert article.extraction_status == Article.Status.DONE


def test_a_result_dropped_for_a_language_set_by_hand_queues_a_fresh_run(
    workspace: Workspace,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # The language changed while the sentences were scored (an edit of the article's details,
    # which queues no extraction itself): the stale result is dropped and a fresh run queued,
    # rather than leaving the article "running" until the sweep finds it.
    article = _extracted(workspace, alice)
    article_request_extraction(article_id=article.pk)

    queued = _extract_while(
        article,
        lambda: Article.objects.filter(pk=article.pk).update(
            language="en", version=article.version + 1
        ),
        monkeypatch,
        django_capture_on_commit_callbacks,
    )

    article.refresh_from_db()
    assert article.extraction_status == Article.Status.QUEUED
    _run_all(queued)
    article.refresh_from_db()
    assert article.extraction_status == Article.Status.DONE
