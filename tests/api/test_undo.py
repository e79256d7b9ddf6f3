"""Undo without losing history: withdrawing claims, highlights and source links; reopening a
dismissed candidate; deciding many candidates in one request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from annotations.models import (
    Article,
    CandidateClaim,
    Claim,
    ClaimEvent,
    ClaimSource,
    DatasetRelease,
    Highlight,
    Workspace,
)
from annotations.services.adjudications import adjudication_create
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.assignments import article_assign
from annotations.services.candidates import candidate_accept, candidate_dismiss
from annotations.services.claims import claim_create
from annotations.services.publishing import claim_publish
from annotations.services.sources import claim_source_link
from tests.conftest import FRENCH_TEXT, results

Api = Callable[[User | None], APIClient]
QUOTE = "« Nous avons créé plus de 40 000 emplois »"


@pytest.fixture
def extracted(
    workspace: Workspace,
    erin: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Article:
    with django_capture_on_commit_callbacks(execute=True):
        article = article_create(user=erin, workspace=workspace, text=FRENCH_TEXT, language="fr")
    assert CandidateClaim.objects.filter(article=article).count() >= 3
    return article


def _claim(article: Article, user: User, quote: str = QUOTE, extra: int = 0) -> Claim:
    start = article.text.index(quote)
    return claim_create(
        user=user, article=article, start=start, end=start + len(quote) + extra
    ).claim


def test_it_lets_an_annotator_withdraw_her_claim_and_keeps_it_with_its_history(
    article: Article, erin: User, api: Api
) -> None:
    claim = _claim(article, erin)
    response = api(erin).delete(f"/api/v1/claims/{claim.pk}/")

    assert response.status_code == 204
    assert api(erin).get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert api(erin).get(f"/api/v1/articles/{article.pk}/").json()["claims"] == []
    kept = Claim.all_objects.get(pk=claim.pk)
    assert kept.withdrawn_by == erin and kept.withdrawn_at is not None
    assert Highlight.all_objects.filter(claim=kept, withdrawn_at__isnull=False).count() == 1
    assert ClaimEvent.objects.filter(claim=kept, kind="withdrawn").exists()
    # The same sentence can be highlighted again: a new claim.
    again = _claim(article, erin)
    assert again.pk != claim.pk


def test_it_refuses_the_withdrawal_once_a_reviewer_is_on_the_claim_without_saying_how(
    article: Article,
    workspace: Workspace,
    alice: User,
    bob: User,
    carol: User,
    erin: User,
    api: Api,
) -> None:
    assigned = _claim(article, erin)
    article_assign(user=alice, article=article, usernames=["bob"], auto=False, due_at=None)
    first = api(erin).delete(f"/api/v1/claims/{assigned.pk}/")

    other = Article.objects.create(
        workspace=workspace, text=FRENCH_TEXT, created_by=alice, language="fr"
    )
    started = _claim(other, erin)
    assessment_create(user=carol, claim=started, verdict="true")
    second = api(erin).delete(f"/api/v1/claims/{started.pk}/")

    assert first.status_code == second.status_code == 403
    assert first.json() == second.json()
    assert "editor" in first.json()["detail"]
    assert api(alice).delete(f"/api/v1/claims/{started.pk}/").status_code == 204


def test_it_never_withdraws_a_published_or_released_claim(
    article: Article, alice: User, bob: User, dave: User, api: Api
) -> None:
    claim = _claim(article, bob)
    adjudication_create(user=dave, claim=claim, verdict="false")
    claim_publish(user=alice, claim=claim)
    assert api(alice).delete(f"/api/v1/claims/{claim.pk}/").status_code == 409

    other = _claim(article, bob, "Une trentaine de départements")
    DatasetRelease.objects.create(
        workspace=article.workspace, name="r", version="1", claim_ids=[other.pk], created_by=alice
    )
    refused = api(alice).delete(f"/api/v1/claims/{other.pk}/")
    assert refused.status_code == 409
    assert "release" in refused.json()["status"][0]


def test_it_withdraws_my_highlight_and_leaves_the_claim_to_the_others(
    article: Article, bob: User, carol: User, api: Api
) -> None:
    claim = _claim(article, bob)
    _claim(article, carol, extra=12)  # wider: a span disagreement once assessed
    response = api(carol).delete(f"/api/v1/claims/{claim.pk}/highlights/mine/")

    assert response.status_code == 200
    assert [h["username"] for h in response.json()["highlights"]] == ["bob"]
    assert api(carol).delete(f"/api/v1/claims/{claim.pk}/highlights/mine/").status_code == 409
    # The last highlight leaves the claim in place: withdrawing it is its own act.
    last = api(bob).delete(f"/api/v1/claims/{claim.pk}/highlights/mine/")
    assert last.status_code == 200 and last.json()["highlights"] == []
    assert api(bob).delete(f"/api/v1/claims/{claim.pk}/").status_code == 204


def test_it_lets_who_linked_a_source_or_an_editor_remove_it(
    claim: Claim, alice: User, bob: User, carol: User, api: Api
) -> None:
    link = claim_source_link(user=bob, claim=claim, url="https://example.org/a", stance="refutes")
    url = f"/api/v1/claims/{claim.pk}/sources/{link.pk}/"
    assert api(carol).delete(url).status_code == 403
    assert api(bob).delete(url).status_code == 204
    assert results(api(bob).get(f"/api/v1/claims/{claim.pk}/sources/")) == []
    assert ClaimSource.all_objects.get(pk=link.pk).withdrawn_by == bob
    kinds = [e["kind"] for e in results(api(alice).get(f"/api/v1/claims/{claim.pk}/history/"))]
    assert kinds[-2:] == ["source_linked", "source_removed"]
    # Linked again, then removed by the editor.
    again = claim_source_link(user=bob, claim=claim, url="https://example.org/a", stance="context")
    assert api(alice).delete(f"/api/v1/claims/{claim.pk}/sources/{again.pk}/").status_code == 204


def test_it_reopens_a_dismissed_candidate_and_proposes_again_one_whose_claim_was_withdrawn(
    extracted: Article, erin: User, api: Api
) -> None:
    first, second = CandidateClaim.objects.filter(article=extracted).order_by("start")[:2]
    candidate_dismiss(user=erin, candidate=first)
    reopened = api(erin).post(f"/api/v1/candidates/{first.pk}/reopen/")
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["decided_by"]) == ("pending", None)
    assert api(erin).post(f"/api/v1/candidates/{first.pk}/reopen/").status_code == 409

    claim = candidate_accept(user=erin, candidate=second).claim
    api(erin).delete(f"/api/v1/claims/{claim.pk}/")
    second.refresh_from_db()
    assert (second.status, second.claim_id) == ("pending", None)


def test_it_decides_the_candidates_the_page_showed_in_one_request(
    extracted: Article, erin: User, api: Api
) -> None:
    pending = list(CandidateClaim.objects.filter(article=extracted).order_by("start"))
    shown = [c.pk for c in pending[:-1]]
    response = api(erin).post(
        f"/api/v1/articles/{extracted.pk}/candidates/dismiss-all/", {"ids": shown}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["count"] == len(shown)
    statuses = dict(CandidateClaim.objects.filter(article=extracted).values_list("pk", "status"))
    assert {statuses[pk] for pk in shown} == {"dismissed"}
    assert statuses[pending[-1].pk] == "pending"  # not shown, not decided
    bad = api(erin).post(
        f"/api/v1/articles/{extracted.pk}/candidates/dismiss-all/", {"ids": ["x"]}, format="json"
    )
    assert bad.status_code == 400 and "ids" in bad.json()


def test_it_gives_the_sentences_of_an_article_as_code_point_ranges(
    article: Article, erin: User, api: Api
) -> None:
    sentences = api(erin).get(f"/api/v1/articles/{article.pk}/sentences/").json()
    text = article.text
    quoted = [text[s["start"] : s["end"]] for s in sentences]
    assert quoted[0].startswith("Le chômage a reculé")
    assert any(q.endswith("😐.") or q.endswith("😐") for q in quoted)
    assert all(q == q.strip() and q for q in quoted)
