"""Notifications: what a member is told, in the pages (a badge and a list) and by e-mail.

Kinds, and where each is written (always in the transaction of the change it tells about):

- `mentioned`: someone names them as @username in a comment (services.comments); once per
  comment, however often it is edited.
- `assigned`: an editor assigns them an article (services.assignments).
- `disputed`: a claim of their workspace turns disputed; to its adjudicators and editors.
- `resolved`, `published`: a claim they highlighted or gave a verdict on gets its final verdict, or
  is published (both from the claim's history: services.history.record_event).
- `due_soon`, `overdue`: an article assigned to them is due within NOTIFY_DUE_SOON_HOURS, or past
  due, and not submitted (the periodic `notifications_due_sweep`); once each per assignment.

Nobody is told of their own doing. Who may read which notification is annotations.policy's
`notifications_visible`: a mention in a comment blind review hides from its recipient, or a
dispute whose status it hides, is kept and shows once the rule lets it (after their verdict).

E-mail follows each person's NotificationSettings: `immediate` (the default) sends what is new
and readable shortly after it happens (a task through the outbox, and the periodic sweep for what
blind review held back); `daily` sends one digest a day; `off` sends nothing. Mail goes through
Django's e-mail backend (EMAIL_BACKEND: the console by default, SMTP from the environment).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from annotations import policy
from annotations.models import (
    Assessment,
    Assignment,
    Claim,
    ClaimEvent,
    Comment,
    Highlight,
    Membership,
    Notification,
    NotificationSettings,
    Role,
)
from annotations.services.live import tell_unread_later

logger = logging.getLogger(__name__)

Kind = Notification.Kind


def notify(
    *,
    recipients: Iterable[int],
    kind: str,
    actor: User | None,
    workspace_id: int,
    article_id: int | None = None,
    claim: Claim | None = None,
    comment: Comment | None = None,
    assignment: Assignment | None = None,
) -> int:
    """Tell these people (user ids) one thing, in the caller's transaction; how many were told.
    The actor is never told of their own doing; a notification that exists already (the same
    mention, the same reminder) is not written twice."""
    actor_id = actor.pk if actor is not None else None
    people = sorted({pk for pk in recipients if pk != actor_id})
    if not people:
        return 0
    if claim is not None:
        article_id = claim.article_id
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                actor_id=actor_id,
                workspace_id=workspace_id,
                article_id=article_id,
                claim=claim,
                comment=comment,
                assignment=assignment,
            )
            for pk in people
        ],
        ignore_conflicts=True,
    )
    _email_soon(people)
    tell_unread_later(people)
    return len(people)


def notify_mentions(*, comment: Comment, mentioned: Sequence[User], actor: User) -> int:
    return notify(
        recipients=[user.pk for user in mentioned],
        kind=Kind.MENTIONED,
        actor=actor,
        workspace_id=comment.claim.workspace_id,
        claim=comment.claim,
        comment=comment,
    )


def notify_assigned(*, assignments: Sequence[Assignment], actor: User) -> int:
    told = 0
    for assignment in assignments:
        told += notify(
            recipients=[assignment.user_id],
            kind=Kind.ASSIGNED,
            actor=actor,
            workspace_id=assignment.workspace_id,
            article_id=assignment.article_id,
            assignment=assignment,
        )
    return told


def notify_event(event: ClaimEvent, *, claim: Claim | None = None) -> int:
    """The notifications a claim's history event calls for (services.history.record_event);
    `claim`: its row, when the caller has it."""
    if event.kind == "assessment_created" and event.actor_id is not None:
        # A reviewer's own verdict may unlock mentions blind review held back from them.
        tell_unread_later([event.actor_id])
    if event.kind != "status_changed":
        return 0
    status = (event.after or {}).get("status")
    if status not in (Claim.Status.DISPUTED, Claim.Status.RESOLVED, Claim.Status.PUBLISHED):
        return 0
    if claim is None:
        claim = Claim.objects.only("pk", "workspace_id", "article_id").get(pk=event.claim_id)
    if status == Claim.Status.DISPUTED:
        deciders = Membership.objects.filter(
            workspace_id=claim.workspace_id, role__gte=Role.ADJUDICATOR
        ).values_list("user_id", flat=True)
        return notify(
            recipients=deciders,
            kind=Kind.DISPUTED,
            actor=event.actor,
            workspace_id=claim.workspace_id,
            claim=claim,
        )
    if status in (Claim.Status.RESOLVED, Claim.Status.PUBLISHED):
        workers = {
            *Highlight.objects.filter(claim_id=claim.pk).values_list("user_id", flat=True),
            *Assessment.objects.filter(claim_id=claim.pk).values_list("reviewer_id", flat=True),
        }
        return notify(
            recipients=workers,
            kind=Kind.RESOLVED if status == Claim.Status.RESOLVED else Kind.PUBLISHED,
            actor=event.actor,
            workspace_id=claim.workspace_id,
            claim=claim,
        )
    return 0


def notifications_due_sweep(now: datetime | None = None) -> dict[str, int]:
    """Remind reviewers of assigned articles due soon or overdue (run periodically; each reminder
    is written once per assignment)."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.NOTIFY_DUE_SOON_HOURS)
    open_ = Assignment.objects.filter(completed_at__isnull=True, due_at__isnull=False)
    told = {"due_soon": 0, "overdue": 0}
    for kind, due in (
        (Kind.OVERDUE, Q(due_at__lte=now)),
        (Kind.DUE_SOON, Q(due_at__gt=now, due_at__lte=soon)),
    ):
        waiting = open_.filter(due).exclude(
            pk__in=Notification.objects.filter(kind=kind, assignment__isnull=False).values(
                "assignment_id"
            )
        )
        for assignment in waiting.order_by("due_at")[: settings.NOTIFY_SWEEP_BATCH]:
            with transaction.atomic():
                told[str(kind)] += notify(
                    recipients=[assignment.user_id],
                    kind=kind,
                    actor=None,
                    workspace_id=assignment.workspace_id,
                    article_id=assignment.article_id,
                    assignment=assignment,
                )
    return told


