"""The review queues: what waits for whom, with counts, filters, sorting by age and a fixed
number of queries whatever the number of items."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotations.models import Article, Claim, Role, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.assignments import article_assign, article_submit
from annotations.services.claims import claim_create
from annotations.services.workspaces import member_change_role, workspace_update
from tests.conftest import results

Api = Callable[[User | None], APIClient]
SENTENCE = "Le déficit a atteint 5,5 % du PIB l'an dernier, selon la Cour des comptes. "


def new_article(workspace: Workspace, alice: User, title: str, sentences: int = 1) -> Article:
    return article_create(
        user=alice,
        workspace=workspace,
        text=SENTENCE * sentences,
        title=title,
        allow_duplicate=True,  # copies of one text
    )


def highlight_all(article: Article, user: User) -> list[Claim]:
    """One claim per sentence of the article."""
    size = len(SENTENCE)
    return [
        claim_create(user=user, article=article, start=i * size, end=(i + 1) * size - 1).claim
        for i in range(len(article.text) // size)
    ]


def queue(api: Api, user: User, name: str, **params: Any) -> list[dict[str, Any]]:
    response = api(user).get(f"/api/v1/queues/{name}/", params)
    assert response.status_code == 200, response.content
    return results(response)


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [item["id"] for item in items]


def test_it_shows_each_role_what_waits_for_it(
    workspace: Workspace,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
    api: Api,
) -> None:
    assigned = new_article(workspace, alice, "Assigned to bob and erin")
    open_to_all = new_article(workspace, alice, "Assigned to nobody")
    article_assign(user=alice, article=assigned, usernames=["bob", "erin"])
    [mine] = highlight_all(assigned, erin)
    [shared] = highlight_all(open_to_all, erin)

    assert ids(queue(api, erin, "to_annotate")) == [assigned.pk]
    assert ids(queue(api, bob, "to_annotate")) == [assigned.pk]
    assert queue(api, carol, "to_annotate") == []
    # bob: his assigned article's claim, and the claim nobody was assigned to.
    assert sorted(ids(queue(api, bob, "to_assess"))) == sorted([mine.pk, shared.pk])
    # carol is not assigned to the first article: only the open claim waits for her.
    assert ids(queue(api, carol, "to_assess")) == [shared.pk]
    assert api(erin).get("/api/v1/queues/to_assess/").status_code == 403
    assert api(bob).get("/api/v1/queues/disputed/").status_code == 403
    assert api(dave).get("/api/v1/queues/ready_to_publish/").status_code == 403

    assessment_create(user=bob, claim=mine, verdict="true")
    assessment_create(user=bob, claim=shared, verdict="true")
    assessment_create(user=carol, claim=shared, verdict="false")
    assert queue(api, bob, "to_assess") == []
    assert ids(queue(api, dave, "disputed")) == [shared.pk]
    assert queue(api, dave, "disputed")[0]["open_disagreements"] == ["verdict"]

    adjudication_create(user=dave, claim=shared, verdict="false", note="Cour des comptes.")
    assert queue(api, dave, "disputed") == []
    ready = queue(api, alice, "ready_to_publish")
    assert [(c["id"], c["resolved_by"], c["final_verdict"]) for c in ready] == [
        (shared.pk, "adjudication", "false")
    ]
    # Two reviewers wanted, one (bob) assigned: the first article is still under-assigned.
    assert sorted(ids(queue(api, alice, "unassigned"))) == sorted([assigned.pk, open_to_all.pk])

    article_submit(user=erin, article=assigned)
    assert queue(api, erin, "to_annotate") == []
    api(alice).post(f"/api/v1/claims/{shared.pk}/publish/")
    assert queue(api, alice, "ready_to_publish") == []


def test_it_counts_every_queue_of_each_of_my_workspaces(
    workspace: Workspace, alice: User, bob: User, erin: User, mallory: User, api: Api
) -> None:
    article = new_article(workspace, alice, "Deux phrases", sentences=2)
    article_assign(user=alice, article=article, usernames=["bob"])
    highlight_all(article, erin)
    overview = api(bob).get("/api/v1/queues/").json()
    [desk] = overview["workspaces"]
    assert desk["workspace"] == workspace.pk and desk["role"] == "reviewer"
    assert desk["counts"] == {
        "to_annotate": 1,
        "to_assess": 2,
        "disputed": None,
        "ready_to_publish": None,
        "unassigned": None,
    }
    assert overview["totals"]["to_assess"] == 2
    editor = api(alice).get("/api/v1/queues/").json()["workspaces"][0]
    assert editor["counts"]["unassigned"] == 1 and editor["overdue"] == 0
    assert api(mallory).get("/api/v1/queues/").json()["workspaces"] == []


def test_it_sorts_a_queue_by_age_and_filters_it(
    workspace: Workspace, alice: User, bob: User, erin: User, api: Api
) -> None:
    first = new_article(workspace, alice, "Première")
    second = new_article(workspace, alice, "Seconde", sentences=2)
    older = highlight_all(first, erin)
    newer = highlight_all(second, erin)
    assert ids(queue(api, bob, "to_assess")) == ids([{"id": c.pk} for c in older + newer])
    newest_first = queue(api, bob, "to_assess", ordering="-waiting_since")
    assert ids(newest_first) == [c.pk for c in reversed(older + newer)]
    assert ids(queue(api, bob, "to_assess", article=first.pk)) == [c.pk for c in older]
    assert queue(api, bob, "to_assess", language="en") == []
    item = queue(api, bob, "to_assess")[0]
    assert item["article_title"] == "Première" and item["reviewers_needed"] == 2


@pytest.mark.parametrize(
    ("path", "params", "code", "field"),
    [
        ("/api/v1/queues/to_assess/", {"ordering": "age"}, 400, "ordering"),
        ("/api/v1/queues/to_assess/", {"workspace": "one"}, 400, "workspace"),
        ("/api/v1/queues/disputed/", {"kind": "tone"}, 400, "kind"),
        ("/api/v1/queues/to_annotate/", {"overdue": "soon"}, 400, "overdue"),
        ("/api/v1/queues/to_review/", {}, 404, None),
    ],
)
def test_it_names_what_is_wrong_with_a_queue_request(
    path: str,
    params: dict[str, str],
    code: int,
    field: str | None,
    workspace: Workspace,
    alice: User,
    api: Api,
) -> None:
    response = api(alice).get(path, params)
    assert response.status_code == code, response.content
    if field:
        assert field in response.json()


def test_it_answers_404_for_a_queue_of_a_workspace_i_am_not_in(
    workspace: Workspace, mallory: User, erin: User, api: Api
) -> None:
    url = "/api/v1/queues/to_annotate/"
    assert api(mallory).get(url, {"workspace": workspace.pk}).status_code == 404
    assert api(erin).get(url, {"workspace": workspace.pk}).status_code == 200
    assert (
        api(erin).get("/api/v1/queues/to_assess/", {"workspace": workspace.pk}).status_code == 403
    )
    assert api(None).get(url).status_code == 401


def test_it_keeps_a_claim_in_my_blind_queue_until_my_own_verdict_whatever_the_others_did(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    erin: User,
    carol: User,
    api: Api,
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    # Two other reviewers agree: the claim is resolved by consensus...
    member_change_role(
        actor=alice, membership=workspace.memberships.get(user=erin), role=Role.REVIEWER
    )
    for reviewer in (bob, erin):
        assessment_create(user=reviewer, claim=claim, verdict="true")
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.RESOLVED

    # ...yet carol, who has not given hers, still finds it waiting, with nothing of theirs shown.
    [item] = queue(api, carol, "to_assess")
    assert (item["id"], item["status"], item["final_verdict"], item["assessment_count"]) == (
        claim.pk,
        "awaiting_verdict",
        None,
        None,
    )
    assert queue(api, carol, "to_assess", reviewer="bob") == []  # no oracle in the filters
    assessment_create(user=carol, claim=claim, verdict="false")
    assert queue(api, carol, "to_assess") == []

    # In an open workspace the consensus takes the claim out of everybody's queue.
    workspace_update(user=alice, workspace=workspace, blind_review=False)
    other = highlight_all(new_article(workspace, alice, "Open"), erin)[0]
    for reviewer in (bob, erin):
        assessment_create(user=reviewer, claim=other, verdict="true")
    assert other.pk not in ids(queue(api, carol, "to_assess"))


def _queries(api: Api, user: User, url: str) -> int:
    client = api(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize(
    ("name", "user"),
    [
        ("to_annotate", "bob"),
        ("to_assess", "bob"),
        ("disputed", "dave"),
        ("ready_to_publish", "alice"),
        ("unassigned", "alice"),
    ],
)
def test_it_reads_a_queue_page_in_the_same_number_of_queries_for_2_or_12_items(
    name: str,
    user: str,
    workspace: Workspace,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
    api: Api,
) -> None:
    reader = User.objects.get(username=user)

    def grow(count: int) -> None:
        for n in range(count):
            article = new_article(workspace, alice, f"Article {n}")
            article_assign(user=alice, article=article, usernames=["bob"])
            [claim] = highlight_all(article, erin)
            if name in ("disputed", "ready_to_publish"):
                assessment_create(user=bob, claim=claim, verdict="true")
                verdict = "true" if name == "ready_to_publish" else "false"
                assessment_create(user=carol, claim=claim, verdict=verdict)

    grow(2)
    url = f"/api/v1/queues/{name}/"
    assert len(queue(api, reader, name)) == 2
    few = _queries(api, reader, url)
    grow(10)
    assert len(results(api(reader).get(url, {"page_size": 100}))) == 12
    assert _queries(api, reader, url) == few
    overview = _queries(api, reader, "/api/v1/queues/")
    grow(1)
    assert _queries(api, reader, "/api/v1/queues/") == overview


def test_it_waits_for_the_verdict_of_the_reviewer_who_highlighted_the_claim_too(
    claim: Claim, bob: User, carol: User, api: Api
) -> None:
    assert ids(queue(api, bob, "to_assess")) == [claim.pk]
    assert ids(queue(api, carol, "to_assess")) == [claim.pk]


def test_it_counts_in_my_articles_to_annotate_only_the_claims_i_may_know_of(
    workspace: Workspace, alice: User, bob: User, carol: User, api: Api
) -> None:
    workspace_update(
        user=alice, workspace=workspace, blind_review=True, independent_highlighting=True
    )
    article = new_article(workspace, alice, "Independent", sentences=3)
    highlight_all(article, bob)  # three claims only bob highlighted
    article_assign(user=alice, article=article, usernames=["carol"], auto=False, due_at=None)

    [item] = queue(api, carol, "to_annotate")
    assert item["claim_count"] == 0
    article_submit(user=carol, article=article)
    assert queue(api, carol, "to_annotate") == []
