"""The article's live feed: events numbered in order, served over the WebSocket and by the
polling route alike, through the blind-review policy, with nothing lost across a dropped
connection; the socket refuses strangers and other sites' pages.

The socket tests run the real ASGI application (workbench.asgi) and the real channel layer
(Redis when REDIS_URL is set), with committed data: the consumer reads the database from its own
threads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from annotations import selectors_live
from annotations.consumers import SIGHT_TTL
from annotations.models import Article, Claim, LiveEvent, Membership, Workspace
from annotations.services.assessments import assessment_create
from annotations.services.claims import claim_create
from annotations.services.comments import comment_create
from annotations.services.notifications import notifications_mark_read
from annotations.services.workspaces import member_remove, workspace_update
from workbench.asgi import application

Api = Callable[[User | None], APIClient]


def feed(api: Api, user: User, article: Article, after: Any = 0) -> Any:
    answer = api(user).get(f"/api/v1/articles/{article.pk}/events/", {"after": after})
    return answer


def make_claim(article: Article, user: User, phrase: str) -> Claim:
    start = article.text.index(phrase)
    return claim_create(user=user, article=article, start=start, end=start + len(phrase)).claim


def test_the_feed_numbers_each_change_in_order_and_serves_what_came_after(
    article: Article, bob: User, erin: User, api: Api
) -> None:
    claim = make_claim(article, erin, "Une trentaine de départements")
    assessment_create(user=bob, claim=claim, verdict="true")
    comment_create(user=bob, claim=claim, body="Insee agrees")

    everything = feed(api, bob, article).json()
    kinds = [(e["kind"], e["change"], e["actor"]) for e in everything["events"]]
    assert kinds[0] == ("claim", None, "erin")
    assert ("claim", "assessment_created", "bob") in kinds
    assert kinds[-1] == ("comment", None, "bob")
    seqs = [e["seq"] for e in everything["events"]]
    assert seqs == sorted(seqs) == list(range(1, len(seqs) + 1))
    assert everything["cursor"] == seqs[-1] and everything["more"] is False

    later = feed(api, bob, article, after=seqs[-2]).json()
    assert [e["seq"] for e in later["events"]] == [seqs[-1]]
    assert feed(api, bob, article, after=seqs[-1]).json()["events"] == []


def test_the_feed_names_bad_input_and_hides_the_article_from_strangers(
    article: Article, bob: User, mallory: User, api: Api
) -> None:
    bad = feed(api, bob, article, after="yesterday")
    assert bad.status_code == 400 and "after" in bad.json()
    assert feed(api, bob, article, after=-1).status_code == 400
    assert feed(api, mallory, article).status_code == 404


def test_a_blind_reviewer_is_told_nothing_of_a_colleagues_work_before_her_verdict(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    start = feed(api, carol, article).json()["cursor"]
    assessment_create(user=bob, claim=claim, verdict="false", rationale="bob's reasons")
    comment_create(user=bob, claim=claim, body="bob thinks it is false")

    hidden = feed(api, carol, article, after=start).json()
    assert hidden["events"] == []
    # Not even the numbering tells her something happened.
    assert hidden["cursor"] == start
    assert LiveEvent.objects.filter(article=article, seq__gt=start).count() >= 2

    assessment_create(user=carol, claim=claim, verdict="true")
    mine = feed(api, carol, article, after=hidden["cursor"]).json()["events"]
    assert ("assessment_created", "carol") in {(e["change"], e["actor"]) for e in mine}


# --- The socket ----------------------------------------------------------------------------------


def _cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def _socket(article: Article, cookie: bytes | None, origin: str = "http://testserver") -> Any:
    """A page's socket on the article, signed in with `cookie` (from _cookie, made outside the
    event loop: signing in reads the database)."""
    headers = [(b"origin", origin.encode())]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/articles/{article.pk}/", headers=headers)


live_db = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def own_channel_layer() -> Iterator[None]:
    """Each test's sockets on a channel layer of their own. The Redis layer keeps one receive
    lock per instance, bound to the event loop that first waits on it: shared with another test's
    loop (each test runs its own), or with the browser tests' server running in its thread, a
    lock left held there fails here with "bound to a different event loop", and the other way
    round."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


