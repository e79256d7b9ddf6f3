"""The API's input bounds: every error under /api/ is JSON (404, 405, 413, 400, 500), and date
and time filters outside what the database takes are a 400 naming the filter, never a 500."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings
from rest_framework.test import APIClient

from annotations import selectors
from annotations.models import Article, Claim, Workspace
from tests.api.conftest import PageHandler

# A route that takes a multipart upload (tests/api/upload_urls.py), as a file import does.
UPLOAD = "/api/v1/test-upload/"


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


@pytest.mark.urls("tests.api.upload_urls")
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
        # Multipart, where an upload is taken (a file import).
        response = client.post(UPLOAD, {"workspace": workspace.pk, "text": text})

    assert response.status_code == 413
    assert "10000 bytes" in _json(response)["detail"]
    assert not Article.objects.exists()


@pytest.mark.urls("tests.api.upload_urls")
def test_too_many_form_fields_is_a_json_400(
    workspace: Workspace, alice: User, settings: Settings
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{n}": "x" for n in range(20)}
    response = _signed_in(alice).post(UPLOAD, fields)

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


# --- HTML bounds --------------------------------------------------------------------------------

NESTED = "<html><body>" + "<div>" * 100_000 + "<p>Le chômage a reculé.</p>" + "</div>" * 100_000
ARTICLE_PAGE = (
    "<!doctype html><html lang='fr'><head><title>Les loyers flambent à Lyon</title>"
    "<script>" + "var pub = '<div><div><div>';\n" * 20_000 + "</script>"
    '<script type=\'application/ld+json\'>{"@type": "NewsArticle", '
    '"datePublished": "2026-10-02"}</script></head><body><article>'
    "<h1>Les loyers flambent à Lyon</h1>"
    + "".join(
        f"<p>Les loyers ont augmenté de {n} % en deux ans à Lyon, selon l'Observatoire des "
        f"loyers, qui en a relevé {n * 10} dans le quartier numéro {n}.</p>"
        for n in range(1, 400)
    )
    + "</article></body></html>"
)


def test_a_deeply_nested_page_is_refused_at_once_naming_the_limit(
    workspace: Workspace, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    # 1.1 MB of nested <div> held a web worker 41.6 s before the bound.
    started = time.perf_counter()
    response = api(erin).post(
        "/api/v1/articles/", {"workspace": workspace.pk, "html": NESTED}, format="json"
    )
    elapsed = time.perf_counter() - started

    assert response.status_code == 400
    assert "more than 200 levels deep" in " ".join(response.json()["html"])
    assert elapsed < 2
    assert not Article.objects.exists()


def test_a_page_with_too_many_elements_is_refused_at_once_naming_the_limit(
    workspace: Workspace, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    wide = "<html><body>" + "<div><span>mot</span></div>" * 50_000 + "</body></html>"
    started = time.perf_counter()
    response = api(erin).post(
        "/api/v1/articles/", {"workspace": workspace.pk, "html": wide}, format="json"
    )

    assert time.perf_counter() - started < 2
    assert response.status_code == 400
    assert "at most 10000 elements" in " ".join(response.json()["html"])


def test_a_long_article_page_with_heavy_scripts_still_imports_quickly(
    workspace: Workspace, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    assert len(ARTICLE_PAGE) > 500_000  # mostly script
    started = time.perf_counter()
    response = api(erin).post(
        "/api/v1/articles/", {"workspace": workspace.pk, "html": ARTICLE_PAGE}, format="json"
    )
    elapsed = time.perf_counter() - started

    assert response.status_code == 201, response.content
    article = Article.objects.get()
    assert article.title == "Les loyers flambent à Lyon"
    assert "qui en a relevé 3990 dans le quartier numéro 399." in article.text
    assert "var pub" not in article.text
    assert str(article.published_at)[:10] == "2026-10-02"  # from the JSON-LD kept
    assert elapsed < 2


def test_a_page_nested_just_within_the_limit_imports(
    workspace: Workspace, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    page = "<div>" * 200 + "<p>Le chômage a reculé de 0,3 point selon l'Insee.</p>" + "</div>" * 200
    response = api(erin).post(
        "/api/v1/articles/", {"workspace": workspace.pk, "html": page}, format="json"
    )

    assert response.status_code == 201, response.content
    assert Article.objects.get().text == "Le chômage a reculé de 0,3 point selon l'Insee."


def test_a_fetched_page_nested_too_deeply_is_a_failed_fetch_saying_why(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    web_server: str,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    PageHandler.routes["/nested"] = (200, {"Content-Type": "text/html"}, NESTED.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = api(erin).post(
            "/api/v1/articles/", {"workspace": workspace.pk, "url": f"{web_server}/nested"}
        )

    article = Article.objects.get(pk=response.json()["id"])
    assert article.fetch_status == Article.Status.FAILED
    assert "more than 200 levels deep" in article.fetch_error


# --- Forms: refused where JSON is taken, read as UTF-8 where an upload is taken -----------------


def _multipart(fields: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = "limite"
    parts = [
        b'--limite\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (name.encode(), value)
        for name, value in fields.items()
    ]
    return b"".join(parts) + b"--limite--\r\n", f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("shape", ["form", "multipart"])
def test_a_form_sent_where_json_is_taken_is_a_json_415(
    shape: str, workspace: Workspace, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    value = "Élection à Besançon : 12 % de participation.".encode()
    if shape == "form":
        body = b"workspace=%d&text=%s" % (workspace.pk, quote_from_bytes(value).encode())
        content_type = "application/x-www-form-urlencoded"
    else:
        body, content_type = _multipart({"workspace": str(workspace.pk).encode(), "text": value})

    response = api(erin).post("/api/v1/articles/", body, content_type=content_type)

    assert response.status_code == 415, response.content
    assert content_type.split(";")[0] in _json(response)["detail"]
    assert not Article.objects.exists()


@pytest.mark.urls("tests.api.upload_urls")
def test_a_multipart_field_that_is_not_utf8_is_a_400_naming_it(
    erin: User, api: Callable[[User | None], APIClient]
) -> None:
    value = "<p>Élection à Besançon.</p>".encode("cp1252")
    body, content_type = _multipart({"format": b"jsonl", "text": value})

    response = api(erin).post(UPLOAD, body, content_type=content_type)

    assert response.status_code == 400, response.content
    assert "UTF-8" in " ".join(response.json()["text"])


@pytest.mark.urls("tests.api.upload_urls")
def test_a_multipart_field_in_utf8_keeps_its_accents(
    erin: User, api: Callable[[User | None], APIClient]
) -> None:
    value = "Élection à Besançon : 12 % de participation."
    body, content_type = _multipart({"text": value.encode()})

    response = api(erin).post(UPLOAD, body, content_type=content_type)

    assert response.status_code == 201, response.content
    assert response.json() == {"text": [value]}
