"""Reads of an article's live feed (annotations.services.live), through annotations.policy: the
socket (annotations.consumers) and the polling route (GET /api/v1/articles/{id}/events/) serve
the same events to the same reader."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Max, QuerySet
from django.utils import timezone

from annotations import policy, selectors
from annotations.models import Article, Claim, LiveEvent, Presence

# The most events one read returns; a page further behind reads again from the last one.
PAGE = 200


@dataclass(frozen=True, slots=True)
class FeedPage:
    """The events after a number that the reader may see, oldest first; `cursor`, what to ask
    after next time (the last of them); `more`, whether more wait."""

    events: list[dict[str, Any]]
    cursor: int
    more: bool


def _visible(sight: policy.Sight, article: Article) -> QuerySet[LiveEvent]:
    return LiveEvent.objects.filter(article_id=article.pk).filter(policy.live_events_visible(sight))


def sight_on(*, user: User, article: Article) -> policy.Sight:
    """What the policy lets this reader see in the article's workspace (one query: a socket
    keeps it a few seconds, annotations.consumers)."""
    return policy.sight_of(user).only(article.workspace_id)


# The numbers a reader is given. Events are numbered in the article's feed; a reader whom blind
# review hides nothing from is given those numbers. A reader under blind review is given their
# own count instead (the n-th event they may see is number n): the feed's numbers would show, by
# their gaps, that colleagues did something they may not see.


def own_numbers(sight: policy.Sight, article: Article) -> bool:
    """Whether this reader is given their own count rather than the feed's numbers."""
    return sight.is_blind(article.workspace_id)


def to_feed(sight: policy.Sight, article: Article, number: int) -> int:
    """The feed's number of the reader's `number` (the last event they saw)."""
    if not own_numbers(sight, article) or number <= 0:
        return number
    seen = _visible(sight, article).order_by("seq").values_list("seq", flat=True)
    found = seen[number - 1 : number].first()
    if found is not None:
        return int(found)
    return int(_visible(sight, article).aggregate(top=Max("seq"))["top"] or 0)


def renumbered(page: FeedPage, start: int) -> FeedPage:
    """A page told in the reader's own count, from `start` (a copy: pages are shared)."""
    events = [{**event, "seq": start + index + 1} for index, event in enumerate(page.events)]
    return FeedPage(events, start + len(events), page.more)


def feed_position(*, user: User, article: Article) -> int:
    """The number of the last event this reader may see (0: none), in the numbers they are
    given. Never the feed's own top: that would tell a reviewer that a colleague did something."""
    sight = sight_on(user=user, article=article)
    visible = _visible(sight, article)
    if own_numbers(sight, article):
        return visible.count()
    return int(visible.aggregate(top=Max("seq"))["top"] or 0)


def events_after(*, user: User, article_id: int, after: int) -> FeedPage:
    """The article's events after the reader's number `after` that this reader may see, oldest
    first, in the numbers they are given. The article is read through the selectors first: an
    outsider gets a 404."""
    article = selectors.article_get(user=user, article_id=article_id)
    sight = sight_on(user=user, article=article)
    page = feed_page(sight=sight, article=article, after=to_feed(sight, article, after))
    return renumbered(page, after) if own_numbers(sight, article) else page


# Pages on one article ask for the same events at the same moment (a reader with the article open
# in several tabs, a desk of 200 pages told of one change): one read serves them for an instant
# (_shared_key says which pages are the same).
_RECENT: dict[tuple[int, int, int, int], tuple[float, FeedPage]] = {}
_RECENT_FOR = 0.5
_RECENT_LOCK = threading.Lock()


def _shared_key(
    sight: policy.Sight, article: Article, after: int, top: int
) -> tuple[int, int, int, int]:
    """Whose pages are the same: one reader's under blind review (what they may see is theirs);
    every reader it hides nothing from, together (0), since each of them is shown every event of
    the article, with its actor named. So a change reaches a hundred open pages of clear readers
    with one read of the database, not one per reader."""
    together = sight.all_clear and article.workspace_id in sight.member
    return (0 if together else sight.user_id, article.pk, after, top)


