"""Editors assign articles to reviewers, by hand or automatically; overdue work shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from annotations.models import Article, Assignment, Claim, Role, Workspace
from annotations.services.articles import article_create
from annotations.services.assignments import pick_reviewers
from annotations.services.workspaces import member_add
from tests.conftest import FRENCH_TEXT, results

Api = Callable[[User | None], APIClient]


def assign(api: Api, user: User, article: Article, body: dict[str, Any]) -> Any:
    return api(user).post(f"/api/v1/articles/{article.pk}/assignments/", body, format="json")


def another_article(workspace: Workspace, alice: User, title: str) -> Article:
    return article_create(
        user=alice, workspace=workspace, text=FRENCH_TEXT, title=title, allow_duplicate=True
    )


@pytest.fixture
def frank(make_user: Callable[[str], User], workspace: Workspace, alice: User) -> User:
    user = make_user("frank")
    member_add(actor=alice, workspace=workspace, username="frank", role=Role.REVIEWER)
    return user


def test_it_assigns_an_article_by_hand_with_the_workspace_due_date(
    article: Article, alice: User, api: Api
) -> None:
    before = timezone.now()
    response = assign(api, alice, article, {"users": ["bob", "erin"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert sorted(a["user"] for a in body["created"]) == ["bob", "erin"]
    due = Assignment.objects.get(article=article, user__username="bob").due_at
    assert due is not None and timedelta(days=7) <= due - before < timedelta(days=7, minutes=1)
    again = assign(api, alice, article, {"users": ["bob"]})
    assert again.status_code == 200 and again.json()["created"] == []
    assert Assignment.objects.filter(article=article).count() == 2


def test_it_assigns_the_least_loaded_reviewers_who_did_not_write_the_claims(
    workspace: Workspace, article: Article, claim: Claim, alice: User, frank: User, api: Api
) -> None:
    # bob highlighted the article's claim: carol and frank get it.
    first = assign(api, alice, article, {"auto": True})
    assert first.status_code == 201, first.content
    assert sorted(a["user"] for a in first.json()["created"]) == ["carol", "frank"]
    # Now carol and frank carry one assignment each and bob none: bob first, then carol (by name).
    second = assign(api, alice, another_article(workspace, alice, "Deux"), {"auto": True})
    assert sorted(a["user"] for a in second.json()["created"]) == ["bob", "carol"]
    # Fully assigned: asking again assigns nobody.
    again = assign(api, alice, article, {"auto": True})
    assert again.status_code == 200 and again.json()["missing"] == 0


def test_it_assigns_the_claims_author_when_nobody_else_can_review(
    article: Article, claim: Claim, alice: User, api: Api
) -> None:
    body = assign(api, alice, article, {"auto": True}).json()
    assert sorted(a["user"] for a in body["assignments"]) == ["bob", "carol"]


def test_it_says_how_many_reviewers_are_missing_when_the_desk_is_too_small(
    workspace: Workspace, article: Article, alice: User, api: Api
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(reviewers_per_claim=3)
    body = assign(api, alice, article, {"auto": True}).json()
    assert len(body["created"]) == 2 and body["missing"] == 1


def test_it_ranks_non_authors_then_load_then_name() -> None:
    candidates = [(1, "bob"), (2, "carol"), (3, "frank"), (4, "amy")]
    chosen = pick_reviewers(candidates, count=3, load={2: 1, 3: 0, 4: 2}, authors={1})
    assert chosen == [3, 2, 4]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "users"),
        ({"users": ["bob"], "auto": True}, "users"),
        ({"users": ["mallory"]}, "users"),
        ({"users": "bob"}, "users"),
        ({"auto": "perhaps"}, "auto"),
        ({"users": ["bob"], "due_at": "2001-01-01T00:00:00Z"}, "due_at"),
        ({"users": ["bob"], "due_at": "next week"}, "due_at"),
    ],
)
def test_it_names_what_is_wrong_with_an_assignment(
    body: dict[str, Any], field: str, article: Article, alice: User, mallory: User, api: Api
) -> None:
    response = assign(api, alice, article, body)
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Assignment.objects.exists()


def test_it_lets_only_editors_assign(article: Article, dave: User, mallory: User, api: Api) -> None:
    assert assign(api, dave, article, {"auto": True}).status_code == 403
    assert assign(api, mallory, article, {"auto": True}).status_code == 404
    assert not Assignment.objects.exists()


def test_it_lists_overdue_assignments(
    workspace: Workspace, article: Article, alice: User, erin: User, mallory: User, api: Api
) -> None:
    assign(api, alice, article, {"users": ["bob", "carol"]})
    late = Assignment.objects.get(user__username="bob")
    Assignment.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    url = f"/api/v1/workspaces/{workspace.pk}/assignments/"
    overdue = results(api(erin).get(url, {"overdue": "true"}))
    assert [(a["user"], a["overdue"]) for a in overdue] == [("bob", True)]
    on_time = results(api(erin).get(url, {"overdue": "false"}))
    assert [a["user"] for a in on_time] == ["carol"]
    assert len(results(api(erin).get(url))) == 2
    assert api(erin).get(url, {"overdue": "maybe"}).status_code == 400
    assert api(mallory).get(url).status_code == 404


def test_it_completes_my_assignment_when_i_submit_the_article(
    article: Article, alice: User, bob: User, api: Api
) -> None:
    assign(api, alice, article, {"users": ["bob"]})
    submitted = api(bob).post(f"/api/v1/articles/{article.pk}/submit/")
    assert submitted.status_code == 200
    assignment = results(api(bob).get(f"/api/v1/articles/{article.pk}/assignments/"))[0]
    assert assignment["completed_at"] is not None and assignment["overdue"] is False
