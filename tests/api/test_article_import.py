"""Import hygiene: a title for every article, the same text noticed, a failed fetch retried or
completed with a pasted text, and a correction that clears the failure."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django import Settings as SettingsWrapper
from rest_framework.test import APIClient

from annotations.importing import choose_title
from annotations.models import Article, Workspace
from annotations.services.revisions import article_revise
from tests.api.conftest import PAGE, PageHandler

TEXT = (
    "Le chômage des jeunes au plus bas\n"
    "Le taux de chômage des 15-24 ans est tombé à 17 % au troisième trimestre, selon l'Insee."
)


def _page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("text", "page_title", "file_name", "title"),
    [
        ("\n  Short headline\nBody.", "", "", "Short headline"),
        ("Body.", "The page's own title", "x.html", "The page's own title"),
        ("word " * 60, "", "jobs_report-2026.txt", "Jobs report 2026"),
        ("mot " * 60, "", "", ("mot " * 37).strip() + "\u2026"),
    ],
)
def test_it_chooses_a_title_from_the_page_the_first_line_or_the_file_name(
    text: str, page_title: str, file_name: str, title: str
) -> None:
    chosen = choose_title(text=text, page_title=page_title, file_name=file_name)
    assert chosen == title
    assert len(chosen) <= 150


def test_it_titles_pasted_and_uploaded_articles(workspace: Workspace, erin: User) -> None:
    client = _page(erin)
    url = f"/workspaces/{workspace.pk}/articles/new/"
    pasted = client.post(url, {"text": TEXT})
    uploaded = client.post(
        url, {"file": SimpleUploadedFile("loyers.html", PAGE.encode(), "text/html")}
    )
    assert pasted.status_code == uploaded.status_code == 302
    titles = set(Article.objects.values_list("title", flat=True))
    assert titles == {"Le chômage des jeunes au plus bas", "Les loyers flambent à Lyon"}


def test_it_points_at_the_same_text_and_imports_it_anyway_on_request(
    workspace: Workspace, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    client = api(erin)
    first = client.post("/api/v1/articles/", {"workspace": workspace.pk, "text": TEXT})
    # The same words, spaced and cased differently: an upload of the same article.
    again = {"workspace": workspace.pk, "text": "  " + TEXT.upper().replace("\n", "\n\n") + "\n"}
    refused = client.post("/api/v1/articles/", again)
    assert refused.status_code == 409
    assert refused.json()["existing"]["id"] == first.json()["id"]
    assert "already in the workspace" in refused.json()["text"][0]
    assert Article.objects.count() == 1

    anyway = client.post("/api/v1/articles/", {**again, "allow_duplicate": True})
    assert anyway.status_code == 201
    assert Article.objects.count() == 2


def test_the_page_offers_import_anyway_and_keeps_the_uploaded_file(
    workspace: Workspace, erin: User
) -> None:
    client = _page(erin)
    url = f"/workspaces/{workspace.pk}/articles/new/"
    client.post(url, {"text": TEXT})
    existing = Article.objects.get()
    upload = SimpleUploadedFile("chomage.txt", TEXT.encode("utf-8"), "text/plain")
    page = client.post(url, {"file": upload})
    html = page.content.decode()
    assert page.status_code == 409
    assert f'href="/articles/{existing.pk}/"' in html
    assert 'name="import_anyway"' in html and 'name="carried"' in html
    assert "chomage.txt" in html  # the file is kept: no need to choose it again
    # The file stays on the server: the page carries a token and the file's name, not its text.
    carried = dict(re.findall(r'<input type="hidden" name="(carried\w*)" value="([^"]*)">', html))
    assert set(carried) == {"carried", "carried_name"}
    assert carried["carried_name"] == "chomage.txt" and "chômage" not in carried["carried"]

    anyway = client.post(url, {**carried, "import_anyway": "1"})
    assert anyway.status_code == 302
    second = Article.objects.exclude(pk=existing.pk).get()
    assert second.text == existing.text and second.title == existing.title


def _failed_fetch(
    client: APIClient,
    workspace: Workspace,
    url: str,
    settings: SettingsWrapper,
    capture: DjangoCaptureOnCommitCallbacks,
) -> Article:
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    PageHandler.routes["/down"] = (503, {}, b"down for maintenance")
    with capture(execute=True):
        response = client.post("/api/v1/articles/", {"workspace": workspace.pk, "url": url})
    article = Article.objects.get(pk=response.json()["id"])
    assert article.fetch_status == "failed" and "503" in article.fetch_error
    return article


def test_it_fetches_a_failed_article_again(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    web_server: str,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = api(erin)
    url = f"{web_server}/down"
    article = _failed_fetch(client, workspace, url, settings, django_capture_on_commit_callbacks)

    PageHandler.routes["/down"] = (200, {"Content-Type": "text/html"}, PAGE.encode())
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/api/v1/articles/{article.pk}/fetch/")
    assert again.status_code == 200
    article.refresh_from_db()
    assert (article.fetch_status, article.fetch_error) == ("done", "")
    assert "Observatoire des loyers" in article.text
    assert article.title == "Les loyers flambent à Lyon"

    # Only a failed fetch is tried again.
    refused = client.post(f"/api/v1/articles/{article.pk}/fetch/")
    assert refused.status_code == 400 and "fetch_status" in refused.json()


def test_the_workspace_page_offers_to_fetch_again(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    web_server: str,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    article = _failed_fetch(
        api(erin), workspace, f"{web_server}/down", settings, django_capture_on_commit_callbacks
    )
    client = _page(erin)
    listing = client.get(f"/workspaces/{workspace.pk}/").content.decode()
    assert f'action="/articles/{article.pk}/fetch/"' in listing
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/articles/{article.pk}/fetch/", follow=True)
    assert "being fetched again" in response.content.decode()
    article.refresh_from_db()
    assert article.fetch_status == "queued" and len(callbacks) == 1


def test_a_pasted_text_completes_the_article_whose_fetch_failed(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    web_server: str,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = api(erin)
    url = f"{web_server}/down"
    article = _failed_fetch(client, workspace, url, settings, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        completed = client.post(
            "/api/v1/articles/", {"workspace": workspace.pk, "url": url, "text": TEXT}
        )
    assert completed.status_code == 200
    assert completed.json()["id"] == article.pk
    article.refresh_from_db()
    assert article.text == TEXT and article.title == "Le chômage des jeunes au plus bas"
    assert (article.fetch_status, article.fetch_error) == ("", "")
    assert article.extraction_status == "done"
    assert Article.objects.count() == 1
    # Once it has a text, the URL is taken like any other.
    assert (
        client.post(
            "/api/v1/articles/", {"workspace": workspace.pk, "url": url, "text": "Autre."}
        ).status_code
        == 409
    )


def test_a_correction_of_the_text_clears_the_fetch_failure(
    workspace: Workspace,
    alice: User,
    api: Callable[[User | None], APIClient],
    web_server: str,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    article = _failed_fetch(
        api(alice), workspace, f"{web_server}/down", settings, django_capture_on_commit_callbacks
    )
    article_revise(
        user=alice,
        article=article,
        version=article.version,
        text=TEXT,
        note="pasted from the print edition",
    )
    article.refresh_from_db()
    assert article.text == TEXT
    assert (article.fetch_status, article.fetch_error) == ("", "")
    listing = _page(alice).get(f"/workspaces/{workspace.pk}/").content.decode()
    assert "Fetch:" not in listing