def shared_page(*, sight: policy.Sight, article: Article, after: int, top: int) -> FeedPage | None:
    """The page `feed_page` read an instant ago for the same reader, point and top, if any (no
    database: an asynchronous caller asks this first)."""
    if not top:
        return None
    with _RECENT_LOCK:
        found = _RECENT.get(_shared_key(sight, article, after, top))
    return found[1] if found is not None and found[0] > time.monotonic() else None


def feed_page(*, sight: policy.Sight, article: Article, after: int, top: int = 0) -> FeedPage:
    """The events numbered above `after` that the reader of `sight` may see, oldest first.
    `top`, the feed's number the caller was told of, keys the instant's shared read."""
    key = _shared_key(sight, article, after, top)
    now = time.monotonic()
    shared = shared_page(sight=sight, article=article, after=after, top=top)
    if shared is not None:
        return shared
    rows = list(
        _visible(sight, article)
        .filter(seq__gt=after)
        .select_related("actor", "claim_event")
        .order_by("seq")[: PAGE + 1]
    )
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    page = FeedPage([_shown(event, sight) for event in rows], rows[-1].seq if rows else after, more)
    if top:
        with _RECENT_LOCK:
            if len(_RECENT) > 10_000:
                _RECENT.clear()
            _RECENT[key] = (now + _RECENT_FOR, page)
    return page


def everyone_on(*, article_id: int) -> list[dict[str, Any]]:
    """Everyone with the article's page open (one entry per person, their latest page's), with
    the claim they have open: read once per change and sent to every page, each of which shows
    its reader what `people_for` keeps."""
    fresh = timezone.now() - timedelta(seconds=settings.PRESENCE_TIMEOUT)
    rows = (
        Presence.objects.filter(article_id=article_id, seen_at__gte=fresh)
        .select_related("user")
        .order_by("user__username", "-seen_at")
    )
    people: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = row.user.get_username()
        if name not in people:
            people[name] = {
                "user": row.user_id,
                "username": name,
                "initials": initials(row.user),
                "claim": row.claim_id,
            }
    return list(people.values())


def listed_claims(*, sight: policy.Sight, article: Article) -> frozenset[int]:
    """The article's claims this reader may know exist."""
    found = Claim.objects.filter(article_id=article.pk).filter(policy.claims_listed(sight))
    return frozenset(found.values_list("pk", flat=True))


def people_for(
    everyone: list[dict[str, Any]],
    *,
    sight: policy.Sight,
    article: Article,
    listed: frozenset[int],
) -> list[dict[str, Any]]:
    """Of `everyone_on`, what this reader is shown: the others, and which claim each has open
    only where the policy lets the reader know it."""
    where = policy.sees_where_others_are(sight, article.workspace_id)
    return [
        {
            "username": person["username"],
            "initials": person["initials"],
            "claim": person["claim"] if where and person["claim"] in listed else None,
        }
        for person in everyone
        if person["user"] != sight.user_id
    ]


def initials(user: User) -> str:
    """ "Alice Martin" -> "AM"; a user without a name: the first two letters of the username."""
    words = [word for word in (user.first_name, user.last_name) if word.strip()]
    if words:
        return "".join(word.strip()[0] for word in words).upper()
    return user.get_username()[:2].upper()


def _shown(event: LiveEvent, sight: policy.Sight) -> dict[str, Any]:
    """An event as the reader is told of it. Its actor is named where the policy shows who did
    it (a history event or a comment the reader may see, the reader themselves, or a reader blind
    review hides nothing from); a claim's maker or a candidate's decider otherwise stays unnamed,
    as on the claim itself."""
    named = (
        event.claim_event_id is not None
        or event.comment_id is not None
        or event.actor_id == sight.user_id
        or sight.all_clear
    )
    return {
        "seq": event.seq,
        "kind": event.kind,
        "claim": event.claim_id,
        "comment": event.comment_id,
        "change": event.claim_event.kind if event.claim_event else None,
        "actor": event.actor.get_username() if event.actor and named else None,
        # The tab it came from, so that tab skips its own change: only with its actor named
        # (under blind review an unnamed maker's tab would tie their changes together).
        "tab": (event.origin or None) if named and event.actor_id is not None else None,
        "at": event.created_at.isoformat(),
    }
