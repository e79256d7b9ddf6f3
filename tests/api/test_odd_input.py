"""Odd request shapes get a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article, Claim, Workspace
from annotations.services.adjudications import adjudication_create


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


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        # The last day there is has no day after: up to its end is no upper bound at all, as on
        # the agreement page.
        ({"to": "9999-12-31"}, {"from": None, "to": None}),
        (
            {"from": "0001-01-01", "to": "9999-12-31"},
            {"from": "0001-01-01T00:00:00+00:00", "to": None},
        ),
        ({"to": "9999-12-30"}, {"from": None, "to": "9999-12-31T00:00:00+00:00"}),
    ],
)
def test_it_takes_the_first_and_last_days_there_are(
    params: dict[str, str],
    shown: dict[str, str | None],
    workspace: Workspace,
    alice: User,
    api: Callable[[User | None], APIClient],
) -> None:
    response = api(alice).get(f"/api/v1/workspaces/{workspace.pk}/agreement/", params)
    assert response.status_code == 200, response.content
    filters = response.json()["filters"]
    assert {key: filters[key] for key in ("from", "to")} == shown


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


# --- Extreme input on the publishing, import and membership routes ------------------------------

NESTED = '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/claims/{claim}/publish/"),
        ("post", "/api/v1/claims/{claim}/review/"),
        ("post", "/api/v1/claims/{claim}/correct/"),
        ("post", "/api/v1/claims/{claim}/unpublish/"),
        ("post", "/api/v1/claims/{claim}/sources/"),
        ("patch", "/api/v1/claims/{claim}/"),
        ("post", "/api/v1/articles/"),
        ("post", "/api/v1/articles/{article}/assignments/"),
        ("post", "/api/v1/workspaces/{workspace}/members/"),
        ("patch", "/api/v1/workspaces/{workspace}/"),
        ("post", "/api/v1/auth/token/"),
    ],
)
def test_it_answers_400_to_json_nested_too_deeply(
    method: str, url: str, claim: Claim, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    path = url.format(claim=claim.pk, article=claim.article_id, workspace=claim.workspace_id)
    response = getattr(api(alice), method)(path, NESTED, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"detail": "The JSON body is nested too deeply."}


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        # A lone surrogate is valid JSON (\\ud800) but cannot be written back as UTF-8: a refusal
        # quoting it used to fail to render (a 500).
        (
            "/api/v1/workspaces/{workspace}/members/",
            '{"username": "bob", "role": "\\ud800"}',
            "role",
        ),
        (
            "/api/v1/workspaces/{workspace}/members/",
            '{"username": "bob", "role": "editor\\udfff"}',
            "role",
        ),
        (
            "/api/v1/claims/{claim}/sources/",
            '{"url": "https://example.org/", "stance": "\\ud800"}',
            "stance",
        ),
        (
            "/api/v1/claims/{claim}/publish/",
            '{"review_url": "https://x.org/\\ud800"}',
            "review_url",
        ),
        ("/api/v1/claims/{claim}/correct/", '{"verdict": "\\ud800", "note": "n"}', "verdict"),
        ("/api/v1/claims/{claim}/unpublish/", '{"reason": "\\udc00"}', "reason"),
        # An unknown export filter is named as sent, escaped.
        ("/api/v1/workspaces/{workspace}/exports/", '{"format": "csv", "\\ud800": 1}', "\\ud800"),
    ],
)
def test_it_names_a_field_holding_a_lone_surrogate(
    url: str,
    body: str,
    field: str,
    claim: Claim,
    alice: User,
    dave: User,
    api: Callable[[User | None], APIClient],
) -> None:
    adjudication_create(user=dave, claim=claim, verdict="mostly-false", note="n")
    path = url.format(claim=claim.pk, workspace=claim.workspace_id)
    response = api(alice).post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


ODD_VALUES = [10**30, -(10**30), -1, 1.5e308, "é" * 3000, "x" * 100_000, [], {"a": 1}, True]


@pytest.mark.parametrize("value", ODD_VALUES, ids=[type(v).__name__ for v in ODD_VALUES])
@pytest.mark.parametrize(
    ("route", "field"),
    [
        ("publish", "review_url"),
        ("publish", "review_published_at"),
        ("review", "review_url"),
        ("correct", "verdict"),
        ("unpublish", "reason"),
    ],
)
def test_the_publishing_routes_name_an_odd_value(
    route: str,
    field: str,
    value: object,
    claim: Claim,
    alice: User,
    dave: User,
    api: Callable[[User | None], APIClient],
) -> None:
    adjudication_create(user=dave, claim=claim, verdict="mostly-false", note="n")
    if route in ("correct", "unpublish"):
        assert api(alice).post(f"/api/v1/claims/{claim.pk}/publish/").status_code == 200
    body = {"verdict": "true", "note": "Corrigé.", "reason": "Retiré.", field: value}
    response = api(alice).post(f"/api/v1/claims/{claim.pk}/{route}/", body, format="json")
    # A number is a fine reason once written as text; whatever is refused is named.
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert field in response.json()


@pytest.mark.parametrize("value", [*ODD_VALUES[:-1], "yes please", 2])
@pytest.mark.parametrize("field", ["allow_duplicate", "workspace", "published_at"])
def test_article_import_names_an_odd_value(
    field: str,
    value: object,
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
) -> None:
    body = {"workspace": workspace.pk, "text": "Une phrase.", field: value}
    response = api(erin).post("/api/v1/articles/", body, format="json")
    if field == "workspace" and isinstance(value, int) and not isinstance(value, bool):
        assert response.status_code in (400, 404), response.content[:300]
    else:
        assert response.status_code == 400, response.content[:300]
        assert field in response.json()


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize("field", ["username", "role"])
def test_member_addition_names_an_odd_value(
    field: str,
    value: object,
    workspace: Workspace,
    alice: User,
    api: Callable[[User | None], APIClient],
) -> None:
    body = {"username": "mallory", "role": "reviewer", field: value}
    response = api(alice).post(f"/api/v1/workspaces/{workspace.pk}/members/", body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()