def notifications_mark_read(*, user: User, ids: Sequence[int] | None) -> int:
    """Mark some of the user's notifications read (`ids`), or all of them (None); how many
    changed. Ids that are not the user's, or hidden from them, change nothing."""
    mine = Notification.objects.filter(policy.notifications_visible(policy.sight_of(user)))
    if ids is not None:
        mine = mine.filter(pk__in=list(ids))
    marked = mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        tell_unread_later([user.pk])
    return marked


def notification_settings_update(*, user: User, email: str) -> NotificationSettings:
    if email not in NotificationSettings.Email.values:
        raise ValidationError({"email": [_("Choose at once, once a day, or never.")]})
    chosen, _created = NotificationSettings.objects.update_or_create(
        user=user, defaults={"email": email}
    )
    return chosen


def email_mode(user_id: int) -> str:
    found = (
        NotificationSettings.objects.filter(user_id=user_id).values_list("email", flat=True).first()
    )
    return found or NotificationSettings.Email.IMMEDIATE


def _email_soon(user_ids: Sequence[int]) -> None:
    """Ask a worker, after this transaction commits, to e-mail what is new to those who want it
    at once."""
    from annotations import tasks  # the tasks module imports the services
    from annotations.services.dispatch import enqueue_on_commit

    daily_or_off = set(
        NotificationSettings.objects.filter(user_id__in=user_ids)
        .exclude(email=NotificationSettings.Email.IMMEDIATE)
        .values_list("user_id", flat=True)
    )
    for user_id in user_ids:
        if user_id not in daily_or_off:
            enqueue_on_commit(tasks.email_notifications, user_id)


