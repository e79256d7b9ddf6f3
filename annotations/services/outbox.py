"""The transactional outbox: every task a write asks for is a row written in the write's transaction.

Why: publishing to the broker cannot be part of a database transaction. Publishing before commit
sends work for data that may roll back; publishing after commit loses the work when the broker is
down at that moment. So the write records the task in its own transaction (`outbox_record`), the
row is published after commit (`outbox_publish`), and the periodic sweep (`outbox_sweep`) publishes
again every row not done after OUTBOX_REDISPATCH_AFTER seconds. A broker outage then delays work,
never drops it, whatever the task.

A running task holds the row's lease (`outbox_claim`): `heartbeat_at`, renewed every third of
OUTBOX_LEASE seconds while it runs. A second delivery of a task that is alive finds the lease
held and does nothing, so a long export or release is never run twice at once; a killed worker
stops renewing it, and the sweep sends the task again once the lease has run out. The task marks
the row done when it returns (`outbox_finish`), including the failures it records itself (an
unreadable page, a broken export). A task whose exception escapes releases the lease with the
error (`outbox_release`) and is sent again; after OUTBOX_MAX_ATTEMPTS runs it is stopped, its
error kept on the row for staff (the admin) and recorded on the work it stood for: an export job
or a release says "failed" on the exports page (and a failed release's name and version can be
asked for again), an article's fetch or extraction says "failed" on its page. A task run
in-process (no broker: CELERY_TASK_ALWAYS_EAGER, `make run`) has no sweep to send it again, so
the first exception that escapes it stops it at once, with the same effects. Leases are timed by
the database's clock.

Done rows are deleted after OUTBOX_KEEP_DAYS days; stopped ones stay for staff to read.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from annotations.models import TaskOutbox

logger = logging.getLogger(__name__)

# Bounds one sweep's work; what is left waits for the next run.
SWEEP_BATCH = 500
# The message header that carries the row's id to the task (headers leave the task's own
# arguments alone: outside tools call `annotations.extract_article(article_id)` as before).
HEADER = "outbox_id"
# Set on the messages the sweep sends: a run in-process (eager) that the sweep sent will be sent
# again by the next sweep, so its failure is not final; one a request sent has no one to retry it.
SWEPT_HEADER = "outbox_swept"
_ERROR_CHARS = 2000

_PENDING = Q(done_at__isnull=True, stopped_at__isnull=True)


@dataclass(frozen=True, slots=True)
class OutboxSweep:
    dispatched: int
    stopped: int
    pruned: int


def _lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE)


def outbox_record(task_name: str, args: Sequence[Any], *, fresh: bool = False) -> int:
    """Record a task in the current transaction (the caller's: it rolls back with it).

    A row for the same task and arguments that no worker has started yet stands for this request
    too (an article's sweep and its own request, two saves in a row): one run does both. That row
    is locked until this transaction ends, because a run must read what this transaction wrote: a
    worker starting it meanwhile (`outbox_claim` updates the row) waits for the commit, then reads
    the new data; without the lock it could run on the old data and mark the row done, and this
    request's work would never be done. A row a worker has taken, or is taking, is not reused (a
    worker's update committed since this statement began is checked again by PostgreSQL).

    A row another write holds is skipped and a new row recorded (SKIP LOCKED): writes never wait
    for each other here, so this lock cannot take part in a deadlock with the locks writes take
    in their own order; only a worker's start (one statement, holding nothing else) waits for it.

    `fresh`: the arguments name a row the caller's transaction created, so no row can be waiting
    for them: the row is recorded without looking.
    """
    values = list(args)
    if fresh:
        return TaskOutbox.objects.create(task=task_name, args=values).pk
    # The lock lasts until the caller's transaction ends, if any (no savepoint: nothing here is
    # meant to fail and be caught).
    with transaction.atomic(savepoint=False):
        waiting = (
            TaskOutbox.objects.select_for_update(skip_locked=True)
            .filter(_PENDING, task=task_name, args=values, heartbeat_at__isnull=True)
            # One out of attempts is stopped, not run, by the sweep: this request needs a new one.
            .filter(attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
            .values_list("pk", flat=True)
            .first()
        )
        if waiting is not None:
            return waiting
        return TaskOutbox.objects.create(task=task_name, args=values).pk


def outbox_waiting(task_name: str, args: Sequence[Any]) -> bool:
    """Whether that task is recorded and still to run (waiting, or running now)."""
    return TaskOutbox.objects.filter(_PENDING, task=task_name, args=list(args)).exists()


# When a publish to a broker last failed in this process, by broker address: for
# TASK_PUBLISH_TIMEOUT seconds after that, publishes to it are not tried (the rows wait for the
# sweep). A save that asks for many tasks (accepting all of an article's candidates asks for one
# per claim) then waits for one failed publish, not for each, and TASK_PUBLISH_TIMEOUT bounds the
# whole save; the socket timeouts bound one publish (workbench.settings).
_broker_failed_at: dict[str, float] = {}


def outbox_publish(
    row_id: int, task: Task[Any, Any], args: Sequence[Any], *, swept: bool = False
) -> bool:
    """Send a recorded task to the broker (in-process at once in eager mode). A failure is logged,
    never raised: the row waits for the sweep, and the request that asked for it still succeeds.
    `swept`: the sweep sends it (see SWEPT_HEADER)."""
    broker = "" if task.app.conf.task_always_eager else str(task.app.conf.broker_url)
    failed_at = _broker_failed_at.get(broker)
    if failed_at is not None and time.monotonic() - failed_at < settings.TASK_PUBLISH_TIMEOUT:
        logger.warning(
            "not publishing %s%r (outbox %s): the broker failed a moment ago; the sweep will send it",
            task.name,
            tuple(args),
            row_id,
        )
        return False
    try:
        task.apply_async(
            args=tuple(args),
            headers={HEADER: str(row_id), **({SWEPT_HEADER: "1"} if swept else {})},
            retry=True,
            # One quick retry; the socket timeouts in the broker settings bound each attempt.
            retry_policy={
                "max_retries": 1,
                "interval_start": 0,
                "interval_step": 0.5,
                "interval_max": 0.5,
            },
        )
    except Exception:
        # Broad on purpose: kombu raises a different class per transport failure, and none of
        # them may turn a saved write into a 500. The sweep is the recovery path.
        if broker:
            _broker_failed_at[broker] = time.monotonic()
        logger.exception(
            "could not publish %s%r (outbox %s); the sweep will retry",
            task.name,
            tuple(args),
            row_id,
        )
        return False
    _broker_failed_at.pop(broker, None)
    # Run in-process (eager) for a request, the task has run: taking its lease set the time it
    # was sent, and a failure stopped it. The sweep's own sends are timed, to space the next.
    if broker or swept:
        TaskOutbox.objects.filter(pk=row_id).update(dispatched_at=timezone.now())
    return True


# --- The running task's side ----------------------------------------------------------------------

# The rows whose lease this thread holds: an eager task that retries runs again inside its first
# run, and must not find its own lease taken.
_held = threading.local()


def _held_rows() -> set[int]:
    rows: set[int] | None = getattr(_held, "rows", None)
    if rows is None:
        rows = set()
        _held.rows = rows
    return rows


def _free() -> Q:
    """Not held by a live run: never started, given back, or its lease run out. Timed by the
    database's clock, as the lease is written, so that the clocks of the web, worker and beat
    machines do not matter."""
    return Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=Now() - _lease())


def outbox_claim(*, row_id: int) -> bool:
    """Take the row's lease before running its task; False when it is done, stopped, or held by a
    live run elsewhere (then this delivery is a duplicate and must do nothing).

    A row that has had all its attempts is not run again but stopped: a task that keeps killing
    its worker leaves the row with its lease run out, and a redelivery of the message could come
    before the sweep stops it."""
    if row_id in _held_rows():
        return True
    taken = (
        TaskOutbox.objects.filter(_PENDING, _free(), pk=row_id)
        .filter(attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
        .update(
            attempts=F("attempts") + 1,
            heartbeat_at=Now(),
            dispatched_at=Coalesce(F("dispatched_at"), Now()),
        )
    )
    if taken:
        _held_rows().add(row_id)
        return True
    _stop_spent(row_id)
    return False


@transaction.atomic
def _stop_spent(row_id: int) -> None:
    # Under the row lock: only a free row out of attempts (a live run elsewhere keeps its row).
    row = (
        TaskOutbox.objects.select_for_update()
        .filter(_PENDING, _free(), pk=row_id, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS)
        .first()
    )
    if row is not None:
        _stop(row, row.last_error)


def outbox_beat(*, row_id: int) -> None:
    """Renew a running task's lease."""
    TaskOutbox.objects.filter(_PENDING, pk=row_id, heartbeat_at__isnull=False).update(
        heartbeat_at=Now()
    )


def outbox_finish(*, row_id: int) -> None:
    """The task returned: its work is done (a failure it recorded itself included). A run the
    sweep had given up on that finishes after all counts as done."""
    _held_rows().discard(row_id)
    TaskOutbox.objects.filter(pk=row_id, done_at__isnull=True).update(
        done_at=timezone.now(), stopped_at=None, heartbeat_at=None, last_error=""
    )


def outbox_release(*, row_id: int, error: str, final: bool = False) -> None:
    """The task raised: give the lease back with the error, so that the task is sent again, or
    stop the row when it has had all its attempts, or at once when `final` (nothing will send it
    again: a run in-process, where no sweep runs)."""
    _held_rows().discard(row_id)
    with transaction.atomic():
        row = TaskOutbox.objects.select_for_update().filter(_PENDING, pk=row_id).first()
        if row is None:
            return
        if final or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _stop(row, error)
            return
        row.heartbeat_at = None
        row.last_error = error[:_ERROR_CHARS]
        row.save(update_fields=["heartbeat_at", "last_error"])


# --- Giving up ------------------------------------------------------------------------------------


def _fail_export_job(args: Sequence[Any], error: str) -> None:
    from annotations.services.exports import export_job_fail

    export_job_fail(job_id=int(args[0]), error=error)


def _fail_import_job(args: Sequence[Any], error: str) -> None:
    from annotations.services.imports import import_job_fail

    import_job_fail(job_id=int(args[0]), error=error)


def _fail_release(args: Sequence[Any], error: str) -> None:
    from annotations.services.releases import release_fail

    release_fail(release_id=int(args[0]), error=error)


def _fail_webhook_delivery(args: Sequence[Any], error: str) -> None:
    from annotations.services.webhooks import delivery_fail

    delivery_fail(delivery_id=int(args[0]), error=error)


def _fail_article_stage(stage: str) -> Callable[[Sequence[Any], str], None]:
    def fail(args: Sequence[Any], error: str) -> None:
        from annotations.models import Article
        from annotations.services.articles import article_mark

        article_mark(
            article_id=int(args[0]), stage=stage, status=Article.Status.FAILED, error=error
        )

    return fail


# Where a stopped task's failure is shown to the desk, per task; the others (matching, the
# recomputation of claim statuses) are read in the admin's list of stopped tasks.
_ON_STOP: dict[str, Callable[[Sequence[Any], str], None]] = {
    "annotations.run_export_job": _fail_export_job,
    "annotations.run_import_job": _fail_import_job,
    "annotations.freeze_release": _fail_release,
    "annotations.fetch_article": _fail_article_stage("fetch"),
    "annotations.extract_article": _fail_article_stage("extraction"),
    "annotations.deliver_webhook": _fail_webhook_delivery,
}


def _stop(row: TaskOutbox, error: str) -> None:
    """Stop a row that had all its attempts, or whose in-process run failed (in the caller's
    transaction, row locked)."""
    message = ngettext(
        "Stopped after %(attempts)d attempt: %(error)s",
        "Stopped after %(attempts)d attempts: %(error)s",
        row.attempts,
    ) % {
        "attempts": row.attempts,
        "error": error or _("the worker running it was lost"),
    }
    row.stopped_at = timezone.now()
    row.heartbeat_at = None
    row.last_error = message[:_ERROR_CHARS]
    row.save(update_fields=["stopped_at", "heartbeat_at", "last_error"])
    on_stop = _ON_STOP.get(row.task)
    if on_stop is not None:
        on_stop(row.args, message)
    logger.error("outbox %s: %s%r stopped: %s", row.pk, row.task, tuple(row.args), message)


# --- The sweep ------------------------------------------------------------------------------------


def outbox_redispatch_due(*, now: datetime) -> Q:
    """Rows to send again: never started (or released by a failed run) and not sent for
    OUTBOX_REDISPATCH_AFTER seconds, or started by a worker that stopped renewing the lease."""
    waited = now - timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER)
    return _PENDING & (
        Q(heartbeat_at__isnull=True, last_sent__lt=waited) | Q(heartbeat_at__lt=now - _lease())
    )


def outbox_sweep(
    *, now: datetime | None = None, tasks: Callable[[str], Task[Any, Any] | None]
) -> OutboxSweep:
    """Stop the rows out of attempts, send again the rows due (oldest first, up to SWEEP_BATCH;
    at the first failed publish the broker is down and the rest waits for the next sweep), and
    delete the done rows older than OUTBOX_KEEP_DAYS days. `tasks` finds a task by its name."""
    moment = now or _database_now()
    due = TaskOutbox.objects.annotate(last_sent=Coalesce("dispatched_at", "created_at")).filter(
        outbox_redispatch_due(now=moment)
    )
    stopped = 0
    for row_id in due.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).values_list(
        "pk", flat=True
    )[:SWEEP_BATCH]:
        stopped += _stop_if_due(row_id, moment)
    dispatched = 0
    rows = list(
        due.filter(attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
        .order_by("created_at", "pk")
        .values_list("pk", "task", "args")[:SWEEP_BATCH]
    )
    for row_id, name, args in rows:
        task = tasks(name)
        if task is None:
            _stop_unknown(row_id, name)
            stopped += 1
            continue
        if not outbox_publish(row_id, task, args, swept=True):
            break
        # A lease that ran out is dropped, so the next sweep waits for this new sending; one
        # taken since the row was read is left alone.
        TaskOutbox.objects.filter(pk=row_id).update(
            heartbeat_at=Case(
                When(heartbeat_at__lt=moment - _lease(), then=Value(None)),
                default=F("heartbeat_at"),
            )
        )
        dispatched += 1
    pruned, _counts = TaskOutbox.objects.filter(
        done_at__lt=moment - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    ).delete()
    return OutboxSweep(dispatched=dispatched, stopped=stopped, pruned=pruned)


def _database_now() -> datetime:
    """The database's clock, which wrote the leases (not this machine's: beat may run elsewhere).
    SQLite (`make run`) is on this machine: its clock is this one."""
    if connection.vendor != "postgresql":
        return timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        moment: datetime = cursor.fetchone()[0]
    return moment


@transaction.atomic
def _stop_if_due(row_id: int, moment: datetime) -> int:
    # Checked again under the row lock: a run may have taken the lease since the list was read.
    row = (
        TaskOutbox.objects.select_for_update()
        .annotate(last_sent=Coalesce("dispatched_at", "created_at"))
        .filter(outbox_redispatch_due(now=moment), pk=row_id)
        .first()
    )
    if row is None:
        return 0
    _stop(row, row.last_error)
    return 1


@transaction.atomic
def _stop_unknown(row_id: int, name: str) -> None:
    row = TaskOutbox.objects.select_for_update().filter(_PENDING, pk=row_id).first()
    if row is not None:
        _stop(row, _("no task is named %(name)s") % {"name": name})
