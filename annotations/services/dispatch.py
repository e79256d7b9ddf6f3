"""Enqueueing Celery tasks after commit, without letting a broker outage fail the request."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task[Any, Any], *args: Any) -> None:
    """Send the task once the current transaction commits (at once outside a transaction).

    The row that asked for the work already records that it is queued; if the publish fails
    (Redis down, timeout) the failure is logged and the periodic sweep sends it again later.
    """

    def publish() -> None:
        try:
            task.apply_async(
                args=args,
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
            # them may turn a saved article into a 500. The sweep is the recovery path.
            logger.exception("could not enqueue %s%r; the sweep will retry", task.name, args)

    transaction.on_commit(publish)
