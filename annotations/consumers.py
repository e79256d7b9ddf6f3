"""The article page's WebSocket, `/ws/articles/{id}/` (routed in workbench.asgi).

Signed-in members only (the session cookie; the origin is checked against ALLOWED_HOSTS by the
router), as for the API: anyone else is refused before anything is sent. Once open, the page is
told where the feed stands (`{"type": "hello", "cursor": N}`); it may ask for what came after the
last number it saw (`{"type": "resume", "after": N}`), after a dropped connection for instance.
Whenever the article's feed moves (annotations.services.live), the page is sent the new events
it may see (`{"type": "events", "events": [...], "cursor": N}`): what the policy hides from this
reader is never sent, not even as a count. The events are read by annotations.selectors_live,
as the polling route reads them.

Presence: the page says which claim its reader has open (`{"type": "here", "claim": id or
null}`) and that it is still there (`{"type": "ping"}`, every `ping` seconds of the hello); every
page on the article is sent who else is there (`{"type": "presence", "people": [{"username",
"initials", "claim"}]}`) whenever that changes, the claim only where the policy lets the reader
know it (annotations.policy.sees_where_others_are).

The consumer is asynchronous: telling 200 pages of one change costs no thread hop for the pages
whose answer another page of the same reader has just read (selectors_live.feed_page's shared
read); the database is read in Django's threads (database_sync_to_async).
"""

from __future__ import annotations

import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import User
from django.http import Http404

from annotations import policy, selectors, selectors_live, selectors_notifications
from annotations.models import Article
from annotations.services import presence
from annotations.services.live import group_name, user_group

# Close codes (4000-4999 are the application's): the page says why and does not reconnect.
NOT_SIGNED_IN = 4401
NOT_FOUND = 4404
# Seconds a socket keeps the reader's sight (roles, blind review) before reading it again; a
# change made through the services is pushed at once (access_changed), this bounds the others.
SIGHT_TTL = 5.0


@database_sync_to_async
def _open(user: User, article_id: int, channel_name: str) -> Article | None:
    """The article, if the user may read it; their presence recorded."""
    try:
        article = selectors.article_get(user=user, article_id=article_id)
    except Http404:
        return None
    presence.presence_join(user=user, article_id=article.pk, channel_name=channel_name)
    return article


@database_sync_to_async
def _sight(user: User, article: Article) -> tuple[policy.Sight, frozenset[int]]:
    sight = selectors_live.sight_on(user=user, article=article)
    return sight, selectors_live.listed_claims(sight=sight, article=article)


