"""Browser tests in Debian's Chromium, driven by Playwright: the shared set-up.

They run against pytest-django's live server (a real HTTP server on a transactional database) and
save screenshots into tests/screenshots/; each screenshot's state is also checked with axe-core
(tests/web/a11y.py). In CI (CI=true) a missing Chromium fails the run;
elsewhere these tests are skipped without it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from annotations.models import Article, Presence
from tests.web.a11y import axe_problems
from tests.web.asgi_server import AsgiLiveServer

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
TIMEOUT_MS = 10_000


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = (
            f"Chromium is missing at {CHROMIUM}: the browser tests need Debian's chromium "
            "package (apt-get install chromium; .ci/run installs it)."
        )
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Session:
    """One user's browser context, signed in, collecting page errors and CSP violations."""

    def __init__(self, browser: Browser, server: AsgiLiveServer, user: User | None, locale: str):
        self.server = server
        self.context: BrowserContext = browser.new_context(
            locale=locale, viewport={"width": 1360, "height": 880}
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            self.context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.url}]
            )
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", self._console)
        # Confirmation prompts (accept all, submit) are answered yes.
        self.page.on("dialog", lambda dialog: dialog.accept())

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # API answers such as 409 or 412 are part of the flows under test (the page handles them);
        # so is a page answering 400 with its form's errors (the browser notes the status of the
        # document itself); the admin has no icon, so the browser's guess at /favicon.ico fails.
        # Anything else (a script error, a refused inline script or style, a missing static file)
        # is a problem.
        # A 4xx, or a request a test cut on purpose: a server error (5xx) is never part of a flow.
        failed = message.text.startswith("Failed to load resource") and bool(
            re.search(r"status of 4\d\d|net::ERR_FAILED", message.text)
        )
        expected = (
            url.endswith("/favicon.ico")
            or (failed and "/api/v1/" in url)
            or (failed and "status of 400" in message.text and url == self.page.url)
        )
        if not expected:
            self.problems.append(f"{message.text} ({url})")

    def open(self, path: str) -> Page:
        self.page.goto(self.server.url + path)
        return self.page

    def open_article(self, article: Article) -> Page:
        self.open(f"/articles/{article.pk}/")
        self.page.wait_for_selector("#doc [data-s]")
        return self.page

    def shot(self, name: str, *, full_page: bool = False) -> None:
        """Save a screenshot of the page, and check the state it shows with axe-core."""
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
        self.check_accessibility(name)

    def check_accessibility(self, label: str) -> None:
        """Run axe-core (every rule) on the page as it is; each serious or critical violation is
        a problem that fails the test at teardown."""
        self.problems.extend(axe_problems(self.page, label))


def _wait_for_the_sockets_to_close(seconds: float = 5.0) -> None:
    """The server handles the closed pages' sockets (their presence rows deleted, the others
    told) before the test's data is flushed: a flush racing them can deadlock."""
    deadline = time.monotonic() + seconds
    while Presence.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)


@pytest.fixture(scope="session")
def live_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[AsgiLiveServer]:
    """The pages and their sockets, served by daphne as `make run` serves them (in place of
    pytest-django's WSGI live server, which has no WebSockets). Set up after the test database,
    so stopped before it is dropped: the stop reads the database."""
    server = AsgiLiveServer()
    yield server
    with django_db_blocker.unblock():
        server.stop()


@pytest.fixture
def session(browser: Browser, live_server: AsgiLiveServer) -> Iterator[Any]:
    """session(user, locale) opens a signed-in browser context; page errors, CSP violations and
    serious or critical accessibility violations seen in any of them fail the test."""
    opened: list[Session] = []

    def start(user: User | None, locale: str = "en-GB") -> Session:
        opened.append(Session(browser, live_server, user, locale))
        return opened[-1]

    yield start
    for one in opened:
        one.context.close()
    _wait_for_the_sockets_to_close()
    # Checked after closing, so that a failure does not leave contexts open.
    problems = [p for one in opened for p in one.problems]
    assert not problems, problems
