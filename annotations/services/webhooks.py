"""Webhooks: a workspace's events sent to outside systems, signed, retried, logged.

An editor sets one up with a target URL and the events it wants (models.Webhook.Event); the
secret is made here and shown once. When an event happens, one delivery per webhook that wants
it is written in the transaction of the change (`webhooks_announce`), with the exact JSON body
that will be signed, and its sending goes through the task outbox (annotations.services.outbox):
a rolled-back change sends nothing, a broker outage delays the sending, never drops it.

Sending (`delivery_send`, the `annotations.deliver_webhook` task): one POST with the body,
`X-Workbench-Event`, `X-Workbench-Delivery` (the delivery's id: a receiver drops one it has seen)
and `X-Workbench-Signature-256: sha256=<hex HMAC-SHA256 of the body under the secret>`; connect
and read time out after WEBHOOK_TIMEOUT seconds; redirects are not followed. A 2xx answer
delivers it. Anything else is retried by the sweep (`webhooks_sweep`, run by celery beat) after
WEBHOOK_RETRY_BASE seconds, doubling each time, up to WEBHOOK_MAX_ATTEMPTS attempts; then it
failed, and an editor may send it again by hand (`delivery_redeliver`: a new delivery with the
same body). Without beat (`make run`) a failed delivery waits for that hand.

Target addresses are checked as article addresses are (annotations.webfetch): http or https, and
a host that resolves only to public addresses, when the webhook is saved and again at every
sending (the connection goes to the address checked), unless the host and port are allowed by
WEBHOOK_ALLOWED_HOSTS (a desk's own CMS on its internal network: `allowed_internal`).

What a body carries is what an editor may see: webhooks are the editors' tool, so blind review
does not filter them; they carry claims' final verdicts, never reviewers' own verdicts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import (
    Article,
    Claim,
    ClaimEvent,
    Role,
    Webhook,
    WebhookDelivery,
    Workspace,
)
from annotations.webfetch import FetchError, UnsafeURL, check_url_syntax, post_json, resolve_checked

logger = logging.getLogger(__name__)

Event = Webhook.Event
Status = WebhookDelivery.Status
PING = "ping"
SECRET_BYTES = 32
SIGNATURE_HEADER = "X-Workbench-Signature-256"
USER_AGENT = "FactCheckWorkbench/0.1 (+webhooks)"
SWEEP_BATCH = 200
_EXCERPT = 500

# Which status change of a claim is which event.
_STATUS_EVENTS = {
    Claim.Status.PUBLISHED: Event.CLAIM_PUBLISHED,
    Claim.Status.RESOLVED: Event.CLAIM_RESOLVED,
    Claim.Status.DISPUTED: Event.CLAIM_DISPUTED,
}


def signature(secret: str, body: bytes) -> str:
    """The value of X-Workbench-Signature-256 for a body: what a receiver computes to check it."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the attempts made so far (1, 2, ...): WEBHOOK_RETRY_BASE seconds,
    doubled after each failed attempt, never more than WEBHOOK_RETRY_MAX."""
    seconds = settings.WEBHOOK_RETRY_BASE * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX))


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _allowed_entry(entry: str) -> tuple[str, str]:
    """A WEBHOOK_ALLOWED_HOSTS entry as (host, port): port "" when none is given, "*" for any."""
    text = entry.strip().lower()
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        host, _bracket, rest = text[1:].partition("]")
        return host, rest.removeprefix(":")
    if text.count(":") == 1:
        host, _colon, port = text.partition(":")
        return host, port
    return text, ""  # a host name, an IPv4 address or a bare IPv6 address


def allowed_internal(url: str, entries: Iterable[str]) -> bool:
    """Whether WEBHOOK_ALLOWED_HOSTS (`entries`) lets a webhook reach `url` on a private or
    loopback address: an entry `host` allows the host on its scheme's own port (80, 443),
    `host:port` that port only, `host:*` any port (IPv6 in brackets: `[fd00::1]:8080`)."""
    parts = urlsplit(url)
    scheme_port = _DEFAULT_PORTS.get(parts.scheme.lower())
    try:
        port = parts.port or scheme_port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    for name, wanted in map(_allowed_entry, entries):
        if name != host:
            continue
        if wanted == "*" or wanted == str(port) or (not wanted and port == scheme_port):
            return True
    return False


def _internal(url: str) -> bool:
    return allowed_internal(url, settings.WEBHOOK_ALLOWED_HOSTS)


def _checked_target(url: str) -> str:
    """The URL stripped, or a ValidationError on `url` saying why it cannot be a target."""
    # services.sources writes claim history, which announces webhooks: imported here.
    from annotations.services.sources import url_problem

    try:
        url = _ascii_host(check_url_syntax(url or ""))
        parts = urlsplit(url)
        resolve_checked(
            parts.hostname or "",
            parts.port or (443 if parts.scheme == "https" else 80),
            allow_private=_internal(url),
        )
    except UnsafeURL as exc:
        raise ValidationError({"url": [url_problem(exc)]}) from None
    except FetchError as exc:
        raise ValidationError(
            {"url": [_("The host %(host)s cannot be found.") % {"host": urlsplit(url).hostname}]}
        ) from exc
    if len(url) > 2000:
        raise ValidationError({"url": [_("Give an address of at most 2,000 characters.")]})
    return url


def _ascii_host(url: str) -> str:
    """The URL with its host name in ASCII (an internationalised name as IDNA, which is what
    goes on the wire and in certificates)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.isascii():
        return url
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError({"url": [_("This address's host name is not valid.")]}) from None
    netloc = ascii_host if parts.port is None else f"{ascii_host}:{parts.port}"
    return parts._replace(netloc=netloc).geturl()


