from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Membership, Role, Workspace
from tests.conftest import results


def test_it_makes_the_creator_editor_with_the_default_scale(
    mallory: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(mallory).post(
        "/api/v1/workspaces/", {"name": "Desk Europe", "blind_review": True}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["my_role"] == "editor" and body["blind_review"] is True
    assert [(v["slug"], v["name"], v["value"]) for v in body["verdict_scale"]] == [
        ("false", "False", 1.0),
        ("mostly-false", "Mostly false", 2.0),
        ("half-true", "Half true", 3.0),
        ("mostly-true", "Mostly true", 4.0),
        ("true", "True", 5.0),
        ("unverifiable", "Unverifiable", None),
    ]


def test_it_creates_a_workspace_with_its_own_scale(
    mallory: User, api: Callable[[User | None], APIClient]
) -> None:
    scale = [
        {"name": "Faux", "value": 0},
        {"name": "Vrai", "value": 1},
        {"name": "Invérifiable", "value": None},
    ]
    response = api(mallory).post(
        "/api/v1/workspaces/", {"name": "Desk FR", "verdicts": scale}, format="json"
    )
    assert [v["slug"] for v in response.json()["verdict_scale"]] == ["faux", "vrai", "inverifiable"]


def test_it_names_what_is_wrong_with_a_workspace(
    mallory: User, api: Callable[[User | None], APIClient]
) -> None:
    client = api(mallory)
    assert "name" in client.post("/api/v1/workspaces/", {}).json()
    assert (
        "reviewers_per_claim"
        in client.post("/api/v1/workspaces/", {"name": "x", "reviewers_per_claim": 0}).json()
    )
    assert (
        "candidate_threshold"
        in client.post("/api/v1/workspaces/", {"name": "x", "candidate_threshold": 2}).json()
    )
    duplicate = client.post(
        "/api/v1/workspaces/",
        {"name": "x", "verdicts": [{"name": "Vrai"}, {"name": "vrai"}]},
        format="json",
    )
    assert duplicate.status_code == 400 and "verdicts" in duplicate.json()
    assert not Workspace.objects.exists()


def test_it_lists_only_my_workspaces_with_my_role(
    workspace: Workspace, bob: User, mallory: User, api: Callable[[User | None], APIClient]
) -> None:
    assert [(w["name"], w["my_role"]) for w in results(api(bob).get("/api/v1/workspaces/"))] == [
        ("Desk", "reviewer")
    ]
    assert results(api(mallory).get("/api/v1/workspaces/")) == []


def test_it_adds_members_by_username_and_role(
    workspace: Workspace,
    alice: User,
    make_user: Callable[[str], User],
    api: Callable[[User | None], APIClient],
) -> None:
    make_user("frank")
    response = api(alice).post(
        f"/api/v1/workspaces/{workspace.pk}/members/", {"username": "frank", "role": "adjudicator"}
    )
    assert response.status_code == 201
    assert response.json()["role"] == "adjudicator"
    assert Membership.objects.get(user__username="frank").role == Role.ADJUDICATOR


def test_it_names_what_is_wrong_with_a_new_member(
    workspace: Workspace, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    client = api(alice)
    url = f"/api/v1/workspaces/{workspace.pk}/members/"
    assert "username" in client.post(url, {"username": "nobody", "role": "reviewer"}).json()
    assert "role" in client.post(url, {"username": "bob", "role": "boss"}).json()
    existing = client.post(url, {"username": "bob", "role": "editor"})
    assert existing.status_code == 409 and existing.json()["existing"]["type"] == "membership"


def test_it_keeps_at_least_one_editor(
    workspace: Workspace, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    url = f"/api/v1/workspaces/{workspace.pk}/members/{alice.pk}/"
    demoted = api(alice).patch(url, {"role": "reviewer"})
    assert demoted.status_code == 400 and "role" in demoted.json()
    assert api(alice).delete(url).status_code == 400
    assert Membership.objects.get(user=alice).role == Role.EDITOR


def test_it_gives_a_token_for_username_and_password(alice: User) -> None:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "alice-password-1"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/workspaces/").status_code == 200


def test_it_refuses_a_token_for_a_wrong_password(alice: User) -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "guess"})
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_it_refuses_unauthenticated_and_bad_token_requests(db: None) -> None:
    assert APIClient().get("/api/v1/articles/").status_code in (401, 403)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000")
    assert client.get("/api/v1/articles/").status_code == 401


def test_it_enforces_csrf_on_session_writes(workspace: Workspace, alice: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(
        "/api/v1/articles/", {"workspace": workspace.pk, "text": "Sans jeton CSRF."}
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_it_serves_the_openapi_schema_and_docs(alice: User) -> None:
    client = APIClient()
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/claims/",
        "/api/v1/claims/{id}/assessments/",
        "/api/v1/candidates/{id}/accept/",
        "/api/v1/workspaces/{id}/members/",
    ):
        assert path in paths
    client.force_login(alice)
    assert client.get("/api/docs/").status_code == 200
