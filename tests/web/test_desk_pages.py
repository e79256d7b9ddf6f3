"""The editor's pages, as the server renders them: a new workspace, its settings with the verdict
scale, its members with the membership trail and the limit on additions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings

from annotations.models import (
    Claim,
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
        f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "unverifiable"}
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
