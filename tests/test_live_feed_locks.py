"""A write that numbers a live event holds the article's feed row until it commits, and its
commit checks the foreign keys it wrote (a key-share lock on the article and the claim). A write
that locks the article or the claim before numbering its own event must therefore not block those
checks, or the two deadlock: a comment on one claim, committing, against a new claim on the same
article (which locks the article first); an assessment (which locks the claim first) against the
same comment. Real threads and commits on PostgreSQL; the first write is held open on purpose
until the second is waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from annotations.models import Article, Claim, Comment, Webhook, WebhookDelivery, Workspace
from annotations.services.assessments import assessment_create
from annotations.services.claims import claim_create
from annotations.services.comments import comment_create
from annotations.services.publishing import claim_publish
from annotations.services.webhooks import webhook_delete

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting_backends() -> int:
    """How many other connections wait for a lock (the second write has reached the feed row)."""
    with connection.cursor() as cursor:
        # Read afresh: a transaction otherwise keeps its first look at the statistics.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        found: int = cursor.fetchone()[0]
    return found


def _race(first: Callable[[], object], second: Callable[[], object]) -> list[str]:
    """Run `first` in a transaction held open until `second`, started meanwhile in another
    thread, waits for a lock; then commit `first`. The errors of both, if any."""
    errors: list[str] = []
    holding = threading.Event()

    def run_first() -> None:
        try:
            with transaction.atomic():
                first()
                holding.set()
                deadline = time.monotonic() + 5
                while _waiting_backends() == 0 and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert _waiting_backends() > 0, "the second write never waited"
        except BaseException as error:
            errors.append(f"first: {error.__class__.__name__}: {error}")
            holding.set()
        finally:
            connection.close()

    def run_second() -> None:
        holding.wait(10)
        try:
            second()
        except BaseException as error:
            errors.append(f"second: {error.__class__.__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_a_comment_and_a_new_claim_on_one_article_both_commit(
    claim: Claim, article: Article, bob: User, carol: User
) -> None:
    start = article.text.index("« Nous")
    errors = _race(
        lambda: comment_create(user=bob, claim=claim, body="Insee, table 3?"),
        lambda: claim_create(user=carol, article=article, start=start, end=start + 20),
    )
    assert errors == []
    assert Comment.objects.filter(claim=claim).count() == 1
    assert Claim.objects.filter(article=article).count() == 2


def test_a_comment_and_a_verdict_on_one_claim_both_commit(
    claim: Claim, bob: User, carol: User
) -> None:
    errors = _race(
        lambda: comment_create(user=bob, claim=claim, body="Insee, table 3?"),
        lambda: assessment_create(user=carol, claim=claim, verdict="true"),
    )
    assert errors == []
    assert claim.assessments.count() == 1


def test_a_webhook_deleted_while_a_publish_announces_to_it_waits_for_the_publish(
    claim: Claim, workspace: Workspace, alice: User, bob: User, carol: User
) -> None:
    for reviewer in (bob, carol):
        assessment_create(user=reviewer, claim=claim, verdict="false")
    hook, _secret = Webhook.objects.get_or_create(
        workspace=workspace,
        url="https://cms.example.org/hook",
        defaults={"events": ["claim.published"], "secret": "s" * 43},
    )
    errors = _race(
        lambda: claim_publish(user=alice, claim=Claim.objects.get(pk=claim.pk)),
        lambda: webhook_delete(user=alice, webhook_id=hook.pk),
    )
    assert errors == []
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PUBLISHED
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()
