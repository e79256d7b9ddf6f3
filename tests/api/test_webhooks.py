"""Webhooks: an editor sets one up (secret shown once), events reach a real HTTP receiver signed with
HMAC-SHA256, failures are retried with exponential backoff by the sweep, a delivery can be sent
again by hand, and targets on private or loopback addresses are refused unless listed."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django import Settings as SettingsWrapper
from rest_framework.test import APIClient

from annotations.models import Article, Claim, Webhook, WebhookDelivery, Workspace
from annotations.services.articles import article_mark
from annotations.services.publishing import claim_publish, claim_unpublish
from annotations.services.webhooks import allowed_internal, retry_delay, webhooks_sweep
from annotations.webfetch import _is_public
from tests.conftest import Receiver, results

Api = Callable[[User | None], APIClient]
Status = WebhookDelivery.Status


@pytest.fixture
def sends(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Callable[[Callable[[], Any]], Any]:
    """Run a write and then what it asked for once committed (the sending, here in-process)."""

    def run(write: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


Sends = Callable[[Callable[[], Any]], Any]


def make_hook(api: Api, editor: User, workspace: Workspace, url: str, events: list[str]) -> Any:
    answer = api(editor).post(
        f"/api/v1/workspaces/{workspace.pk}/webhooks/",
        {"url": url, "events": events, "description": "CMS"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def settle(api: Api, claim: Claim, bob: User, carol: User) -> None:
    for reviewer in (bob, carol):
        answer = api(reviewer).post(
            f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": "false"}, format="json"
        )
        assert answer.status_code == 201, answer.content


def test_a_published_claim_reaches_the_receiver_signed_with_the_secret_shown_once(
    claim: Claim,
    workspace: Workspace,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
    receiver: Receiver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    made = make_hook(api, alice, workspace, receiver.url, ["claim.published", "claim.resolved"])
    secret = made["secret"]
    assert len(secret) >= 40
    listed = results(api(alice).get(f"/api/v1/workspaces/{workspace.pk}/webhooks/"))
    assert [h["url"] for h in listed] == [receiver.url]
    assert "secret" not in listed[0]
    assert "secret" not in api(alice).get(f"/api/v1/webhooks/{made['id']}/").json()

    with django_capture_on_commit_callbacks(execute=True):
        settle(api, claim, bob, carol)
    with django_capture_on_commit_callbacks(execute=True):
        claim_publish(user=alice, claim=Claim.objects.get(pk=claim.pk))

    assert [r["headers"]["X-Workbench-Event"] for r in receiver.received] == [
        "claim.resolved",
        "claim.published",
    ]
    published = receiver.received[1]
    body = published["body"]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert published["headers"]["X-Workbench-Signature-256"] == expected
    assert published["path"] == "/hooks/workbench"
    sent = json.loads(body)
    assert sent["event"] == "claim.published"
    assert sent["claim"]["id"] == claim.pk
    assert sent["claim"]["verdict"]["slug"] == "false"
    assert sent["claim"]["text"] == claim.exact
    assert sent["workspace"] == {"id": workspace.pk, "name": workspace.name}
    assert sent["actor"] == "alice"

    log = results(api(alice).get(f"/api/v1/webhooks/{made['id']}/deliveries/"))
    assert [(d["event"], d["status"], d["response_code"]) for d in log] == [
        ("claim.published", "delivered", 200),
        ("claim.resolved", "delivered", 200),
    ]
    assert log[0]["uuid"] == published["headers"]["X-Workbench-Delivery"]


def test_a_tampered_body_does_not_match_the_signature(
    workspace: Workspace, alice: User, api: Api, receiver: Receiver, sends: Sends
) -> None:
    made = make_hook(api, alice, workspace, receiver.url, ["claim.published"])
    answer = sends(lambda: api(alice).post(f"/api/v1/webhooks/{made['id']}/ping/"))
    assert answer.status_code == 202, answer.content
    [ping] = receiver.received
    signed = ping["headers"]["X-Workbench-Signature-256"]
    forged = ping["body"].replace(b'"ping"', b'"claim.published"')
    assert forged != ping["body"]
    check = "sha256=" + hmac.new(made["secret"].encode(), forged, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(check, signed)
    # A new secret signs from now on; the old one no longer matches.
    renewed = api(alice).post(f"/api/v1/webhooks/{made['id']}/secret/").json()["secret"]
    assert renewed != made["secret"]
    sends(lambda: api(alice).post(f"/api/v1/webhooks/{made['id']}/ping/"))
    second = receiver.received[1]
    digest = hmac.new(renewed.encode(), second["body"], hashlib.sha256).hexdigest()
    assert second["headers"]["X-Workbench-Signature-256"] == f"sha256={digest}"


def test_a_failed_delivery_is_retried_with_growing_waits_until_it_gets_through(
    workspace: Workspace,
    alice: User,
    api: Api,
    receiver: Receiver,
    settings: SettingsWrapper,
    sends: Sends,
) -> None:
    settings.WEBHOOK_RETRY_BASE = 30
    receiver.answers = [500, 503, 302]
    made = make_hook(api, alice, workspace, receiver.url, ["claim.published"])
    sends(lambda: api(alice).post(f"/api/v1/webhooks/{made['id']}/ping/"))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (Status.RETRYING, 1, 500)
    assert delivery.next_attempt_at is not None
    first_wait = delivery.next_attempt_at - delivery.last_attempt_at  # type: ignore[operator]
    assert first_wait == timedelta(seconds=30)

    # Not due yet: the sweep leaves it.
    assert webhooks_sweep(now=timezone.now())["sent"] == 0
    assert len(receiver.received) == 1

    waits = []
    for _round in range(3):
        delivery.refresh_from_db()
        assert delivery.next_attempt_at is not None
        due = delivery.next_attempt_at + timedelta(seconds=1)
        assert sends(partial(webhooks_sweep, now=due))["sent"] == 1
        delivery.refresh_from_db()
        if delivery.next_attempt_at is not None:
            waits.append(delivery.next_attempt_at - delivery.last_attempt_at)  # type: ignore[operator]
    assert waits == [timedelta(seconds=60), timedelta(seconds=120)]
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        Status.DELIVERED,
        4,
        200,
    )
    assert len(receiver.received) == 4
    # Each attempt carried the same delivery id and body: a receiver can drop duplicates.
    assert len({r["headers"]["X-Workbench-Delivery"] for r in receiver.received}) == 1
    assert len({r["body"] for r in receiver.received}) == 1


def test_backoff_doubles_up_to_its_ceiling_and_gives_up_after_the_last_attempt(
    workspace: Workspace,
    alice: User,
    api: Api,
    receiver: Receiver,
    settings: SettingsWrapper,
    sends: Sends,
) -> None:
    settings.WEBHOOK_RETRY_BASE = 30
    settings.WEBHOOK_RETRY_MAX = 100
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]

    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [500, 500]
    made = make_hook(api, alice, workspace, receiver.url, ["claim.published"])
    sends(lambda: api(alice).post(f"/api/v1/webhooks/{made['id']}/ping/"))
    delivery = WebhookDelivery.objects.get()
    sends(lambda: webhooks_sweep(now=timezone.now() + timedelta(hours=1)))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        Status.FAILED,
        2,
        None,
    )
    assert delivery.error == "HTTP 500"
    assert webhooks_sweep(now=timezone.now() + timedelta(days=1))["sent"] == 0

    # Sent again by hand: a new delivery with the same body.
    answer = sends(lambda: api(alice).post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/"))
    assert answer.status_code == 202, answer.content
    again = WebhookDelivery.objects.get(pk=answer.json()["id"])
    assert (again.status, again.redelivery_of_id, again.body) == (
        Status.DELIVERED,
        delivery.pk,
        delivery.body,
    )
    assert receiver.received[-1]["body"] == delivery.body.encode()


def test_a_redirect_is_not_followed(
    workspace: Workspace, alice: User, api: Api, receiver: Receiver, sends: Sends
) -> None:
    receiver.answers = [302]
    made = make_hook(api, alice, workspace, receiver.url, ["claim.published"])
    sends(lambda: api(alice).post(f"/api/v1/webhooks/{made['id']}/ping/"))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.RETRYING
    assert "redirects are not followed" in delivery.error
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:8000/hook", "non-public address (127.0.0.1)"),
        ("http://localhost/hook", "non-public address"),
        ("http://10.0.0.7/hook", "non-public address (10.0.0.7)"),
        ("http://169.254.169.254/latest/meta-data/", "non-public address (169.254.169.254)"),
        ("http://[::1]/hook", "non-public address (::1)"),
        ("ftp://example.org/hook", "http or https"),
        ("https://user:pw@example.org/hook", "user name or password"),
        ("not a url", "http or https"),
    ],
)
def test_private_loopback_and_odd_targets_are_refused(
    workspace: Workspace, alice: User, api: Api, url: str, says: str
) -> None:
    answer = api(alice).post(
        f"/api/v1/workspaces/{workspace.pk}/webhooks/",
        {"url": url, "events": ["claim.published"]},
        format="json",
    )
    assert answer.status_code == 400, answer.content
    problems = answer.json()["url"]
    assert any(says in p for p in problems), problems
    assert not Webhook.objects.exists()


def test_a_target_that_turns_private_later_is_refused_at_sending_without_retry(
    workspace: Workspace,
    alice: User,
    api: Api,
    receiver: Receiver,
    settings: SettingsWrapper,
    sends: Sends,
) -> None:
    made = make_hook(api, alice, workspace, receiver.url, ["claim.published"])
    settings.WEBHOOK_ALLOWED_HOSTS = []  # the administrator takes the host off the list
    sends(lambda: api(alice).post(f"/api/v1/webhooks/{made['id']}/ping/"))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "non-public address" in delivery.error
    assert receiver.received == []


def test_events_are_checked_and_only_editors_manage_webhooks(
    workspace: Workspace, alice: User, bob: User, mallory: User, api: Api, receiver: Receiver
) -> None:
    endpoint = f"/api/v1/workspaces/{workspace.pk}/webhooks/"
    for events, says in (([], "empty"), (["claim.deleted"], "claim.deleted"), ("x", "list")):
        answer = api(alice).post(endpoint, {"url": receiver.url, "events": events}, format="json")
        assert answer.status_code == 400, answer.content
        assert says in str(answer.json()["events"]), answer.content
    payload = {"url": receiver.url, "events": ["claim.published"]}
    assert api(bob).post(endpoint, payload, format="json").status_code == 403
    assert api(bob).get(endpoint).status_code == 403
    assert api(mallory).post(endpoint, payload, format="json").status_code == 404
    made = make_hook(api, alice, workspace, receiver.url, ["claim.published"])
    assert api(bob).get(f"/api/v1/webhooks/{made['id']}/deliveries/").status_code == 403
    assert api(mallory).delete(f"/api/v1/webhooks/{made['id']}/").status_code == 404
    assert Webhook.objects.count() == 1


def test_a_webhook_turned_off_is_sent_nothing_and_cannot_be_redelivered_to(
    claim: Claim,
    workspace: Workspace,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
    receiver: Receiver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    sends: Sends,
) -> None:
    made = make_hook(api, alice, workspace, receiver.url, ["claim.resolved"])
    sends(lambda: api(alice).post(f"/api/v1/webhooks/{made['id']}/ping/"))
    changed = api(alice).patch(f"/api/v1/webhooks/{made['id']}/", {"active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["active"] is False
    with django_capture_on_commit_callbacks(execute=True):
        settle(api, claim, bob, carol)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.RESOLVED
    assert [r["headers"]["X-Workbench-Event"] for r in receiver.received] == ["ping"]
    ping = WebhookDelivery.objects.get()
    answer = api(alice).post(f"/api/v1/webhook-deliveries/{ping.pk}/redeliver/")
    assert answer.status_code == 409, answer.content


def test_a_dispute_and_an_extraction_are_announced_to_the_webhooks_that_want_them(
    claim: Claim,
    article: Article,
    workspace: Workspace,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
    receiver: Receiver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    make_hook(api, alice, workspace, receiver.url, ["claim.disputed", "article.extracted"])
    with django_capture_on_commit_callbacks(execute=True):
        for reviewer, verdict in ((bob, "true"), (carol, "false")):
            api(reviewer).post(
                f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": verdict}, format="json"
            )
    with django_capture_on_commit_callbacks(execute=True):
        article_mark(article_id=article.pk, stage="extraction", status=Article.Status.DONE)
    bodies = [json.loads(r["body"]) for r in receiver.received]
    assert [b["event"] for b in bodies] == ["claim.disputed", "article.extracted"]
    assert bodies[0]["claim"]["status"] == "disputed" and bodies[0]["claim"]["verdict"] is None
    assert bodies[1]["article"]["id"] == article.pk
    assert bodies[1]["article"]["page"].endswith(f"/articles/{article.pk}/")


def test_a_target_that_answers_a_byte_at_a_time_is_cut_off_at_the_timeout(
    workspace: Workspace,
    alice: User,
    api: Api,
    receiver: Receiver,
    settings: SettingsWrapper,
    sends: Sends,
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip() -> None:
        peer, _address = listener.accept()
        with peer:
            peer.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 100:
                if stop.wait(0.25):
                    return
                with contextlib.suppress(OSError):
                    peer.send(bytes([byte]))

    threading.Thread(target=drip, daemon=True).start()
    settings.WEBHOOK_TIMEOUT = 1.0
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/slow"
    settings.WEBHOOK_ALLOWED_HOSTS = [f"127.0.0.1:{listener.getsockname()[1]}"]
    made = make_hook(api, alice, workspace, url, ["claim.published"])
    began = time.monotonic()
    sends(lambda: api(alice).post(f"/api/v1/webhooks/{made['id']}/ping/"))
    took = time.monotonic() - began
    stop.set()
    listener.close()
    delivery = WebhookDelivery.objects.get()
    assert took < 3, took
    assert delivery.status == Status.RETRYING
    assert "within 1.0 s" in delivery.error


def test_an_answer_with_nul_bytes_is_logged_without_them(
    workspace: Workspace, alice: User, api: Api, receiver: Receiver, sends: Sends
) -> None:
    receiver.body = "délivré".encode("utf-16")
    made = make_hook(api, alice, workspace, receiver.url, ["claim.published"])
    sends(lambda: api(alice).post(f"/api/v1/webhooks/{made['id']}/ping/"))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.DELIVERED and "\x00" not in delivery.response_excerpt
    assert len(receiver.received) == 1


def test_unpublishing_is_its_own_event_with_the_editors_note(
    claim: Claim,
    workspace: Workspace,
    alice: User,
    bob: User,
    carol: User,
    api: Api,
    receiver: Receiver,
    sends: Sends,
) -> None:
    make_hook(api, alice, workspace, receiver.url, ["claim.unpublished", "claim.published"])
    sends(lambda: settle(api, claim, bob, carol))
    sends(lambda: claim_publish(user=alice, claim=Claim.objects.get(pk=claim.pk)))
    sends(
        lambda: claim_unpublish(
            user=alice, claim=Claim.objects.get(pk=claim.pk), reason="Wrong table."
        )
    )
    bodies = [json.loads(r["body"]) for r in receiver.received]
    assert [(b["event"], b["reason"]) for b in bodies] == [
        ("claim.published", "published"),
        ("claim.unpublished", "unpublished"),
    ]
    assert bodies[1]["note"] == "Wrong table." and bodies[1]["claim"]["status"] == "resolved"


def test_an_internationalised_host_is_kept_in_ascii_or_refused_by_name(
    workspace: Workspace, alice: User, api: Api
) -> None:
    answer = api(alice).post(
        f"/api/v1/workspaces/{workspace.pk}/webhooks/",
        {"url": "https://пример.рф/hook", "events": ["claim.published"]},
        format="json",
    )
    # Not resolvable offline: refused with the ASCII name it would have used, never a 500.
    assert answer.status_code == 400, answer.content
    assert "xn--" in str(answer.json()["url"])


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("fec0::1", False),  # site-local
        ("::ffff:127.0.0.1", False),
        ("2002:808:808::", True),  # 6to4 of 8.8.8.8
        ("8.8.8.8", True),
    ],
)
def test_ipv4_hidden_in_ipv6_is_checked_too(address: str, public: bool) -> None:
    assert _is_public(address) is public


@pytest.mark.parametrize(
    ("entries", "url", "allowed"),
    [
        (["cms.internal"], "http://cms.internal/hook", True),
        (["CMS.internal"], "https://cms.internal/hook", True),
        (["cms.internal"], "http://cms.internal:8080/hook", False),
        (["cms.internal"], "https://cms.internal:80/hook", False),
        (["cms.internal:8080"], "http://cms.internal:8080/hook", True),
        (["cms.internal:8080"], "http://cms.internal/hook", False),
        (["cms.internal:*"], "http://cms.internal:6379/", True),
        (["cms.internal:8080"], "http://other.internal:8080/hook", False),
        (["10.0.0.7:8443"], "https://10.0.0.7:8443/hook", True),
        (["[fd00::1]:8080"], "http://[fd00::1]:8080/hook", True),
        (["[fd00::1]:8080"], "http://[fd00::1]:9090/hook", False),
        (["fd00::1"], "https://[fd00::1]/hook", True),
        ([], "http://cms.internal/hook", False),
    ],
)
def test_an_allowed_internal_host_is_allowed_on_its_port_only(
    entries: list[str], url: str, allowed: bool
) -> None:
    # A listed host no longer opens every port of it (its database, its admin) to every editor.
    assert allowed_internal(url, entries) is allowed


def test_a_listed_host_on_another_port_is_refused(
    workspace: Workspace, alice: User, api: Api, receiver: Receiver
) -> None:
    port = int(receiver.url.split(":")[2].split("/")[0])
    answer = api(alice).post(
        f"/api/v1/workspaces/{workspace.pk}/webhooks/",
        {"url": f"http://127.0.0.1:{port + 1}/hook", "events": ["claim.published"]},
        format="json",
    )
    assert answer.status_code == 400, answer.content
    assert "non-public address" in answer.json()["url"][0]
    made = api(alice).post(
        f"/api/v1/workspaces/{workspace.pk}/webhooks/",
        {"url": receiver.url, "events": ["claim.published"]},
        format="json",
    )
    assert made.status_code == 201, made.content
