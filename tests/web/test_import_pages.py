"""The Import page (server side): a file goes in and its report follows, errors are shown on the
form, an oversized upload is refused before it is read, and people see only their own imports
unless they are editors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from annotations.models import Article, ImportJob, Workspace

TEXT = "Bonjour 🙂 ! Le ministre a dit « le chômage baisse » hier."


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _doccano(*lines: dict[str, Any]) -> SimpleUploadedFile:
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    return SimpleUploadedFile("spans.jsonl", body.encode(), content_type="application/json")


def _span(quote: str) -> list[int]:
    start = len(TEXT[: TEXT.index(quote)].encode("utf-16-le")) // 2
    return [start, start + len(quote.encode("utf-16-le")) // 2]


def test_an_annotator_imports_a_file_and_reads_its_report(
    workspace: Workspace,
    erin: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = _client(erin)
    page = f"/workspaces/{workspace.pk}/imports/"
    assert 'href="' + page + '"' in client.get(f"/workspaces/{workspace.pk}/").content.decode()
    upload = _doccano(
        {"text": TEXT, "label": [[*_span("« le chômage baisse »"), "CLAIM"]]},
        {"text": "Autre.", "label": [[0, 99, "CLAIM"]]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(page, {"format": "doccano", "file": upload})
    job = ImportJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/imports/{job.pk}/"

    report = client.get(answer["Location"]).content.decode()
    assert 'data-count="created">1<' in report
    assert 'data-count="failed">1<' in report
    assert 'data-place="line 2"' in report and "99" in report
    article = Article.objects.get(workspace=workspace)
    assert article.claims.get().exact == "« le chômage baisse »"


def test_the_form_names_what_is_missing_and_keeps_nothing(
    workspace: Workspace, alice: User
) -> None:
    answer = _client(alice).post(f"/workspaces/{workspace.pk}/imports/", {"format": "doccano"})
    assert answer.status_code == 400
    assert "Send one file, or the address of one in url" in answer.content.decode()
    assert not ImportJob.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_read(
    workspace: Workspace, alice: User, settings: Any
) -> None:
    settings.IMPORT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.jsonl", b"{}\n" * 100_000)
    answer = _client(alice).post(
        f"/workspaces/{workspace.pk}/imports/", {"format": "doccano", "file": big}
    )
    assert answer.status_code == 413
    assert "larger than" in answer.content.decode()
    assert not ImportJob.objects.exists()


def _csrf_client(user: User, workspace: Workspace) -> tuple[Client, str]:
    """A client that is held to the CSRF check, as a browser is, with the page's token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(f"/workspaces/{workspace.pk}/imports/")
    return client, client.cookies["csrftoken"].value


def test_a_declared_oversize_is_refused_before_the_csrf_check_reads_the_body(
    workspace: Workspace, alice: User, settings: Any
) -> None:
    # The body says it is a gigabyte and holds a few bytes: reading it (as the CSRF check did,
    # to find its token among the form's fields) fails the test client's payload outright.
    settings.IMPORT_MAX_BYTES = 1024
    client, token = _csrf_client(alice, workspace)
    answer = client.post(
        f"/workspaces/{workspace.pk}/imports/",
        {"format": "doccano", "csrfmiddlewaretoken": token, "file": _doccano({"text": TEXT})},
        CONTENT_LENGTH=str(10**9),
    )
    assert answer.status_code == 413
    assert "larger than 1.0" in answer.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_past_the_limit_is_stopped_as_it_arrives(
    workspace: Workspace, alice: User, settings: Any
) -> None:
    # Declared within the form's slack, but the file alone is past the limit: the upload stops
    # there and the page says why (the file is not imported in part).
    settings.IMPORT_MAX_BYTES = 1024
    client, token = _csrf_client(alice, workspace)
    big = SimpleUploadedFile("big.jsonl", b"{}\n" * 600)
    answer = client.post(
        f"/workspaces/{workspace.pk}/imports/",
        {"format": "doccano", "csrfmiddlewaretoken": token, "file": big},
    )
    assert answer.status_code == 413
    assert "larger than" in answer.content.decode()
    assert not ImportJob.objects.exists()


def test_the_import_form_still_needs_its_csrf_token(workspace: Workspace, alice: User) -> None:
    client, _token = _csrf_client(alice, workspace)
    answer = client.post(
        f"/workspaces/{workspace.pk}/imports/",
        {"format": "doccano", "file": _doccano({"text": TEXT, "label": []})},
    )
    assert answer.status_code == 403
    assert not ImportJob.objects.exists()
    # With it, the same form goes through.
    client, token = _csrf_client(alice, workspace)
    answer = client.post(
        f"/workspaces/{workspace.pk}/imports/",
        {
            "format": "doccano",
            "csrfmiddlewaretoken": token,
            "file": _doccano({"text": TEXT, "label": []}),
        },
    )
    assert answer.status_code == 302
    assert ImportJob.objects.count() == 1


def test_imports_are_kept_to_their_people(
    workspace: Workspace,
    alice: User,
    erin: User,
    mallory: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _client(alice).post(
            f"/workspaces/{workspace.pk}/imports/",
            {"format": "doccano", "file": _doccano({"text": TEXT, "label": []})},
        )
    job = ImportJob.objects.get()
    # erin (annotator) sees her own imports only; mallory is no member: 404.
    assert (
        f"/imports/{job.pk}/"
        not in _client(erin).get(f"/workspaces/{workspace.pk}/imports/").content.decode()
    )
    assert _client(erin).get(f"/imports/{job.pk}/").status_code == 404
    assert _client(mallory).get(f"/imports/{job.pk}/").status_code == 404
    assert _client(mallory).get(f"/workspaces/{workspace.pk}/imports/").status_code == 404
    assert _client(alice).get(f"/imports/{job.pk}/").status_code == 200
