"""The task outbox under races and faults, on PostgreSQL: a change saved while a worker starts the
task of the change before it is still applied; a task run in-process (no broker) that fails is
shown as failed at once and its release's name can be used again; a task out of attempts is not
run again by a late redelivery."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.utils import timezone
from pytest_django import Settings as SettingsWrapper
from rest_framework.test import APIClient

from annotations.models import Claim, DatasetRelease, ExportJob, TaskOutbox, Workspace
from annotations.services.exports import export_job_create
from annotations.services.outbox import HEADER, outbox_sweep
from annotations.services.workspaces import workspace_update
from annotations.tasks import refresh_claim_statuses, run_export_job
from tests.conftest import assess_apart
from tests.export_desk import Desk
from tests.test_outbox import unreachable_broker
from workbench.celery import app

Api = Callable[[User | None], APIClient]


@pytest.fixture(autouse=True)
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _waiting_for_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@pytest.mark.django_db(transaction=True)
def test_a_rule_changed_again_while_a_worker_starts_the_first_change_is_applied(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, api: Api
) -> None:
    assess_apart(api, claim, bob, carol)
    TaskOutbox.objects.all().delete()  # the set-up's own tasks
    recorded, proceed = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def editor_saves_again() -> None:
        # The second change: saved, its task recorded, not yet committed when the worker starts.
        try:
            with transaction.atomic():
                workspace_update(
                    user=alice, workspace=Workspace.objects.get(pk=workspace.pk), dispute_distance=1
                )
                recorded.set()
                assert proceed.wait(20)
        except BaseException as exc:
            failures.append(exc)
        finally:
            recorded.set()
            connection.close()

    def worker_starts_the_first_change(row_id: int) -> None:
        try:
            refresh_claim_statuses.apply(args=(workspace.pk,), headers={HEADER: str(row_id)})
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    with unreachable_broker():  # only the worker below runs the task
        # The first change (4 and 5 are 1 apart: still disputed), its task not started yet.
        workspace_update(user=alice, workspace=workspace, dispute_distance=0.5)
        row = TaskOutbox.objects.get()
        assert Claim.objects.get(pk=claim.pk).status == "disputed"

        editor = threading.Thread(target=editor_saves_again)
        editor.start()
        assert recorded.wait(20)
        worker = threading.Thread(target=worker_starts_the_first_change, args=(row.pk,))
        worker.start()
        deadline = time.monotonic() + 10
        while worker.is_alive() and not _waiting_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        proceed.set()
        editor.join(20)
        worker.join(20)
    assert not failures, failures
    # The second change is applied: the run the editor's save relied on read what it saved.
    assert Claim.objects.get(pk=claim.pk).status == "assessed"
    assert Workspace.objects.get(pk=workspace.pk).dispute_distance == 1
    assert TaskOutbox.objects.filter(done_at__isnull=True).count() == 0


@pytest.fixture
def short_statements() -> Iterator[None]:
    """The web's statement timeout, short: an in-process task waiting on a lock runs past it."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 300")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


@pytest.mark.django_db(transaction=True)
def test_a_release_whose_in_process_freeze_fails_is_failed_at_once_and_its_name_reusable(
    desk: Desk,
    alice: User,
    api: Api,
    settings: SettingsWrapper,
    short_statements: None,
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client = api(alice)
    url = f"/api/v1/workspaces/{desk.workspace.pk}/releases/"
    locked, release_lock = threading.Event(), threading.Event()

    def another_session_writes_release_files() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE annotations_releasefile IN EXCLUSIVE MODE")
                locked.set()
                release_lock.wait(30)
        finally:
            locked.set()
            connection.close()

    holder = threading.Thread(target=another_session_writes_release_files)
    holder.start()
    try:
        assert locked.wait(20)
        started = time.monotonic()
        created = client.post(url, {"name": "FR", "version": "1"}, format="json")
        took = time.monotonic() - started
    finally:
        release_lock.set()
        holder.join(20)
    assert created.status_code == 201, created.content
    # Tried once (not retried five times inside the request), then failed for the desk to see.
    assert took < 5
    body = client.get(created["Location"]).json()
    assert body["status"] == "failed", body
    assert "statement timeout" in body["error"]
    row = TaskOutbox.objects.get(task="annotations.freeze_release")
    assert row.stopped_at is not None and row.attempts == 1
    assert body["error"].startswith("Stopped after 1 attempt: OperationalError")

    again = client.post(url, {"name": "FR", "version": "1"}, format="json")
    assert again.status_code == 201, again.content
    assert client.get(again["Location"]).json()["status"] == "ready"
    assert DatasetRelease.objects.filter(name="FR").count() == 1


def test_a_late_redelivery_of_a_task_out_of_attempts_does_not_run_it(
    desk: Desk, alice: User, media: Path, settings: SettingsWrapper, api: Api
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_LEASE = 60
    TaskOutbox.objects.all().delete()  # the set-up's own tasks
    job = export_job_create(user=alice, workspace_id=desk.workspace.pk, data={"format": "csv"})
    # Its third run killed its worker: the lease ran out, the sweep has not stopped it yet.
    TaskOutbox.objects.update(
        attempts=3,
        dispatched_at=timezone.now() - timedelta(minutes=5),
        heartbeat_at=timezone.now() - timedelta(seconds=61),
    )
    row = TaskOutbox.objects.get()
    run_export_job.apply(args=(job.pk,), headers={HEADER: str(row.pk), "outbox_swept": "1"})
    row.refresh_from_db()
    assert row.attempts == 3 and row.stopped_at is not None
    assert not (media / "exports").exists()
    shown = api(alice).get(f"/api/v1/exports/{job.pk}/").json()
    assert shown["status"] == "failed" and "Stopped after 3 attempts" in shown["error"]
    assert ExportJob.objects.get(pk=job.pk).status == "failed"


def test_a_change_is_not_folded_into_a_task_out_of_attempts(
    workspace: Workspace,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
    settings: SettingsWrapper,
) -> None:
    assess_apart(api, claim, bob, carol)
    TaskOutbox.objects.all().delete()  # the set-up's own tasks
    # A recomputation that had its attempts (the limit lowered since), not stopped yet.
    settings.OUTBOX_MAX_ATTEMPTS = 2
    TaskOutbox.objects.create(
        task="annotations.refresh_claim_statuses", args=[workspace.pk], attempts=2
    )
    with unreachable_broker():
        workspace_update(user=alice, workspace=workspace, dispute_distance=1)
    TaskOutbox.objects.update(created_at=timezone.now() - timedelta(hours=1))
    outcome = outbox_sweep(tasks=app.tasks.get)
    assert (outcome.stopped, outcome.dispatched) == (1, 1)
    assert Claim.objects.get(pk=claim.pk).status == "assessed"
