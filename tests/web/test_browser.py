"""End-to-end tests of the annotator's pages in Debian's Chromium, driven by Playwright.

They run against pytest-django's live server (a real HTTP server on a transactional database) and
save screenshots of the main pages into tests/screenshots/. In CI (CI=true) a missing Chromium
fails the run; elsewhere these tests are skipped without it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from annotations.models import (
    Article,
    Assessment,
    CandidateClaim,
    Claim,
    ClaimSource,
    Highlight,
    Workspace,
)
from annotations.services.articles import article_create
from annotations.services.claims import claim_create
from annotations.services.workspaces import workspace_update

pytestmark = pytest.mark.browser

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

# An emoji early on (two UTF-16 units, one code point), then guillemets, accents, no-break spaces.
TEXT = (
    "Emploi 📈 : le gouvernement défend son bilan.\n"
    "«\u00a0Nous avons créé plus de 40\u00a0000 emplois en un an\u00a0», a déclaré la ministre du "
    "Travail lors d'un débat télévisé.\n"
    "L'opposition affirme que le chômage des jeunes a augmenté de 3 % depuis janvier.\n"
    "Selon l'Insee, le taux de chômage était de 7,3 % au deuxième trimestre."
)
QUOTE = "«\u00a0Nous avons créé plus de 40\u00a0000 emplois en un an\u00a0»"
SECOND = "le taux de chômage était de 7,3 %"


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

    def __init__(self, browser: Browser, server: LiveServer, user: User | None, locale: str):
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
        # the admin has no icon, so the browser's guess at /favicon.ico fails. Anything else (a
        # script error, a refused inline script or style, a missing static file) is a problem.
        expected = url.endswith("/favicon.ico") or (
            "/api/v1/" in url and message.text.startswith("Failed to load resource")
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
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def session(browser: Browser, live_server: LiveServer) -> Iterator[Any]:
    opened: list[Session] = []

    def start(user: User | None, locale: str = "en-GB") -> Session:
        opened.append(Session(browser, live_server, user, locale))
        return opened[-1]

    yield start
    for one in opened:
        one.context.close()
    # Checked after closing, so that a failure does not leave contexts open.
    problems = [p for one in opened for p in one.problems]
    assert not problems, problems


@pytest.fixture
def french_article(workspace: Workspace, alice: User) -> Article:
    return article_create(
        user=alice, workspace=workspace, text=TEXT, title="Le bilan de l'emploi", language="fr"
    )


def select_text(page: Page, phrase: str, *, mouse: bool) -> None:
    """Select `phrase` in the rendered article: with a mouse drag from its first character to its
    last, or (mouse=False) by setting the selection as the keyboard would."""
    rects = page.evaluate(
        """([phrase, mouse]) => {
          const nodes = [...document.querySelectorAll("#doc [data-s]")].map((s) => s.firstChild);
          let text = "";
          const starts = nodes.map((node) => { const at = text.length; text += node.data; return at; });
          const at = text.indexOf(phrase);
          if (at < 0) throw new Error("phrase not rendered: " + phrase);
          const locate = (offset) => {
            let i = starts.length - 1;
            while (starts[i] > offset) i -= 1;
            return [nodes[i], offset - starts[i]];
          };
          const [startNode, startOffset] = locate(at);
          const [endNode, endOffset] = locate(at + phrase.length - 1);
          if (!mouse) {
            const range = document.createRange();
            range.setStart(startNode, startOffset);
            range.setEnd(endNode, endOffset + 1);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return null;
          }
          const box = (node, offset) => {
            const range = document.createRange();
            range.setStart(node, offset);
            range.setEnd(node, offset + 1);
            const r = range.getClientRects()[0];
            return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
          };
          return [box(startNode, startOffset), box(endNode, endOffset)];
        }""",
        [phrase, mouse],
    )
    if rects is None:
        return
    first, last = rects
    page.mouse.move(first["left"] + 1, (first["top"] + first["bottom"]) / 2)
    page.mouse.down()
    page.mouse.move(last["right"] - 1, (last["top"] + last["bottom"]) / 2, steps=8)
    page.mouse.up()


def highlighted_span(page: Page, claim: Claim) -> tuple[int, int, str]:
    """The code point range and text that the page shows highlighted for a claim."""
    segments = page.locator(f'#doc [data-claims~="{claim.pk}"]')
    starts = [int(s) for s in segments.evaluate_all("els => els.map((e) => e.dataset.s)")]
    ends = [int(e) for e in segments.evaluate_all("els => els.map((e) => e.dataset.e)")]
    text = "".join(segments.all_text_contents())
    return min(starts), max(ends), text


def utf16_index(text: str, code_points: int) -> int:
    return len(text[:code_points].encode("utf-16-le")) // 2


def test_it_annotates_a_french_article_and_finds_everything_after_a_reload(
    session: Any, french_article: Article, bob: User
) -> None:
    candidate = CandidateClaim.objects.filter(article=french_article).order_by("start").first()
    assert candidate is not None, "the extractor proposed no candidate"
    reviewer = session(bob)
    page = reviewer.open_article(french_article)

    # A claim by mouse: drag over the quote, press the button that appears.
    select_text(page, QUOTE, mouse=True)
    page.locator("#make-claim").click()
    expect(page.locator(".toast").last).to_have_text("Claim created.")
    expect(page.locator(".claim-quote")).to_have_text(QUOTE)
    page.wait_for_selector(".claim-view[data-ready]")
    reviewer.shot("article-claim-panel")

    # Claimant and wording, saved with Ctrl+Enter.
    page.fill("[name=claimant]", "la ministre du Travail")
    page.fill("[name=normalised_text]", "Le gouvernement a créé plus de 40 000 emplois en un an.")
    page.press("[name=normalised_text]", "Control+Enter")
    expect(page.locator('[data-form="details"] .saved')).to_be_visible()

    # A verdict, chosen with the "1" shortcut (the first label of the scale).
    page.evaluate("document.activeElement.blur()")  # out of the form: shortcuts apply
    page.keyboard.press("1")
    expect(page.locator('[data-form="assessment"] [name=verdict]')).to_have_value("false")
    page.fill("[name=rationale]", "L'Insee compte 25 000 créations nettes.")
    page.fill("[name=confidence]", "0.8")
    page.click('[data-form="assessment"] button[type=submit]')
    expect(page.locator('[data-list="assessments"] li')).to_contain_text("False")

    # A source.
    page.fill('[data-form="source"] [name=url]', "https://www.insee.fr/fr/statistiques/emploi")
    page.fill('[data-form="source"] [name=title]', "Emploi salarié au 2e trimestre")
    page.fill('[data-form="source"] [name=publisher]', "Insee")
    page.select_option('[data-form="source"] [name=stance]', "refutes")
    page.fill('[data-form="source"] [name=quote]', "25 000 créations nettes d'emplois")
    page.click('[data-form="source"] button[type=submit]')
    expect(page.locator('[data-list="sources"] li')).to_contain_text("Emploi salarié")

    # A second claim with the keyboard shortcut on the current selection.
    page.keyboard.press("Escape")
    select_text(page, SECOND, mouse=False)
    page.keyboard.press("c")
    expect(page.locator(".claim-quote")).to_have_text(SECOND)

    # Accept a candidate from the list.
    page.keyboard.press("Escape")
    item = page.locator(f'[data-candidate="{candidate.pk}"]')
    item.locator('[data-action="accept"]').click()
    expect(page.locator(".toast").last).to_contain_text("Candidate accepted")
    reviewer.shot("article-overview")

    # The database holds code point offsets: the emoji counts once, not twice as in UTF-16.
    first = Claim.objects.get(article=french_article, exact=QUOTE)
    start = TEXT.index(QUOTE)
    assert (first.start, first.end) == (start, start + len(QUOTE))
    assert utf16_index(TEXT, start) == start + 1
    second = Claim.objects.get(article=french_article, exact=SECOND)
    assert second.start == TEXT.index(SECOND)
    accepted = Claim.objects.get(candidates=candidate)
    assert accepted.origin == Claim.Origin.EXTRACTED
    assert (first.claimant, first.normalised_text) == (
        "la ministre du Travail",
        "Le gouvernement a créé plus de 40 000 emplois en un an.",
    )
    assessment = Assessment.objects.get(claim=first, reviewer=bob)
    assert (assessment.verdict.slug, assessment.confidence) == ("false", 0.8)
    link = ClaimSource.objects.get(claim=first)
    assert (link.stance, link.source.publisher) == ("refutes", "Insee")

    # Reload: everything is where it was.
    page.reload()
    page.wait_for_selector("#doc [data-claims]")
    for claim in (first, second, accepted):
        assert highlighted_span(page, claim) == (claim.start, claim.end, claim.exact)
    expect(page.locator(f'[data-candidate="{candidate.pk}"]')).to_have_count(0)
    page.locator(f'#doc [data-claims~="{first.pk}"]').first.click()
    expect(page.locator("[name=claimant]")).to_have_value("la ministre du Travail")
    expect(page.locator('[data-form="assessment"] [name=verdict]')).to_have_value("false")
    expect(page.locator("[name=confidence]")).to_have_value("0.8")
    expect(page.locator('[data-list="sources"]')).to_contain_text("25 000 créations nettes")
    # Coloured by status: assessed (a verdict is in), the others still open.
    expect(page.locator(f'#doc [data-claims^="{first.pk}"]').first).to_have_class(
        re.compile("st-assessed")
    )
    expect(page.locator(f'#doc [data-claims^="{second.pk}"]').first).to_have_class(
        re.compile("st-open")
    )
    reviewer.shot("article")

    # The rest of the candidates, dismissed at once.
    page.keyboard.press("Escape")
    page.click('[data-action="dismiss-all"]')
    expect(page.locator("[data-candidate]")).to_have_count(0)
    assert not CandidateClaim.objects.filter(article=french_article, status="pending").exists()


def test_it_makes_a_whole_line_a_claim_from_a_triple_click(
    session: Any, french_article: Article, erin: User
) -> None:
    line = TEXT.split("\n")[2]
    annotator = session(erin)
    page = annotator.open_article(french_article)

    # The line is a candidate: the first click of the three marks it without rebuilding the text,
    # so the browser still selects the whole paragraph (ending at the next one's start).
    page.locator("#doc p").nth(2).click(click_count=3)
    page.keyboard.press("c")

    expect(page.locator(".claim-quote")).to_have_text(line)
    claim = Claim.objects.get(article=french_article)
    assert (claim.start, claim.end) == (TEXT.index(line), TEXT.index(line) + len(line))


def test_it_hides_others_work_in_blind_mode_until_the_reviewer_submits(
    session: Any, workspace: Workspace, french_article: Article, alice: User, bob: User, carol: User
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    bobs = session(bob)
    page = bobs.open_article(french_article)
    select_text(page, QUOTE, mouse=False)
    page.keyboard.press("c")
    page.wait_for_selector(".claim-view[data-ready]")
    page.keyboard.press("5")  # True
    page.click('[data-form="assessment"] button[type=submit]')
    expect(page.locator('[data-list="assessments"] li')).to_have_count(1)
    page.keyboard.press("Escape")
    select_text(page, SECOND, mouse=False)
    page.keyboard.press("c")
    expect(page.locator(".claim-quote")).to_have_text(SECOND)

    carols = session(carol)
    other = carols.open_article(french_article)
    expect(other.locator("#notices .blind")).to_be_visible()
    expect(other.locator("#doc [data-claims]")).to_have_count(0)
    carols.shot("article-blind")

    # Her own highlight of the same quote joins bob's claim, but shows only her highlight and
    # none of the verdicts until hers is in.
    select_text(other, QUOTE, mouse=True)
    other.locator("#make-claim").click()
    expect(other.locator(".toast").last).to_contain_text("joined an existing claim")
    expect(other.locator('[data-fact="highlights"]')).to_have_text("carol")
    expect(other.locator("[data-blind]")).to_be_visible()
    expect(other.locator('[data-list="assessments"] li')).to_have_count(0)
    other.select_option('[data-form="assessment"] [name=verdict]', "half-true")
    other.click('[data-form="assessment"] button[type=submit]')
    expect(other.locator('[data-list="assessments"] li')).to_have_count(2)

    # Submitting the article shows the others' highlights and claims.
    expect(other.locator("#doc [data-claims]")).not_to_have_count(0)
    assert other.locator(f'#doc [data-claims~="{Claim.objects.get(exact=SECOND).pk}"]').count() == 0
    other.click("#submit-work")
    expect(other.locator("#submit-work")).to_be_hidden()
    expect(other.locator("#notices .blind")).to_have_count(0)
    second = Claim.objects.get(exact=SECOND)
    expect(other.locator(f'#doc [data-claims~="{second.pk}"]').first).to_be_visible()
    other.locator("#doc [data-claims]").first.click()
    expect(other.locator('[data-fact="highlights"]')).to_have_text("bob, carol")
    assert Highlight.objects.filter(claim__exact=QUOTE).count() == 2


def test_it_tells_the_second_writer_the_claim_changed_and_keeps_their_input(
    session: Any, french_article: Article, bob: User, carol: User
) -> None:
    start = TEXT.index(QUOTE)
    claim = claim_create(user=bob, article=french_article, start=start, end=start + len(QUOTE))
    pages = []
    for user in (bob, carol):
        one = session(user)
        page = one.open_article(french_article)
        page.locator(f'#doc [data-claims~="{claim.claim.pk}"]').first.click()
        expect(page.locator(".claim-quote")).to_have_text(QUOTE)
        pages.append((one, page))
    (_, first), (carols, second) = pages

    first.fill("[name=claimant]", "la ministre")
    first.click('[data-form="details"] button[type=submit]')
    expect(first.locator('[data-form="details"] .saved')).to_be_visible()

    second.fill("[name=claimant]", "Catherine Vautrin, ministre du Travail")
    second.click('[data-form="details"] button[type=submit]')
    conflict = second.locator('[data-form="details"] .conflict')
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("la ministre")
    expect(second.locator("[name=claimant]")).to_have_value(
        "Catherine Vautrin, ministre du Travail"
    )
    carols.shot("article-conflict")

    # A save that cannot reach the server says so and keeps the input too.
    second.route("**/api/v1/claims/*/", lambda route: route.abort())
    second.click('[data-form="details"] button[type=submit]')
    expect(second.locator('[data-form="details"] .form-error')).to_contain_text(
        "could not be reached"
    )
    second.unroute("**/api/v1/claims/*/")
    expect(second.locator("[name=claimant]")).to_have_value(
        "Catherine Vautrin, ministre du Travail"
    )

    # Saved again on purpose, it wins; nothing was overwritten silently.
    second.click('[data-form="details"] button[type=submit]')
    expect(second.locator('[data-form="details"] .saved')).to_be_visible()
    assert Claim.objects.get(pk=claim.claim.pk).claimant == "Catherine Vautrin, ministre du Travail"
    # The unsaved input survived a reload before that, as a draft kept by the browser.
    second.reload()
    second.locator(f'#doc [data-claims~="{claim.claim.pk}"]').first.click()
    expect(second.locator("[name=claimant]")).to_have_value(
        "Catherine Vautrin, ministre du Travail"
    )


def test_it_works_in_french_from_the_workspace_to_a_new_article(
    session: Any, workspace: Workspace, french_article: Article, erin: User
) -> None:
    annotator = session(erin, locale="fr-FR")
    page = annotator.open("/")
    expect(page.locator("h1")).to_have_text("Vos espaces de travail")
    annotator.shot("home")
    page.click("text=Desk")
    expect(page.locator("h1")).to_have_text("Desk")
    expect(page.locator("table.articles")).to_contain_text("Le bilan de l'emploi")
    expect(page.locator("a.button.primary")).to_have_text("Ajouter un article")
    annotator.shot("workspace")

    page.click("a.button.primary")
    page.fill("#id_text", "Selon le ministère, 12 000 logements ont été rénovés 🏠 en 2024.")
    page.fill("#id_title", "Rénovation")
    annotator.shot("article-add")
    page.click("form.add-article button[type=submit]")
    page.wait_for_selector("#doc [data-s]")
    expect(page.locator("#open-help")).to_contain_text("Raccourcis")
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#help")).to_contain_text("Accepter la candidate en cours")
    annotator.shot("help")
    page.keyboard.press("Escape")
    expect(page.locator("#doc")).to_contain_text("12 000 logements ont été rénovés 🏠 en 2024.")
    assert Article.objects.filter(title="Rénovation", workspace=workspace).exists()


def test_it_shows_what_a_correction_of_the_text_could_not_place(
    session: Any, french_article: Article, alice: User, bob: User
) -> None:
    start = TEXT.index(SECOND)
    claim = claim_create(user=bob, article=french_article, start=start, end=start + len(SECOND))
    editor = session(alice)
    page = editor.open_article(french_article)
    page.click("#open-revise")
    textarea = page.locator("#revise [name=text]")
    expect(textarea).to_have_value(TEXT)
    textarea.fill("Mise à jour : phrase retirée.\n" + TEXT.split("\nSelon", maxsplit=1)[0])
    page.fill("#revise [name=note]", "Chiffre de l'Insee retiré")
    page.click("#revise button[type=submit]")
    expect(page.locator(".toast").last).to_contain_text("1 orphaned")
    orphans = page.locator('[data-section="orphans"]')
    expect(orphans).to_be_visible()
    expect(orphans).to_contain_text(SECOND)
    expect(page.locator("#article-revision")).to_have_text("Revision 2")
    editor.shot("article-orphans")
    orphans.locator(".item-main").click()
    expect(page.locator(".orphan-note")).to_be_visible()
    assert Claim.objects.get(pk=claim.claim.pk).orphaned


def test_it_keeps_the_admin_and_the_api_docs_working_under_the_content_security_policy(
    session: Any, alice: User
) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    visitor = session(alice)
    page = visitor.open("/admin/annotations/article/")
    expect(page.locator("#content h1")).to_be_visible()
    page = visitor.open("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("workbench API")
    response = page.request.get(visitor.server.url + "/api/docs/")
    assert re.search(r"script-src 'self'(;|$)", response.headers["content-security-policy"])
    # The session fixture fails the test on any console error, CSP violations included.
