from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django import Settings as SettingsWrapper
from rest_framework.test import APIClient

from annotations.models import Article, Claim, Workspace
from annotations.services.claims import claim_create
from tests.api.conftest import PAGE
from tests.conftest import results


def test_it_imports_text_normalised_once(
    workspace: Workspace, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    decomposed = unicodedata.normalize("NFD", "Le déficit a atteint 5,5 %.\r\nC'était prévu.\rFin.")
    response = api(erin).post(
        "/api/v1/articles/", {"workspace": workspace.pk, "text": decomposed, "language": "fr"}
    )
    assert response.status_code == 201, response.content
    article = Article.objects.get(pk=response.json()["id"])
    assert article.text == "Le déficit a atteint 5,5 %.\nC'était prévu.\nFin."
    assert len(article.checksum) == 64
    assert response.json()["extraction_status"] in ("queued", "done")


def test_it_imports_html_with_its_metadata_and_without_scripts(
    workspace: Workspace, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    response = api(erin).post("/api/v1/articles/", {"workspace": workspace.pk, "html": PAGE})
    assert response.status_code == 201, response.content
    article = Article.objects.get(pk=response.json()["id"])
    assert "Les loyers ont augmenté de 12 %" in article.text
    assert "piège" not in article.text and "Accueil" not in article.text
    assert article.title == "Les loyers flambent à Lyon"
    assert article.author == "Camille Martin"
    assert article.published_at is not None and article.published_at.year == 2026


def test_it_fetches_a_url_in_a_task(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    web_server: str,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    with django_capture_on_commit_callbacks(execute=True):
        response = api(erin).post(
            "/api/v1/articles/", {"workspace": workspace.pk, "url": f"{web_server}/moved"}
        )
    assert response.status_code == 201, response.content
    article = Article.objects.get(pk=response.json()["id"])
    assert article.fetch_status == "done", article.fetch_error
    assert "Observatoire des loyers" in article.text
    assert article.publisher == "Le Progrès du Rhône"


def test_it_refuses_to_fetch_loopback_addresses_by_default(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    web_server: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api(erin).post(
            "/api/v1/articles/", {"workspace": workspace.pk, "url": f"{web_server}/article"}
        )
    assert response.status_code == 201
    article = Article.objects.get(pk=response.json()["id"])
    assert article.fetch_status == "failed"
    assert "non-public address" in article.fetch_error
    assert article.text == ""


@pytest.mark.parametrize(
    ("path", "error"),
    [("/huge", "larger than"), ("/image", "content type"), ("/nowhere", "HTTP 404")],
)
def test_it_records_why_a_fetch_failed(
    path: str,
    error: str,
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    web_server: str,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    settings.ARTICLE_FETCH_MAX_BYTES = 100_000
    with django_capture_on_commit_callbacks(execute=True):
        response = api(erin).post(
            "/api/v1/articles/", {"workspace": workspace.pk, "url": f"{web_server}{path}"}
        )
    article = Article.objects.get(pk=response.json()["id"])
    assert article.fetch_status == "failed"
    assert error in article.fetch_error


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "non_field_errors"),
        ({"text": "Un texte.", "html": "<p>Un texte.</p>"}, "non_field_errors"),
        ({"text": "   \n  "}, "text"),
        ({"html": "<script>alert(1)</script>"}, "html"),
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://example.org/file"}, "url"),
        ({"url": "http://user:pw@example.org/"}, "url"),
        ({"text": "x", "published_at": "yesterday"}, "published_at"),
        ({"text": "x", "workspace": "abc"}, "workspace"),
    ],
)
def test_it_names_the_field_of_bad_article_input(
    body: dict[str, str],
    field: str,
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
) -> None:
    response = api(erin).post(
        "/api/v1/articles/", {"workspace": workspace.pk, **body}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Article.objects.count() == 0


def test_it_refuses_a_text_longer_than_the_limit(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    settings: SettingsWrapper,
) -> None:
    settings.ARTICLE_MAX_CHARS = 100
    response = api(erin).post("/api/v1/articles/", {"workspace": workspace.pk, "text": "a" * 101})
    assert response.status_code == 400
    assert "100 characters" in response.json()["text"][0]


def test_it_points_at_the_article_already_imported_from_a_url(
    workspace: Workspace, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    client = api(erin)
    first = client.post(
        "/api/v1/articles/",
        {"workspace": workspace.pk, "text": "Un.", "url": "https://example.org/a"},
    )
    again = client.post(
        "/api/v1/articles/",
        {"workspace": workspace.pk, "text": "Deux.", "url": "https://example.org/a"},
    )
    assert again.status_code == 409
    assert again.json()["existing"]["id"] == first.json()["id"]


def test_it_lists_only_the_articles_of_my_workspaces(
    workspace: Workspace, article: Article, mallory: User, api: Callable[[User | None], APIClient]
) -> None:
    from annotations.services.articles import article_create
    from annotations.services.workspaces import workspace_create

    own = workspace_create(user=mallory, name="Mallory's desk")
    article_create(user=mallory, workspace=own, text="Autre chose.")
    listed = results(api(mallory).get("/api/v1/articles/"))
    assert [a["workspace"] for a in listed] == [own.pk]


def test_it_filters_articles_by_language_and_status(
    workspace: Workspace, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    client = api(alice)
    client.post(
        "/api/v1/articles/", {"workspace": workspace.pk, "text": "Bonjour.", "language": "fr"}
    )
    client.post(
        "/api/v1/articles/", {"workspace": workspace.pk, "text": "Hello.", "language": "en"}
    )
    listed = results(client.get("/api/v1/articles/", {"language": "en"}))
    assert [a["language"] for a in listed] == ["en"]
    bad = client.get("/api/v1/articles/", {"extraction_status": "sleeping"})
    assert bad.status_code == 400 and "extraction_status" in bad.json()


def test_it_reads_an_article_in_a_fixed_number_of_queries(
    workspace: Workspace, alice: User, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    from annotations.services.articles import article_create

    small = article_create(
        user=alice, workspace=workspace, text="Une phrase assez longue pour un claim."
    )
    big = article_create(
        user=alice, workspace=workspace, text="Le taux de chômage est de 7 %. " * 120
    )
    claim_create(user=bob, article=small, start=0, end=10)
    for i in range(1000):
        claim_create(user=bob, article=big, start=i * 3, end=i * 3 + 2)
    assert Claim.objects.filter(article=big).count() == 1000

    client = api(bob)
    counts = []
    for target in (small, big):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/articles/{target.pk}/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8
    assert len(response.json()["claims"]) == 1000
