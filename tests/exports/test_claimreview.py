from __future__ import annotations

import json
from typing import Any

from annotations.exports.claimreview import write_claimreview
from tests.exports.factories import THREE_LABEL_SCALE, make_claim, make_ctx, text_of


def reviews(*rows: Any, **ctx: Any) -> list[dict[str, Any]]:
    document = json.loads(text_of(write_claimreview(iter(rows), make_ctx(**ctx))))
    assert isinstance(document, list)
    return document


def test_it_writes_a_claim_review_field_by_field() -> None:
    [review] = reviews(make_claim())

    assert review == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://workbench.example/claims/7/",
        "claimReviewed": "Le chômage a baissé de 12 % en 2023.",
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 4,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Mostly true",
        },
        "author": {
            "@type": "Organization",
            "name": "Les Vérificateurs",
            "url": "https://verif.example",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Jean Dupont"},
            "datePublished": "2024-04-30T18:00:00+00:00",
            "appearance": {
                "@type": "CreativeWork",
                "url": "https://journal.example/article/3",
                "headline": "Le débat budgétaire",
                "publisher": {"@type": "Organization", "name": "Le Journal"},
                "datePublished": "2024-04-30T18:00:00+00:00",
            },
        },
        "datePublished": "2024-05-02",
        "inLanguage": "fr",
    }


def test_it_writes_an_empty_array_for_no_rows() -> None:
    assert reviews() == []


def test_it_keeps_only_the_name_of_a_verdict_without_a_value() -> None:
    [review] = reviews(
        make_claim(verdict_slug="unverifiable", verdict_name="Unverifiable", verdict_value=None)
    )
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Unverifiable"}


def test_it_takes_the_bounds_from_the_workspace_scale() -> None:
    [review] = reviews(
        make_claim(verdict_slug="false", verdict_name="Faux", verdict_value=0.0),
        scale=THREE_LABEL_SCALE,
    )
    rating = review["reviewRating"]
    assert (rating["ratingValue"], rating["worstRating"], rating["bestRating"]) == (0, 0, 2)


def test_it_keeps_fractional_rating_values() -> None:
    [review] = reviews(make_claim(verdict_value=3.5))
    assert review["reviewRating"]["ratingValue"] == 3.5


def test_it_skips_claims_without_a_final_verdict() -> None:
    document = reviews(
        make_claim(claim_id=1),
        make_claim(claim_id=2, verdict_slug=None, verdict_name=None, verdict_value=None),
        make_claim(claim_id=3),
    )
    assert [review["url"].rsplit("/", 2)[1] for review in document] == ["1", "3"]


def test_it_falls_back_to_the_quoted_text_and_omits_what_is_missing() -> None:
    [review] = reviews(
        make_claim(
            normalised_text="",
            claimant="",
            article_url="",
            article_title="",
            publisher="",
            article_published_at=None,
            reviewed_at=None,
            language="",
        ),
        organisation_url="",
    )
    assert review["claimReviewed"] == "« le chômage a baissé de 12 % »"
    assert review["author"] == {"@type": "Organization", "name": "Les Vérificateurs"}
    assert review["itemReviewed"] == {
        "@type": "Claim",
        "appearance": {"@type": "CreativeWork", "url": "https://workbench.example/articles/3/"},
    }
    assert "datePublished" not in review
    assert "inLanguage" not in review


def test_it_separates_many_reviews_into_one_valid_document() -> None:
    document = reviews(*(make_claim(claim_id=i) for i in range(1, 2001)))
    assert len(document) == 2000
    assert document[-1]["url"] == "https://workbench.example/claims/2000/"