def _clean_events(events: Any) -> list[str]:
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise ValidationError({"events": [_("Give a list of events.")]})
    unknown = sorted(set(events) - set(Event.values))
    if unknown:
        raise ValidationError(
            {"events": [_("Unknown event: %(event)s.") % {"event": ", ".join(unknown)}]}
        )
    if not events:
        raise ValidationError({"events": [_("Choose at least one event.")]})
    return [e for e in Event.values if e in events]


def _clean_description(description: Any) -> str:
    if not isinstance(description, str):
        raise ValidationError({"description": [_("Give a text.")]})
    text = " ".join(description.split())
    if len(text) > 200:
        raise ValidationError({"description": [_("Give at most 200 characters.")]})
    return text


def webhook_get(*, user: User, webhook_id: int) -> Webhook:
    """A webhook for its workspace's editors (404 for others who are not members, or none)."""
    webhook = Webhook.objects.select_related("workspace").filter(pk=webhook_id).first()
    if webhook is None:
        raise Http404(_("Not found."))
    require_role(user=user, workspace_id=webhook.workspace_id, role=Role.EDITOR)
    return webhook


def webhook_create(
    *,
    user: User,
    workspace_id: int,
    url: str,
    events: Any,
    description: Any = "",
    active: bool = True,
) -> tuple[Webhook, str]:
    """Set up a webhook (editors): the webhook and its secret, which nothing shows again."""
    require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)
    target = _checked_target(url)
    chosen = _clean_events(events)
    text = _clean_description(description)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    with transaction.atomic():
        # The workspace's row is the lock: two editors adding at once cannot pass the cap.
        Workspace.objects.select_for_update(no_key=True).filter(pk=workspace_id).first()
        if (
            Webhook.objects.filter(workspace_id=workspace_id).count()
            >= settings.WEBHOOK_MAX_PER_WORKSPACE
        ):
            raise Conflict(
                _("A workspace may have at most %(count)d webhooks: delete one first.")
                % {"count": settings.WEBHOOK_MAX_PER_WORKSPACE}
            )
        webhook = Webhook.objects.create(
            workspace_id=workspace_id,
            url=target,
            events=chosen,
            description=text,
            secret=secret,
            active=bool(active),
            created_by=user,
        )
    return webhook, secret