class ArticleConsumer(AsyncJsonWebsocketConsumer):
    article_id: int
    user: User
    cursor: int  # in the feed's numbers
    number: int  # the same, in the numbers this reader is given
    group: str
    article: Article
    sight: policy.Sight
    sight_at: float
    listed: frozenset[int]
    seen: list[dict[str, Any]] | None

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.article_id = int(self.scope["url_route"]["kwargs"]["article_id"])
        if not isinstance(user, User) or not user.is_active:
            await self.close(code=NOT_SIGNED_IN)
            return
        self.user = user
        opened = await _open(user, self.article_id, self.channel_name)
        if opened is None:
            await self.close(code=NOT_FOUND)
            return
        self.article = opened
        self.group = group_name(self.article_id)
        self.sight_at = 0.0
        self.seen = None
        # Joined before the position is read: an event committed in between is either below
        # the position (the page asks for it with `resume`) or announced to this socket.
        await self.channel_layer.group_add(self.group, self.channel_name)
        # The reader's own group: told when what they may see changes (access_changed).
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        self.number = await database_sync_to_async(selectors_live.feed_position)(
            user=user, article=opened
        )
        self.sight, self.listed = await _sight(user, opened)
        self.sight_at = time.monotonic()
        self.cursor = await database_sync_to_async(selectors_live.to_feed)(
            self.sight, opened, self.number
        )
        await self.accept()
        await self.send_json(
            {"type": "hello", "cursor": self.number, "ping": settings.PRESENCE_PING}
        )
        await self.tell_presence()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
            await database_sync_to_async(presence.presence_leave)(channel_name=self.channel_name)
            await self.tell_presence()

    async def access_changed(self, message: dict[str, Any]) -> None:
        """The reader was removed from a workspace, got another role, or blind review changed:
        read their sight at once (not at the next SIGHT_TTL); no longer a member, the socket
        closes before anything more is sent."""
        self.sight_at = 0.0
        await self.current_sight()

    async def unread_changed(self, message: dict[str, Any]) -> None:
        """Meant for the top bar's socket (MeConsumer), which shares the reader's group."""

    async def tell_presence(self) -> None:
        """Tell every page on the article who is there now (read once, here; each page keeps
        what its reader may be shown)."""
        everyone = await database_sync_to_async(selectors_live.everyone_on)(
            article_id=self.article_id
        )
        await self.channel_layer.group_send(
            self.group, {"type": "presence.changed", "everyone": everyone}
        )

    async def presence_changed(self, message: dict[str, Any]) -> None:
        sight = await self.current_sight()
        if sight is None:
            return
        everyone = message["everyone"]
        if any(p["claim"] is not None and p["claim"] not in self.listed for p in everyone):
            # A claim made since the list was read: read it again.
            self.sight_at = 0.0
            sight = await self.current_sight()
            if sight is None:
                return
        people = selectors_live.people_for(
            everyone, sight=sight, article=self.article, listed=self.listed
        )
        if people != self.seen:
            self.seen = people
            await self.send_json({"type": "presence", "people": people})

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        """A frame that is not JSON text gets an answer saying so (not a closed socket)."""
        try:
            content = await self.decode_json(text_data) if text_data else None
        except ValueError:
            content = None
        if content is None:
            await self.send_json({"type": "error", "detail": "Send JSON text."})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "here":
            claim = content.get("claim")
            if claim is not None and (not isinstance(claim, int) or isinstance(claim, bool)):
                await self.send_json({"type": "error", "detail": "claim: a claim id, or null."})
                return
            moved = await database_sync_to_async(presence.presence_at)(
                channel_name=self.channel_name, claim_id=claim
            )
            if moved:
                await self.tell_presence()
            return
        if kind == "ping":
            await database_sync_to_async(presence.presence_touch)(channel_name=self.channel_name)
            return
        if kind != "resume":
            await self.send_json({"type": "error", "detail": "type: one of resume, here, ping."})
            return
        after = content.get("after")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self.send_json({"type": "error", "detail": "after: a whole number, 0 or more."})
            return
        sight = await self.current_sight()
        if sight is None:
            return
        self.number = after
        self.cursor = await database_sync_to_async(selectors_live.to_feed)(
            sight, self.article, after
        )
        await self.catch_up()

    async def feed_moved(self, message: dict[str, Any]) -> None:
        """The article's feed reached `message["seq"]`: send what this reader may see of it
        (nothing, when the policy hides it all: not even that something happened)."""
        if int(message["seq"]) > self.cursor:
            await self.catch_up(top=int(message["seq"]))

    async def current_sight(self) -> policy.Sight | None:
        """The reader's sight, read again every SIGHT_TTL seconds (a role changed, blind review
        turned on, the reader removed: None, and the socket closes)."""
        now = time.monotonic()
        if now - self.sight_at > SIGHT_TTL:
            self.sight, self.listed = await _sight(self.user, self.article)
            self.sight_at = now
        if self.article.workspace_id not in self.sight.member:
            await self.close(code=NOT_FOUND)
            return None
        return self.sight

    async def catch_up(self, top: int = 0) -> None:
        while True:
            sight = await self.current_sight()
            if sight is None:  # removed from the workspace meanwhile
                return
            page = selectors_live.shared_page(
                sight=sight, article=self.article, after=self.cursor, top=top
            )
            if page is None:
                page = await database_sync_to_async(selectors_live.feed_page)(
                    sight=sight, article=self.article, after=self.cursor, top=top
                )
            self.cursor = page.cursor
            told = (
                selectors_live.renumbered(page, self.number)
                if selectors_live.own_numbers(sight, self.article)
                else page
            )
            self.number = told.cursor
            if told.events or told.more:
                await self.send_json(
                    {"type": "events", "events": told.events, "cursor": told.cursor}
                )
            if not page.more:
                return


class MeConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/me/`, opened by every page of a signed-in person: their unread notifications' count
    (`{"type": "unread", "count": N}`), sent at once and again whenever it changes, so that the
    top bar's badge lights without a reload. Counted through the policy (selectors_notifications):
    a mention blind review holds back is not counted until it may be read."""

    user: User
    count: int
    group: str

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not isinstance(user, User) or not user.is_active:
            await self.close(code=NOT_SIGNED_IN)
            return
        self.user = user
        self.count = -1
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.unread_changed({})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        await self.send_json({"type": "error", "detail": "This socket only speaks."})

    async def access_changed(self, message: dict[str, Any]) -> None:
        """Meant for the article sockets in the same group: the count may have changed too (a
        removed member's notifications of that workspace are no longer theirs to read)."""
        await self.unread_changed(message)

    async def unread_changed(self, message: dict[str, Any]) -> None:
        count = await database_sync_to_async(selectors_notifications.unread_count)(user=self.user)
        if count != self.count:
            self.count = count
            await self.send_json({"type": "unread", "count": count})
