"""The live feed of an article: every change the open pages must show, numbered in order.

A write records a LiveEvent in its own transaction (`live_event`), numbered from the article's
LiveFeed row, which the write locks for the rest of its transaction: numbers therefore follow the
order writes commit in, and a page that saw number N and asks for what came after it misses
nothing. The lock is taken last in every write (after the claim or the article it changes), so it
joins no lock cycle. Once the write commits, the article's channel group is told the new number
(`annotations.consumers`; the write does not wait for Redis to take the message): each open page
then reads, through the visibility policy, the events after the last one it has, and is sent
those it may see.

An event says what changed (a claim, a comment, the article's fetch, extraction or candidates),
never the content: the page reads the claim again through the API, which asks the policy too.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import os
import re
import threading
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from channels.layers import get_channel_layer
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from annotations.models import ClaimEvent, Comment, LiveEvent, LiveFeed

logger = logging.getLogger(__name__)

Kind = LiveEvent.Kind

# The browser tab the current request's changes come from (annotations.middleware.LiveTabMiddleware
# sets it from the X-Workbench-Tab header): recorded on their events as `origin`.
_TAB: ContextVar[str] = ContextVar("workbench_tab", default="")
_TAB_FORMAT = re.compile(r"[A-Za-z0-9-]{1,40}")


@contextmanager
def changes_from_tab(tab: str | None) -> Iterator[None]:
    """Record the events written inside as coming from browser tab `tab` (ignored unless it is
    1 to 40 letters, digits or dashes)."""
    token = _TAB.set(tab if tab and _TAB_FORMAT.fullmatch(tab) else "")
    try:
        yield
    finally:
        _TAB.reset(token)


def group_name(article_id: int) -> str:
    """The channel group of an article's open pages."""
    return f"article.{article_id}"


def live_event(
    *,
    article_id: int,
    kind: str,
    claim_id: int | None = None,
    claim_event: ClaimEvent | None = None,
    comment: Comment | None = None,
    actor: User | None = None,
) -> LiveEvent:
    """Record one change of an article in the caller's transaction; the open pages hear of it
    once that commits."""
    event = LiveEvent(
        kind=kind, claim_id=claim_id, claim_event=claim_event, comment=comment, actor=actor
    )
    return live_events(article_id=article_id, events=[event])[0]


def live_events(*, article_id: int, events: Sequence[LiveEvent]) -> list[LiveEvent]:
    """Number and record changes of one article (unsaved LiveEvent rows: kind, claim, history
    event, comment, actor) in the caller's transaction, in the order given; the open pages hear
    of them once that commits. On PostgreSQL the feed moves and the rows are written in one
    statement; elsewhere in three."""
    if not events:
        return []
    now = timezone.now()
    tab = _TAB.get()
    for event in events:
        event.article_id = article_id
        event.created_at = now
        if event.actor_id is not None:  # a system change made in a request is nobody's tab's
            event.origin = event.origin or tab
    if connection.vendor == "postgresql":
        last = _append(article_id, events)
        if last is None:
            # The article's first event (two first writers: one inserts, both then count).
            LiveFeed.objects.bulk_create([LiveFeed(article_id=article_id)], ignore_conflicts=True)
            last = _append(article_id, events)
        assert last is not None, "the article's feed row exists now"
    else:
        with transaction.atomic():
            feed = LiveFeed.objects.filter(article_id=article_id)
            if not feed.update(last_seq=F("last_seq") + len(events)):
                LiveFeed.objects.bulk_create(
                    [LiveFeed(article_id=article_id)], ignore_conflicts=True
                )
                feed.update(last_seq=F("last_seq") + len(events))
            last = feed.values_list("last_seq", flat=True).get()
            for number, event in enumerate(events, 1):
                event.seq = last - len(events) + number
            LiveEvent.objects.bulk_create(events)
    transaction.on_commit(lambda: announce(article_id, last))
    return list(events)


# The feed moved and the events written in one statement: the new numbers are the feed's old
# last one plus 1, 2, ... (events given as parallel arrays, in their order).
_APPEND_SQL = """
WITH feed AS (
    UPDATE annotations_livefeed SET last_seq = last_seq + %s WHERE article_id = %s
    RETURNING last_seq
)
INSERT INTO annotations_liveevent
    (article_id, seq, kind, claim_id, claim_event_id, comment_id, actor_id, origin, created_at)
SELECT %s, feed.last_seq - %s + v.n, v.kind, v.claim, v.claim_event, v.comment, v.actor,
    v.origin, %s
FROM feed CROSS JOIN unnest(
    %s::integer[], %s::varchar[], %s::bigint[], %s::bigint[], %s::bigint[], %s::integer[],
    %s::varchar[]
) AS v(n, kind, claim, claim_event, comment, actor, origin)
RETURNING id, seq
"""


