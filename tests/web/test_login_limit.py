"""The sign-in page limits failed sign-ins per username and per client address (LOGIN_FAILURE_RATE),
as the API's token route is throttled: past the limit it answers 429 without checking the
password, and says to wait."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

LIMIT = 10
TOO_MANY = "Too many failed sign-ins"


@pytest.fixture(autouse=True)
def _own_counters(settings: Settings) -> None:
    """A key prefix of this test's own in the shared Redis: parallel runs never see its counts."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"login-test-{uuid.uuid4().hex}"}
    }
    settings.LOGIN_FAILURE_RATE = (LIMIT, 60)


def _sign_in(username: str, password: str, address: str = "203.0.113.7") -> Any:
    client = Client(REMOTE_ADDR=address)
    return client.post(reverse("login"), {"username": username, "password": password})


def _signed_in(response: Any) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_it_refuses_even_the_right_password_after_too_many_failures_for_a_username(
    make_user: Callable[[str], User],
) -> None:
    make_user("alice")
    # From a different address each time: the username's own count stops them.
    for attempt in range(LIMIT):
        wrong = _sign_in("alice", "guess", address=f"198.51.100.{attempt + 1}")
        assert wrong.status_code == 200, attempt
        assert TOO_MANY not in wrong.content.decode()

    refused = _sign_in("alice", "alice-password-1", address="198.51.100.200")

    assert refused.status_code == 429
    assert not _signed_in(refused)
    assert refused["Retry-After"] == "60"
    html = refused.content.decode()
    assert "Too many failed sign-ins for this username or from this address." in html
    assert "Wait 1\xa0minute, then try again." in html
    assert 'value="alice"' in html  # the username is kept
    assert "didn&#x27;t match" not in html  # no wrong-password message: it was not checked


def test_it_refuses_an_address_that_failed_too_often_whatever_the_username(
    make_user: Callable[[str], User],
) -> None:
    make_user("alice")
    for attempt in range(LIMIT):
        assert _sign_in(f"nobody-{attempt}", "guess", address="192.0.2.50").status_code == 200

    assert _sign_in("alice", "alice-password-1", address="192.0.2.50").status_code == 429
    # Another address, same username: the username has no failures.
    assert _signed_in(_sign_in("alice", "alice-password-1", address="192.0.2.51"))


def test_it_does_not_check_the_password_once_refused(make_user: Callable[[str], User]) -> None:
    make_user("alice")
    for _attempt in range(LIMIT):
        _sign_in("alice", "guess")
    checked: list[Any] = []

    def failed(**kwargs: Any) -> None:
        checked.append(kwargs)

    user_login_failed.connect(failed)
    try:
        assert _sign_in("alice", "another guess").status_code == 429
    finally:
        user_login_failed.disconnect(failed)
    assert checked == []


def test_it_does_not_count_successful_or_blank_sign_ins(
    make_user: Callable[[str], User], settings: Settings
) -> None:
    settings.LOGIN_FAILURE_RATE = (2, 60)
    make_user("alice")
    for _attempt in range(5):
        assert _signed_in(_sign_in("alice", "alice-password-1"))
        assert _sign_in("alice", "").status_code == 200  # nothing to check: not a failure
    assert _sign_in("alice", "guess").status_code == 200  # the first failure
    assert _signed_in(_sign_in("alice", "alice-password-1"))
    assert _sign_in("alice", "guess").status_code == 200  # the second: the limit
    assert _sign_in("alice", "alice-password-1").status_code == 429


def test_it_lets_the_username_in_again_after_the_period(
    make_user: Callable[[str], User], settings: Settings
) -> None:
    settings.LOGIN_FAILURE_RATE = (1, 1)
    make_user("alice")
    assert _sign_in("alice", "guess").status_code == 200
    assert _sign_in("alice", "alice-password-1").status_code == 429
    time.sleep(1.5)
    assert _signed_in(_sign_in("alice", "alice-password-1"))


def test_it_still_shows_the_sign_in_page(db: None) -> None:
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
