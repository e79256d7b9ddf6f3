"""The desk's day in English (../shared/docs/desk-day.md, tests/web/desk_day.py), and what else
the pages must do in a browser: exact offsets after a reload, a triple click, a concurrent edit,
a correction of the text, the admin and the API docs under the Content-Security-Policy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from annotations.models import Article, Assessment, CandidateClaim, Claim, ClaimSource, Workspace
from annotations.services.articles import article_create
from annotations.services.claims import claim_create
from tests.conftest import Receiver
from tests.web.browser import highlighted_span, select_text, utf16_index
from tests.web.desk_day import Day, Echo, Upload, Words, play_desk_day

pytestmark = pytest.mark.browser

UPLOAD = Upload(
    name="bus-fares.html",
    html=(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Bus fares to rise by 5 percent | City Examiner</title>"
        '<meta property="og:title" content="Bus fares to rise by 5 percent"></head><body>'
        "<nav>Home | City | Transport</nav><article><h1>Bus fares to rise by 5 percent</h1>"
        "<p>Bus fares will rise by 5 percent in January, the transport authority announced on "
        "Monday, the first rise in three years.</p><p>The authority said fuel costs had gone up "
        "by 18 percent since 2023, while ridership was still 7 percent below its 2019 level.</p>"
        "</article><footer>© City Examiner</footer></body></html>"
    ),
    title="Bus fares to rise by 5 percent",
)

ENGLISH = Day(
    locale="en-GB",
    prefix="en",
    text=(
        "The council said the new budget cuts waste by 12 percent.\n"
        # Reported speech: the shipped model misses this claim as a direct quotation (README,
        # check-worthiness), and the day needs the extractor to find all six.
        "The mayor told reporters on Monday that the city had built 3,000 new homes this year.\n"
        "Unemployment in the region fell to 4.2 percent in March, according to the statistics "
        "office.\n"
        "Critics say the housing figure ignores 1,200 homes that were demolished 🏚️.\n"
        'The opposition leader claimed that "crime has doubled since 2020" in the city centre.\n'
        "Bus fares will rise by 5 percent in January, the transport authority announced.\n"
        "The meeting ended shortly after noon."
    ),
    quote='"crime has doubled since 2020"',
    quote_narrower="crime has doubled since 2020",
    part="the housing figure ignores 1,200 homes that were demolished",
    part_wider="Critics say the housing figure ignores 1,200 homes that were demolished",
    claimant="the opposition leader",
    source_url="https://www.police.example/statistics/2024",
    source_title="Recorded crime, city centre, 2020-2024",
    bobs_source_title="BOB-Q7 crime survey",
    words=Words(
        awaiting="awaiting your verdict",
        claim_created="Claim created.",
        highlight_added="Your highlight was added to this claim.",
        candidate_accepted="Candidate accepted",
        dismissed="3 candidates dismissed.",
        withdrawn="Claim withdrawn.",
        saved="Saved",
        disputed_queue="Disputed",
        final_verdict="Mostly false",
        nothing_waiting="Nothing is waiting here.",
        workspace_created="Workspace created",
        settings_saved="Settings saved.",
        member_added="{name} added.",
        published="{n} claims published.",
        public_verdict="Read the fact-check",
        dashboard_status="Claims by status over time",
        alpha_aid="a negative alpha means they disagree more often than chance",
        release_frozen="The release is being frozen",
    ),
    upload=UPLOAD,
    added_label="Satire",
    review_url="https://desk.example/2026/12/council-record",
    organisation="The Checkers",
    search="crime doubled",
    echo=Echo(
        language="fr",
        text=(
            "Conseil municipal : la sécurité au cœur des débats.\n"
            "Le chef de l'opposition a répété que la criminalité avait doublé depuis 2020 dans le "
            "centre-ville.\n"
            "La séance a été levée vers minuit."
        ),
        sentence="la criminalité avait doublé depuis 2020 dans le centre-ville",
        reference_url="https://checks.example/2026/crime-city-centre",
        reference_text="Crime in the city centre has doubled since 2020.",
        reference_language="en",
        publisher="Example Checks",
        rating="Misleading",
    ),
)


def test_it_plays_the_desks_day_in_english(
    session: Any,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
    receiver: Receiver,
) -> None:
    play_desk_day(
        session,
        ENGLISH,
        alice=alice,
        bob=bob,
        carol=carol,
        dave=dave,
        erin=erin,
        receiver=receiver,
    )


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


@pytest.fixture
def french_article(workspace: Workspace, alice: User) -> Article:
    return article_create(
        user=alice, workspace=workspace, text=TEXT, title="Le bilan de l'emploi", language="fr"
    )


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

    # Read again unchanged, the article is revalidated: the browser sends the ETag it holds, the
    # server answers 304 with no body, and the page is drawn from the browser's copy.
    api_path = f"/api/v1/articles/{french_article.pk}/"
    seen: list[tuple[str | None, str | None, int]] = []

    def note(response: Any) -> None:
        if response.url.endswith(api_path):
            sent = response.request.all_headers().get("if-none-match")
            body = response.request.sizes()["responseBodySize"]
            seen.append((sent, response.headers.get("etag"), body))

    page.on("response", note)
    page.reload()
    page.wait_for_selector("#doc [data-claims]")
    [(sent, tag, body)] = seen
    assert sent is not None and sent == tag and body == 0, seen
    assert highlighted_span(page, first) == (first.start, first.end, first.exact)

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
