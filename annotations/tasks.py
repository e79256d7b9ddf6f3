"""Celery tasks: thin wrappers that take ids, call one service and record the outcome.

Every task is idempotent (a redelivered message changes nothing), acknowledged late and retried
with backoff on transient failures (database or network); a final failure is recorded on the
article, export or release for the desk to see. A task sent through the outbox
(annotations.services.dispatch) holds its outbox row's lease while it runs and marks the row done
when it returns (OutboxTask); sent any other way (a shell, a test) it simply runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from celery import Task, shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from annotations.importing import page_from_html
from annotations.models import Article
from annotations.services.articles import article_mark, article_store_fetched
from annotations.services.extraction import article_extract
from annotations.services.outbox import (
    HEADER,
    SWEPT_HEADER,
    outbox_beat,
    outbox_claim,
    outbox_finish,
    outbox_release,
)
from annotations.webfetch import FetchError, fetch_html

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def _header(request: Any, name: str) -> Any:
    # A worker puts custom headers both on the request and in its `headers`; an eager run only in
    # `headers`.
    return (getattr(request, "headers", None) or {}).get(name) or getattr(request, name, None)


def _outbox_id(request: Any) -> int | None:
    value = _header(request, HEADER)
    return int(value) if value is not None else None


class _Heartbeat(threading.Thread):
    """Renews a running task's lease on its outbox row until stopped (its own connection)."""

    def __init__(self, row_id: int) -> None:
        super().__init__(name=f"outbox-heartbeat-{row_id}", daemon=True)
        self.row_id = row_id
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(settings.OUTBOX_LEASE / 3):
                try:
                    outbox_beat(row_id=self.row_id)
                except DatabaseError:
                    # A missed beat only shortens the lease; the next one may get through.
                    logger.warning("could not renew the lease of outbox %s", self.row_id)
        finally:
            connection.close()


class OutboxTask(Task):  # type: ignore[type-arg]
    """Runs a task sent through the outbox under its row's lease: a duplicate delivery of work
    that is done or running elsewhere does nothing; a return marks the row done; an exception
    gives the lease back with the error (the sweep sends the task again, up to the attempts
    limit). Not waiting for the heartbeat thread on the way out: it may be blocked on the row."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        row_id = _outbox_id(self.request)
        if row_id is None:
            return super().__call__(*args, **kwargs)
        if not outbox_claim(row_id=row_id):
            logger.info("%s%r: outbox %s is done or running elsewhere", self.name, args, row_id)
            return None
        heartbeat = None if self.request.is_eager else _Heartbeat(row_id)
        # Run in-process by the request that asked for it (no broker: no worker, no beat, so no
        # sweep will ever send it again): a failure is final at once, and the release, export or
        # article says "failed" instead of waiting for ever. An eager retry then finds the row
        # stopped and does nothing.
        final = bool(self.request.is_eager) and not _header(self.request, SWEPT_HEADER)
        if heartbeat is not None:
            heartbeat.start()
        try:
            result = super().__call__(*args, **kwargs)
        except Retry as retry:
            outbox_release(row_id=row_id, error=_describe(retry.exc or retry), final=final)
            raise
        except BaseException as exc:
            outbox_release(row_id=row_id, error=_describe(exc), final=final)
            raise
        finally:
            if heartbeat is not None:
                heartbeat.stopping.set()
        outbox_finish(row_id=row_id)
        return result


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"


def workbench_task(name: str) -> Callable[[Callable[P, R]], Task[P, R]]:
    """A task retried with exponential backoff and jitter on transient failures, acknowledged
    only once done (a worker lost mid-task means the task runs again, hence idempotent tasks)."""
    return shared_task(
        name=name,
        base=OutboxTask,
        autoretry_for=(DatabaseError, ConnectionError, TimeoutError),
        retry_backoff=2,
        retry_backoff_max=300,
        retry_jitter=True,
        max_retries=5,
        acks_late=True,
        reject_on_worker_lost=True,
    )


@workbench_task("annotations.fetch_article")
def fetch_article(article_id: int) -> str:
    article = Article.objects.filter(pk=article_id).only("url", "text").first()
    if article is None or article.text:
        return "skipped"
    article_mark(article_id=article_id, stage="fetch", status=Article.Status.RUNNING)
    try:
        page = fetch_html(
            article.url,
            timeout=settings.ARTICLE_FETCH_TIMEOUT,
            max_bytes=settings.ARTICLE_FETCH_MAX_BYTES,
            max_redirects=settings.ARTICLE_FETCH_MAX_REDIRECTS,
            allow_private=settings.ARTICLE_FETCH_ALLOW_PRIVATE,
        )
        imported = page_from_html(page.html, url=page.url)
        if not imported.text.strip():
            raise FetchError("no article text was found on the page")
        article_store_fetched(article_id=article_id, page=imported, final_url=page.url)
    except (FetchError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        article_mark(
            article_id=article_id, stage="fetch", status=Article.Status.FAILED, error=message
        )
        return "failed"
    return "done"


@workbench_task("annotations.extract_article")
def extract_article(article_id: int) -> int:
    if not Article.objects.filter(pk=article_id).exclude(text="").exists():
        return 0
    try:
        return article_extract(article_id=article_id)
    except DatabaseError:
        raise  # retried by autoretry_for
    except Exception as exc:
        logger.exception("extraction of article %s failed", article_id)
        article_mark(
            article_id=article_id,
            stage="extraction",
            status=Article.Status.FAILED,
            error=f"{exc.__class__.__name__}: {exc}",
        )
        return 0


@workbench_task("annotations.match_claim")
def match_claim(claim_id: int) -> int:
    """Find the already-checked claims that say the same as a new claim, then group it with
    them (annotations.services.clusters)."""
    from annotations.services.clusters import clusters_refresh_for
    from annotations.services.matching import claim_matches_refresh

    found = claim_matches_refresh(claim_id=claim_id)
    clusters_refresh_for(claim_id)
    return found


@workbench_task("annotations.claim_settled")
def claim_settled(claim_id: int) -> int:
    """A claim got its final verdict or was published: refresh the registry's matches around it,
    then group it with the claims it matches either way (annotations.services.clusters)."""
    from annotations.services.clusters import clusters_refresh_for
    from annotations.services.matching import claim_settled_refresh

    offered = claim_settled_refresh(claim_id=claim_id)
    clusters_refresh_for(claim_id)
    return offered


@workbench_task("annotations.refresh_workspace_matches")
def refresh_workspace_matches(workspace_id: int) -> int:
    """Outside fact-checks were imported: match the workspace's open claims and candidates again."""
    from annotations.services.matching import workspace_matches_refresh

    return workspace_matches_refresh(workspace_id=workspace_id)