async def next_of(page: Any, kind: str, timeout: float = 5) -> dict[str, Any]:
    """The next message of this type (others, such as presence, are passed over)."""
    while True:
        message: dict[str, Any] = await page.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message


@live_db
def test_the_socket_pushes_a_new_claim_and_a_resumed_connection_misses_nothing(
    article: Article, bob: User, erin: User
) -> None:
    bobs = _cookie(bob)

    async def play() -> None:
        page = _socket(article, bobs)
        connected, _ = await page.connect(timeout=5)
        assert connected
        await next_of(page, "hello")

        claim = await database_sync_to_async(make_claim)(article, erin, "Une trentaine")
        pushed = await next_of(page, "events")
        assert [(e["kind"], e["claim"]) for e in pushed["events"]] == [("claim", claim.pk)]
        seen = pushed["cursor"]
        await page.disconnect()

        # While bob's page is away, erin comments twice.
        for body in ("first note", "second note"):
            await database_sync_to_async(comment_create)(user=erin, claim=claim, body=body)

        again = _socket(article, bobs)
        assert (await again.connect(timeout=5))[0]
        assert (await next_of(again, "hello"))["cursor"] == seen + 2
        await again.send_json_to({"type": "resume", "after": seen})
        caught_up = await next_of(again, "events")
        assert [e["kind"] for e in caught_up["events"]] == ["comment", "comment"]
        assert caught_up["cursor"] == seen + 2
        await again.send_json_to({"type": "resume", "after": "soon"})
        assert "after" in (await next_of(again, "error"))["detail"]
        await again.send_to(text_data="{not json")
        assert "JSON" in (await next_of(again, "error"))["detail"]
        await again.disconnect()

    async_to_sync(play)()