def _append(article_id: int, events: Sequence[LiveEvent]) -> int | None:
    """Move the article's feed by len(events) and write the events numbered after where it was,
    in one statement (PostgreSQL); the feed's new last number, or None when the article has no
    feed row yet (nothing is written then)."""
    count = len(events)
    params: list[Any] = [
        count,
        article_id,
        article_id,
        count,
        events[0].created_at,
        list(range(1, count + 1)),
        [event.kind for event in events],
        [event.claim_id for event in events],
        [event.claim_event_id for event in events],
        [event.comment_id for event in events],
        [event.actor_id for event in events],
        [event.origin for event in events],
    ]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, params)
        written: dict[int, int] = {seq: pk for pk, seq in cursor.fetchall()}
    if not written:
        return None
    last = max(written)
    for number, event in enumerate(events, 1):
        event.seq = last - count + number
        event.pk = written[event.seq]
    return last


def user_group(user_id: int) -> str:
    """The channel group of one person's open pages (their notification badge)."""
    return f"user.{user_id}"


def tell_unread_later(user_ids: list[int]) -> None:
    """Once the caller's transaction commits, tell these people's pages to count their unread
    notifications again."""
    if user_ids:
        transaction.on_commit(
            lambda: _send_all([(user_group(pk), {"type": "unread.changed"}) for pk in user_ids])
        )


def tell_access_changed(user_ids: list[int]) -> None:
    """Once the caller's transaction commits, tell these people's open sockets that what they
    may see changed (removed from a workspace, another role, blind review turned on or off): an
    article's socket reads their sight again at once and closes when they are no longer a member."""
    if user_ids:
        transaction.on_commit(
            lambda: _send_all([(user_group(pk), {"type": "access.changed"}) for pk in user_ids])
        )


def announce(article_id: int, seq: int) -> None:
    """Tell the article's open pages that its feed reached `seq`. A failure to reach the channel
    layer (Redis down) loses nothing: pages catch up from the feed on their next message or
    reconnection, and the polling route serves the same feed."""
    _send_all([(group_name(article_id), {"type": "feed.moved", "seq": seq})])


def _send_all(messages: list[tuple[str, dict[str, object]]]) -> None:
    """Send to channel groups, without waiting: a failure is logged, never raised (pages catch up
    on their own, from the feed, on their next message or reconnection). The sends run on this
    process's announcing event loop (`_Announcer`), whose Redis connections the channel layer
    keeps from one message to the next."""
    layer = get_channel_layer()
    if layer is None:
        return

    async def send() -> None:
        for group, message in messages:
            try:
                await layer.group_send(group, message)
            except Exception:
                logger.warning("could not tell the pages of %s", group)

    _announcer.submit(send)


class _Announcer:
    """This process's event loop for telling pages, on a daemon thread of its own, started on
    first use (again in a forked child: a thread does not survive a fork).

    One loop for the life of the process: the channel layer keeps its Redis connections per event
    loop, and async_to_sync, called from a plain thread, made a new loop, hence a new connection,
    for each message (4 ms of a new claim's 21). The caller does not wait for the send (the
    pages read what changed from the feed, which the write committed already): at most
    MAX_WAITING sends wait at once (Redis hung), further ones are dropped with a warning, and a
    process that exits gives the waiting ones EXIT_WAIT seconds."""

    MAX_WAITING = 1000
    EXIT_WAIT = 2.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.waiting: set[concurrent.futures.Future[None]] = set()

    def submit(self, send: Callable[[], Coroutine[Any, Any, None]]) -> None:
        with self.lock:
            if self.loop is None or self.pid != os.getpid():
                self.loop, self.pid = asyncio.new_event_loop(), os.getpid()
                self.waiting = set()
                threading.Thread(
                    target=self.loop.run_forever, name="live-announcer", daemon=True
                ).start()
                atexit.register(self.drain)
            if len(self.waiting) >= self.MAX_WAITING:
                logger.warning("the channel layer is not keeping up: pages will catch up later")
                return
            sending = asyncio.run_coroutine_threadsafe(send(), self.loop)
            self.waiting.add(sending)
        sending.add_done_callback(self._done)

    def _done(self, sending: concurrent.futures.Future[None]) -> None:
        with self.lock:
            self.waiting.discard(sending)

    def drain(self) -> None:
        """Let the sends still waiting finish (a command or a worker that exits), for a while."""
        with self.lock:
            waiting = list(self.waiting) if self.pid == os.getpid() else []
        concurrent.futures.wait(waiting, timeout=self.EXIT_WAIT)


_announcer = _Announcer()
