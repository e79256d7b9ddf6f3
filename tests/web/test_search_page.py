"""The search page, `/search/`: results, counts, filters, errors and visibility, server-side."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations.models import Article, Claim, Role, Workspace
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.claims import claim_create
from annotations.services.workspaces import member_add, workspace_create, workspace_update

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
STYLE_ATTRIBUTE = re.compile(r"\sstyle=")
ROW = re.compile(r'<tr data-item="(\d+)"')


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(response: Any) -> str:
    return str(response.content.decode())


def rows(page: str) -> list[int]:
    return [int(pk) for pk in ROW.findall(page)]


def count_of(page: str, kind: str) -> int:
    found = re.search(rf'data-count="{kind}">(\d+)<', page)
    assert found, f"no count of {kind}"
    return int(found.group(1))


def test_it_finds_claims_and_articles_with_a_count_of_each(
    article: Article, claim: Claim, erin: User
) -> None:
    response = signed_in(erin).get("/search/", {"q": "chomage"})
    assert response.status_code == 200
    page = page_of(response)
    assert (count_of(page, "articles"), count_of(page, "claims")) == (1, 1)
    # Claims first: the quote, linking to the claim's page, with its status and article.
    assert rows(page) == [claim.pk]
    assert f'href="/claims/{claim.pk}/"' in page and f'href="/articles/{article.pk}/"' in page
    assert "<mark>chômage</mark>" in page
    assert 'data-status="open"' in page
    assert not INLINE_SCRIPT.search(page) and not STYLE_ATTRIBUTE.search(page)

    articles = page_of(signed_in(erin).get("/search/", {"q": "chomage", "kind": "articles"}))
    assert rows(articles) == [article.pk]
    assert f'href="/articles/{article.pk}/"' in articles and "Chômage" in articles
    assert '<p class="snippet" lang="fr">' in articles


def test_it_shows_the_form_alone_before_a_search(erin: User, workspace: Workspace) -> None:
    page = page_of(signed_in(erin).get("/search/"))
    assert 'name="q"' in page and "Desk" in page  # my workspaces in the filter
    assert "data-count" not in page


def test_it_sends_anonymous_visitors_to_sign_in(db: None) -> None:
    response = Client().get("/search/", {"q": "chomage"})
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "everything"}, "kind"),
        ({"status": "true"}, "status"),
        ({"workspace": "mine"}, "workspace"),
        ({"language": "français"}, "language"),
        ({"q": "x" * 201}, "q"),
        ({"q": "chomage", "page": "last"}, "page"),
        ({"q": "chomage", "kind": "articles", "status": "open"}, "status"),
    ],
)
def test_it_answers_a_bad_parameter_with_a_page_naming_it(
    erin: User, workspace: Workspace, query: dict[str, str], field: str
) -> None:
    response = signed_in(erin).get("/search/", query)
    assert response.status_code == 400
    errors = re.search(r"<div class=\"error\" data-errors>(.*?)</div>", page_of(response))
    assert errors and f"<p>{field}: " in errors.group(1)


def test_it_answers_404_for_a_workspace_i_am_not_in(
    workspace: Workspace, article: Article, mallory: User, erin: User
) -> None:
    assert signed_in(mallory).get("/search/", {"workspace": workspace.pk}).status_code == 404
    assert signed_in(erin).get("/search/", {"workspace": 999999}).status_code == 404
    page = page_of(
        signed_in(erin).get("/search/", {"workspace": str(workspace.pk), "q": "chomage"})
    )
    assert count_of(page, "articles") == 1


def test_an_outsider_finds_nothing_of_a_workspace_they_are_not_in(
    article: Article, claim: Claim, mallory: User
) -> None:
    own = workspace_create(user=mallory, name="Mallory's desk")
    article_create(user=mallory, workspace=own, text="Le chômage, ailleurs.", language="fr")
    page = page_of(signed_in(mallory).get("/search/", {"q": "chomage"}))
    assert (count_of(page, "articles"), count_of(page, "claims")) == (1, 0)
    assert "Desk" not in page.replace("Mallory&#x27;s desk", "")
    listing = page_of(signed_in(mallory).get("/search/", {"q": "chomage", "kind": "articles"}))
    assert article.pk not in rows(listing)


def test_a_blind_reviewer_finds_nothing_by_a_colleagues_rationale_or_resolved_by_others(
    make_user: Callable[[str], User],
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    frank = make_user("frank")
    member_add(actor=alice, workspace=workspace, username="frank", role=Role.REVIEWER)
    assessment_create(user=bob, claim=claim, verdict="true", rationale="Per the zorglub table")
    # Carol has not assessed the claim: bob's rationale finds nothing for her.
    page = page_of(signed_in(carol).get("/search/", {"q": "zorglub"}))
    assert (count_of(page, "articles"), count_of(page, "claims")) == (0, 0)
    # Once resolved by bob's and carol's consensus, frank (who has not assessed it) cannot find
    # it by that status: he sees it awaiting his verdict.
    assessment_create(user=carol, claim=claim, verdict="true")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RESOLVED
    client = signed_in(frank)
    resolved = page_of(client.get("/search/", {"q": "chomage", "status": "resolved"}))
    assert count_of(resolved, "claims") == 0 and rows(resolved) == []
    resolved = page_of(client.get("/search/", {"status": "resolved"}))
    assert count_of(resolved, "claims") == 0
    mine = page_of(client.get("/search/", {"q": "chomage"}))
    assert rows(mine) == [claim.pk]
    assert 'data-status="awaiting_verdict"' in mine and "Awaiting your verdict" in mine
    assert "True" not in mine  # no final verdict shown
    # The editor sees the status and the final verdict.
    editor = page_of(signed_in(alice).get("/search/", {"status": "resolved"}))
    assert rows(editor) == [claim.pk] and 'data-status="resolved"' in editor
    assert "Resolved: True" in editor


def _claims_on(workspace: Workspace, user: User, n: int) -> Article:
    text = "\n".join(f"Le chômage du département {i} a baissé de {i} %." for i in range(n))
    article = article_create(user=user, workspace=workspace, text=text, language="fr")
    for line in text.split("\n"):
        start = text.index(line)
        claim_create(user=user, article=article, start=start, end=start + len(line))
    return article


def test_it_pages_results_twenty_at_a_time_keeping_the_search(
    workspace: Workspace, erin: User
) -> None:
    _claims_on(workspace, erin, 25)
    client = signed_in(erin)
    first = page_of(client.get("/search/", {"q": "departement", "kind": "claims"}))
    assert count_of(first, "claims") == 25 and len(rows(first)) == 20
    assert "?q=departement&amp;kind=claims&amp;page=2" in first
    second = page_of(client.get("/search/", {"q": "departement", "kind": "claims", "page": "2"}))
    assert len(rows(second)) == 5 and not set(rows(first)) & set(rows(second))
    assert "Page 2 of 2" in second
    # Past the end: the last page.
    past = page_of(client.get("/search/", {"q": "departement", "kind": "claims", "page": "9"}))
    assert rows(past) == rows(second) and count_of(past, "claims") == 25


@pytest.mark.parametrize("kind", ["claims", "articles"])
def test_it_reads_a_page_in_the_same_number_of_queries_for_3_or_30_matches(
    workspace: Workspace, alice: User, erin: User, kind: str
) -> None:
    client = signed_in(erin)

    def queries_with(more: int) -> tuple[int, int]:
        for i in range(more):
            article_create(
                user=alice,
                workspace=workspace,
                text=f"Le chômage, texte {i} sur {more}.",
                language="fr",
            )
        _claims_on(workspace, alice, more)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {"q": "chomage -zzz", "kind": kind})
        assert response.status_code == 200
        return len(queries), len(rows(page_of(response)))

    few, shown = queries_with(3)
    assert shown == (3 if kind == "claims" else 4)  # the claims' own article too
    many, shown = queries_with(27)
    assert shown == 20
    # 12: the search's own, and two for the top bar's count of unread notifications.
    assert few == many <= 12


@pytest.mark.parametrize("kind", ["claims", "articles"])
@pytest.mark.parametrize("number", ["1000000000000000000", "9" * 40])
def test_a_page_number_past_what_the_database_can_count_gives_the_last_page(
    workspace: Workspace, erin: User, kind: str, number: str
) -> None:
    _claims_on(workspace, erin, 25)
    client = signed_in(erin)
    last = page_of(client.get("/search/", {"q": "departement", "kind": kind, "page": "99"}))

    response = client.get("/search/", {"q": "departement", "kind": kind, "page": number})

    assert response.status_code == 200
    page = page_of(response)
    assert rows(page) == rows(last) and count_of(page, kind) == count_of(last, kind)
    if kind == "claims":
        assert "Page 2 of 2" in page and len(rows(page)) == 5