def notifications_email(*, user_id: int) -> int:
    """E-mail a person what they may read and have not been sent yet; how many it listed.
    Marks them sent first, in one short transaction, so that two runs never send one twice; a
    failed send unmarks them and raises, so that the mail is tried again, never lost."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return 0
    sight = policy.sight_of(user)
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(policy.notifications_visible(sight))
            .filter(read_at__isnull=True, emailed_at__isnull=True)
            .select_related("actor", "claim", "article", "comment", "workspace")
            .order_by("created_at", "id")[:100]
        )
        if not pending:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
            emailed_at=timezone.now()
        )
    lines = [f"- {describe(n)}\n  {settings.SITE_URL.rstrip('/')}{link(n)}" for n in pending]
    subject = ngettext(
        "%(n)d new notification on the fact-checking workbench",
        "%(n)d new notifications on the fact-checking workbench",
        len(pending),
    ) % {"n": len(pending)}
    try:
        send_mail(subject, "\n".join(lines) + "\n", None, [user.email], fail_silently=False)
    except Exception:
        # Not sent: they wait for the next run (the task is sent again; the sweep runs anyway).
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=None)
        raise
    return len(pending)


def notifications_email_sweep(now: datetime | None = None) -> int:
    """Run periodically: e-mail what blind review held back for `immediate` people (it became
    readable since), and the daily digest of `daily` people whose last one is a day old."""
    now = now or timezone.now()
    sent = 0
    waiting = (
        Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .exclude(recipient__notification_settings__email=NotificationSettings.Email.OFF)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for user_id in list(waiting[: settings.NOTIFY_SWEEP_BATCH]):
        mode = email_mode(user_id)
        if mode == NotificationSettings.Email.OFF:
            continue
        if mode == NotificationSettings.Email.DAILY:
            last = (
                NotificationSettings.objects.filter(user_id=user_id)
                .values_list("last_digest_at", flat=True)
                .first()
            )
            if last is not None and now - last < timedelta(days=1):
                continue
            NotificationSettings.objects.filter(user_id=user_id).update(last_digest_at=now)
        try:
            with translation.override(settings.LANGUAGE_CODE):
                sent += notifications_email(user_id=user_id)
        except Exception:
            # One mailbox's failure stops no one else's mail: theirs is tried at the next run.
            logger.exception("notification mail to user %d failed", user_id)
    return sent


def describe(notification: Notification) -> str:
    """One sentence for a notification: who did what, about what."""
    who = notification.actor.get_username() if notification.actor else ""
    about = ""
    if notification.claim is not None:
        about = (notification.claim.normalised_text or notification.claim.exact)[:120]
        # The sentence quotes it: the claim's own quotation marks would double them.
        about = about.strip(' \u00a0«»“”"')
    elif notification.article is not None:
        about = notification.article.title or _("Untitled article")
    values = {"who": who, "about": about}
    sentences = {
        Kind.MENTIONED: _("%(who)s mentioned you on “%(about)s”"),
        Kind.ASSIGNED: _("%(who)s assigned you “%(about)s”"),
        Kind.DISPUTED: _("Disputed: “%(about)s”"),
        Kind.DUE_SOON: _("Due soon: “%(about)s”"),
        Kind.OVERDUE: _("Overdue: “%(about)s”"),
        Kind.RESOLVED: _("Resolved: “%(about)s”"),
        Kind.PUBLISHED: _("Published: “%(about)s”"),
    }
    return sentences.get(Kind(notification.kind), "%(about)s") % values


def link(notification: Notification) -> str:
    """Where a notification leads in the pages (a path)."""
    if notification.comment_id is not None:
        return f"/claims/{notification.claim_id}/#comment-{notification.comment_id}"
    if notification.claim_id is not None:
        return f"/claims/{notification.claim_id}/"
    if notification.article_id is not None:
        return f"/articles/{notification.article_id}/"
    return "/"
