"""Comments on a claim through the API: threads, @mentions, blind review, who may edit and delete,
and the errors a user gets for bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings
from rest_framework.test import APIClient

from annotations.errors import Conflict
from annotations.models import Claim, Comment, Notification, Workspace
from annotations.services.comments import comment_delete, comment_update
from annotations.services.workspaces import workspace_update
from tests.conftest import results

Api = Callable[[User | None], APIClient]


def post(api: Api, user: User, claim: Claim, expect: int = 201, **body: Any) -> dict[str, Any]:
    answer = api(user).post(f"/api/v1/claims/{claim.pk}/comments/", body, format="json")
    assert answer.status_code == expect, answer.content
    return dict(answer.json())


def thread(api: Api, user: User, claim: Claim) -> list[dict[str, Any]]:
    answer = api(user).get(f"/api/v1/claims/{claim.pk}/comments/")
    assert answer.status_code == 200, answer.content
    return results(answer)


def test_it_keeps_a_thread_one_level_deep_in_the_order_written(
    claim: Claim, bob: User, carol: User, erin: User, api: Api
) -> None:
    first = post(api, bob, claim, body="Which quarter is this?")
    reply = post(api, carol, claim, body="The third.", parent=first["id"])
    # A reply to the reply joins the first comment's thread.
    again = post(api, erin, claim, body="Insee says so too.", parent=reply["id"])

    seen = thread(api, bob, claim)
    assert [(c["author"], c["body"], c["parent"]) for c in seen] == [
        ("bob", "Which quarter is this?", None),
        ("carol", "The third.", first["id"]),
        ("erin", "Insee says so too.", first["id"]),
    ]
    assert again["parent"] == first["id"] and again["claim"] == claim.pk


def test_it_stores_mentions_of_members_only_and_follows_an_edit(
    claim: Claim, bob: User, dave: User, carol: User, mallory: User, api: Api
) -> None:
    written = post(
        api, bob, claim, body="@dave can you look? Mail x@desk.fr, not @mallory. Ask @carol."
    )
    assert written["mentions"] == ["carol", "dave"]  # mallory is no member; an address no name
    stored = Comment.objects.get(pk=written["id"])
    assert sorted(stored.mentions.values_list("username", flat=True)) == ["carol", "dave"]

    edited = api(bob).patch(
        f"/api/v1/comments/{written['id']}/", {"body": "Only @dave now."}, format="json"
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["mentions"] == ["dave"] and edited.json()["edited_at"]
    assert list(stored.mentions.values_list("username", flat=True)) == ["dave"]


def test_blind_review_hides_the_others_comments_until_her_verdict_but_never_instructions(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, dave: User, api: Api
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    answer = api(bob).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "false"})
    assert answer.status_code == 201, answer.content
    post(api, bob, claim, body="False: the Insee table says 7.7 %.")
    instruction = post(api, dave, claim, body="Use the Insee series, @carol.", instruction=True)
    note = post(api, dave, claim, body="I lean to false too, @carol.")

    # Carol has no verdict yet: she sees the instruction, and her own comment, nothing else.
    mine = post(api, carol, claim, body="Looking at it.")
    assert [c["body"] for c in thread(api, carol, claim)] == [
        "Use the Insee series, @carol.",
        "Looking at it.",
    ]
    # The adjudicator is told his note waits for carol's verdict; the instruction does not.
    assert instruction["mentions_waiting"] == [] and note["mentions_waiting"] == ["carol"]
    # Hidden means absent for her, even asked for by its id.
    hidden = api(carol).patch(f"/api/v1/comments/{note['id']}/", {"body": "x"}, format="json")
    assert hidden.status_code == 404
    # A reply to a comment she cannot see is refused as if it did not exist.
    post(api, carol, claim, expect=400, body="Agreed", parent=note["id"])

    answer = api(carol).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "true"})
    assert answer.status_code == 201, answer.content
    assert [c["author"] for c in thread(api, carol, claim)] == ["bob", "dave", "dave", "carol"]
    assert mine["mentions_waiting"] == []


def test_only_the_author_edits_and_the_author_or_an_editor_deletes(
    claim: Claim, alice: User, bob: User, carol: User, api: Api
) -> None:
    written = post(api, bob, claim, body="Draft note")
    url = f"/api/v1/comments/{written['id']}/"

    refused = api(carol).patch(url, {"body": "Carol's words"}, format="json")
    assert refused.status_code == 403 and "author" in refused.json()["detail"]
    assert api(carol).delete(url).status_code == 403
    assert api(alice).delete(url).status_code == 204  # an editor moderates

    gone = thread(api, bob, claim)[0]
    assert (gone["deleted"], gone["body"], gone["mentions"]) == (True, "", [])
    stale = api(bob).patch(url, {"body": "Back again"}, format="json")
    assert stale.status_code == 409 and "deleted" in str(stale.json()["body"])
    answer = post(api, carol, claim, expect=400, body="To a deleted one", parent=written["id"])
    assert "deleted" in str(answer["parent"])


def test_it_names_what_is_wrong_with_bad_input(
    claim: Claim, article: Any, bob: User, erin: User, mallory: User, api: Api
) -> None:
    assert "body" in post(api, bob, claim, expect=400, body="   ")
    too_long = post(api, bob, claim, expect=400, body="x" * 5001)
    assert "body" in too_long
    assert "parent" in post(api, bob, claim, expect=400, body="Hi", parent=999_999)
    assert "parent" in post(api, bob, claim, expect=400, body="Hi", parent="first")
    refused = post(api, erin, claim, expect=403, body="Everyone: use Insee", instruction=True)
    assert "instruction" in refused["detail"]
    # Someone outside the workspace cannot tell the claim exists.
    assert post(api, mallory, claim, expect=404, body="Hello")
    assert Comment.objects.count() == 0


def test_it_limits_how_fast_one_person_writes(
    claim: Claim, bob: User, carol: User, api: Api, settings: Settings
) -> None:
    settings.COMMENT_RATE = (2, 60)
    cache.delete_many([f"comment-writes:{bob.pk}", f"comment-writes:{carol.pk}"])
    post(api, bob, claim, body="One")
    post(api, bob, claim, body="Two")
    refused = post(api, bob, claim, expect=429, body="Three")
    assert "wait" in refused["detail"]
    post(api, carol, claim, body="Carol is not limited by bob's count")
    assert Comment.objects.filter(author=bob).count() == 2


def test_an_edit_that_lost_a_race_with_a_delete_is_a_409_and_an_edit_unmentions(
    claim: Claim, alice: User, bob: User, dave: User, api: Api
) -> None:
    written = post(api, bob, claim, body="@dave first")
    stale = Comment.objects.get(pk=written["id"])
    assert Notification.objects.filter(recipient=dave, kind="mentioned").count() == 1
    comment_update(user=bob, comment=stale, body="no one now")
    assert Notification.objects.filter(recipient=dave, kind="mentioned").count() == 0

    comment_delete(user=alice, comment=Comment.objects.get(pk=written["id"]))
    with pytest.raises(Conflict):
        comment_update(user=bob, comment=stale, body="too late")  # its page still showed it
    page = Client()
    page.force_login(bob)
    odd = page.post(f"/claims/{claim.pk}/", {"action": "comment_edit", "comment": "²", "body": "x"})
    assert odd.status_code == 400