def webhook_update(*, user: User, webhook_id: int, changes: dict[str, Any]) -> Webhook:
    """Change a webhook's target, events, description or whether it is on (editors)."""
    webhook = webhook_get(user=user, webhook_id=webhook_id)
    fields: list[str] = []
    if "url" in changes:
        webhook.url = _checked_target(changes["url"])
        fields.append("url")
    if "events" in changes:
        webhook.events = _clean_events(changes["events"])
        fields.append("events")
    if "description" in changes:
        webhook.description = _clean_description(changes["description"])
        fields.append("description")
    if "active" in changes:
        webhook.active = bool(changes["active"])
        fields.append("active")
    if fields:
        webhook.save(update_fields=fields)
    return webhook


def webhook_delete(*, user: User, webhook_id: int) -> None:
    """Delete a webhook with its delivery log (editors); what waits to be sent is not sent."""
    webhook = webhook_get(user=user, webhook_id=webhook_id)
    with transaction.atomic():
        # FOR UPDATE waits for the writes announcing to it (webhooks_announce holds it key-share
        # locked), so that the deliveries they add are deleted with it.
        locked = Webhook.objects.select_for_update().filter(pk=webhook.pk).first()
        if locked is not None:
            locked.delete()


def webhook_renew_secret(*, user: User, webhook_id: int) -> str:
    """Give a webhook a new secret (editors) and return it: the only time it is shown. Deliveries
    sent from now on are signed with it, those waiting for a retry included."""
    webhook = webhook_get(user=user, webhook_id=webhook_id)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    Webhook.objects.filter(pk=webhook.pk).update(secret=secret)
    return secret


def _body(*, event: str, workspace_id: int, data: dict[str, Any]) -> str:
    workspace = Workspace.objects.only("pk", "name").get(pk=workspace_id)
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "event": event,
            "created_at": timezone.now().isoformat(),
            "workspace": {"id": workspace.pk, "name": workspace.name},
            **data,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _queue(delivery_id: int) -> None:
    from annotations import tasks  # the tasks module imports the services
    from annotations.services.dispatch import enqueue_on_commit

    enqueue_on_commit(tasks.deliver_webhook, delivery_id)


def webhooks_announce(*, workspace_id: int, event: str, data: dict[str, Any]) -> int:
    """Write one delivery of the event to each active webhook of the workspace that wants it, in
    the caller's transaction, and send them once it commits; how many were written."""
    found: Any = Webhook.objects.filter(workspace_id=workspace_id, active=True).only("pk", "events")
    if connection.vendor == "postgresql":
        # Key-share locked until this write commits: an editor deleting one of them meanwhile
        # waits for it (then its deliveries go with it) instead of failing this write at commit,
        # where its delivery's foreign key is checked. Only deletion waits for this lock.
        found = Webhook.objects.raw(
            "SELECT id, events FROM annotations_webhook"
            " WHERE workspace_id = %s AND active FOR KEY SHARE",
            [workspace_id],
        )
    hooks = [hook for hook in found if event in hook.events]
    if not hooks:
        return 0
    body = _body(event=event, workspace_id=workspace_id, data=data)
    for hook in hooks:
        _queue(WebhookDelivery.objects.create(webhook_id=hook.pk, event=event, body=body).pk)
    return len(hooks)


