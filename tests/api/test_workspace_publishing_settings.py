"""The workspace's publishing settings in the API, as on the settings page: public claim pages and
the organisation's logo are read and written (through services.workspaces.workspace_update), and
the verdict scale says which labels are retired."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Workspace
from annotations.services.workspaces import LabelEdit, scale_update

Api = Callable[[User | None], APIClient]
LOGO = "https://desk.example/logo.png"


def test_an_editor_turns_on_public_claim_pages_and_sets_the_logo(
    workspace: Workspace, alice: User, api: Api
) -> None:
    response = api(alice).patch(
        f"/api/v1/workspaces/{workspace.pk}/",
        {"public_claim_pages": True, "organisation_logo": LOGO},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["public_claim_pages"], body["organisation_logo"]) == (True, LOGO)
    workspace.refresh_from_db()
    assert (workspace.public_claim_pages, workspace.organisation_logo) == (True, LOGO)
    shown = api(alice).get(f"/api/v1/workspaces/{workspace.pk}/").json()
    assert (shown["public_claim_pages"], shown["organisation_logo"]) == (True, LOGO)

    off = api(alice).patch(
        f"/api/v1/workspaces/{workspace.pk}/",
        {"public_claim_pages": False, "organisation_logo": ""},
        format="json",
    )
    assert off.status_code == 200
    workspace.refresh_from_db()
    assert (workspace.public_claim_pages, workspace.organisation_logo) == (False, "")


def test_a_workspace_is_created_with_its_publishing_settings(mallory: User, api: Api) -> None:
    response = api(mallory).post(
        "/api/v1/workspaces/",
        {"name": "Desk", "public_claim_pages": True, "organisation_logo": LOGO},
        format="json",
    )

    assert response.status_code == 201, response.content
    workspace = Workspace.objects.get(pk=response.json()["id"])
    assert (workspace.public_claim_pages, workspace.organisation_logo) == (True, LOGO)


def test_it_names_a_bad_logo_and_leaves_a_reviewer_out(
    workspace: Workspace, alice: User, bob: User, api: Api
) -> None:
    bad = api(alice).patch(
        f"/api/v1/workspaces/{workspace.pk}/", {"organisation_logo": "logo.png"}, format="json"
    )
    assert bad.status_code == 400 and list(bad.json()) == ["organisation_logo"]
    refused = api(bob).patch(
        f"/api/v1/workspaces/{workspace.pk}/", {"public_claim_pages": True}, format="json"
    )
    assert refused.status_code == 403
    workspace.refresh_from_db()
    assert not workspace.public_claim_pages and workspace.organisation_logo == ""


def test_the_verdict_scale_says_which_labels_are_retired(
    workspace: Workspace, alice: User, api: Api
) -> None:
    scale_update(
        user=alice,
        workspace=workspace,
        labels=[LabelEdit(slug="half-true", name="Half true", value=3, retired=True)],
    )

    scale = api(alice).get(f"/api/v1/workspaces/{workspace.pk}/").json()["verdict_scale"]

    assert {label["slug"]: label["retired"] for label in scale} == {
        "false": False,
        "mostly-false": False,
        "half-true": True,
        "mostly-true": False,
        "true": False,
        "unverifiable": False,
    }
