"""Dataset releases: frozen once with exact rows, counts, checksums and a manifest; the same bytes
on every download, whatever happens to the claims afterwards."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import FileResponse
from rest_framework.test import APIClient

from annotations.models import DatasetRelease, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.publishing import claim_publish
from annotations.services.sources import claim_source_link
from tests.conftest import results
from tests.export_desk import Desk, streamed

Api = Callable[[User | None], APIClient]
Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def freeze(
    client: APIClient, workspace: Workspace, capture: Capture, **body: Any
) -> tuple[int, dict[str, Any]]:
    with capture(execute=True):
        response = client.post(f"/api/v1/workspaces/{workspace.pk}/releases/", body, format="json")
    assert response.status_code == 201, response.content
    release = client.get(response["Location"]).json()
    return response.status_code, release


def download(client: APIClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content
    if isinstance(response, FileResponse):
        return streamed(response)
    return bytes(response.content)


def everything(client: APIClient, release: dict[str, Any]) -> dict[str, bytes]:
    files = {entry["format"]: download(client, entry["url"]) for entry in release["files"]}
    files["manifest"] = download(client, release["manifest_url"])
    return files


def test_it_freezes_a_release_with_counts_checksums_and_a_manifest(
    desk: Desk, alice: User, api: Api, django_capture_on_commit_callbacks: Capture
) -> None:
    client = api(alice)
    _, release = freeze(
        client,
        desk.workspace,
        django_capture_on_commit_callbacks,
        name="Chômage FR",
        version="1.0.0",
        formats=["fever", "csv", "assessments"],
        language="fr",
    )
    french = [claim.pk for claim in desk.verified if claim.article_id == desk.french.pk]
    assert release["status"] == "ready"
    # A release stands on its own: its raw file carries the articles' texts.
    assert release["formats"] == ["fever", "csv", "assessments", "raw"]
    assert release["counts"] == {
        "claims": 4,
        "by_verdict": {"false": 1, "half-true": 1, "mostly-true": 1, "true": 1},
        "by_language": {"fr": 4},
        "by_fever_label": {"NOT ENOUGH INFO": 1, "REFUTES": 1, "SUPPORTS": 2},
    }
    assert DatasetRelease.objects.get(pk=release["id"]).claim_ids == french

    files = everything(client, release)
    manifest = json.loads(files["manifest"])
    assert manifest["name"] == "Chômage FR"
    assert manifest["version"] == "1.0.0"
    assert manifest["created_by"] == "alice"
    assert manifest["filters"]["language"] == ["fr"]
    assert manifest["counts"] == release["counts"]
    assert manifest["fever_mapping"]["mostly-true"] == "SUPPORTS"
    assert (
        manifest["claim_ids_sha256"]
        == hashlib.sha256("".join(f"{pk}\n" for pk in french).encode()).hexdigest()
    )
    for entry in manifest["files"]:
        data = files[entry["format"]]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["size"]
    by_format = {entry["format"]: entry for entry in manifest["files"]}
    assert by_format["fever"]["filename"] == "chomage-fr-1.0.0.fever.jsonl"
    fever_ids = [json.loads(line)["id"] for line in files["fever"].decode().splitlines()]
    assert fever_ids == french
    assert by_format["fever"]["rows"] == 4
    header, *csv_rows = csv.reader(io.StringIO(files["csv"].decode(), newline=""))
    csv_ids = [int(row[0]) for row in csv_rows]
    assert csv_ids == french
    assessments = [json.loads(line) for line in files["assessments"].decode().splitlines()]
    # The assessments of the released claims only: the disputed English claim is not in it.
    assert {a["claim_id"] for a in assessments} == {desk.unemployment.pk}
    assert by_format["assessments"]["rows"] == len(assessments) == 2
    # Each row carries its article's revision and checksum; the manifest lists every article's.
    article = desk.french
    assert manifest["articles"] == [
        {"id": article.pk, "revision": article.revision, "checksum": article.checksum}
    ]
    assert {(r["article_revision"], r["article_checksum"]) for r in assessments} == {
        (article.revision, article.checksum)
    }
    assert header[-2:] == ["article_revision", "article_checksum"]
    # One file name per format, never a doubled extension.
    assert by_format["csv"]["filename"] == "chomage-fr-1.0.0.csv"
    assert by_format["raw"]["filename"] == "chomage-fr-1.0.0.raw.jsonl"
    csv_download = client.get(f"/api/v1/releases/{release['id']}/files/csv/")
    assert csv_download["Content-Disposition"] == 'attachment; filename="chomage-fr-1.0.0.csv"'
    stored = {
        f.format: f.file.name for f in DatasetRelease.objects.get(pk=release["id"]).files.all()
    }
    assert not stored["csv"].endswith(".csv.csv")
    assert stored["csv"].endswith(".csv")
    # The raw file: the French article with its text, and only the released claims on it.
    [raw] = [json.loads(line) for line in files["raw"].decode().splitlines()]
    assert (raw["id"], raw["text"], raw["revision"], raw["checksum"]) == (
        article.pk,
        article.text,
        article.revision,
        article.checksum,
    )
    assert [claim["id"] for claim in raw["claims"]] == french
    assert by_format["raw"]["rows"] == 1

    file_response = client.get(release["files"][0]["url"])
    assert file_response["ETag"] == f'"{release["files"][0]["sha256"]}"'
    assert file_response["Content-Disposition"] == (
        'attachment; filename="chomage-fr-1.0.0.fever.jsonl"'
    )
    manifest_response = client.get(release["manifest_url"])
    assert manifest_response["Content-Type"] == "application/json; charset=utf-8"
    assert "chomage-fr-1.0.0.manifest.json" in manifest_response["Content-Disposition"]


def test_it_gives_the_same_bytes_after_later_edits(
    desk: Desk,
    alice: User,
    dave: User,
    erin: User,
    api: Api,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client = api(alice)
    _, release = freeze(
        client, desk.workspace, django_capture_on_commit_callbacks, name="All", version="2024.05"
    )
    assert release["formats"] == [
        "claimreview",
        "fever",
        "webannotation",
        "csv",
        "assessments",
        "raw",
    ]
    before = everything(client, release)

    # Later work: a claim re-adjudicated, a new claim resolved and published, a source linked.
    adjudication_create(user=dave, claim=desk.unemployment, verdict="false", note="Révisé")
    adjudication_create(user=dave, claim=desk.open, verdict="true")
    claim_publish(user=alice, claim=desk.open)
    claim_source_link(user=erin, claim=desk.budget, url="https://data.example/x", stance="refutes")

    again = client.get(f"/api/v1/releases/{release['id']}/").json()
    assert again == release
    assert everything(client, again) == before
    # The live export has moved on; the release has not.
    live = client.get(f"/api/v1/workspaces/{desk.workspace.pk}/export/?format=fever")
    assert streamed(live) != before["fever"]
    # A new version freezes the new state.
    _, second = freeze(
        client, desk.workspace, django_capture_on_commit_callbacks, name="All", version="2024.06"
    )
    assert second["counts"]["claims"] == release["counts"]["claims"] + 1
    assert second["files"][1]["sha256"] != release["files"][1]["sha256"]
    listed = results(client.get(f"/api/v1/workspaces/{desk.workspace.pk}/releases/"))
    assert [item["version"] for item in listed] == ["2024.06", "2024.05"]


def test_it_refuses_a_second_release_of_the_same_version(
    desk: Desk, alice: User, api: Api, django_capture_on_commit_callbacks: Capture
) -> None:
    client = api(alice)
    _, release = freeze(
        client, desk.workspace, django_capture_on_commit_callbacks, name="FR", version="1"
    )
    response = client.post(
        f"/api/v1/workspaces/{desk.workspace.pk}/releases/", {"name": "FR", "version": "1"}
    )
    assert response.status_code == 409
    assert response.json()["existing"] == {
        "id": release["id"],
        "type": "datasetrelease",
        "version": "1",
    }
    assert "new version" in response.json()["version"][0]
    assert DatasetRelease.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": "1"}, "name"),
        ({"name": "FR"}, "version"),
        ({"name": " ", "version": "1"}, "name"),
        ({"name": "FR", "version": "1", "formats": ["fever", "parquet"]}, "formats"),
        ({"name": "FR", "version": "1", "formats": []}, "formats"),
        ({"name": "FR", "version": "1", "status": "done"}, "status"),
        ({"name": "FR", "version": "1", "from": "01/05/2024"}, "from"),
        ({"name": "FR", "version": "1", "lang": "fr"}, "lang"),
    ],
)
def test_it_names_what_is_wrong_with_a_release_and_creates_nothing(
    desk: Desk, alice: User, api: Api, body: dict[str, Any], field: str
) -> None:
    response = api(alice).post(
        f"/api/v1/workspaces/{desk.workspace.pk}/releases/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not DatasetRelease.objects.exists()


def test_it_shows_a_release_being_frozen_and_one_that_failed(
    desk: Desk,
    alice: User,
    api: Api,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client = api(alice)
    url = f"/api/v1/workspaces/{desk.workspace.pk}/releases/"
    # The task is sent after commit; until it has run, the release is being frozen.
    pending = client.post(url, {"name": "Pending", "version": "1"}).json()
    assert pending["status"] == "freezing"
    assert pending["files"] == []
    assert pending["manifest_url"] is None
    assert client.get(f"/api/v1/releases/{pending['id']}/files/fever/").status_code == 409
    assert client.get(f"/api/v1/releases/{pending['id']}/manifest/").status_code == 409

    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory")
    media = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = blocked
    with django_capture_on_commit_callbacks(execute=True):
        failed = client.post(url, {"name": "Broken", "version": "1"})
    body = client.get(failed["Location"]).json()
    assert body["status"] == "failed"
    assert body["error"]
    # A failed release can be asked for again under the same name and version.
    settings.MEDIA_ROOT = media
    _, retried = freeze(
        client, desk.workspace, django_capture_on_commit_callbacks, name="Broken", version="1"
    )
    assert retried["status"] == "ready"
    assert DatasetRelease.objects.filter(name="Broken").count() == 1


def test_it_answers_404_for_a_format_the_release_does_not_have(
    desk: Desk, alice: User, api: Api, django_capture_on_commit_callbacks: Capture
) -> None:
    client = api(alice)
    _, release = freeze(
        client,
        desk.workspace,
        django_capture_on_commit_callbacks,
        name="FEVER only",
        version="1",
        formats="fever",
    )
    response = client.get(f"/api/v1/releases/{release['id']}/files/csv/")
    assert response.status_code == 404
    assert "fever" in response.json()["detail"]


def test_it_keeps_releases_to_editors(
    desk: Desk,
    alice: User,
    dave: User,
    mallory: User,
    api: Api,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    url = f"/api/v1/workspaces/{desk.workspace.pk}/releases/"
    assert api(dave).post(url, {"name": "X", "version": "1"}).status_code == 403
    assert api(mallory).post(url, {"name": "X", "version": "1"}).status_code == 404
    assert api(dave).get(url).status_code == 403
    assert api(mallory).get(url).status_code == 404
    assert api(None).get(url).status_code == 401
    _, release = freeze(
        api(alice), desk.workspace, django_capture_on_commit_callbacks, name="X", version="1"
    )
    for path in (
        f"/api/v1/releases/{release['id']}/",
        f"/api/v1/releases/{release['id']}/manifest/",
        f"/api/v1/releases/{release['id']}/files/fever/",
    ):
        assert api(dave).get(path).status_code == 403
        assert api(mallory).get(path).status_code == 404


def test_a_pseudonymised_release_gives_each_person_one_pseudonym_across_its_files(
    desk: Desk, alice: User, api: Api, django_capture_on_commit_callbacks: Capture
) -> None:
    client = api(alice)
    _, release = freeze(
        client,
        desk.workspace,
        django_capture_on_commit_callbacks,
        name="Anonyme",
        version="1",
        formats=["assessments", "csv"],
        pseudonymise=True,
        bom=True,
    )
    assert release["status"] == "ready", release
    files = everything(client, release)
    manifest = json.loads(files["manifest"])
    assert manifest["pseudonymised"] is True
    assert files["csv"].startswith(b"\xef\xbb\xbf")
    raw = [json.loads(line) for line in files["raw"].decode().splitlines()]
    assessments = [json.loads(line) for line in files["assessments"].decode().splitlines()]
    for data in (files["raw"], files["assessments"], files["csv"]):
        for username in ("alice", "bob", "carol", "dave", "erin"):
            assert f'"{username}"'.encode() not in data
    # bob's assessment of the unemployment claim has the same pseudonym in both files.
    claim = next(c for a in raw for c in a["claims"] if c["id"] == desk.unemployment.pk)
    in_raw = [a["creator"] for a in claim["assessments"]]
    in_assessments = [a["reviewer"] for a in assessments if a["claim_id"] == desk.unemployment.pk]
    assert in_raw == in_assessments
    assert len(set(in_raw)) == 2


def test_a_release_names_a_bad_option(desk: Desk, alice: User, api: Api) -> None:
    response = api(alice).post(
        f"/api/v1/workspaces/{desk.workspace.pk}/releases/",
        {"name": "X", "version": "1", "pseudonymise": "perhaps", "utf16": True},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"pseudonymise", "utf16"}
    assert not DatasetRelease.objects.exists()
