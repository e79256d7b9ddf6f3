"""Odd request shapes get a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article, Claim, Workspace


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42", "{not json"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/",
        "/api/v1/claims/",
        "/api/v1/workspaces/",
        "/api/v1/claims/{claim}/assessments/",
    ],
)
def test_it_answers_400_to_a_body_that_is_not_an_object(
    url: str, body: str, claim: Claim, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(alice).post(url.format(claim=claim.pk), body, content_type="application/json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/abc/",
        "/api/v1/claims/abc/",
        "/api/v1/claims/99999999999999999999/",
        "/api/v1/workspaces/abc/members/",
        "/api/v1/claims/?article=abc",
        "/api/v1/articles/?page=abc",
        "/api/v1/claims/?page_size=100000000",
    ],
)
def test_it_never_answers_500_to_odd_urls(
    url: str, article: Article, claim: Claim, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(bob).get(url)
    assert response.status_code < 500, response.content


def test_it_answers_the_queues_page_without_a_query_string(bob: User, workspace: Workspace) -> None:
    from django.test import Client

    client = Client()
    client.force_login(bob)
    assert client.get("/queues/").status_code == 200


def test_it_refuses_a_last_day_with_no_day_after(
    workspace: Workspace, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(alice).get(f"/api/v1/workspaces/{workspace.pk}/agreement/", {"to": "9999-12-31"})
    assert response.status_code in (200, 400)


def test_it_refuses_a_verdict_name_too_long_for_its_slug(
    mallory: User, api: Callable[[User | None], APIClient]
) -> None:
    scale = [{"name": "é" * 100}, {"name": "B"}]
    response = api(mallory).post(
        "/api/v1/workspaces/", {"name": "W", "verdicts": scale}, format="json"
    )
    assert response.status_code == 400
    assert "verdicts" in response.json()


def test_it_checks_access_before_it_validates(
    workspace: Workspace, erin: User, mallory: User, api: Callable[[User | None], APIClient]
) -> None:
    patch = api(erin).patch(f"/api/v1/workspaces/{workspace.pk}/", {"reviewers_per_claim": 0})
    assert patch.status_code == 403
    release = api(mallory).post(f"/api/v1/workspaces/{workspace.pk}/releases/", {"name": ""})
    assert release.status_code == 404
    agreement = api(mallory).get(f"/api/v1/workspaces/{workspace.pk}/agreement/", {"from": "bad"})
    assert agreement.status_code == 404


def test_it_refuses_a_version_in_digits_that_are_not_ascii(
    claim: Claim, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    # "²" passes str.isdigit() but not int(): a 428 (no usable version), never a 500.
    response = api(bob).patch(
        f"/api/v1/claims/{claim.pk}/", {"claimant": "x"}, format="json", HTTP_IF_MATCH='"²"'
    )
    assert response.status_code == 428


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/{claim}/history/",
        "/api/v1/articles/{article}/assignments/",
        "/api/v1/workspaces/{workspace}/assignments/",
        "/api/v1/workspaces/{workspace}/agreement/",
        "/api/v1/claims/{claim}/adjudication/context/",
    ],
)
def test_it_serves_the_browsable_api_of_the_review_routes(
    url: str, claim: Claim, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    path = url.format(claim=claim.pk, article=claim.article_id, workspace=claim.workspace_id)
    response = api(alice).get(path, {"format": "api"})
    assert response.status_code == 200, response.content[:300]


def test_it_answers_options_on_the_api_docs_with_405(
    api: Callable[[User | None], APIClient],
) -> None:
    assert api(None).options("/api/docs/").status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/?created_after=2026-01-01T00:00:00%2B20:00",
        "/api/v1/articles/?created_before=2026-01-01T00:00:00-18:30",
        "/api/v1/claims/?created_after=0001-01-01T00:00:00%2B05:00",
        "/api/v1/workspaces/{workspace}/agreement/?from=0001-01-01T00:00:00%2B23:59",
        "/api/v1/workspaces/{workspace}/agreement/?to=2026-01-01T00:00:00-23:59",
    ],
)
def test_it_takes_or_refuses_time_zone_offsets_beyond_what_the_database_holds(
    url: str, workspace: Workspace, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(alice).get(url.format(workspace=workspace.pk))
    assert response.status_code in (200, 400), response.content[:200]
