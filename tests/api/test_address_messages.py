"""A refused address is explained in words that fit where it was given (an article to fetch, a
source, the desk's review), in the reader's language; the export filters name their dates the way
a person reads them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from rest_framework.test import APIClient

from annotations.models import Article, Claim, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.sources import url_problem
from annotations.webfetch import URL_MESSAGES, UnsafeURL, check_url_syntax, resolve_checked

Api = Callable[[User | None], APIClient]
SCHEME = "Give an http or https address."
CREDENTIALS = "An address with a user name or password is refused."


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/rapport.pdf", SCHEME),
        ("https://user:secret@example.org/rapport", CREDENTIALS),
    ],
)
def test_a_source_link_is_refused_with_a_reason_that_is_not_about_fetching(
    url: str, message: str, claim: Claim, carol: User, api: Api
) -> None:
    response = api(carol).post(
        f"/api/v1/claims/{claim.pk}/sources/", {"url": url, "stance": "supports"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"url": [message]}


@pytest.mark.parametrize("route", ["publish", "review"])
@pytest.mark.parametrize(
    ("url", "message"),
    [("ftp://desk.example/verif", SCHEME), ("https://a:b@desk.example/verif", CREDENTIALS)],
)
def test_the_desks_review_address_is_refused_with_the_same_words(
    route: str, url: str, message: str, claim: Claim, alice: User, dave: User, api: Api
) -> None:
    adjudication_create(user=dave, claim=claim, verdict="mostly-false", note="Vérifié.")

    response = api(alice).post(
        f"/api/v1/claims/{claim.pk}/{route}/", {"review_url": url}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"review_url": [message]}
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.RESOLVED


def test_an_article_address_is_refused_with_the_same_words(
    workspace: Workspace, article: Article, alice: User, erin: User, api: Api
) -> None:
    created = api(erin).post(
        "/api/v1/articles/",
        {"workspace": workspace.pk, "url": "ftp://news.example/article"},
        format="json",
    )
    assert created.status_code == 400 and created.json() == {"url": [SCHEME]}

    # Changing an article's address is an editor's (an annotator gets 403 whatever they send).
    changed = api(alice).patch(
        f"/api/v1/articles/{article.pk}/",
        {"url": "https://me:pw@news.example/article"},
        format="json",
    )
    assert changed.status_code == 400 and changed.json() == {"url": [CREDENTIALS]}


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/",
        "https://u:p@example.org/",
        "http:///path-only",
        "http://example.org:0/",
        "http://[::1/",
    ],
)
def test_the_translated_sentences_are_webfetchs_in_english(url: str) -> None:
    with pytest.raises(UnsafeURL) as raised:
        check_url_syntax(url)
    assert raised.value.code in URL_MESSAGES
    with translation.override("en"):
        assert url_problem(raised.value) == str(raised.value)


def test_a_private_address_is_named_in_its_sentence() -> None:
    with pytest.raises(UnsafeURL) as raised:
        resolve_checked("127.0.0.1", 80, allow_private=False)
    assert raised.value.code == "private"
    with translation.override("en"):
        assert url_problem(raised.value) == (
            "The host 127.0.0.1 resolves to a non-public address (127.0.0.1)."
        )


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2024-05-02&to=2024-05-01", "to", "The end date must be on or after the start date."),
        ("dates=published", "dates", "Choose which date the period applies to: created, verdict."),
    ],
)
def test_the_export_filters_name_their_fields_in_words(
    query: str, field: str, message: str, workspace: Workspace, alice: User, api: Api
) -> None:
    response = api(alice).get(f"/api/v1/workspaces/{workspace.pk}/export/?format=fever&{query}")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
