"""The workspace, add-article and annotator pages as the server renders them; the Content-Security-
Policy on every page; the French catalogues. What the JavaScript does is in the
browser tests (test_desk_day_en.py, test_desk_day_fr.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from annotations.middleware import STRICT, WITH_INLINE_STYLES, policy_for
from annotations.models import Article, Claim, Workspace
from annotations.services.articles import article_create


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _add(client: Client, workspace: Workspace, **data: object) -> Any:
    fields = {"text": "", "url": "", "title": "", "publisher": "", "language": "", **data}
    return client.post(f"/workspaces/{workspace.pk}/articles/new/", fields)


def test_it_lists_a_workspaces_articles_with_their_progress(
    workspace: Workspace, article: Article, claim: Claim, erin: User
) -> None:
    page = _client(erin).get(f"/workspaces/{workspace.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Chômage" in html
    assert f'href="/articles/{article.pk}/"' in html
    assert "0/1 assessed" in html
    assert f'href="/workspaces/{workspace.pk}/articles/new/"' in html


def test_it_links_each_workspace_from_the_home_page(workspace: Workspace, bob: User) -> None:
    html = _client(bob).get("/").content.decode()
    assert f'href="/workspaces/{workspace.pk}/"' in html


@pytest.mark.parametrize(
    "path", ["/workspaces/{ws}/", "/workspaces/{ws}/articles/new/", "/articles/{article}/"]
)
def test_it_hides_the_pages_from_outsiders_and_sends_visitors_to_sign_in(
    path: str, workspace: Workspace, article: Article, mallory: User
) -> None:
    url = path.format(ws=workspace.pk, article=article.pk)
    assert _client(mallory).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")


def test_it_adds_a_pasted_article_and_opens_it(workspace: Workspace, erin: User) -> None:
    response = _add(
        _client(erin), workspace, text="Selon l'Insee, le chômage a baissé.", title="Insee"
    )

    article = Article.objects.get(title="Insee")
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.pk}/"
    assert article.text == "Selon l'Insee, le chômage a baissé."
    assert article.created_by == erin


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("note.txt", "Le taux est de 7 %.\r\nDeuxième ligne.".encode(), "Le taux est de 7 %.\n"),
        # An older newsroom export: read as Windows-1252 only because its HTML says so.
        (
            "vieux.html",
            '<meta charset="windows-1252"><p>Élection à Besançon.</p>'.encode("cp1252"),
            "Élection à Besançon.",
        ),
        ("note16.txt", "Élection à Besançon.".encode("utf-16"), "Élection à Besançon."),
        (
            "page.html",
            b"<p>Le maire a promis 300 logements.</p><script>alert(1)</script>",
            "Le maire a promis 300 logements.",
        ),
    ],
)
def test_it_adds_an_article_from_an_uploaded_file(
    workspace: Workspace, erin: User, name: str, content: bytes, expected: str
) -> None:
    upload = SimpleUploadedFile(name, content)

    response = _add(_client(erin), workspace, file=upload, title=name)

    assert response.status_code == 302
    article = Article.objects.get(title=name)
    assert article.text.startswith(expected)
    assert "alert" not in article.text


def test_it_queues_an_article_given_by_url(workspace: Workspace, erin: User) -> None:
    response = _add(_client(erin), workspace, url="https://example.org/article")

    assert response.status_code == 302
    article = Article.objects.get(url="https://example.org/article")
    assert article.fetch_status == Article.Status.QUEUED
    assert article.text == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Paste the article&#x27;s text, upload a file, or give its URL."),
        ({"text": "  \n "}, "The article has no text."),
        ({"url": "ftp://example.org/x"}, "Give an http or https address."),
        (
            {"text": "Un texte.", "file": SimpleUploadedFile("a.txt", b"Autre.")},
            "Paste a text or upload a file, not both.",
        ),
        ({"file": SimpleUploadedFile("a.pdf", b"%PDF")}, "Upload an .html, .htm or .txt file."),
    ],
)
def test_it_explains_a_bad_article_and_keeps_the_input(
    workspace: Workspace, erin: User, data: dict[str, object], message: str
) -> None:
    response = _add(_client(erin), workspace, title="Mon titre gardé", **data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Mon titre gardé"' in html
    assert not Article.objects.filter(title="Mon titre gardé").exists()


def test_it_points_at_an_article_already_imported_from_the_same_url(
    workspace: Workspace, alice: User, erin: User
) -> None:
    first = article_create(
        user=alice, workspace=workspace, text="Texte.", url="https://example.org/a"
    )

    response = _add(_client(erin), workspace, text="Autre texte.", url="https://example.org/a")

    assert response.status_code == 409
    assert f'href="/articles/{first.pk}/"' in response.content.decode()
    assert Article.objects.filter(workspace=workspace).count() == 1


def test_it_gives_the_article_page_its_settings_as_data_not_as_script(
    article: Article, bob: User
) -> None:
    response = _client(bob).get(f"/articles/{article.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    config = json.loads(
        re.search(
            r'<script id="workbench-config" type="application/json">(.*?)</script>', html, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    assert config["article"] == article.pk
    assert config["role"] == "reviewer"
    assert config["can"] == {"assess": True, "adjudicate": False, "revise": False}
    assert [v["slug"] for v in config["verdicts"]][:2] == ["false", "mostly-false"]
    # Every other script is a file: nothing inline, no inline event handler.
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert inline == []
    assert not re.search(r"\son[a-z]+=", html)
    assert response["Content-Security-Policy"] == STRICT


def test_it_escapes_what_users_wrote_in_the_page(workspace: Workspace, alice: User) -> None:
    article = article_create(
        user=alice, workspace=workspace, text="Texte.", title="<img src=x onerror=alert(1)>"
    )
    html = _client(alice).get(f"/articles/{article.pk}/").content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_it_sets_a_strict_policy_everywhere_but_on_the_swagger_page(alice: User) -> None:
    client = _client(alice)

    assert client.get("/login/")["Content-Security-Policy"] == STRICT
    assert client.get("/api/v1/workspaces/")["Content-Security-Policy"] == STRICT
    docs = client.get("/api/docs/")
    assert docs["Content-Security-Policy"] == WITH_INLINE_STYLES
    # The Swagger page loads its start-up script as a file, which the policy allows.
    assert "<script>" not in docs.content.decode()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    assert "script-src 'self';" in policy_for("/api/docs/")
    assert "'unsafe-inline'" not in STRICT


def test_it_serves_the_french_catalogue_to_the_page_scripts(db: None) -> None:
    catalogue = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/jsi18n/").content.decode()
    assert "Affirmation cr\\u00e9\\u00e9e." in catalogue or "Affirmation créée." in catalogue


def test_it_renders_the_pages_in_french_from_the_browser_language(
    workspace: Workspace, article: Article, erin: User
) -> None:
    client = _client(erin)
    html = client.get(f"/articles/{article.pk}/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr").content.decode()
    assert "Raccourcis clavier" in html
    assert 'lang="fr"' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/articles/{article.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Keyboard shortcuts" in english


HIDDEN = re.compile(r'<input type="hidden" name="(carried\w*)" value="([^"]*)">')
KEPT_NO_MORE = (
    "The file you chose before is no longer kept (it is kept for an hour): choose it again."
)


def _duplicate_upload(client: Client, workspace: Workspace, name: str, content: bytes) -> Any:
    """Upload a file twice: the second time, the page that says it is already here (409),
    offering "Import it anyway"."""
    first = _add(client, workspace, file=SimpleUploadedFile(name, content, "text/html"))
    assert first.status_code == 302
    page = _add(client, workspace, file=SimpleUploadedFile(name, content, "text/html"))
    assert page.status_code == 409
    return page


def test_import_anyway_keeps_a_large_file_on_the_server_not_in_the_page(
    workspace: Workspace, erin: User, settings: Any
) -> None:
    # The page used to carry the whole file back in a hidden field: posting it again went over
    # the limit of a form's size (2.5 MB by default; lowered here to keep the test small).
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    paragraph = "<p>Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee.</p>"
    content = ("<html><body>" + paragraph * 600 + "</body></html>").encode()
    assert len(content) > 2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client = _client(erin)
    page = _duplicate_upload(client, workspace, "long.html", content)
    carried = dict(HIDDEN.findall(page.content.decode()))
    assert carried["carried_name"] == "long.html" and len(carried["carried"]) < 100

    anyway = client.post(
        f"/workspaces/{workspace.pk}/articles/new/", {**carried, "import_anyway": "1"}
    )

    assert anyway.status_code == 302
    first, second = Article.objects.filter(workspace=workspace).order_by("pk")
    assert anyway["Location"] == f"/articles/{second.pk}/"
    # Read as HTML again, as the first time.
    assert second.text == first.text and "<p>" not in second.text


def test_import_anyway_asks_for_the_file_again_once_it_is_no_longer_kept(
    workspace: Workspace, erin: User, bob: User
) -> None:
    client = _client(erin)
    page = _duplicate_upload(client, workspace, "note.html", b"<p>Un texte.</p>")
    carried = dict(HIDDEN.findall(page.content.decode()))
    url = f"/workspaces/{workspace.pk}/articles/new/"

    # The kept file is the uploader's alone: another member's post with its token finds nothing.
    stolen = _client(bob).post(url, {**carried, "import_anyway": "1"})
    assert stolen.status_code == 400 and KEPT_NO_MORE in stolen.content.decode()

    cache.clear()  # an hour later
    expired = client.post(url, {**carried, "import_anyway": "1"})

    assert expired.status_code == 400
    html = expired.content.decode()
    # Said next to the file field.
    field = html[html.index('for="id_file"') :]
    assert KEPT_NO_MORE in field[: field.index("</div>")]
    assert Article.objects.filter(workspace=workspace).count() == 1


def test_a_bad_hidden_field_shows_its_error_on_the_add_page(
    workspace: Workspace, erin: User
) -> None:
    response = _add(_client(erin), workspace, text="Un texte.", carried_name="x" * 300)

    assert response.status_code == 400
    assert "Ensure this value has at most 255 characters" in response.content.decode()
