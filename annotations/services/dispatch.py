"""Asking for a task from a write: recorded in the write's transaction, published after commit.

A broker outage never fails the request and never loses the work: the row in the outbox
(annotations.services.outbox) outlives the failed publish and the sweep sends it later.
"""

from __future__ import annotations

from typing import Any

from celery import Task
from django.db import transaction

from annotations.services.outbox import outbox_publish, outbox_record


def enqueue_on_commit(task: Task[Any, Any], *args: Any, fresh: bool = False) -> None:
    """Record the task in the current transaction and send it once that commits (at once outside
    a transaction). If the transaction rolls back, neither the row nor the task exist.

    The arguments are stored as JSON, as the broker would carry them: ids, strings, numbers.
    `fresh`: no row can be waiting with these arguments yet (they name a row this transaction
    created): the outbox does not look for one to share.
    """
    row_id = outbox_record(task.name, args, fresh=fresh)
    transaction.on_commit(lambda: outbox_publish(row_id, task, args))
