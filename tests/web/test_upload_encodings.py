"""An uploaded file is read in the encoding it gives (a byte order mark, or the charset its HTML
declares) or as UTF-8; anything else is an error on the file field saying what is wrong with
its encoding, never mojibake. An HTML file too deeply nested to read quickly is refused at once,
on the same field."""

from __future__ import annotations

import html
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from annotations.models import Article, Workspace


def _upload(user: User, workspace: Workspace, name: str, content: bytes) -> Any:
    client = Client()
    client.force_login(user)
    fields = {"text": "", "url": "", "title": "", "publisher": "", "language": ""}
    return client.post(
        f"/workspaces/{workspace.pk}/articles/new/",
        {**fields, "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bom.txt", "\ufeffÉlection à Besançon.".encode()),
        ("le.txt", "Élection à Besançon.".encode("utf-16")),
        ("be.html", b"\xfe\xff" + "<p>Élection à Besançon.</p>".encode("utf-16-be")),
        (
            "equiv.html",
            b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
            + "<p>Élection à Besançon.</p>".encode("latin-1"),
        ),
        ("sjis.html", b"<meta charset=shift_jis><p>" + "Élection à Besançon.".encode()),
    ],
)
def test_it_reads_a_file_in_the_encoding_it_gives(
    workspace: Workspace, erin: User, name: str, content: bytes
) -> None:
    # (The last one declares Shift JIS but is UTF-8: valid UTF-8 is read as such.)
    response = _upload(erin, workspace, name, content)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Article.objects.get().text == "Élection à Besançon."


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("vieux.txt", "Élection à Besançon.".encode("cp1252"), "not UTF-8 (byte 1 cannot"),
        ("vieux.html", "<p>Élection à Besançon.</p>".encode("cp1252"), "declares no other"),
        (
            "klingon.html",
            b'<meta charset="klingon"><p>' + "Élection".encode("cp1252"),
            "declares the encoding “klingon”, which is not one we know",
        ),
        (
            "faux.html",
            b'<meta charset="windows-1252"><p>\x81\x8d</p>',
            "not valid windows-1252, the encoding it declares (byte 33)",
        ),
        ("bom16.txt", b"\xff\xfe\x00\xd8", "UTF-16 byte order mark but is not valid UTF-16"),
        ("sans-bom.txt", "Élection".encode("utf-16-le"), "UTF-16 without a byte order mark"),
    ],
)
def test_it_refuses_a_file_it_cannot_decode_and_says_why(
    workspace: Workspace, erin: User, name: str, content: bytes, says: str
) -> None:
    response = _upload(erin, workspace, name, content)

    assert response.status_code == 400
    # On the file field, as the page shows it.
    errors = " ".join(response.context["form"].errors["file"])
    assert says in errors
    shown = html.unescape(response.content.decode())
    assert errors in shown
    assert not Article.objects.exists()


def test_a_deeply_nested_upload_is_refused_at_once_on_the_file_field(
    workspace: Workspace, erin: User
) -> None:
    # 3.85 MB of nested <div> (under the 4 MB file limit) reached gunicorn's 120 s kill before.
    nested = "<html><body>" + "<div>" * 350_000 + "<p>Le chômage.</p>" + "</div>" * 350_000
    started = time.perf_counter()
    response = _upload(erin, workspace, "piege.html", nested.encode())
    elapsed = time.perf_counter() - started

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert "more than 200 levels deep" in errors
    assert errors in html.unescape(response.content.decode())
    assert elapsed < 2
    assert not Article.objects.exists()
