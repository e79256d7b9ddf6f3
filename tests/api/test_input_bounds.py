"""The API's input bounds: every error under /api/ is JSON (404, 405, 413, 400, 500), and date
and time filters outside what the database takes are a 400 naming the filter, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings
from rest_framework.test import APIClient

from annotations import selectors
from annotations.models import Article, Claim, Workspace


def _signed_in(user: User) -> Client:
    # Exceptions become responses, as in production (the test client re-raises them otherwise).
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _json(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert isinstance(body, dict)
    return body


# --- Every error under /api/ is JSON ------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-route/",
        "/api/v1/claims/abc/",  # no route: ids are digits
        "/api/v1/claims/99999/",  # a route, no such claim
        "/api/nothing",
        "/api/docs/nothing/",
    ],
)
def test_an_api_404_is_json(path: str, workspace: Workspace, alice: User) -> None:
    response = _signed_in(alice).get(path)

    assert response.status_code == 404
    assert _json(response) == {"detail": "Not found."}


def test_a_page_404_is_still_the_pages_html(workspace: Workspace, alice: User) -> None:
    response = _signed_in(alice).get("/no/such/page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>Not found</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/workspaces/"),
        ("delete", "/api/v1/auth/token/"),
        ("post", "/api/schema/"),  # the schema's own renderer would answer in YAML
        ("post", "/api/docs/"),  # the Swagger page's, in HTML
    ],
)
def test_an_api_405_is_json_and_says_what_is_allowed(
    method: str, path: str, workspace: Workspace, alice: User
) -> None:
    response = getattr(_signed_in(alice), method)(path)

    assert response.status_code == 405
    assert "not allowed" in _json(response)["detail"].lower()
    assert "GET" in response["Allow"] or "POST" in response["Allow"]


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data"])
def test_an_oversized_body_is_a_json_413_that_gives_the_limit(
    content_type: str, workspace: Workspace, alice: User, settings: Settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    text = "Le chômage a reculé. " * 1_000
    client = _signed_in(alice)
    if content_type == "application/json":
        response = client.post(
            "/api/v1/articles/",
            {"workspace": workspace.pk, "text": text},
            content_type=content_type,
        )
    else:
        response = client.post("/api/v1/articles/", {"workspace": workspace.pk, "text": text})

    assert response.status_code == 413
    assert "10000 bytes" in _json(response)["detail"]
    assert not Article.objects.exists()


def test_too_many_form_fields_is_a_json_400(
    workspace: Workspace, alice: User, settings: Settings
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{n}": "x" for n in range(20)}
    response = _signed_in(alice).post("/api/v1/articles/", fields)

    assert response.status_code == 400
    assert "fields" in _json(response)["detail"]


def test_an_unexpected_error_is_a_json_500(
    workspace: Workspace, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "workspace_list", broken)
    response = _signed_in(alice).get("/api/v1/workspaces/")

    assert response.status_code == 500
    body = _json(response)
    assert "server error" in body["detail"] and "a bug" not in body["detail"]


# --- Date and time filters ----------------------------------------------------------------------

OFFSET_BEYOND = "2024-01-01T00:00:00+18:05"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/claims/", "created_after"),
        ("/api/v1/claims/", "created_before"),
        ("/api/v1/articles/", "created_after"),
        ("/api/v1/articles/", "created_before"),
        ("/api/v1/workspaces/{ws}/agreement/", "from"),
        ("/api/v1/workspaces/{ws}/agreement/", "to"),
    ],
)
@pytest.mark.parametrize(
    ("value", "says"),
    [
        (OFFSET_BEYOND, "beyond ±15:59"),
        ("2024-01-01T00:00:00-16:00", "beyond ±15:59"),
        ("0001-01-01T00:00:00+01:00", "out of the range"),  # before year 1 in UTC
        ("9999-12-31T23:59:59-01:00", "out of the range"),  # after year 9999 in UTC
        ("10000-01-01T00:00:00Z", ""),  # no such year: not a date and time at all
        ("2024-13-01", ""),
    ],
)
def test_a_date_filter_out_of_range_is_a_400_naming_it(
    path: str,
    field: str,
    value: str,
    says: str,
    workspace: Workspace,
    claim: Claim,
    alice: User,
    api: Callable[[User | None], APIClient],
) -> None:
    response = api(alice).get(path.format(ws=workspace.pk), {field: value})

    assert response.status_code == 400, response.content
    message = " ".join(_json(response)[field])
    assert says in message


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/claims/", "created_after"),
        ("/api/v1/articles/", "created_after"),
        ("/api/v1/workspaces/{ws}/agreement/", "from"),
    ],
)
@pytest.mark.parametrize("value", ["2024-01-01T00:00:00+15:59", "2024-01-01T00:00:00-15:59"])
def test_the_furthest_offsets_the_database_takes_still_filter(
    path: str,
    field: str,
    value: str,
    workspace: Workspace,
    claim: Claim,
    alice: User,
    api: Callable[[User | None], APIClient],
) -> None:
    response = api(alice).get(path.format(ws=workspace.pk), {field: value})

    assert response.status_code == 200, response.content


def test_a_far_offset_is_compared_as_the_moment_it_names(
    claim: Claim, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    created = Claim.objects.get(pk=claim.pk).created_at
    # One minute after creation, written 15:59 ahead of UTC: the claim was made before it.
    zone = timezone(timedelta(hours=15, minutes=59))
    later = (created + timedelta(minutes=1)).astimezone(zone).isoformat()
    client = api(alice)
    assert [
        c["id"] for c in client.get("/api/v1/claims/", {"created_before": later}).json()["results"]
    ] == [claim.pk]
    assert client.get("/api/v1/claims/", {"created_after": later}).json()["results"] == []
