"""The periodic sweep: send again the fetches and extractions that were never picked up.

An article is saved with its stage marked queued before its task is published; when the broker
is down the publish fails (annotations.services.dispatch logs it) and nothing else would ever
send it. A stage also stays "running" for ever when the worker running it was killed at the hard
time limit. Celery beat runs the sweep every ARTICLE_SWEEP_INTERVAL seconds (settings); it
re-queues a stage queued for longer than ARTICLE_REQUEUE_AFTER seconds, or running for longer
than the task time limit. Both tasks are idempotent, so a task that was merely slow and then
runs twice changes nothing.

Every task a service asks for, these two included, is also recorded in the task outbox and sent
again by its own sweep (annotations.services.outbox); this one still finds the articles that no
service asked for (saved by the admin or a data migration) and stages left "running". Its
re-queueing goes through the outbox too, and joins a row already waiting for the same article.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from annotations.models import Article
from annotations.services.dispatch import enqueue_on_commit

# Bounds one sweep's work; what is left waits for the next run.
SWEEP_BATCH = 500
_WAITING = (Article.Status.QUEUED, Article.Status.PENDING)
# A task killed at the hard limit had this long to mark itself; then it is surely gone.
_RUNNING_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SweepOutcome:
    fetches: int
    extractions: int


def stalled_extraction(*, now: datetime) -> Q:
    waited = now - timedelta(seconds=settings.ARTICLE_REQUEUE_AFTER)
    stuck = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - _RUNNING_MARGIN
    return ~Q(text="") & (
        Q(extraction_status__in=_WAITING, extraction_requested_at__lt=waited)
        # Saved outside the services (admin, a data migration): never requested at all.
        | Q(
            extraction_status=Article.Status.PENDING,
            extraction_requested_at__isnull=True,
            created_at__lt=waited,
        )
        | Q(extraction_status=Article.Status.RUNNING, updated_at__lt=stuck)
    )


def stalled_fetch(*, now: datetime) -> Q:
    waited = now - timedelta(seconds=settings.ARTICLE_REQUEUE_AFTER)
    stuck = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - _RUNNING_MARGIN
    return Q(text="") & (
        Q(fetch_status__in=_WAITING, updated_at__lt=waited)
        | Q(fetch_status=Article.Status.RUNNING, updated_at__lt=stuck)
    )


def articles_requeue_stalled(*, now: datetime | None = None) -> SweepOutcome:
    """Re-queue every stalled fetch and extraction (up to SWEEP_BATCH of each), oldest first."""
    moment = now or timezone.now()
    fetches = _requeue_all(stalled_fetch(now=moment), stage="fetch")
    extractions = _requeue_all(stalled_extraction(now=moment), stage="extraction")
    return SweepOutcome(fetches=fetches, extractions=extractions)


def _requeue_all(condition: Q, *, stage: str) -> int:
    ids = list(
        Article.objects.filter(condition)
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(_requeue(article_id, condition, stage=stage) for article_id in ids)


@transaction.atomic
def _requeue(article_id: int, condition: Q, *, stage: str) -> bool:
    # Checked again under the row lock: a worker may have started it since the list was read.
    article = (
        Article.objects.select_for_update(no_key=True).filter(condition, pk=article_id).first()
    )
    if article is None:
        return False
    from annotations import tasks  # the tasks module imports the services

    current = timezone.now()
    fields = {f"{stage}_status": Article.Status.QUEUED, f"{stage}_error": "", "updated_at": current}
    if stage == "extraction":
        fields["extraction_requested_at"] = current
    Article.objects.filter(pk=article_id).update(**fields)
    enqueue_on_commit(
        tasks.extract_article if stage == "extraction" else tasks.fetch_article, article_id
    )
    return True