def _site(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def claim_data(claim: Claim) -> dict[str, Any]:
    """What a claim's event carries: the claim with its final verdict and its article."""
    verdict = claim.final_verdict
    article = claim.article
    return {
        "claim": {
            "id": claim.pk,
            "page": _site(f"/claims/{claim.pk}/"),
            "text": claim.exact,
            "normalised_text": claim.normalised_text,
            "claimant": claim.claimant,
            "status": claim.status,
            "verdict": (
                {"slug": verdict.slug, "name": verdict.name, "value": verdict.value}
                if verdict is not None
                else None
            ),
            "settled_at": claim.settled_at.isoformat() if claim.settled_at else None,
            "published_at": claim.published_at.isoformat() if claim.published_at else None,
            "review_url": claim.review_url or None,
        },
        "article": _article_data(article),
    }


def _article_data(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "page": _site(f"/articles/{article.pk}/"),
        "title": article.title,
        "url": article.url or None,
        "language": article.language,
    }


def webhooks_for_claim_event(event: ClaimEvent, *, claim: Claim | None = None) -> int:
    """The webhook deliveries a claim's history event calls for (services.history.record_event):
    its status turning published, resolved or disputed. `claim`: its row, when the caller has it
    (then a workspace without webhooks costs one query)."""
    if event.kind != "status_changed":
        return 0
    after = event.after or {}
    hook_event = (
        Event.CLAIM_UNPUBLISHED
        if after.get("reason") == "unpublished"
        else _STATUS_EVENTS.get(after.get("status", ""))
    )
    if hook_event is None:
        return 0
    hooked = Webhook.objects.filter(active=True)
    if claim is not None and not hooked.filter(workspace_id=claim.workspace_id).exists():
        return 0
    known = claim is not None
    claim = (
        Claim.objects.select_related("article", "final_verdict")
        .defer("article__text")
        .get(pk=event.claim_id)
    )
    if not known and not hooked.filter(workspace_id=claim.workspace_id).exists():
        return 0
    data = claim_data(claim)
    data["actor"] = event.actor.get_username() if event.actor is not None else None
    # Why the status changed (assessments, consensus, adjudication, published, unpublished) and,
    # for an unpublication, the editor's note.
    data["reason"] = after.get("reason")
    if hook_event == Event.CLAIM_UNPUBLISHED:
        data["note"] = after.get("note", "")
    return webhooks_announce(workspace_id=claim.workspace_id, event=hook_event, data=data)


def webhooks_article_extracted(*, article_id: int) -> int:
    """The deliveries of an article's extraction being done (services.articles.article_mark)."""
    # Not the text: this runs at the end of every extraction.
    article = (
        Article.objects.filter(pk=article_id)
        .only("pk", "workspace_id", "title", "url", "language")
        .first()
    )
    if article is None:
        return 0
    if not Webhook.objects.filter(workspace_id=article.workspace_id, active=True).exists():
        return 0
    data = {
        "article": {
            **_article_data(article),
            "candidates": article.candidates.filter(status="pending").count(),
        }
    }
    return webhooks_announce(
        workspace_id=article.workspace_id, event=Event.ARTICLE_EXTRACTED, data=data
    )


@transaction.atomic
def webhook_ping(*, user: User, webhook_id: int) -> WebhookDelivery:
    """Send a `ping` to a webhook (editors), to try the target and the signature; logged like
    any delivery."""
    webhook = webhook_get(user=user, webhook_id=webhook_id)
    body = _body(
        event=PING,
        workspace_id=webhook.workspace_id,
        data={"webhook": {"id": webhook.pk, "events": webhook.events}},
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event=PING, body=body, requested_by=user
    )
    _queue(delivery.pk)
    return delivery


@transaction.atomic
def delivery_redeliver(*, user: User, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again by hand (editors): a new delivery with the same body, so a receiver
    that keeps the event's `id` sees it is the same event."""
    source = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if source is None:
        raise Http404(_("Not found."))
    webhook = webhook_get(user=user, webhook_id=source.webhook_id)
    if not webhook.active:
        raise Conflict(_("This webhook is turned off: turn it on to send to it."), field="active")
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event=source.event,
        body=source.body,
        redelivery_of=source,
        requested_by=user,
    )
    _queue(delivery.pk)
    return delivery


def delivery_send(*, delivery_id: int) -> str:
    """Send one waiting delivery and record how it went (the `annotations.deliver_webhook` task):
    `delivered`, `retrying`, `failed` or `skipped` (not waiting: sent already, or gone)."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Status.PENDING:
        return "skipped"
    webhook = delivery.webhook
    if not webhook.active:
        return _record(
            delivery, code=None, excerpt="", error="the webhook is turned off", final=True
        )
    body = delivery.body.encode()
    headers = {
        "User-Agent": USER_AGENT,
        "X-Workbench-Event": delivery.event,
        "X-Workbench-Delivery": str(delivery.uuid),
        SIGNATURE_HEADER: signature(webhook.secret, body),
    }
    try:
        answer = post_json(
            webhook.url,
            body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_private=_internal(webhook.url),
            excerpt_bytes=_EXCERPT,
        )
    except UnsafeURL as exc:
        # Refused before any connection (the host now resolves to a private address): no retry.
        return _record(delivery, code=None, excerpt="", error=str(exc), final=True)
    except FetchError as exc:
        return _record(delivery, code=None, excerpt="", error=str(exc), final=False)
    if 200 <= answer.status < 300:
        return _record(delivery, code=answer.status, excerpt=answer.excerpt, error="", final=False)
    error = (
        f"HTTP {answer.status}: redirects are not followed"
        if 300 <= answer.status < 400
        else f"HTTP {answer.status}"
    )
    return _record(delivery, code=answer.status, excerpt=answer.excerpt, error=error, final=False)


def _record(
    delivery: WebhookDelivery, *, code: int | None, excerpt: str, error: str, final: bool
) -> str:
    """Write an attempt's outcome, only on a delivery still waiting (a duplicate run that comes
    second writes nothing)."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    fields: dict[str, Any] = {
        "attempts": attempts,
        "last_attempt_at": now,
        "response_code": code,
        # PostgreSQL's text holds no NUL: an answer in UTF-16 has them.
        "response_excerpt": excerpt.replace("\x00", "")[:_EXCERPT],
        "error": error.replace("\x00", "")[:500],
        "next_attempt_at": None,
    }
    if not error:
        fields.update(status=Status.DELIVERED, delivered_at=now)
    elif final or attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=Status.FAILED)
    else:
        fields.update(status=Status.RETRYING, next_attempt_at=now + retry_delay(attempts))
    done = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=Status.PENDING, attempts=delivery.attempts
    ).update(**fields)
    if not done:
        return "skipped"
    if error:
        logger.warning(
            "webhook %s: delivery %s (%s), attempt %d: %s",
            delivery.webhook_id,
            delivery.pk,
            delivery.event,
            attempts,
            error,
        )
    return str(fields["status"])


def delivery_fail(*, delivery_id: int, error: str) -> None:
    """The outbox stopped the delivery's task (it kept failing): the log says it failed."""
    WebhookDelivery.objects.filter(pk=delivery_id, status=Status.PENDING).update(
        status=Status.FAILED, error=error[:500], next_attempt_at=None
    )


def webhooks_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Run by celery beat: send again the deliveries whose retry is due (each through the outbox,
    once: its row turns back to waiting in the same transaction), and delete the finished
    deliveries older than WEBHOOK_KEEP_DAYS days."""
    moment = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=Status.RETRYING, next_attempt_at__lte=moment)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    sent = 0
    for delivery_id in due:
        with transaction.atomic():
            if WebhookDelivery.objects.filter(pk=delivery_id, status=Status.RETRYING).update(
                status=Status.PENDING, next_attempt_at=None
            ):
                _queue(delivery_id)
                sent += 1
    pruned, _counts = WebhookDelivery.objects.filter(
        status__in=[Status.DELIVERED, Status.FAILED],
        created_at__lt=moment - timedelta(days=settings.WEBHOOK_KEEP_DAYS),
    ).delete()
    return {"sent": sent, "pruned": pruned}
