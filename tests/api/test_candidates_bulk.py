"""Accepting or dismissing the rest of an article's candidates at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from annotations.models import Article, CandidateClaim, Claim, Highlight, Workspace
from annotations.services.articles import article_create
from annotations.services.candidates import candidate_dismiss
from annotations.services.claims import claim_create

TEXT = (
    "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee. "
    "« Nous avons créé plus de 40 000 emplois depuis janvier », a déclaré la ministre du Travail. "
    "Une trentaine de départements restent au-dessus de 9 % de chômage. "
    "Le déficit public atteindra 5,1 % du PIB en 2026, prévoit Bercy. "
    "La réunion s'est tenue dans une ambiance cordiale."
)


@pytest.fixture
def extracted(
    workspace: Workspace,
    erin: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Article:
    with django_capture_on_commit_callbacks(execute=True):
        article = article_create(user=erin, workspace=workspace, text=TEXT, language="fr")
    assert CandidateClaim.objects.filter(article=article).count() >= 4
    return article


def _url(article: Article, decision: str) -> str:
    return f"/api/v1/articles/{article.pk}/candidates/{decision}-all/"


def test_it_accepts_the_rest_of_the_candidates_as_claims_with_my_highlights(
    extracted: Article, erin: User, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    first = CandidateClaim.objects.filter(article=extracted).order_by("start").first()
    assert first is not None
    candidate_dismiss(user=bob, candidate=first)
    pending = CandidateClaim.objects.filter(article=extracted, status="pending").count()

    response = api(erin).post(_url(extracted, "accept"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == body["claims_created"] == pending
    assert [c["status"] for c in body["candidates"]] == ["accepted"] * pending
    assert [c["start"] for c in body["candidates"]] == sorted(
        c["start"] for c in body["candidates"]
    )
    claims = Claim.objects.filter(article=extracted)
    assert claims.count() == pending and {c.origin for c in claims} == {"extracted"}
    assert set(
        Highlight.objects.filter(article=extracted).values_list("user__username", flat=True)
    ) == {"erin"}
    # The dismissal stands, and nothing is left to accept.
    assert CandidateClaim.objects.get(pk=first.pk).status == "dismissed"
    again = api(erin).post(_url(extracted, "accept")).json()
    assert again["count"] == 0 and again["candidates"] == []


def test_it_accepts_only_the_candidates_above_a_score(
    extracted: Article, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    scores = sorted(
        CandidateClaim.objects.filter(article=extracted).values_list("score", flat=True)
    )
    cut = scores[len(scores) // 2]
    body = api(erin).post(_url(extracted, "accept"), {"min_score": cut}).json()
    assert body["count"] == sum(1 for s in scores if s >= cut)
    assert all(c["score"] >= cut for c in body["candidates"])
    left = CandidateClaim.objects.filter(article=extracted, status="pending")
    assert left.count() == len(scores) - body["count"] and all(c.score < cut for c in left)


def test_it_dismisses_the_weak_candidates_and_records_who_did(
    extracted: Article, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    scores = sorted(
        CandidateClaim.objects.filter(article=extracted).values_list("score", flat=True)
    )
    body = api(bob).post(_url(extracted, "dismiss"), {"max_score": scores[0]}).json()
    assert body["count"] == 1 and body["claims_created"] == 0
    assert body["candidates"][0]["decided_by"] == "bob"
    everything = api(bob).post(_url(extracted, "dismiss")).json()
    assert everything["count"] == len(scores) - 1
    assert not CandidateClaim.objects.filter(article=extracted, status="pending").exists()
    assert not Claim.objects.filter(article=extracted).exists()


def test_it_accepts_a_sentence_i_already_highlighted_into_my_claim(
    extracted: Article, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    candidate = CandidateClaim.objects.filter(article=extracted).order_by("start").first()
    assert candidate is not None
    mine = claim_create(user=erin, article=extracted, start=candidate.start, end=candidate.end)
    response = api(erin).post(_url(extracted, "accept"))
    assert response.status_code == 200, response.content
    decided = CandidateClaim.objects.get(pk=candidate.pk)
    assert decided.status == "accepted" and decided.claim_id == mine.claim.pk
    assert Highlight.objects.filter(claim=mine.claim).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"min_score": "high"}, "min_score"),
        ({"min_score": 1.5}, "min_score"),
        ({"max_score": -0.1}, "max_score"),
        ({"min_score": 0.8, "max_score": 0.2}, "max_score"),
    ],
)
@pytest.mark.parametrize("decision", ["accept", "dismiss"])
def test_it_names_a_bad_score_bound_and_decides_nothing(
    body: dict[str, object],
    field: str,
    decision: str,
    extracted: Article,
    erin: User,
    api: Callable[[User | None], APIClient],
) -> None:
    response = api(erin).post(_url(extracted, decision), body)
    assert response.status_code == 400 and field in response.json(), response.content
    assert not CandidateClaim.objects.filter(article=extracted).exclude(status="pending").exists()
    assert not Claim.objects.exists()


@pytest.mark.parametrize("decision", ["accept", "dismiss"])
def test_it_keeps_outsiders_out_of_bulk_decisions(
    decision: str,
    extracted: Article,
    mallory: User,
    api: Callable[[User | None], APIClient],
) -> None:
    assert api(mallory).post(_url(extracted, decision)).status_code == 404
    assert api(None).post(_url(extracted, decision)).status_code == 401
    assert (
        api(mallory).post(f"/api/v1/articles/999999/candidates/{decision}-all/").status_code == 404
    )
    assert not CandidateClaim.objects.filter(article=extracted).exclude(status="pending").exists()
