"""The article's read as a client pays for it: the compact claims (each quote once, defaults left
out, selectors derivable from the text) and the ETag that lets a reader skip an unchanged body."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from pytest_django import Settings as SettingsWrapper
from rest_framework.test import APIClient

from annotations.models import Article, Claim, Workspace
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.claims import claim_create, claim_update
from annotations.services.workspaces import workspace_update
from annotations.text import CONTEXT_CHARS
from tests.conftest import article_claims, etag_version

Api = Callable[[User | None], APIClient]


def _article_of(workspace: Workspace, alice: User, sentences: list[str]) -> Article:
    return article_create(
        user=alice, workspace=workspace, text="".join(sentences), title="Budget", language="fr"
    )


def _sentences(count: int) -> list[str]:
    return [
        f"Le déficit public a atteint {i},{i % 10} % du PIB en {1990 + i}, selon la Cour. "
        for i in range(count)
    ]


def _claim_each(article: Article, user: User, sentences: list[str]) -> None:
    at = 0
    for sentence in sentences:
        claim_create(user=user, article=article, start=at, end=at + len(sentence) - 1)
        at += len(sentence)


def test_it_gives_each_quote_once_and_the_rest_derivable_from_the_text(
    workspace: Workspace, alice: User, bob: User, api: Api
) -> None:
    sentences = _sentences(3)
    article = _article_of(workspace, alice, sentences)
    _claim_each(article, bob, sentences)

    response = api(bob).get(f"/api/v1/articles/{article.pk}/")
    body = response.json()
    text = body["text"]
    for claim in body["claims"]:
        # Once in the text, once as the claim's quote; its highlight's quote is the text's span.
        assert response.content.decode().count(claim["exact"]) == 2
        assert text[claim["start"] : claim["end"]] == claim["exact"]
        assert {"prefix", "suffix", "target", "workspace", "article", "url"}.isdisjoint(claim)
        [highlight] = claim["highlights"]
        assert "exact" not in highlight
        assert (highlight["start"], highlight["end"]) == (claim["start"], claim["end"])
        # The claim's own read gives in full what the article's leaves to derive.
        full = api(bob).get(f"/api/v1/claims/{claim['id']}/").json()
        assert full["prefix"] == text[max(0, claim["start"] - CONTEXT_CHARS) : claim["start"]]
        assert full["suffix"] == text[claim["end"] : claim["end"] + CONTEXT_CHARS]
        assert full["target"]["selector"][0] == {
            "type": "TextPositionSelector",
            "start": claim["start"],
            "end": claim["end"],
        }
        assert full["url"] == f"/claims/{claim['id']}/"


def test_it_leaves_out_the_fields_at_their_default_and_gives_the_others(
    workspace: Workspace, article: Article, claim: Claim, alice: User, bob: User, api: Api
) -> None:
    [plain] = api(bob).get(f"/api/v1/articles/{article.pk}/").json()["claims"]
    assert "claimant" not in plain and "final_verdict" not in plain and "similar" not in plain
    assert plain["status"] == "open" and plain["version"] == claim.version

    claim_update(user=bob, claim=claim, version=claim.version, claimant="L'Insee")
    assessment_create(user=bob, claim=claim, verdict="true")
    [told] = article_claims(api(bob).get(f"/api/v1/articles/{article.pk}/").json())
    full = api(bob).get(f"/api/v1/claims/{claim.pk}/").json()
    assert told["claimant"] == "L'Insee" == full["claimant"]
    assert told["assessment_count"] == 1 == full["assessment_count"]
    for field in ("status", "final_verdict", "created_by", "created_at", "updated_at", "version"):
        assert told[field] == full[field], field


def test_each_claim_adds_less_than_500_bytes(
    workspace: Workspace, alice: User, bob: User, api: Api
) -> None:
    sentences = _sentences(40)
    bare = _article_of(workspace, alice, sentences)
    claimed = article_create(
        user=alice,
        workspace=workspace,
        text="".join(sentences),
        title="Budget",
        language="fr",
        allow_duplicate=True,
    )
    _claim_each(claimed, bob, sentences)
    empty = len(api(bob).get(f"/api/v1/articles/{bare.pk}/").content)
    full = len(api(bob).get(f"/api/v1/articles/{claimed.pk}/").content)
    # Sentences of about 75 characters: the quote itself is a sixth of the budget.
    assert (full - empty) / len(sentences) < 500


def test_a_reader_with_the_etag_gets_304_until_what_they_would_see_changes(
    workspace: Workspace, article: Article, claim: Claim, alice: User, bob: User, api: Api
) -> None:
    url = f"/api/v1/articles/{article.pk}/"
    first = api(bob).get(url)
    tag = first["ETag"]
    assert etag_version(tag) == article.version
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]

    again = api(bob).get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == tag

    # A colleague's claim leaves the article's version alone but changes what bob reads.
    start = article.text.index("Une trentaine")
    claim_create(user=alice, article=article, start=start, end=start + 20)
    changed = api(bob).get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed["ETag"] != tag and etag_version(changed["ETag"]) == article.version
    assert len(changed.json()["claims"]) == 2


def test_blind_readers_get_tags_of_their_own_bodies_and_learn_nothing_from_them(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    assessment_create(user=bob, claim=claim, verdict="true")
    url = f"/api/v1/claims/{claim.pk}/"
    bobs, carols = api(bob).get(url), api(carol).get(url)
    assert bobs.json()["status"] != carols.json()["status"]
    assert bobs["ETag"] != carols["ETag"]

    # Before her own verdict, nothing a colleague does to the claim shows, not even in the tag.
    tag = carols["ETag"]
    article_tag = api(carol).get(f"/api/v1/articles/{article.pk}/")["ETag"]
    assessment_create(user=alice, claim=claim, verdict="false")
    assert api(carol).get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    article_read = api(carol).get(f"/api/v1/articles/{article.pk}/", HTTP_IF_NONE_MATCH=article_tag)
    assert article_read.status_code == 304

    # Her verdict unlocks it: the tag she holds no longer matches.
    assessment_create(user=carol, claim=claim, verdict="true")
    unlocked = api(carol).get(url, HTTP_IF_NONE_MATCH=tag)
    assert unlocked.status_code == 200 and unlocked.json()["status"] == "disputed"


def test_a_write_takes_the_etag_it_read_as_if_match(
    article: Article, claim: Claim, bob: User, api: Api
) -> None:
    url = f"/api/v1/claims/{claim.pk}/"
    tag = api(bob).get(url)["ETag"]
    saved = api(bob).patch(url, {"claimant": "L'Insee"}, HTTP_IF_MATCH=tag)
    assert saved.status_code == 200, saved.content
    assert etag_version(saved["ETag"]) == claim.version + 1

    stale = api(bob).patch(url, {"claimant": "La ministre"}, HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale.json()["current_version"] == claim.version + 1
    claim.refresh_from_db()
    assert claim.claimant == "L'Insee"


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
def test_it_writes_moments_as_the_claims_own_read_does(
    zone: str, article: Article, claim: Claim, bob: User, api: Api, settings: SettingsWrapper
) -> None:
    settings.TIME_ZONE = zone
    # A moment on a whole second: the database's text and Python's both leave the fraction out.
    Claim.objects.filter(pk=claim.pk).update(
        created_at=datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        updated_at=datetime(2026, 3, 29, 1, 30, 0, 250, tzinfo=UTC),
    )
    [compact] = api(bob).get(f"/api/v1/articles/{article.pk}/").json()["claims"]
    full = api(bob).get(f"/api/v1/claims/{claim.pk}/").json()
    assert (compact["created_at"], compact["updated_at"]) == (
        full["created_at"],
        full["updated_at"],
    )
    expected = "2026-03-29T01:30:00Z" if zone == "UTC" else "2026-03-29T03:30:00+02:00"
    assert compact["created_at"] == expected
