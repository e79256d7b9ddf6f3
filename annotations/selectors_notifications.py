"""Reads of a person's notifications (annotations.services.notifications), through
annotations.policy: a notification its recipient may not read yet (blind review) is not listed
nor counted until they may."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from annotations import policy
from annotations.models import Notification


def notification_list(*, user: User, unread: bool = False) -> QuerySet[Notification]:
    """The user's notifications they may read, newest first."""
    found = Notification.objects.filter(policy.notifications_visible(policy.sight_of(user)))
    if unread:
        found = found.filter(read_at__isnull=True)
    return found.select_related("actor", "claim", "article", "workspace").order_by(
        "-created_at", "-id"
    )


def unread_count(*, user: User | AnonymousUser) -> int:
    """How many notifications the badge shows (0 for a visitor)."""
    if not isinstance(user, User):
        return 0
    return notification_list(user=user, unread=True).count()
