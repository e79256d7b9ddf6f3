"""The export dialog in the pages: download now (with a BOM for Excel), run as a job, freeze a
release; filters checked like the API's; editors only."""

from __future__ import annotations

import csv
import io
import re

from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from annotations.models import DatasetRelease, ExportJob, Workspace
from tests.export_desk import Desk, streamed


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_downloads_a_csv_for_excel_from_the_dialog(desk: Desk, alice: User) -> None:
    url = f"/workspaces/{desk.workspace.pk}/exports/download/"
    response = _client(alice).get(
        url, {"export-format": "csv", "export-bom": "on", "export-language": "fr"}
    )
    body = streamed(response).decode("utf-8")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.csv"')
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows and {row["language"] for row in rows} == {"fr"}


def test_it_names_a_bad_filter_next_to_its_field(desk: Desk, alice: User) -> None:
    page = _client(alice).get(
        f"/workspaces/{desk.workspace.pk}/exports/download/",
        {"export-format": "fever", "export-article": "12,abc", "export-language": "french"},
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert "Give article ids (numbers)" in html and "ISO 639-1" in html


def test_it_runs_an_export_job_and_freezes_a_release_from_the_page(
    desk: Desk,
    alice: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = _client(alice)
    url = f"/workspaces/{desk.workspace.pk}/exports/"
    with django_capture_on_commit_callbacks(execute=True):
        job = client.post(
            url, {"action": "job", "export-format": "fever", "export-dates": "verdict"}
        )
        release = client.post(
            url,
            {
                "action": "release",
                "release-name": "Desk",
                "release-version": "1.0",
                "release-formats": ["claimreview", "csv"],
                "release-dates": "created",
            },
        )
    assert job.status_code == release.status_code == 302
    assert ExportJob.objects.get(workspace=desk.workspace).status == "done"
    frozen = DatasetRelease.objects.get(workspace=desk.workspace)
    assert sorted(frozen.files.values_list("format", flat=True)) == ["claimreview", "csv", "raw"]
    page = client.get(url).content.decode()
    assert f"/api/v1/releases/{frozen.pk}/manifest/" in page
    assert "http-equiv" not in page  # nothing left running: no refresh
    again = client.post(
        url,
        {
            "action": "release",
            "release-name": "Desk",
            "release-version": "1.0",
            "release-formats": ["csv"],
            "release-dates": "created",
        },
    )
    assert again.status_code == 400 and "give a new version" in again.content.decode()


def test_it_keeps_the_dialog_to_editors(workspace: Workspace, dave: User, mallory: User) -> None:
    url = f"/workspaces/{workspace.pk}/exports/"
    assert _client(dave).get(url).status_code == 403
    assert _client(mallory).get(url).status_code == 404


def test_download_now_posts_so_that_the_csrf_token_stays_out_of_the_address(
    desk: Desk, alice: User
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    url = f"/workspaces/{desk.workspace.pk}/exports/"
    html = client.get(url).content.decode()
    form = html[html.index('data-form="export"') :]
    form = form[: form.index("</form>")]
    # The button posts the dialog (no formmethod="get" putting csrfmiddlewaretoken in the URL).
    button = re.search(r'<button[^>]*name="go" value="download"[^>]*>', form)
    assert button and "formmethod" not in button.group(0)
    assert f'formaction="{url}download/"' in button.group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token

    posted = client.post(
        f"{url}download/",
        {"csrfmiddlewaretoken": token.group(1), "export-format": "csv", "go": "download"},
    )
    assert posted.status_code == 200
    assert posted["Content-Disposition"].endswith('.csv"')
    assert streamed(posted).decode().startswith('"claim_id",')
    # Without the token, refused.
    assert client.post(f"{url}download/", {"export-format": "csv"}).status_code == 403


def test_a_refused_download_shows_the_dialog_whose_buttons_still_work(
    desk: Desk, alice: User
) -> None:
    url = f"/workspaces/{desk.workspace.pk}/exports/"
    page = _client(alice).post(
        f"{url}download/", {"export-format": "fever", "export-article": "12,abc"}
    )
    html = page.content.decode()
    assert page.status_code == 400 and "Give article ids (numbers)" in html
    # Shown at .../download/, the dialog's other buttons still post to the dialog.
    assert html.count(f'<form method="post" action="{url}"') == 2


def test_it_offers_every_export_option_and_runs_a_job_with_them(
    desk: Desk,
    alice: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = _client(alice)
    url = f"/workspaces/{desk.workspace.pk}/exports/"
    html = client.get(url).content.decode()
    for name in ("export-bom", "export-pseudonymise", "export-texts", "export-utf16"):
        assert f'name="{name}"' in html
    assert 'value="raw"' in html
    assert 'name="release-pseudonymise"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": "job",
                "export-format": "raw",
                "export-pseudonymise": "on",
                "export-texts": "on",
            },
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.filters["pseudonymise"] is True
    assert job.filters["texts"] is True
    assert job.status == "done"
    data = job.file.read().decode()
    assert '"creator":"reviewer-1"' in data and '"bob"' not in data
    assert "pseudonymised" in client.get(url).content.decode()


def test_it_shows_an_option_that_does_not_fit_next_to_its_field(desk: Desk, alice: User) -> None:
    page = _client(alice).post(
        f"/workspaces/{desk.workspace.pk}/exports/download/",
        {"export-format": "claimreview", "export-texts": "on"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    field = html[html.index('name="export-texts"') :]
    assert "Article texts do not fit claimreview" in field[:2000]
