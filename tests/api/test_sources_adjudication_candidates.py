from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article, CandidateClaim, Claim, ClaimSource, Source
from tests.conftest import results


def test_it_links_a_source_with_its_stance_and_passage(
    claim: Claim, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(bob).post(
        f"/api/v1/claims/{claim.pk}/sources/",
        {
            "url": "https://www.insee.fr/fr/statistiques/1?utm_source=x",
            "stance": "supports",
            "quote": "Le taux de chômage diminue de 0,3 point.",
            "title": "Chômage au T3",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stance"] == "supports"
    assert body["source"]["title"] == "Chômage au T3"


def test_it_keeps_one_source_per_page_in_a_workspace(
    claim: Claim, bob: User, carol: User, api: Callable[[User | None], APIClient]
) -> None:
    api(bob).post(
        f"/api/v1/claims/{claim.pk}/sources/",
        {"url": "https://www.insee.fr/fr/statistiques/1", "stance": "supports"},
    )
    api(carol).post(
        f"/api/v1/claims/{claim.pk}/sources/",
        {"url": "http://insee.fr/fr/statistiques/1/#tableau?", "stance": "context"},
    )
    assert Source.objects.count() == 1
    assert (
        sorted(results(api(bob).get(f"/api/v1/claims/{claim.pk}/sources/")), key=lambda r: r["id"])[
            1
        ]["stance"]
        == "context"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "notaurl", "stance": "supports"}, "url"),
        ({"url": "https://a.example/", "stance": "agrees"}, "stance"),
        ({"stance": "supports"}, "url"),
    ],
)
def test_it_names_what_is_wrong_with_a_source(
    body: dict[str, str],
    field: str,
    claim: Claim,
    bob: User,
    api: Callable[[User | None], APIClient],
) -> None:
    response = api(bob).post(f"/api/v1/claims/{claim.pk}/sources/", body)
    assert response.status_code == 400 and field in response.json()
    assert not ClaimSource.objects.exists() and not Source.objects.exists()


def test_it_refuses_the_same_source_twice_from_one_reviewer(
    claim: Claim, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    api(bob).post(
        f"/api/v1/claims/{claim.pk}/sources/",
        {"url": "https://www.insee.fr/x", "stance": "supports"},
    )
    again = api(bob).post(
        f"/api/v1/claims/{claim.pk}/sources/",
        {"url": "https://www.insee.fr/x", "stance": "refutes"},
    )
    assert again.status_code == 409 and "existing" in again.json()


def test_it_resolves_a_disputed_claim_by_adjudication_and_keeps_the_history(
    claim: Claim, bob: User, carol: User, dave: User, api: Callable[[User | None], APIClient]
) -> None:
    api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "true"})
    api(carol).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "half-true"})
    url = f"/api/v1/claims/{claim.pk}/adjudication/"
    first = api(dave).post(
        url, {"verdict": "mostly-true", "note": "Série corrigée des variations saisonnières."}
    )
    assert first.status_code == 201
    second = api(dave).post(url, {"verdict": "true", "note": "Révision de l'Insee."})
    state = second.json()
    assert state["current"]["verdict"] == "true"
    assert [h["verdict"] for h in state["history"]] == ["true", "mostly-true"]
    stored = Claim.objects.get(pk=claim.pk)
    assert (
        stored.status == "resolved"
        and stored.final_verdict is not None
        and stored.final_verdict.slug == "true"
    )


def test_it_refuses_an_unknown_final_verdict(
    claim: Claim, dave: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(dave).post(f"/api/v1/claims/{claim.pk}/adjudication/", {"verdict": "nope"})
    assert response.status_code == 400 and "verdict" in response.json()
    assert Claim.objects.get(pk=claim.pk).status == "open"


def test_it_publishes_only_resolved_claims(
    claim: Claim, alice: User, dave: User, api: Callable[[User | None], APIClient]
) -> None:
    early = api(alice).post(f"/api/v1/claims/{claim.pk}/publish/")
    assert early.status_code == 400 and "status" in early.json()
    api(dave).post(f"/api/v1/claims/{claim.pk}/adjudication/", {"verdict": "true"})
    published = api(alice).post(f"/api/v1/claims/{claim.pk}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"


def _candidate(article: Article) -> CandidateClaim:
    start = article.text.index("Une trentaine")
    return CandidateClaim.objects.create(
        article=article,
        start=start,
        end=len(article.text),
        text=article.text[start:],
        score=0.9,
        kinds=["quantity"],
        claimant_guess="",
        scorer="test",
    )


def test_it_turns_an_accepted_candidate_into_a_claim_with_my_highlight(
    article: Article, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    candidate = _candidate(article)
    response = api(erin).post(f"/api/v1/candidates/{candidate.pk}/accept/")
    assert response.status_code == 201, response.content
    claim = response.json()
    assert claim["origin"] == "extracted" and claim["exact"] == candidate.text
    assert [h["username"] for h in claim["highlights"]] == ["erin"]
    candidate.refresh_from_db()
    assert (
        candidate.status == "accepted"
        and candidate.decided_by == erin
        and candidate.claim_id == claim["id"]
    )


def test_it_records_a_dismissal_and_refuses_a_second_decision(
    article: Article, erin: User, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    candidate = _candidate(article)
    dismissed = api(erin).post(f"/api/v1/candidates/{candidate.pk}/dismiss/")
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    again = api(bob).post(f"/api/v1/candidates/{candidate.pk}/accept/")
    assert again.status_code == 409
    assert not Claim.objects.exists()


def test_it_lists_an_articles_candidates_by_score(
    article: Article, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    CandidateClaim.objects.filter(article=article).delete()
    _candidate(article)
    CandidateClaim.objects.create(
        article=article, start=0, end=10, text=article.text[:10], score=0.4, scorer="test"
    )
    listed = results(api(erin).get(f"/api/v1/articles/{article.pk}/candidates/"))
    assert [c["score"] for c in listed] == [0.9, 0.4]
    high = results(api(erin).get(f"/api/v1/articles/{article.pk}/candidates/", {"min_score": 0.5}))
    assert len(high) == 1
