"""The editor's pages, as the server renders them: a new workspace, its settings with the verdict
scale, its members with the membership trail and the limit on additions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings

from annotations.models import (
    Claim,
    Invitation,
    MemberEvent,
    Membership,
    Role,
    VerdictLabel,
    Workspace,
)
from annotations.services.assessments import assessment_create


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _settings_post(workspace: Workspace, **changes: Any) -> dict[str, Any]:
    """What the settings page posts when nothing is changed, with `changes` on top."""
    data: dict[str, Any] = {}
    for name in (
        "name",
        "organisation_name",
        "organisation_url",
        "organisation_logo",
        "reviewers_per_claim",
        "candidate_threshold",
        "assignment_due_days",
    ):
        data[f"ws-{name}"] = getattr(workspace, name)
    data["ws-dispute_distance"] = workspace.dispute_distance or ""
    for flag in (
        "blind_review",
        "independent_highlighting",
        "allow_self_adjudication",
        "consensus_resolves",
        "public_claim_pages",
    ):
        if getattr(workspace, flag):
            data[f"ws-{flag}"] = "on"
    labels = list(VerdictLabel.objects.filter(workspace=workspace).order_by("position"))
    rows = len(labels) + 2
    data.update({"scale-TOTAL_FORMS": rows, "scale-INITIAL_FORMS": len(labels)})
    for i, label in enumerate(labels):
        data[f"scale-{i}-slug"] = label.slug
        data[f"scale-{i}-name"] = label.name
        data[f"scale-{i}-value"] = "" if label.value is None else label.value
        if label.retired:
            data[f"scale-{i}-retired"] = "on"
    data.update(changes)
    return data


def test_it_creates_a_workspace_whose_creator_is_its_editor(alice: User) -> None:
    response = _client(alice).post(
        "/workspaces/new/", {"name": "Desk", "organisation_name": "Les Vérificateurs"}
    )
    workspace = Workspace.objects.get(name="Desk")
    assert response.status_code == 302
    assert response["Location"] == f"/workspaces/{workspace.pk}/settings/"
    assert Membership.objects.get(workspace=workspace).role == Role.EDITOR
    empty = _client(alice).post("/workspaces/new/", {"name": ""})
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()


def test_it_saves_the_settings_and_edits_the_scale_keeping_used_labels_meaning(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User
) -> None:
    assessment_create(user=bob, claim=claim, verdict="false")
    client = _client(alice)
    page = client.get(f"/workspaces/{workspace.pk}/settings/").content.decode()
    assert "Verdict scale" in page and "in use" in page

    data = _settings_post(
        workspace,
        **{
            "ws-blind_review": "on",
            "ws-public_claim_pages": "on",
            "ws-organisation_logo": "https://verif.example/logo.png",
            "scale-0-name": "Faux",  # "false", used: renamed
            "scale-5-retired": "on",  # "unverifiable": retired
            "scale-6-name": "Pants on fire",
            "scale-6-value": "0",
        },
    )
    saved = client.post(f"/workspaces/{workspace.pk}/settings/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    workspace.refresh_from_db()
    assert workspace.blind_review and workspace.public_claim_pages
    labels = {v.slug: v for v in VerdictLabel.objects.filter(workspace=workspace)}
    assert (labels["false"].name, labels["false"].value) == ("Faux", 1)
    assert labels["unverifiable"].retired
    assert (labels["pants-on-fire"].value, labels["pants-on-fire"].position) == (0, 6)

    # A used label's value stays: the page says why and nothing is saved.
    refused = client.post(
        f"/workspaces/{workspace.pk}/settings/",
        _settings_post(workspace, **{"scale-0-value": "9", "ws-name": "Renamed"}),
    )
    assert refused.status_code == 400
    assert "keep their meaning" in refused.content.decode()
    workspace.refresh_from_db()
    assert workspace.name == "Desk"
    # A retired label is no longer offered for new verdicts.
    retired = _client(carol).post(
        f"/api/v1/claims/{claim.pk}/assessments/",
        {"verdict": "unverifiable"},
        content_type="application/json",
    )
    assert retired.status_code == 400 and "retired" in retired.json()["verdict"][0]


def test_it_lets_only_editors_change_the_settings(
    workspace: Workspace, bob: User, mallory: User
) -> None:
    assert _client(bob).get(f"/workspaces/{workspace.pk}/settings/").status_code == 403
    assert _client(mallory).get(f"/workspaces/{workspace.pk}/settings/").status_code == 404


def test_it_adds_changes_and_removes_members_and_keeps_a_trail(
    workspace: Workspace, alice: User, bob: User, make_user: Any
) -> None:
    make_user("frank")
    client = _client(alice)
    url = f"/workspaces/{workspace.pk}/members/"

    added = client.post(url, {"action": "add", "add-username": "frank", "add-role": Role.REVIEWER})
    refused = client.post(url, {"action": "add", "add-username": "nobody", "add-role": 10})
    frank = User.objects.get(username="frank")
    role = client.post(
        url, {"action": "role", "user_id": frank.pk, f"m{frank.pk}-role": Role.ADJUDICATOR}
    )
    removed = client.post(url, {"action": "remove", "user_id": frank.pk})
    last_editor = client.post(url, {"action": "remove", "user_id": alice.pk})

    assert (added.status_code, refused.status_code, role.status_code) == (302, 400, 302)
    assert "No user is called nobody" in refused.content.decode()
    assert removed.status_code == 302
    assert last_editor.status_code == 400 and "at least one editor" in last_editor.content.decode()
    kinds = list(
        MemberEvent.objects.filter(workspace=workspace)
        .order_by("created_at", "id")
        .values_list("kind", "subject")
    )
    assert kinds[-4:] == [
        ("added", "frank"),
        ("refused", "nobody"),
        ("role_changed", "frank"),
        ("removed", "frank"),
    ]
    page = client.get(url).content.decode()
    assert "Membership trail" in page and "nobody" in page
    # Members see who is on the desk, not the trail; outsiders nothing.
    assert "Membership trail" not in _client(bob).get(url).content.decode()
    assert _client(bob).post(url, {"action": "remove", "user_id": alice.pk}).status_code == 403


def test_it_slows_down_whoever_adds_many_people(
    workspace: Workspace, alice: User, settings: Settings
) -> None:
    settings.MEMBER_ADD_RATE = (3, 3600)
    cache.delete(f"member-additions:{alice.pk}")
    client = _client(alice)
    url = f"/workspaces/{workspace.pk}/members/"
    answers = [
        client.post(url, {"action": "add", "add-username": f"ghost{i}", "add-role": 10})
        for i in range(4)
    ]
    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert "wait a little" in answers[-1].content.decode()
    api = _client(alice).post(
        f"/api/v1/workspaces/{workspace.pk}/members/",
        {"username": "ghost9", "role": "reviewer"},
        content_type="application/json",
    )
    assert api.status_code == 429
    cache.delete(f"member-additions:{alice.pk}")


@pytest.mark.parametrize("value", ["abc", "", "9999999999999999999999"])
def test_it_answers_a_bad_member_id_without_a_server_error(
    workspace: Workspace, alice: User, value: str
) -> None:
    response = _client(alice).post(
        f"/workspaces/{workspace.pk}/members/", {"action": "remove", "user_id": value}
    )
    assert response.status_code == 404


def _alerts(html: str) -> list[str]:
    """The messages at the top of the page."""
    box = re.search(r'<div class="messages" role="status">(.*?)</div>', html, re.S)
    return re.findall(r'<p class="alert [a-z]+">(.*?)</p>', box.group(1)) if box else []


def test_a_refused_removal_or_role_change_is_said_at_the_top_not_in_the_add_form(
    workspace: Workspace, alice: User
) -> None:
    client = _client(alice)
    url = f"/workspaces/{workspace.pk}/members/"

    last_editor = client.post(url, {"action": "remove", "user_id": alice.pk})
    role = client.post(url, {"action": "role", "user_id": alice.pk, f"m{alice.pk}-role": "10"})
    no_role = client.post(url, {"action": "role", "user_id": alice.pk, f"m{alice.pk}-role": "x"})

    for response, message in (
        (last_editor, "A workspace must keep at least one editor."),
        (role, "A workspace must keep at least one editor."),
        (no_role, "Choose a role."),
    ):
        html = response.content.decode()
        assert response.status_code == 400
        assert _alerts(html) == [message]
        # The addition form is not bound: no error of its own, nor this one under its fields.
        assert "This field is required." not in html and "has-error" not in html
    assert Membership.objects.get(workspace=workspace, user=alice).role == Role.EDITOR


@pytest.mark.parametrize("action", [None, "", "bogus"])
def test_an_unknown_members_action_is_a_bad_request_that_says_so(
    workspace: Workspace, alice: User, action: str | None
) -> None:
    data: dict[str, Any] = {"user_id": alice.pk}
    if action is not None:
        data["action"] = action
    response = _client(alice).post(f"/workspaces/{workspace.pk}/members/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert _alerts(html) == ["Unknown action."] and "This field is required." not in html


def test_an_editor_who_removes_themselves_goes_home_with_a_message(
    workspace: Workspace, alice: User, bob: User
) -> None:
    Membership.objects.filter(workspace=workspace, user=bob).update(role=Role.EDITOR)
    client = _client(alice)

    left = client.post(
        f"/workspaces/{workspace.pk}/members/",
        {"action": "remove", "user_id": alice.pk},
        follow=True,
    )

    assert left.redirect_chain == [("/", 302)]
    assert _alerts(left.content.decode()) == ["You are no longer a member of Desk."]
    assert not Membership.objects.filter(workspace=workspace, user=alice).exists()


def test_revoking_an_invitation_revoked_meanwhile_says_so(
    workspace: Workspace, alice: User
) -> None:
    client = _client(alice)
    url = f"/workspaces/{workspace.pk}/members/"
    sent = client.post(
        url, {"action": "invite", "invite-email": "zoe@example.org", "invite-role": 20}
    )
    assert sent.status_code == 302
    client.get(url)  # its message read
    invitation = Invitation.objects.get(email="zoe@example.org")

    first = client.post(url, {"action": "revoke", "invitation_id": invitation.pk}, follow=True)
    again = client.post(url, {"action": "revoke", "invitation_id": invitation.pk})

    assert _alerts(first.content.decode()) == ["Invitation revoked."]
    assert again.status_code == 404
    assert _alerts(again.content.decode()) == [
        "This invitation is no longer pending: it may have been revoked already."
    ]
    # The members page, as it is now.
    assert "<h1>Members</h1>" in again.content.decode()


def _label(html: str, field_id: str) -> str:
    found = re.search(rf'<label for="{field_id}">(.*?)</label>', html)
    assert found, field_id
    return found.group(1)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_new_workspace_form_has_the_settings_pages_translated_labels(
    workspace: Workspace, alice: User, language: str
) -> None:
    client = _client(alice)
    new = client.get("/workspaces/new/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    settings_page = client.get(
        f"/workspaces/{workspace.pk}/settings/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    labels = [
        _label(new, f"id_{name}") for name in ("name", "organisation_name", "organisation_url")
    ]
    assert labels == [
        _label(settings_page, f"id_ws-{name}")
        for name in ("name", "organisation_name", "organisation_url")
    ]
    assert labels == (
        ["Name", "Organisation", "Organisation&#x27;s website"]
        if language == "en"
        else ["Nom", "Nom de l&#x27;organisation", "Site web de l&#x27;organisation"]
    )


@pytest.mark.parametrize("value", ["Desk\nBcc: someone@example.org", "Desk\rX", "A\tB", "A\u2028B"])
def test_a_name_with_a_line_break_or_control_character_is_refused_on_both_forms(
    workspace: Workspace, alice: User, value: str
) -> None:
    client = _client(alice)
    refused = "Write it on one line, without tabs or control characters."
    for field in ("name", "organisation_name"):
        new = client.post("/workspaces/new/", {"name": "Desk 2", field: value})
        assert new.status_code == 400 and refused in new.content.decode()
        saved = client.post(
            f"/workspaces/{workspace.pk}/settings/",
            _settings_post(workspace, **{f"ws-{field}": value}),
        )
        assert saved.status_code == 400 and refused in saved.content.decode()
    assert not Workspace.objects.filter(name__startswith="Desk 2").exists()
    workspace.refresh_from_db()
    assert (workspace.name, workspace.organisation_name) == ("Desk", "Les Vérificateurs")
