"""The task outbox as a desk sees it: work asked for while the broker is down is done once it is
back, exactly once; a write that rolls back asks for nothing; a task that keeps dying is stopped,
and the export or release says it failed (and the release's name can be used again)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django import Settings as SettingsWrapper
from rest_framework.test import APIClient

from annotations.models import Claim, DatasetRelease, ExportJob, TaskOutbox, Workspace
from annotations.services.exports import export_job_create
from annotations.services.outbox import HEADER, outbox_sweep
from annotations.tasks import run_export_job
from tests.conftest import assess_apart
from tests.export_desk import Desk
from tests.test_extraction_task import _closed_port
from workbench.celery import app

Api = Callable[[User | None], APIClient]


@contextmanager
def unreachable_broker() -> Iterator[None]:
    """Publishing goes to a port nobody listens on, as when Redis is down (a running worker keeps
    its own connection). The app's producer pool is dropped on the way in and out: it keeps the
    connection it was made with, whatever the broker URL says since."""
    original, eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.update(broker_url=f"redis://127.0.0.1:{_closed_port()}/0")
    app.close()
    app.amqp._producer_pool = None  # type: ignore[attr-defined]
    try:
        yield
    finally:
        app.conf.update(broker_url=original)
        app.close()
        app.amqp._producer_pool = None  # type: ignore[attr-defined]
        app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def quiet_desk(desk: Desk) -> Desk:
    """The export desk without the tasks its own set-up asked for (extractions, matching)."""
    TaskOutbox.objects.all().delete()
    return desk


def _files(media: Path, folder: str) -> list[Path]:
    return sorted(p for p in (media / folder).rglob("*") if p.is_file())


def _sweep() -> Any:
    return outbox_sweep(tasks=app.tasks.get)


def _age_rows(**extra: Any) -> None:
    """As if the rows had waited longer than any redispatch delay."""
    then = timezone.now() - timedelta(hours=1)
    TaskOutbox.objects.update(created_at=then, **extra)


def _export_job(api: Api, user: User, workspace: Workspace) -> Any:
    return api(user).post(
        f"/api/v1/workspaces/{workspace.pk}/exports/", {"format": "csv"}, format="json"
    )


def test_a_write_that_rolls_back_asks_for_no_task(quiet_desk: Desk, alice: User) -> None:
    def write_that_fails() -> None:
        with transaction.atomic():
            export_job_create(
                user=alice, workspace_id=quiet_desk.workspace.pk, data={"format": "csv"}
            )
            assert TaskOutbox.objects.count() == 1  # recorded with the job, in its transaction
            raise RuntimeError("the write fails after asking for the export")

    with pytest.raises(RuntimeError):
        write_that_fails()
    assert not ExportJob.objects.exists()
    assert not TaskOutbox.objects.exists()


def test_a_task_run_in_process_marks_its_row_done(
    quiet_desk: Desk,
    alice: User,
    api: Api,
    media: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _export_job(api, alice, quiet_desk.workspace)
    assert response.status_code == 202, response.content
    assert ExportJob.objects.get().status == "done"
    row = TaskOutbox.objects.get()
    assert (row.task, row.args, row.attempts) == (
        "annotations.run_export_job",
        [response.json()["id"]],
        1,
    )
    assert row.done_at is not None and row.heartbeat_at is None
    assert len(_files(media, "exports")) == 1
    # Nothing is left for the sweep.
    _age_rows()
    assert _sweep().dispatched == 0


def test_an_export_asked_for_while_the_broker_is_down_is_written_once_it_is_back(
    quiet_desk: Desk,
    alice: User,
    api: Api,
    media: Path,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with unreachable_broker(), django_capture_on_commit_callbacks(execute=True):
        response = _export_job(api, alice, quiet_desk.workspace)
        assert response.status_code == 202, response.content
        # Still down at the next sweep: nothing is sent, nothing is lost.
        _age_rows()
        assert _sweep().dispatched == 0
    job = ExportJob.objects.get()
    assert job.status == "queued"
    row = TaskOutbox.objects.get()
    assert row.dispatched_at is None and row.done_at is None

    # Back (tasks run in-process here); the row is not due before OUTBOX_REDISPATCH_AFTER.
    settings.OUTBOX_REDISPATCH_AFTER = 2 * 3600
    assert _sweep().dispatched == 0
    settings.OUTBOX_REDISPATCH_AFTER = 60
    assert _sweep().dispatched == 1
    job.refresh_from_db()
    assert job.status == "done" and job.file
    assert TaskOutbox.objects.get().done_at is not None
    # Swept again, and the task delivered once more (as a broker may): still one file.
    _age_rows()
    assert _sweep().dispatched == 0
    run_export_job.apply(args=(job.pk,), headers={HEADER: str(row.pk)})
    assert len(_files(media, "exports")) == 1


def test_a_dispute_rule_changed_while_the_broker_is_down_is_applied_once_it_is_back(
    workspace: Workspace,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    assess_apart(api, claim, bob, carol)
    assert Claim.objects.get(pk=claim.pk).status == "disputed"
    TaskOutbox.objects.all().delete()  # the set-up's own tasks
    with unreachable_broker(), django_capture_on_commit_callbacks(execute=True):
        patched = api(alice).patch(
            f"/api/v1/workspaces/{workspace.pk}/", {"dispute_distance": 1}, format="json"
        )
    assert patched.status_code == 200, patched.content
    assert Claim.objects.get(pk=claim.pk).status == "disputed"  # not applied yet

    _age_rows()
    assert _sweep().dispatched == 1
    assert Claim.objects.get(pk=claim.pk).status == "assessed"  # 5 and 4: within 1


def test_a_delivery_of_a_task_running_elsewhere_does_nothing(
    quiet_desk: Desk, alice: User, media: Path
) -> None:
    job = export_job_create(
        user=alice, workspace_id=quiet_desk.workspace.pk, data={"format": "csv"}
    )
    row = TaskOutbox.objects.get()
    # A worker elsewhere holds the lease and renews it: a second delivery leaves the job to it.
    TaskOutbox.objects.update(attempts=1, heartbeat_at=timezone.now())
    run_export_job.apply(args=(job.pk,), headers={HEADER: str(row.pk)})
    job.refresh_from_db()
    assert job.status == "queued" and not _files(media, "exports")
    _age_rows(dispatched_at=timezone.now() - timedelta(hours=1))
    assert _sweep().dispatched == 0  # the lease is live
    assert TaskOutbox.objects.get().attempts == 1


def test_a_task_whose_worker_died_runs_again_once_its_lease_has_run_out(
    quiet_desk: Desk, alice: User, media: Path, settings: SettingsWrapper
) -> None:
    job = export_job_create(
        user=alice, workspace_id=quiet_desk.workspace.pk, data={"format": "csv"}
    )
    settings.OUTBOX_LEASE = 60
    TaskOutbox.objects.update(
        attempts=1,
        dispatched_at=timezone.now(),
        heartbeat_at=timezone.now() - timedelta(seconds=61),  # no beat for a whole lease
    )
    assert _sweep().dispatched == 1
    job.refresh_from_db()
    assert job.status == "done"
    row = TaskOutbox.objects.get()
    assert row.attempts == 2 and row.done_at is not None
    assert len(_files(media, "exports")) == 1


def _die_midway() -> None:
    """A worker takes the row and is killed before it can say anything."""
    TaskOutbox.objects.update(
        attempts=F("attempts") + 1, heartbeat_at=timezone.now() - timedelta(hours=1)
    )


def test_a_release_whose_task_keeps_dying_is_stopped_and_its_name_can_be_used_again(
    quiet_desk: Desk,
    alice: User,
    api: Api,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 2
    client = api(alice)
    url = f"/api/v1/workspaces/{quiet_desk.workspace.pk}/releases/"
    with unreachable_broker(), django_capture_on_commit_callbacks(execute=True):
        created = client.post(url, {"name": "FR", "version": "1"}, format="json")
    assert created.status_code == 201, created.content
    release_url = created["Location"]
    assert client.get(release_url).json()["status"] == "freezing"
    assert client.post(url, {"name": "FR", "version": "1"}).status_code == 409  # still to come

    _die_midway()
    _die_midway()
    outcome = _sweep()
    assert (outcome.dispatched, outcome.stopped) == (0, 1)
    body = client.get(release_url).json()
    assert body["status"] == "failed"
    assert "Stopped after 2 attempts" in body["error"]
    row = TaskOutbox.objects.get()
    assert row.stopped_at is not None and "worker running it was lost" in row.last_error

    # On the exports page, and in the admin for superusers.
    page = Client()
    page.force_login(alice)
    assert (
        "Stopped after 2 attempts"
        in page.get(f"/workspaces/{quiet_desk.workspace.pk}/exports/").content.decode()
    )
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    listed = admin.get("/admin/annotations/taskoutbox/?state=stopped").content.decode()
    assert "annotations.freeze_release" in listed and "Stopped after 2 attempts" in listed
    assert page.get("/admin/annotations/taskoutbox/").status_code in (302, 403)

    # Asked for again under the same name and version: frozen this time.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"name": "FR", "version": "1"}, format="json")
    assert again.status_code == 201, again.content
    assert client.get(again["Location"]).json()["status"] == "ready"
    assert DatasetRelease.objects.filter(name="FR").count() == 1


def test_a_release_left_freezing_with_no_task_to_freeze_it_can_be_asked_for_again(
    quiet_desk: Desk,
    alice: User,
    api: Api,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = api(alice)
    url = f"/api/v1/workspaces/{quiet_desk.workspace.pk}/releases/"
    assert client.post(url, {"name": "FR", "version": "1"}).status_code == 201
    TaskOutbox.objects.all().delete()  # as for a release asked for before the outbox existed
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"name": "FR", "version": "1"}, format="json")
    assert again.status_code == 201, again.content
    assert client.get(again["Location"]).json()["status"] == "ready"


def test_the_sweep_deletes_old_done_rows_and_keeps_the_rest(
    quiet_desk: Desk, alice: User, settings: SettingsWrapper
) -> None:
    settings.OUTBOX_KEEP_DAYS = 7
    settings.OUTBOX_REDISPATCH_AFTER = 24 * 3600
    for _ in range(4):
        export_job_create(user=alice, workspace_id=quiet_desk.workspace.pk, data={"format": "csv"})
    old, recent, stopped, waiting = TaskOutbox.objects.order_by("pk")
    now = timezone.now()
    TaskOutbox.objects.filter(pk=old.pk).update(done_at=now - timedelta(days=8))
    TaskOutbox.objects.filter(pk=recent.pk).update(done_at=now - timedelta(days=6))
    TaskOutbox.objects.filter(pk=stopped.pk).update(stopped_at=now - timedelta(days=30))
    assert _sweep().pruned == 1
    assert set(TaskOutbox.objects.values_list("pk", flat=True)) == {
        recent.pk,
        stopped.pk,
        waiting.pk,
    }


def test_the_outbox_sweep_runs_with_celery_beat(settings: SettingsWrapper) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-outbox"]
    assert entry["task"] == "annotations.sweep_outbox" and entry["task"] in app.tasks
    assert entry["schedule"] <= settings.OUTBOX_LEASE


def test_a_task_that_keeps_failing_is_stopped_with_its_error(
    db: None, settings: SettingsWrapper
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 2
    # A message no run of the task can take (as a tool sending a malformed id would leave).
    TaskOutbox.objects.create(task="annotations.match_claim", args=["not-an-id"])
    _age_rows()
    assert _sweep().dispatched == 1
    row = TaskOutbox.objects.get()
    assert row.attempts == 1 and row.stopped_at is None and "not-an-id" in row.last_error
    _age_rows(dispatched_at=timezone.now() - timedelta(hours=1))
    assert _sweep().dispatched == 1
    row.refresh_from_db()
    assert row.attempts == 2 and row.stopped_at is not None and row.done_at is None
    assert row.last_error.startswith("Stopped after 2 attempts: ValueError")
    _age_rows(dispatched_at=timezone.now() - timedelta(hours=1))
    assert _sweep().dispatched == 0  # stopped rows are not sent again


def test_an_export_that_fails_is_done_with_its_failure_shown(
    quiet_desk: Desk,
    alice: User,
    api: Api,
    settings: SettingsWrapper,
    tmp_path: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory")
    settings.MEDIA_ROOT = blocked
    with django_capture_on_commit_callbacks(execute=True):
        response = _export_job(api, alice, quiet_desk.workspace)
    assert response.status_code == 202, response.content
    job = api(alice).get(f"/api/v1/exports/{response.json()['id']}/").json()
    assert job["status"] == "failed" and job["error"]
    # A failure the task recorded itself is final: the row is done, not sent again.
    row = TaskOutbox.objects.get()
    assert row.done_at is not None and row.attempts == 1
    _age_rows()
    assert _sweep().dispatched == 0
