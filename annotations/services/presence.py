"""Who has an article's page open, and on which claim (annotations.consumers keeps it; what each
reader is shown of it is annotations.selectors_live.people_on's).

One row per open socket: written when the page connects, moved when its reader opens a claim,
touched by the page every PRESENCE_PING seconds, deleted when the socket closes. A row not
touched for PRESENCE_TIMEOUT seconds (a server that died with its sockets) counts as gone."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from annotations.models import Claim, Presence


def presence_join(*, user: User, article_id: int, channel_name: str) -> None:
    Presence.objects.update_or_create(
        channel_name=channel_name,
        defaults={"user": user, "article_id": article_id, "claim": None, "seen_at": timezone.now()},
    )


def presence_at(*, channel_name: str, claim_id: int | None) -> bool:
    """The socket's reader opened a claim (or closed it: None); whether that changed anything.
    A claim of another article, or none at all, counts as none."""
    row = Presence.objects.filter(channel_name=channel_name).first()
    if row is None:
        return False
    if (
        claim_id is not None
        and not Claim.objects.filter(pk=claim_id, article_id=row.article_id).exists()
    ):
        claim_id = None
    changed = row.claim_id != claim_id
    Presence.objects.filter(pk=row.pk).update(claim_id=claim_id, seen_at=timezone.now())
    return changed


def presence_touch(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def presence_leave(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).delete()
