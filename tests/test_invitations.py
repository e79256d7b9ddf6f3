"""Invitations by e-mail: the service (who may invite, the address, the limit, the mail after
commit, renewal, revocation, acceptance) and the pages (the members page's form and list, the
page the link opens)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from annotations.errors import Conflict, RateLimited
from annotations.models import Invitation, MemberEvent, Membership, Role, Workspace
from annotations.services import invitations
from annotations.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
)
from annotations.services.workspaces import member_add, workspace_create

SITE = "https://workbench.example"
ADDRESS = "frank@example.org"


@pytest.fixture(autouse=True)
def _site(settings: Settings) -> None:
    settings.SITE_URL = SITE
    settings.INVITATION_DAYS = 14


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invite(
    capture: DjangoCaptureOnCommitCallbacks,
    user: User,
    workspace: Workspace,
    email: str = ADDRESS,
    role: Role = Role.REVIEWER,
) -> Invitation:
    with capture(execute=True):
        return invitation_create(user=user, workspace_id=workspace.pk, email=email, role=role)


def _trail(workspace: Workspace) -> list[tuple[str, str, int | None]]:
    return list(
        MemberEvent.objects.filter(workspace=workspace)
        .order_by("created_at", "id")
        .values_list("kind", "subject", "role")
    )


# --- Inviting ------------------------------------------------------------------------------------


def test_it_mails_the_link_only_once_the_invitation_is_committed(
    workspace: Workspace,
    alice: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invitation_create(
            user=alice, workspace_id=workspace.pk, email=ADDRESS, role=Role.REVIEWER
        )
        assert mail.outbox == []
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()

    assert len(invitation.token) >= 40
    assert invitation.expires_at - timezone.now() > timedelta(days=13, hours=23)
    (sent,) = mail.outbox
    assert sent.to == [ADDRESS]
    assert workspace.name in sent.subject
    assert f"{SITE}/invitations/{invitation.token}/" in sent.body
    assert "alice" in sent.body and "reviewer" in sent.body
    assert _trail(workspace)[-1] == ("invited", ADDRESS, Role.REVIEWER)


def test_it_sends_nothing_when_the_invitation_is_rolled_back(
    workspace: Workspace,
    alice: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invitation_create(user=alice, workspace_id=workspace.pk, email=ADDRESS, role=Role.EDITOR)
        transaction.set_rollback(True)
    assert mail.outbox == []
    assert not Invitation.objects.filter(email=ADDRESS).exists()


def test_it_logs_a_mail_that_could_not_be_sent_and_keeps_the_invitation(
    workspace: Workspace,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> int:
        raise OSError("connection refused")

    monkeypatch.setattr(invitations, "send_mail", refuse)
    with caplog.at_level(logging.ERROR, logger="annotations.services.invitations"):
        _invite(django_capture_on_commit_callbacks, alice, workspace)
    assert "could not be sent" in caplog.text
    assert Invitation.objects.filter(workspace=workspace, email=ADDRESS).exists()


def test_it_lets_only_editors_invite(
    workspace: Workspace, bob: User, dave: User, mallory: User
) -> None:
    for user in (bob, dave):
        with pytest.raises(PermissionDenied):
            invitation_create(
                user=user, workspace_id=workspace.pk, email=ADDRESS, role=Role.ANNOTATOR
            )
    with pytest.raises(Http404):
        invitation_create(
            user=mallory, workspace_id=workspace.pk, email=ADDRESS, role=Role.ANNOTATOR
        )
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["", "frank", "frank@", "@example.org", "a b@example.org"])
def test_it_names_the_email_field_when_the_address_is_not_one(
    workspace: Workspace, alice: User, email: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        invitation_create(user=alice, workspace_id=workspace.pk, email=email, role=Role.REVIEWER)
    assert list(refused.value.message_dict) == ["email"]
    assert refused.value.message_dict["email"] == ["Enter a valid email address."]
    assert not Invitation.objects.exists()


def test_it_refuses_an_address_a_member_already_has(
    workspace: Workspace, alice: User, bob: User
) -> None:
    bob.email = "Bob@Example.org"
    bob.save(update_fields=["email"])
    with pytest.raises(Conflict) as refused:
        invitation_create(
            user=alice, workspace_id=workspace.pk, email="bob@example.org", role=Role.EDITOR
        )
    assert refused.value.field == "email"
    assert "already a member" in refused.value.message


def test_it_renews_a_pending_invitation_instead_of_adding_another(
    workspace: Workspace,
    alice: User,
    frank: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    first = _invite(django_capture_on_commit_callbacks, alice, workspace, role=Role.ANNOTATOR)
    old_token = first.token
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(days=1))
    again = _invite(
        django_capture_on_commit_callbacks, alice, workspace, "FRANK@example.org", Role.REVIEWER
    )

    assert again.pk == first.pk
    assert Invitation.objects.filter(workspace=workspace).count() == 1
    assert again.token != old_token and again.role == Role.REVIEWER
    assert again.expires_at > timezone.now() + timedelta(days=13)
    assert len(mail.outbox) == 2 and again.token in mail.outbox[1].body
    assert [kind for kind, _subject, _role in _trail(workspace)][-2:] == ["invited", "invited"]
    # The first mail's link no longer works; the second one does.
    with pytest.raises(Http404, match="replaced by a newer invitation"):
        invitation_accept(user=frank, token=old_token)
    assert invitation_accept(user=frank, token=again.token).role == Role.REVIEWER


def test_it_counts_invitations_against_the_members_limit(
    workspace: Workspace,
    alice: User,
    settings: Settings,
    make_user: Any,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.MEMBER_ADD_RATE = (3, 3600)
    key = f"member-additions:{alice.pk}"
    cache.delete(key)
    try:
        make_user("gina")
        member_add(actor=alice, workspace=workspace, username="gina", role=Role.REVIEWER)
        _invite(django_capture_on_commit_callbacks, alice, workspace, "one@example.org")
        _invite(django_capture_on_commit_callbacks, alice, workspace, "two@example.org")
        with pytest.raises(RateLimited, match="wait a little"):
            invitation_create(
                user=alice,
                workspace_id=workspace.pk,
                email="three@example.org",
                role=Role.ANNOTATOR,
            )
    finally:
        cache.delete(key)
    assert not Invitation.objects.filter(email="three@example.org").exists()
    assert len(mail.outbox) == 2


# --- Accepting -----------------------------------------------------------------------------------


@pytest.fixture
def frank(make_user: Any) -> User:
    user: User = make_user("frank")
    return user


def test_accepting_makes_the_member_with_the_role_and_records_it(
    workspace: Workspace,
    alice: User,
    frank: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    invitation = _invite(
        django_capture_on_commit_callbacks, alice, workspace, role=Role.ADJUDICATOR
    )
    membership = invitation_accept(user=frank, token=invitation.token)

    assert (membership.user, membership.role) == (frank, Role.ADJUDICATOR)
    assert Membership.objects.get(workspace=workspace, user=frank).role == Role.ADJUDICATOR
    invitation.refresh_from_db()
    assert invitation.accepted_by == frank and invitation.accepted_at is not None
    assert _trail(workspace)[-2:] == [
        ("invited", ADDRESS, Role.ADJUDICATOR),
        ("joined", "frank", Role.ADJUDICATOR),
    ]
    event = MemberEvent.objects.filter(workspace=workspace).order_by("-id").first()
    assert event is not None and event.actor == frank


def test_accepting_keeps_the_higher_role_of_a_member(
    workspace: Workspace,
    alice: User,
    bob: User,
    erin: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    capture = django_capture_on_commit_callbacks
    lower = _invite(capture, alice, workspace, "b@example.org", Role.ANNOTATOR)
    higher = _invite(capture, alice, workspace, "e@example.org", Role.ADJUDICATOR)
    events = MemberEvent.objects.count()

    # bob, a reviewer, takes up an annotator's invitation: he stays a reviewer.
    assert invitation_accept(user=bob, token=lower.token).role == Role.REVIEWER
    assert MemberEvent.objects.count() == events
    # erin, an annotator, takes up an adjudicator's invitation: she becomes one.
    assert invitation_accept(user=erin, token=higher.token).role == Role.ADJUDICATOR
    assert _trail(workspace)[-1] == ("role_changed", "erin", Role.ADJUDICATOR)
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 2


def test_it_refuses_a_used_an_expired_or_an_unknown_link_and_says_why(
    workspace: Workspace,
    alice: User,
    frank: User,
    mallory: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    used = _invite(django_capture_on_commit_callbacks, alice, workspace)
    invitation_accept(user=frank, token=used.token)
    expired = _invite(django_capture_on_commit_callbacks, alice, workspace, "late@example.org")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    with pytest.raises(Conflict, match="already been used"):
        invitation_accept(user=mallory, token=used.token)
    with pytest.raises(Conflict, match=r"expired on .*ask the workspace's editor for a new one"):
        invitation_accept(user=mallory, token=expired.token)
    with pytest.raises(Http404, match="not valid"):
        invitation_accept(user=mallory, token="no-such-token")
    assert not Membership.objects.filter(user=mallory).exists()


# --- Revoking ------------------------------------------------------------------------------------


def test_revoking_stops_the_link_and_only_editors_may(
    workspace: Workspace,
    alice: User,
    bob: User,
    frank: User,
    mallory: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    invitation = _invite(django_capture_on_commit_callbacks, alice, workspace)
    with pytest.raises(PermissionDenied):
        invitation_revoke(user=bob, invitation_id=invitation.pk)
    with pytest.raises(Http404):
        invitation_revoke(user=mallory, invitation_id=invitation.pk)
    other = workspace_create(user=mallory, name="Elsewhere")
    with pytest.raises(Http404):
        invitation_revoke(user=alice, invitation_id=invitation.pk, workspace_id=other.pk)

    invitation_revoke(user=alice, invitation_id=invitation.pk, workspace_id=workspace.pk)
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    revoked = MemberEvent.objects.get(workspace=workspace, kind="revoked")
    assert (revoked.actor, revoked.subject) == (alice, invitation.email)
    with pytest.raises(Http404, match="revoked"):
        invitation_accept(user=frank, token=invitation.token)
    with pytest.raises(Http404):
        invitation_revoke(user=alice, invitation_id=invitation.pk)


def test_an_accepted_invitation_cannot_be_revoked(
    workspace: Workspace,
    alice: User,
    frank: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    invitation = _invite(django_capture_on_commit_callbacks, alice, workspace)
    invitation_accept(user=frank, token=invitation.token)
    with pytest.raises(Conflict, match="remove the member instead"):
        invitation_revoke(user=alice, invitation_id=invitation.pk)
    # The members page says so at the top (a row's action has no form of its own), and leaves
    # the addition and invitation forms alone.
    page = _client(alice).post(
        f"/workspaces/{workspace.pk}/members/",
        {"action": "revoke", "invitation_id": invitation.pk},
    )
    assert page.status_code == 409
    said = [str(message) for message in page.context["messages"]]
    assert said == ["This invitation has been accepted already: remove the member instead."]
    assert not page.context["invite"].errors and not page.context["add"].errors


# --- Pages ---------------------------------------------------------------------------------------


def test_the_members_page_invites_lists_and_revokes(
    workspace: Workspace,
    alice: User,
    bob: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = _client(alice)
    url = f"/workspaces/{workspace.pk}/members/"
    assert "Invite by e-mail" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url, {"action": "invite", "invite-email": ADDRESS, "invite-role": Role.ADJUDICATOR}
        )
    assert sent.status_code == 302 and sent["Location"] == url
    invitation = Invitation.objects.get(workspace=workspace, email=ADDRESS)
    assert f"{SITE}/invitations/{invitation.token}/" in mail.outbox[0].body
    page = client.get(url).content.decode()
    assert f"Invitation sent to {ADDRESS}." in page
    assert f'data-invitation="{ADDRESS}"' in page and "Revoke" in page
    # The link is there to pass on by hand, when no mail server is configured.
    assert f'value="{SITE}/invitations/{invitation.token}/"' in page
    # Members who are not editors see neither the form nor the invitations.
    seen_by_bob = _client(bob).get(url).content.decode()
    assert "Invite by e-mail" not in seen_by_bob and ADDRESS not in seen_by_bob
    assert (
        _client(bob)
        .post(url, {"action": "invite", "invite-email": "x@example.org", "invite-role": 10})
        .status_code
        == 403
    )
    assert _client(bob).post(
        url, {"action": "revoke", "invitation_id": invitation.pk}
    ).status_code in {403, 404}

    revoked = client.post(url, {"action": "revoke", "invitation_id": invitation.pk})
    assert revoked.status_code == 302
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert "Invitation revoked." in client.get(url).content.decode()
    assert client.post(url, {"action": "revoke", "invitation_id": "abc"}).status_code == 404


def test_the_members_page_shows_a_bad_address_next_to_its_field(
    workspace: Workspace, alice: User, bob: User
) -> None:
    bob.email = "bob@example.org"
    bob.save(update_fields=["email"])
    client = _client(alice)
    url = f"/workspaces/{workspace.pk}/members/"

    bad = client.post(
        url, {"action": "invite", "invite-email": "not-an-address", "invite-role": 20}
    )
    member = client.post(
        url, {"action": "invite", "invite-email": "bob@example.org", "invite-role": 20}
    )

    assert bad.status_code == 400
    assert bad.context["invite"].errors == {"email": ["Enter a valid email address."]}
    assert "has-error" in bad.content.decode()
    assert member.status_code == 409
    assert list(member.context["invite"].errors) == ["email"]
    # The other form is left alone.
    assert not bad.context["add"].errors and not member.context["add"].errors
    assert not Invitation.objects.exists()


def test_the_invitation_page_shows_who_invited_to_what_and_joins(
    workspace: Workspace,
    alice: User,
    frank: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    invitation = _invite(django_capture_on_commit_callbacks, alice, workspace, role=Role.REVIEWER)
    url = f"/invitations/{invitation.token}/"
    client = _client(frank)

    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert workspace.name in text and "Reviewer" in text and "alice" in text
    assert "Join the workspace" in text

    joined = client.post(url)
    assert joined.status_code == 302 and joined["Location"] == f"/workspaces/{workspace.pk}/"
    assert Membership.objects.get(workspace=workspace, user=frank).role == Role.REVIEWER
    landing = client.get(joined["Location"]).content.decode()
    assert "Invitation accepted: your role in Desk is reviewer." in landing

    again = client.get(url)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert "Join the workspace" not in again.content.decode()
    assert client.post(url).status_code == 410


def test_the_invitation_page_explains_an_expired_or_unknown_link(
    workspace: Workspace,
    alice: User,
    frank: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    invitation = _invite(django_capture_on_commit_callbacks, alice, workspace)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    client = _client(frank)

    expired = client.get(f"/invitations/{invitation.token}/")
    posted = client.post(f"/invitations/{invitation.token}/")
    unknown = client.get("/invitations/not-a-real-token/")

    assert expired.status_code == 410 and "expired on" in expired.content.decode()
    assert posted.status_code == 410
    assert not Membership.objects.filter(user=frank).exists()
    assert unknown.status_code == 404 and "not valid" in unknown.content.decode()


def test_the_invitation_page_sends_anonymous_visitors_to_sign_in_first(
    workspace: Workspace,
    alice: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    invitation = _invite(django_capture_on_commit_callbacks, alice, workspace)
    url = f"/invitations/{invitation.token}/"
    for response in (Client().get(url), Client().post(url)):
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
