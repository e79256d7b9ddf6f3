"""Notifications through the API and by e-mail: mentions (held back by blind review until the
recipient may read the comment), assignments, disputes for adjudicators, claims resolved and
published for those who worked on them, due-date reminders, marking read, e-mail choices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from annotations.models import Article, Claim, Notification, Workspace
from annotations.services.assignments import article_assign
from annotations.services.comments import comment_create, comment_delete, comment_update
from annotations.services.notifications import (
    notification_settings_update,
    notifications_due_sweep,
    notifications_email_sweep,
)
from annotations.services.publishing import claim_publish
from annotations.services.workspaces import workspace_update
from tests.conftest import results

Api = Callable[[User | None], APIClient]


def inbox(api: Api, user: User, **params: Any) -> list[dict[str, Any]]:
    answer = api(user).get("/api/v1/notifications/", params)
    assert answer.status_code == 200, answer.content
    return results(answer)


def assess(api: Api, user: User, claim: Claim, verdict: str) -> None:
    answer = api(user).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": verdict})
    assert answer.status_code == 201, answer.content


def test_a_mention_tells_the_person_once_and_leads_to_the_comment(
    claim: Claim, bob: User, dave: User, api: Api
) -> None:
    written = comment_create(user=bob, claim=claim, body="@dave, Insee or Eurostat?").comment
    comment_update(user=bob, comment=written, body="@dave, Insee or Eurostat? @bob")

    [told] = inbox(api, dave)
    assert (told["kind"], told["actor"], told["claim"], told["comment"]) == (
        "mentioned",
        "bob",
        claim.pk,
        written.pk,
    )
    assert told["read"] is False and told["link"].endswith(f"#comment-{written.pk}")
    assert "bob mentioned you" in told["text"]
    assert inbox(api, bob) == []  # nobody is told of their own doing

    comment_delete(user=bob, comment=written)
    assert inbox(api, dave) == []


def test_blind_review_holds_a_mention_until_her_verdict_is_in(
    workspace: Workspace, claim: Claim, alice: User, carol: User, dave: User, api: Api
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    comment_create(user=dave, claim=claim, body="@carol I think it is false.")
    assert inbox(api, carol) == []

    assess(api, carol, claim, "true")
    assert [n["kind"] for n in inbox(api, carol)] == ["mentioned"]


def test_a_dispute_tells_adjudicators_and_editors_and_settling_tells_the_reviewers(
    claim: Claim, alice: User, bob: User, carol: User, dave: User, erin: User, api: Api
) -> None:
    assess(api, bob, claim, "true")
    assess(api, carol, claim, "false")
    assert [n["kind"] for n in inbox(api, dave)] == ["disputed"]
    assert [n["kind"] for n in inbox(api, alice)] == ["disputed"]
    assert inbox(api, erin) == []

    answer = api(dave).post(
        f"/api/v1/claims/{claim.pk}/adjudication/", {"verdict": "false", "note": "Insee."}
    )
    assert answer.status_code == 201, answer.content
    claim_publish(user=alice, claim=Claim.objects.get(pk=claim.pk))
    # bob made the claim (his highlight) and gave a verdict: told once per step.
    assert [n["kind"] for n in inbox(api, bob)] == ["published", "resolved"]
    assert [n["kind"] for n in inbox(api, carol)] == ["published", "resolved"]


def test_assignment_and_its_due_dates_are_told_once_each(
    article: Article, alice: User, bob: User, api: Api
) -> None:
    now = timezone.now()
    article_assign(user=alice, article=article, usernames=["bob"], due_at=now + timedelta(hours=2))
    assert [n["kind"] for n in inbox(api, bob)] == ["assigned"]

    assert notifications_due_sweep(now) == {"due_soon": 1, "overdue": 0}
    assert notifications_due_sweep(now) == {"due_soon": 0, "overdue": 0}
    assert notifications_due_sweep(now + timedelta(hours=3)) == {"due_soon": 0, "overdue": 1}
    assert [n["kind"] for n in inbox(api, bob)] == ["overdue", "due_soon", "assigned"]


def test_marking_read_counts_only_my_own(
    claim: Claim, bob: User, carol: User, dave: User, api: Api
) -> None:
    comment_create(user=bob, claim=claim, body="@dave @carol one")
    comment_create(user=bob, claim=claim, body="@dave two")
    first, second = (n["id"] for n in inbox(api, dave))
    carols = inbox(api, carol)[0]["id"]

    answer = api(dave).post("/api/v1/notifications/read/", {"ids": [first, carols]}, format="json")
    assert answer.json() == {"marked": 1, "unread": 1}
    assert [n["id"] for n in inbox(api, dave, unread="true")] == [second]
    assert inbox(api, carol, unread="true")[0]["id"] == carols

    assert api(dave).post("/api/v1/notifications/read/", {"all": True}, format="json").json() == {
        "marked": 1,
        "unread": 0,
    }
    refused = api(dave).post("/api/v1/notifications/read/", {}, format="json")
    assert refused.status_code == 400 and "ids" in refused.json()
    assert api(None).get("/api/v1/notifications/").status_code == 401


def test_e_mail_at_once_by_default_daily_or_never_as_chosen(
    claim: Claim,
    bob: User,
    carol: User,
    dave: User,
    api: Api,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    for user in (carol, dave):
        user.email = f"{user.username}@desk.example"
        user.save()
    notification_settings_update(user=carol, email="daily")
    chosen = api(dave).put("/api/v1/notifications/settings/", {"email": "off"}, format="json")
    assert chosen.json() == {"email": "off"}
    bad = api(dave).put("/api/v1/notifications/settings/", {"email": "weekly"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()
    api(dave).put("/api/v1/notifications/settings/", {"email": "immediate"}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(user=bob, claim=claim, body="@dave @carol see the table")
    assert [message.to for message in mail.outbox] == [["dave@desk.example"]]
    assert f"/claims/{claim.pk}/#comment-" in mail.outbox[0].body
    assert "bob mentioned you" in mail.outbox[0].body

    # carol's digest goes with the sweep, once a day.
    assert notifications_email_sweep() == 1
    assert mail.outbox[1].to == ["carol@desk.example"]
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(user=bob, claim=claim, body="@carol again")
    assert notifications_email_sweep() == 0
    assert notifications_email_sweep(timezone.now() + timedelta(days=1, minutes=1)) == 1
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