@live_db
def test_the_socket_sends_a_blind_reviewer_nothing_of_a_colleagues_verdict(
    workspace: Workspace, article: Article, claim: Claim, alice: User, bob: User, carol: User
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    carols = _cookie(carol)

    async def play() -> None:
        page = _socket(article, carols)
        assert (await page.connect(timeout=5))[0]
        await next_of(page, "hello")
        await next_of(page, "presence")
        await database_sync_to_async(assessment_create)(user=bob, claim=claim, verdict="false")
        await database_sync_to_async(comment_create)(user=bob, claim=claim, body="false, I say")
        assert await page.receive_nothing(timeout=1.5)

        await database_sync_to_async(assessment_create)(user=carol, claim=claim, verdict="true")
        # Her verdict unlocks the claim: she is told of it, and now of bob's work on it.
        told = await next_of(page, "events")
        assert ("assessment_created", "carol") in {
            (e["change"], e["actor"]) for e in told["events"]
        }
        assert ("comment", "bob") in {(e["kind"], e["actor"]) for e in told["events"]}
        await page.disconnect()

    async_to_sync(play)()


@live_db
def test_the_socket_refuses_strangers_visitors_and_other_sites(
    article: Article, bob: User, mallory: User
) -> None:
    bobs, mallorys = _cookie(bob), _cookie(mallory)

    async def play() -> None:
        for cookie, code in ((None, 4401), (mallorys, 4404)):
            page = _socket(article, cookie)
            connected, closed_with = await page.connect(timeout=5)
            assert (connected, closed_with) == (False, code)
        elsewhere = _socket(article, bobs, "https://evil.example")
        connected, _ = await elsewhere.connect(timeout=5)
        assert not connected

    async_to_sync(play)()


@live_db
@pytest.mark.parametrize("blind", [False, True])
def test_presence_shows_who_is_on_the_article_and_on_which_claim_unless_blind(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    blind: bool,
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=blind)
    bobs, carols = _cookie(bob), _cookie(carol)

    async def play() -> None:
        bobs_page = _socket(article, bobs)
        assert (await bobs_page.connect(timeout=5))[0]
        assert (await next_of(bobs_page, "presence"))["people"] == []
        carols_page = _socket(article, carols)
        assert (await carols_page.connect(timeout=5))[0]
        joined = await next_of(bobs_page, "presence")
        assert joined["people"] == [{"username": "carol", "initials": "CA", "claim": None}]
        assert [p["username"] for p in (await next_of(carols_page, "presence"))["people"]] == [
            "bob"
        ]

        await carols_page.send_json_to({"type": "here", "claim": claim.pk})
        if blind:  # bob sees carol on the article, never on which claim
            assert await bobs_page.receive_nothing(timeout=1)
        else:
            moved = await next_of(bobs_page, "presence")
            assert moved["people"][0]["claim"] == claim.pk
        await carols_page.send_json_to({"type": "here", "claim": "first"})
        assert "claim" in (await next_of(carols_page, "error"))["detail"]

        await carols_page.disconnect()
        assert (await next_of(bobs_page, "presence"))["people"] == []
        await bobs_page.disconnect()

    async_to_sync(play)()


@live_db
def test_the_badge_socket_counts_unread_notifications_as_they_come_and_go(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, dave: User
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    daves, carols = _cookie(dave), _cookie(carol)

    async def play() -> None:
        daves_badge = WebsocketCommunicator(
            application, "/ws/me/", headers=[(b"origin", b"http://testserver"), (b"cookie", daves)]
        )
        carols_badge = WebsocketCommunicator(
            application, "/ws/me/", headers=[(b"origin", b"http://testserver"), (b"cookie", carols)]
        )
        for badge in (daves_badge, carols_badge):
            assert (await badge.connect(timeout=5))[0]
            assert await next_of(badge, "unread") == {"type": "unread", "count": 0}

        await database_sync_to_async(comment_create)(user=bob, claim=claim, body="@dave @carol ?")
        assert (await next_of(daves_badge, "unread"))["count"] == 1
        # carol's mention waits for her own verdict (blind review): her count does not move.
        assert await carols_badge.receive_nothing(timeout=1)
        await database_sync_to_async(assessment_create)(user=carol, claim=claim, verdict="true")
        assert (await next_of(carols_badge, "unread"))["count"] == 1

        read = await database_sync_to_async(notifications_mark_read)(user=dave, ids=None)
        assert read == 1
        assert (await next_of(daves_badge, "unread"))["count"] == 0
        for badge in (daves_badge, carols_badge):
            await badge.disconnect()

    async_to_sync(play)()


def test_the_feed_does_not_name_who_made_a_claim_a_blind_reviewer_may_not_see_made(
    workspace: Workspace, article: Article, alice: User, bob: User, carol: User, api: Api
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    made = make_claim(article, bob, "Une trentaine de départements")
    told = feed(api, carol, article).json()["events"]
    assert [(e["claim"], e["actor"]) for e in told if e["claim"] == made.pk] == [(made.pk, None)]
    # bob is told it was him; the editor sees everything.
    assert made.pk in {
        e["claim"] for e in feed(api, bob, article).json()["events"] if e["actor"] == "bob"
    }
    assert "bob" in {e["actor"] for e in feed(api, alice, article).json()["events"]}


def test_an_event_names_the_browser_tab_it_came_from_to_whom_may_know_its_maker(
    workspace: Workspace, article: Article, alice: User, bob: User, carol: User, api: Api
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    phrase = "Une trentaine de départements"
    start = article.text.index(phrase)
    made = api(bob).post(
        "/api/v1/claims/",
        {"article": article.pk, "start": start, "end": start + len(phrase)},
        format="json",
        HTTP_X_WORKBENCH_TAB="tab-1f2e3d",
    )
    assert made.status_code == 201, made.content
    claim = made.json()["id"]

    def tabs(user: User) -> list[Any]:
        events = feed(api, user, article).json()["events"]
        return [e["tab"] for e in events if e["claim"] == claim]

    # bob's tab skips its own change by this; bob's other tabs (another id) apply it.
    assert tabs(bob) == ["tab-1f2e3d"]
    assert tabs(alice) == ["tab-1f2e3d"]
    # A blind reviewer is not told who made it: nor from which tab (it would tie his changes).
    assert tabs(carol) == [None]
    # A header that is not a tab id is not recorded; a write without one records none.
    api(bob).post(
        f"/api/v1/claims/{claim}/comments/",
        {"body": "x"},
        format="json",
        HTTP_X_WORKBENCH_TAB="<script>",
    )
    assert LiveEvent.objects.filter(comment__isnull=False).get().origin == ""


def test_a_blind_reviewers_numbers_have_no_gaps_where_colleagues_worked(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    erin: User,
    api: Api,
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    start = feed(api, carol, article).json()["cursor"]
    assessment_create(user=bob, claim=claim, verdict="false")
    comment_create(user=bob, claim=claim, body="hidden from carol")
    visible_to_all = make_claim(article, erin, "Une trentaine de départements")

    told = feed(api, carol, article, after=start).json()
    # Counted in her own numbers: the next one she may see is start + 1, whatever bob did.
    assert [(e["seq"], e["claim"]) for e in told["events"]] == [(start + 1, visible_to_all.pk)]
    assert told["cursor"] == start + 1
    assert feed(api, carol, article, after=start + 1).json()["events"] == []
    # The editor, blind to nothing, gets the feed's own numbers, gaps and all.
    assert feed(api, alice, article).json()["cursor"] > start + 1


@live_db
def test_a_member_removed_from_the_workspace_loses_the_socket_at_once(
    workspace: Workspace, article: Article, alice: User, bob: User, erin: User
) -> None:
    bobs = _cookie(bob)

    async def play() -> None:
        page = _socket(article, bobs)
        assert (await page.connect(timeout=5))[0]
        await next_of(page, "hello")
        membership = await database_sync_to_async(Membership.objects.get)(
            workspace=workspace, user=bob
        )
        await database_sync_to_async(member_remove)(actor=alice, membership=membership)
        # Closed well within the sight's time to live, before any later change reaches bob.
        closed = await page.receive_output(timeout=SIGHT_TTL / 2)
        while closed["type"] != "websocket.close":
            closed = await page.receive_output(timeout=SIGHT_TTL / 2)
        assert closed["code"] == 4404
        await database_sync_to_async(make_claim)(article, erin, "Une trentaine")
        after = []
        while not await page.receive_nothing(timeout=0.5):
            after.append(await page.receive_output())
        assert [m for m in after if m.get("type") == "websocket.send"] == []

    async_to_sync(play)()


def test_readers_blind_review_hides_nothing_from_share_one_read_of_a_change(
    workspace: Workspace, article: Article, alice: User, bob: User, carol: User, erin: User
) -> None:
    make_claim(article, erin, "Une trentaine")
    top = LiveEvent.objects.filter(article=article).count()
    bobs = selectors_live.sight_on(user=bob, article=article)
    carols = selectors_live.sight_on(user=carol, article=article)
    read = selectors_live.feed_page(sight=bobs, article=article, after=0, top=top)
    assert read.events  # the claim, seen by both
    assert selectors_live.shared_page(sight=carols, article=article, after=0, top=top) == read

    workspace_update(user=alice, workspace=workspace, blind_review=True)
    bobs = selectors_live.sight_on(user=bob, article=article)
    carols = selectors_live.sight_on(user=carol, article=article)
    selectors_live.feed_page(sight=bobs, article=article, after=0, top=top + 1)
    # Under blind review each reader's page is their own.
    assert selectors_live.shared_page(sight=carols, article=article, after=0, top=top + 1) is None