@workbench_task("annotations.sweep_stalled_articles")
def sweep_stalled_articles() -> dict[str, int]:
    """Run by celery beat: send again the fetches and extractions that were never picked up."""
    from annotations.services.sweep import articles_requeue_stalled

    outcome = articles_requeue_stalled()
    if outcome.fetches or outcome.extractions:
        logger.warning(
            "sweep re-queued %d fetches and %d extractions", outcome.fetches, outcome.extractions
        )
    return {"fetches": outcome.fetches, "extractions": outcome.extractions}


@workbench_task("annotations.sweep_outbox")
def sweep_outbox() -> dict[str, int]:
    """Run by celery beat: send again every recorded task not done, stop those out of attempts,
    delete old done rows."""
    from annotations.services.outbox import outbox_sweep
    from workbench.celery import app

    outcome = outbox_sweep(tasks=app.tasks.get)
    if outcome.dispatched or outcome.stopped:
        logger.warning(
            "outbox sweep sent %d tasks again and stopped %d", outcome.dispatched, outcome.stopped
        )
    return {"dispatched": outcome.dispatched, "stopped": outcome.stopped, "pruned": outcome.pruned}


@workbench_task("annotations.email_notifications")
def email_notifications(user_id: int) -> int:
    """E-mail a person their new notifications (those they chose to get at once)."""
    from annotations.services.notifications import notifications_email

    return notifications_email(user_id=user_id)


@workbench_task("annotations.sweep_notifications")
def sweep_notifications() -> dict[str, int]:
    """Run by celery beat: due-date reminders, then the e-mails that wait (held back by blind
    review, or a daily digest)."""
    from annotations.services.notifications import (
        notifications_due_sweep,
        notifications_email_sweep,
    )

    told = notifications_due_sweep()
    return {**told, "emailed": notifications_email_sweep()}


@workbench_task("annotations.deliver_webhook")
def deliver_webhook(delivery_id: int) -> str:
    """Send one webhook delivery and record how it went (a failed one waits for the sweep)."""
    from annotations.services.webhooks import delivery_send

    return delivery_send(delivery_id=delivery_id)


@workbench_task("annotations.sweep_webhooks")
def sweep_webhooks() -> dict[str, int]:
    """Run by celery beat: send again the webhook deliveries whose retry is due."""
    from annotations.services.webhooks import webhooks_sweep

    return webhooks_sweep()


@workbench_task("annotations.run_export_job")
def run_export_job(job_id: int) -> str:
    from annotations.services.exports import export_job_fail, export_job_run

    try:
        return export_job_run(job_id=job_id)
    except DatabaseError:
        raise  # retried by autoretry_for
    except Exception as exc:
        logger.exception("export job %s failed", job_id)
        export_job_fail(job_id=job_id, error=f"{exc.__class__.__name__}: {exc}")
        return "failed"


@workbench_task("annotations.run_import_job")
def run_import_job(job_id: int) -> str:
    from annotations.services.imports import failure_text, import_job_fail, import_job_run

    try:
        return import_job_run(job_id=job_id)
    except DatabaseError:
        raise  # retried by autoretry_for
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        import_job_fail(job_id=job_id, error=failure_text(exc))
        return "failed"


@workbench_task("annotations.freeze_release")
def freeze_release(release_id: int) -> str:
    from annotations.services.releases import release_fail, release_freeze

    try:
        return release_freeze(release_id=release_id)
    except DatabaseError:
        raise  # retried by autoretry_for
    except Exception as exc:
        logger.exception("freezing release %s failed", release_id)
        release_fail(release_id=release_id, error=f"{exc.__class__.__name__}: {exc}")
        return "failed"


@workbench_task("annotations.refresh_claim_statuses")
def refresh_claim_statuses(workspace_id: int) -> int:
    """After an editor changes the dispute rule: every unsettled claim of the workspace follows it."""
    from annotations.services.disputes import workspace_claims_refresh

    return workspace_claims_refresh(workspace_id=workspace_id)
