"""The task outbox through a real Celery worker consuming from Redis: an export, a release and a
dispute rule asked for while the broker was down are done once it is back and the sweep runs,
each exactly once, and every row says so."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django import Settings
from rest_framework.test import APIClient

from annotations.models import Claim, ExportJob, ReleaseFile, TaskOutbox, Workspace
from annotations.services.outbox import HEADER
from annotations.tasks import _Heartbeat, sweep_outbox
from tests.conftest import assess_apart
from tests.test_outbox import unreachable_broker
from tests.test_worker import _wait_for, worker  # noqa: F401  (fixture)
from workbench.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Api = Callable[[User | None], APIClient]
_ASKED = (
    "annotations.run_export_job",
    "annotations.freeze_release",
    "annotations.refresh_claim_statuses",
)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _broker_idle() -> bool:
    """Nothing waits in the queue and the worker has acknowledged all it took (late acks)."""
    client = redis.Redis.from_url(app.conf.broker_url)
    try:
        return not client.llen("celery") and not client.hlen("unacked")
    finally:
        client.close()


def _all_done() -> bool:
    rows = TaskOutbox.objects.filter(task__in=_ASKED)
    return rows.count() == 3 and not rows.filter(done_at__isnull=True).exists()


def test_work_asked_for_while_the_broker_was_down_is_done_once_when_it_is_back(
    worker: None,  # noqa: F811
    workspace: Workspace,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = media = tmp_path / "media"
    assess_apart(api, claim, bob, carol)
    assert Claim.objects.get(pk=claim.pk).status == "disputed"

    editor = api(alice)
    with unreachable_broker():
        job = editor.post(
            f"/api/v1/workspaces/{workspace.pk}/exports/", {"format": "csv"}, format="json"
        )
        release = editor.post(
            f"/api/v1/workspaces/{workspace.pk}/releases/",
            {"name": "Desk", "version": "1", "formats": ["csv", "fever"]},
            format="json",
        )
        rule = editor.patch(
            f"/api/v1/workspaces/{workspace.pk}/", {"dispute_distance": 1}, format="json"
        )
    assert (job.status_code, release.status_code, rule.status_code) == (202, 201, 200)
    recorded = TaskOutbox.objects.filter(task__in=_ASKED)
    assert recorded.count() == 3 and not recorded.filter(dispatched_at__isnull=False).exists()
    assert ExportJob.objects.get().status == "queued"
    assert Claim.objects.get(pk=claim.pk).status == "disputed"

    # The broker is back: the sweep (as beat runs it) sends what was recorded.
    settings.OUTBOX_REDISPATCH_AFTER = 0
    sweep_outbox.delay()
    _wait_for(_all_done)
    assert ExportJob.objects.get().status == "done"
    assert editor.get(release["Location"]).json()["status"] == "ready"
    assert Claim.objects.get(pk=claim.pk).status == "assessed"
    assert set(recorded.values_list("attempts", flat=True)) == {1}

    # Swept again: nothing is due. Delivered again (as a broker may): nothing runs twice.
    assert sweep_outbox.apply().get() == {"dispatched": 0, "stopped": 0, "pruned": 0}
    for row in recorded:
        app.tasks[row.task].apply_async(args=row.args, headers={HEADER: str(row.pk)})
    _wait_for(_broker_idle)
    assert len(_files(media / "exports")) == 1
    # csv, fever and the raw file every release has.
    assert len(_files(media / "releases")) == ReleaseFile.objects.count() == 3
    assert set(recorded.values_list("attempts", flat=True)) == {1}


def test_a_running_task_keeps_its_lease_until_it_ends(settings: Settings) -> None:
    """The heartbeat a worker runs beside a long task (an export, a release): while it beats, the
    sweep leaves the task alone; once it stops (the worker killed), the lease runs out and the
    sweep sends the task again."""
    settings.OUTBOX_LEASE = 0.6
    settings.OUTBOX_REDISPATCH_AFTER = 3600
    started = timezone.now()
    # As a worker leaves it when it starts the task.
    row = TaskOutbox.objects.create(
        task="annotations.run_export_job", args=[0], attempts=1, heartbeat_at=started
    )
    heartbeat = _Heartbeat(row.pk)
    heartbeat.start()
    try:
        _wait_for(lambda: TaskOutbox.objects.get().heartbeat_at != started, seconds=5)
        time.sleep(1)  # longer than a lease: still held
        assert sweep_outbox.apply().get()["dispatched"] == 0
    finally:
        heartbeat.stopping.set()  # the worker is gone
        heartbeat.join(5)
    assert not heartbeat.is_alive()
    time.sleep(0.7)
    assert sweep_outbox.apply().get()["dispatched"] == 1  # run in-process here
    row.refresh_from_db()
    assert row.attempts == 2 and row.done_at is not None
