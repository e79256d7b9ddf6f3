from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article, Claim, Highlight
from tests.conftest import results


def _span(article: Article, quote: str) -> tuple[int, int]:
    start = article.text.index(quote)
    return start, start + len(quote)


def test_it_makes_a_claim_from_a_span_with_w3c_selectors(
    article: Article, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    quote = "« Nous avons créé plus de 40 000 emplois »"
    start, end = _span(article, quote)
    response = api(erin).post(
        "/api/v1/claims/",
        {
            "article": article.pk,
            "start": start,
            "end": end,
            "exact": quote,
            "claimant": "la ministre du Travail",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["exact"] == quote
    assert body["status"] == "open" and body["origin"] == "manual"
    position, text_quote = body["target"]["selector"]
    assert position == {"type": "TextPositionSelector", "start": start, "end": end}
    assert text_quote["type"] == "TextQuoteSelector"
    assert text_quote["exact"] == quote
    assert article.text.endswith(text_quote["suffix"]) or article.text[end:].startswith(
        text_quote["suffix"]
    )
    assert article.text[:start].endswith(text_quote["prefix"]) and len(text_quote["prefix"]) == 32
    assert [h["username"] for h in body["highlights"]] == ["erin"]


def test_it_counts_offsets_in_code_points_past_an_emoji(
    article: Article, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    quote = "Une trentaine de départements"
    start, end = _span(article, quote)
    assert "😐" in article.text[:start]
    response = api(erin).post(
        "/api/v1/claims/", {"article": article.pk, "start": start, "end": end, "exact": quote}
    )
    assert response.status_code == 201, response.content


def test_the_quote_is_read_around_the_span_at_both_ends_of_the_text(
    article: Article, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    # The article's text is read only around the span: the quote, its context and the length
    # checks must still be those of the whole text, at its first and its last character.
    text = article.text
    last = len(text.rstrip())
    first_word = len(text.split(" ")[0])
    for start, end in ((0, first_word), (last - 9, last)):
        response = api(erin).post(
            "/api/v1/claims/",
            {"article": article.pk, "start": start, "end": end, "exact": text[start:end]},
            format="json",
        )
        assert response.status_code == 201, response.content
        quote = next(
            s for s in response.json()["target"]["selector"] if s["type"] == "TextQuoteSelector"
        )
        assert quote["exact"] == text[start:end]
        assert quote["prefix"] == text[max(0, start - 32) : start]
        assert quote["suffix"] == text[end : end + 32]
    past = api(erin).post(
        "/api/v1/claims/", {"article": article.pk, "start": 0, "end": len(text) + 1}, format="json"
    )
    assert f"({len(text)} characters)" in past.json()["end"][0]


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"start": -1, "end": 5}, "start", "0 or more"),
        ({"start": 0, "end": 100_000}, "end", "past the end"),
        ({"start": 10, "end": 10}, "end", "greater than start"),
        ({"start": 12, "end": 3}, "end", "greater than start"),
        ({"start": 0, "end": 10, "exact": "Le chômage a"}, "exact", "does not match"),
        ({"start": 10**12, "end": 10**12 + 5}, "end", "past the end"),
        ({"start": 0, "end": 2**40}, "end", "past the end"),
        ({"start": "zero", "end": 10}, "start", "valid integer"),
        ({"end": 10}, "start", "required"),
    ],
)
def test_it_names_what_is_wrong_with_a_span(
    body: dict[str, object],
    field: str,
    reason: str,
    article: Article,
    erin: User,
    api: Callable[[User | None], APIClient],
) -> None:
    response = api(erin).post("/api/v1/claims/", {"article": article.pk, **body}, format="json")
    assert response.status_code == 400, response.content
    assert reason in " ".join(response.json()[field])
    assert Claim.objects.count() == 0 and Highlight.objects.count() == 0


def test_it_merges_overlapping_highlights_of_two_reviewers_into_one_claim(
    article: Article, bob: User, carol: User, api: Callable[[User | None], APIClient]
) -> None:
    start, end = _span(article, "Le chômage a reculé de 0,3 point au troisième trimestre")
    first = api(bob).post("/api/v1/claims/", {"article": article.pk, "start": start, "end": end})
    second = api(carol).post(
        "/api/v1/claims/", {"article": article.pk, "start": start + 3, "end": end + 15}
    )
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    spans = {(h["username"], h["start"], h["end"]) for h in second.json()["highlights"]}
    assert spans == {("bob", start, end), ("carol", start + 3, end + 15)}


def test_it_keeps_barely_overlapping_highlights_as_separate_claims(
    article: Article, bob: User, carol: User, api: Callable[[User | None], APIClient]
) -> None:
    start, end = _span(article, "Le chômage a reculé de 0,3 point")
    api(bob).post("/api/v1/claims/", {"article": article.pk, "start": start, "end": end})
    other = api(carol).post(
        "/api/v1/claims/", {"article": article.pk, "start": end - 5, "end": end + 40}
    )
    assert other.status_code == 201
    assert Claim.objects.count() == 2


def test_it_tells_a_reviewer_they_already_highlighted_that_claim(
    article: Article, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    start, end = _span(article, "Le chômage a reculé de 0,3 point")
    first = api(bob).post("/api/v1/claims/", {"article": article.pk, "start": start, "end": end})
    again = api(bob).post(
        "/api/v1/claims/", {"article": article.pk, "start": start, "end": end + 2}
    )
    assert again.status_code == 409
    assert again.json()["existing"]["id"] == first.json()["id"]
    assert Highlight.objects.count() == 1


def test_it_refuses_a_stale_edit_and_names_the_current_version(
    claim: Claim, bob: User, carol: User, api: Callable[[User | None], APIClient]
) -> None:
    loaded = api(bob).get(f"/api/v1/claims/{claim.pk}/").json()
    first = api(bob).patch(
        f"/api/v1/claims/{claim.pk}/", {"claimant": "Insee", "version": loaded["version"]}
    )
    assert first.status_code == 200 and first.json()["claimant"] == "Insee"
    second = api(carol).patch(
        f"/api/v1/claims/{claim.pk}/", {"claimant": "la ministre", "version": loaded["version"]}
    )
    assert second.status_code == 412
    assert second.json()["current_version"] == loaded["version"] + 1
    assert Claim.objects.get(pk=claim.pk).claimant == "Insee"


def test_it_accepts_the_version_as_if_match(
    claim: Claim, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    etag = api(bob).get(f"/api/v1/claims/{claim.pk}/")["ETag"]
    response = api(bob).patch(
        f"/api/v1/claims/{claim.pk}/",
        {"normalised_text": "Le chômage a baissé de 0,3 point."},
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_it_requires_a_version_to_edit(
    claim: Claim, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(bob).patch(f"/api/v1/claims/{claim.pk}/", {"claimant": "Insee"})
    assert response.status_code == 428


def test_it_filters_claims_by_article_and_status(
    article: Article, claim: Claim, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    client = api(bob)
    assert [
        c["id"]
        for c in results(
            client.get("/api/v1/claims/", {"article": str(article.pk), "status": "open"})
        )
    ] == [claim.pk]
    assert results(client.get("/api/v1/claims/", {"status": "disputed"})) == []
    assert client.get("/api/v1/claims/", {"status": "maybe"}).status_code == 400


def test_it_lets_only_an_editor_reword_a_published_claim(
    claim: Claim, erin: User, alice: User, dave: User, api: Callable[[User | None], APIClient]
) -> None:
    api(dave).post(f"/api/v1/claims/{claim.pk}/adjudication/", {"verdict": "true"})
    version = Claim.objects.get(pk=claim.pk).version
    # Resolved, not yet published: still the desk's to reword (a refusal here would tell a blind
    # reviewer that the others agreed).
    body = {"normalised_text": "Autre chose.", "version": version}
    assert api(erin).patch(f"/api/v1/claims/{claim.pk}/", body).status_code == 200
    api(alice).post(f"/api/v1/claims/{claim.pk}/publish/")
    body = {"normalised_text": "Encore autre chose.", "version": version + 1}
    refused = api(erin).patch(f"/api/v1/claims/{claim.pk}/", body)
    assert refused.status_code == 403
    assert api(alice).patch(f"/api/v1/claims/{claim.pk}/", body).status_code == 200
    assert Claim.objects.get(pk=claim.pk).normalised_text == "Encore autre chose."
