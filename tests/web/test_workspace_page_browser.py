"""The workspace page's script in Chromium: an article whose fetch failed keeps its "Fetch again"
button and is not watched; one whose fetch fails while the page is open gets the button, and the
page then stops asking. Its words follow the reader's language (French typography included)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from playwright.sync_api import Request, expect

from annotations.models import Article, Workspace
from annotations.services.articles import article_create

Start = Any  # the `session` fixture: start(user, locale) -> Session

# The page looks 2 s after it opens, then every 3 s while something is under way.
FIRST_LOOK_MS = 2000
NEXT_LOOK_MS = 3000


def _fetching(workspace: Workspace, user: User, url: str, status: str) -> Article:
    article = article_create(user=user, workspace=workspace, text="Un texte.", title="Sans texte")
    Article.objects.filter(pk=article.pk).update(
        text="",
        url=url,
        fetch_status=status,
        fetch_error="503 Service Unavailable" if status == "failed" else "",
        extraction_status="pending",
    )
    return Article.objects.get(pk=article.pk)


def _listing_requests(page: Any) -> list[str]:
    asked: list[str] = []

    def note(request: Request) -> None:
        if "/api/v1/articles/" in request.url:
            asked.append(request.url)

    page.on("request", note)
    return asked


def test_a_failed_fetch_keeps_its_fetch_again_button_and_is_not_watched(
    session: Start, workspace: Workspace, erin: User
) -> None:
    article = _fetching(workspace, erin, "http://127.0.0.1:9/down", "failed")
    annotator = session(erin)
    page = annotator.page
    asked = _listing_requests(page)
    annotator.open(f"/workspaces/{workspace.pk}/")
    row = page.locator(f'tr[data-article="{article.pk}"]')
    expect(row.get_by_role("button", name="Fetch again")).to_be_visible()

    page.wait_for_timeout(FIRST_LOOK_MS + NEXT_LOOK_MS)

    expect(row.get_by_role("button", name="Fetch again")).to_be_visible()
    expect(row.locator(".badge")).to_have_text("Fetch: Failed")
    assert asked == []  # nothing under way: the page does not poll


def test_a_fetch_failing_while_the_page_is_open_gets_the_button_then_the_watch_stops(
    session: Start, workspace: Workspace, erin: User
) -> None:
    article = _fetching(workspace, erin, "http://127.0.0.1:9/down", "queued")
    annotator = session(erin, "fr-FR")
    page = annotator.page
    asked = _listing_requests(page)
    annotator.open(f"/workspaces/{workspace.pk}/")
    row = page.locator(f'tr[data-article="{article.pk}"]')
    expect(row.locator(".badge")).to_be_visible()
    Article.objects.filter(pk=article.pk).update(fetch_status="failed", fetch_error="503")

    again = row.get_by_role("button", name="Récupérer à nouveau")
    expect(again).to_be_visible()
    # French typography: one format string, with its no-break space before the colon.
    expect(row.locator(".badge")).to_have_text("Récupération\u00a0: Échec")
    looks = len(asked)
    page.wait_for_timeout(NEXT_LOOK_MS + 1000)
    assert len(asked) == looks  # the failed fetch is no longer watched
    annotator.shot("workspace-fetch-failed-while-open")

    # The button the script made posts like the page's own (with its CSRF token).
    with page.expect_navigation():
        again.click()
    expect(page.locator(".messages")).to_contain_text("de nouveau en cours de récupération")
    assert Article.objects.get(pk=article.pk).fetch_status in ("queued", "failed")
