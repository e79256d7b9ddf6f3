"""Export jobs: an editor asks, a worker writes the file to storage with its SHA-256 and row count,
the editor polls and downloads it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import FileResponse
from rest_framework.test import APIClient

from annotations.models import ExportJob
from tests.conftest import results
from tests.export_desk import Desk, streamed

Api = Callable[[User | None], APIClient]
Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def downloaded(response: Any) -> bytes:
    assert response.status_code == 200, response.content
    assert isinstance(response, FileResponse)
    return streamed(response)


def test_it_runs_an_export_job_and_offers_its_file(
    desk: Desk,
    alice: User,
    api: Api,
    media: Path,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client = api(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/workspaces/{desk.workspace.pk}/exports/",
            {"format": "csv", "language": "fr"},
        )
    assert response.status_code == 202, response.content
    queued = response.json()
    assert queued["status"] == "queued"
    assert queued["download_url"] is None
    assert queued["filters"] == {
        "status": ["resolved", "published"],
        "language": ["fr"],
        "verdict": [],
        "article": [],
        "dates": "created",
        "from": None,
        "to": None,
    }
    assert response["Location"].endswith(f"/api/v1/exports/{queued['id']}/")

    job = client.get(f"/api/v1/exports/{queued['id']}/").json()
    assert job["status"] == "done"
    assert job["rows"] == 4  # the French verified claims
    assert job["requested_by"] == "alice"
    assert job["finished_at"] is not None
    assert job["download_url"] == f"http://testserver/api/v1/exports/{job['id']}/download/"

    download = client.get(job["download_url"])
    data = downloaded(download)
    assert hashlib.sha256(data).hexdigest() == job["sha256"]
    assert download["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert download["Content-Disposition"].startswith('attachment; filename="desk-csv-')
    assert download["ETag"] == f'"{job["sha256"]}"'
    # The stored file is what the streamed export of the same filters gives.
    live = client.get(f"/api/v1/workspaces/{desk.workspace.pk}/export/?format=csv&language=fr")
    assert streamed(live) == data
    stored = ExportJob.objects.get(pk=job["id"]).file.name
    assert (media / stored).read_bytes() == data

    listed = results(client.get(f"/api/v1/workspaces/{desk.workspace.pk}/exports/"))
    assert [item["id"] for item in listed] == [job["id"]]


def test_it_runs_an_assessments_job_over_every_status(
    desk: Desk, alice: User, api: Api, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post(
            f"/api/v1/workspaces/{desk.workspace.pk}/exports/",
            {"format": "assessments"},
            format="json",
        )
    job = api(alice).get(f"/api/v1/exports/{response.json()['id']}/").json()
    assert job["filters"]["status"] == ["open", "assessed", "disputed", "resolved", "published"]
    assert job["rows"] == 4  # bob's and carol's on two claims


def test_it_answers_409_for_the_file_of_an_unfinished_job(
    desk: Desk, alice: User, api: Api
) -> None:
    # Without the commit callbacks the task is never sent: the job stays queued.
    response = api(alice).post(
        f"/api/v1/workspaces/{desk.workspace.pk}/exports/", {"format": "fever"}
    )
    download = api(alice).get(f"/api/v1/exports/{response.json()['id']}/download/")
    assert download.status_code == 409
    assert "queued" in download.json()["status"][0]


def test_it_records_a_failed_job_with_its_error(
    desk: Desk,
    alice: User,
    api: Api,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    # Storage that cannot be written: MEDIA_ROOT is a file, not a directory.
    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory")
    settings.MEDIA_ROOT = blocked
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post(
            f"/api/v1/workspaces/{desk.workspace.pk}/exports/", {"format": "fever"}
        )
    job = api(alice).get(f"/api/v1/exports/{response.json()['id']}/").json()
    assert job["status"] == "failed"
    assert job["error"]
    assert job["download_url"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "format"),
        ({"format": "docx"}, "format"),
        ({"format": "fever", "status": ["resolved", "signed"]}, "status"),
        ({"format": "fever", "verdict": "nope"}, "verdict"),
        ({"format": "fever", "to": "yesterday"}, "to"),
        ({"format": "fever", "languages": "fr"}, "languages"),
        ({"format": "fever", "status": 3}, "status"),
    ],
)
def test_it_names_what_is_wrong_with_a_job_and_creates_nothing(
    desk: Desk, alice: User, api: Api, body: dict[str, Any], field: str
) -> None:
    response = api(alice).post(
        f"/api/v1/workspaces/{desk.workspace.pk}/exports/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not ExportJob.objects.exists()


def test_it_keeps_export_jobs_to_editors(
    desk: Desk,
    alice: User,
    dave: User,
    mallory: User,
    api: Api,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    url = f"/api/v1/workspaces/{desk.workspace.pk}/exports/"
    assert api(dave).post(url, {"format": "fever"}).status_code == 403
    assert api(mallory).post(url, {"format": "fever"}).status_code == 404
    assert api(dave).get(url).status_code == 403
    assert api(mallory).get(url).status_code == 404
    assert api(None).get(url).status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        job = api(alice).post(url, {"format": "fever"}).json()
    for path in (f"/api/v1/exports/{job['id']}/", f"/api/v1/exports/{job['id']}/download/"):
        assert api(dave).get(path).status_code == 403
        assert api(mallory).get(path).status_code == 404
    assert api(alice).get("/api/v1/exports/999999/").status_code == 404


def test_it_keeps_the_options_of_a_job_and_names_its_file_once(
    desk: Desk,
    alice: User,
    api: Api,
    media: Path,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client = api(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/workspaces/{desk.workspace.pk}/exports/",
            {"format": "csv", "bom": True, "pseudonymise": "1", "texts": "true"},
            format="json",
        )
    assert response.status_code == 202, response.content
    job = client.get(f"/api/v1/exports/{response.json()['id']}/").json()
    assert {job["filters"][k] for k in ("bom", "pseudonymise", "texts")} == {True}
    data = downloaded(client.get(job["download_url"]))
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"article_text" in data.splitlines()[0]
    assert b'"dave"' not in data and b'"reviewer-1"' in data
    stored = ExportJob.objects.get(pk=job["id"]).file.name
    assert stored.endswith(".csv") and ".csv." not in stored and "csv.csv" not in stored


def test_it_names_a_bad_option_of_a_job(desk: Desk, alice: User, api: Api) -> None:
    response = api(alice).post(
        f"/api/v1/workspaces/{desk.workspace.pk}/exports/",
        {"format": "fever", "utf16": True, "pseudonymise": "sometimes"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"utf16", "pseudonymise"}
    assert not ExportJob.objects.exists()
