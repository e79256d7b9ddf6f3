"""../shared/docs/desk-day.md, played in the product's own pages by five people, once per language
(test_desk_day_en.py, test_desk_day_fr.py call `play_review_loop` with their texts and words).

This is the review loop (steps 2 to 5, and the claim's page): erin prepares claims from candidates,
with the mouse and with the keyboard, and undoes one; bob and carol assess them blind, with
different verdicts on one claim and different extents on two; dave settles the disputes in the
curation view; the claim's page shows the outcome. Each step asserts what the person must see and
what they must not, and saves a screenshot in tests/screenshots/.

Step 1 (the editor's settings and members pages) belongs to the editor's-desk issue: until those
pages exist, the desk is set up through the services.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from annotations.models import Adjudication, Article, Claim, ClaimEvent, Workspace
from annotations.services.workspaces import workspace_update
from tests.web.browser import select_text


@dataclass(frozen=True)
class Words:
    """What the interface says, in the language of the day."""

    awaiting: str
    claim_created: str
    highlight_added: str
    candidate_accepted: str
    dismissed: str  # e.g. "3 candidates dismissed."
    withdrawn: str
    saved: str
    disputed_queue: str
    final_verdict: str
    nothing_waiting: str


@dataclass(frozen=True)
class Day:
    locale: str
    prefix: str  # of the screenshots
    title: str
    text: str
    # Claims made by hand: A spans a quotation (erin's extent; carol's is narrower), B is part of
    # a sentence (erin's extent; bob's is a little wider).
    quote: str
    quote_narrower: str
    part: str
    part_wider: str
    claimant: str
    source_url: str
    source_title: str
    bobs_source_title: str
    words: Words


Start = Callable[..., Any]  # the `session` fixture: start(user, locale) -> Session


def _toast(page: Page, text: str) -> None:
    expect(page.locator(".toast", has_text=text).last).to_be_visible()


def _blur(page: Page) -> None:
    page.evaluate("document.activeElement && document.activeElement.blur()")


def _give_verdict(page: Page, words: Words, digit: int, rationale: str) -> None:
    """V then a digit chooses the verdict; Ctrl+Enter saves."""
    _blur(page)
    page.keyboard.press("v")
    page.keyboard.press(str(digit))
    page.fill('[data-form="assessment"] [name=rationale]', rationale)
    page.press('[data-form="assessment"] [name=rationale]', "Control+Enter")
    expect(page.locator('[data-form="assessment"] .saved')).to_be_visible()


def _open_claim_with_j(page: Page, claim: Claim) -> None:
    """J steps through the claims in the order of the text until this one is open."""
    for _ in range(12):
        if page.locator(f'.claim-view[data-claim="{claim.pk}"][data-ready]').count():
            return
        _blur(page)
        page.keyboard.press("j")
        page.wait_for_selector(".claim-view[data-ready]")
    raise AssertionError(f"J never reached claim {claim.pk}")


def _claim(article: Article, exact: str) -> Claim:
    return Claim.objects.get(article=article, exact=exact)


def step_2_annotator_prepares(start: Start, day: Day, workspace: Workspace, erin: User) -> Article:
    """erin pastes the article, triages the candidates, makes claims by mouse and by keyboard,
    sets a claimant, links a source, and undoes one claim."""
    words = day.words
    annotator = start(erin, day.locale)
    page = annotator.open("/")
    page.click(f"text={workspace.name}")
    page.click("a.button.primary")
    page.fill("#id_text", day.text)
    page.fill("#id_title", day.title)
    page.click("form.add-article button[type=submit]")
    page.wait_for_selector("#doc [data-s]")
    article = Article.objects.get(workspace=workspace, title=day.title)
    candidates = page.locator("[data-candidate]")
    expect(candidates).to_have_count(6)
    annotator.shot(f"{day.prefix}-2a-annotator-candidates")

    # Three accepted: one with its button, then A twice, focus moving on to the next each time.
    candidates.first.locator('[data-action="accept"]').click()
    _toast(page, words.candidate_accepted)
    expect(page.locator("[data-candidate].focused")).to_have_count(1)
    for count in (2, 3):
        page.keyboard.press("a")
        expect(page.locator('[data-list="claims"] > li')).to_have_count(count)
    # The rest dismissed in one action.
    page.click('[data-action="dismiss-all"]')
    _toast(page, words.dismissed)
    expect(candidates).to_have_count(0)
    expect(page.locator('[data-section="dismissed"] [data-count="dismissed"]')).to_have_text("3")

    # Two claims by dragging the mouse, one over a quotation, with a claimant and a source.
    select_text(page, day.quote, mouse=True)
    page.locator("#make-claim").click()
    _toast(page, words.claim_created)
    expect(page.locator(".claim-quote")).to_have_text(day.quote)
    page.fill("[name=claimant]", day.claimant)
    page.press("[name=claimant]", "Control+Enter")
    expect(page.locator('[data-form="details"] .saved')).to_be_visible()
    page.fill('[data-form="source"] [name=url]', day.source_url)
    page.fill('[data-form="source"] [name=title]', day.source_title)
    page.select_option('[data-form="source"] [name=stance]', "refutes")
    page.click('[data-form="source"] button[type=submit]')
    expect(page.locator('[data-list="sources"]')).to_contain_text(day.source_title)
    page.keyboard.press("Escape")
    _blur(page)
    page.keyboard.press("Escape")
    select_text(page, day.part, mouse=True)
    page.locator("#make-claim").click()
    expect(page.locator(".claim-quote")).to_have_text(day.part)

    # One more with the keyboard alone: ] steps sentence by sentence to the sixth, C makes it a
    # claim. Then undone.
    page.keyboard.press("Escape")
    for _ in range(6):
        page.keyboard.press("]")
    page.keyboard.press("c")
    _toast(page, words.claim_created)
    page.wait_for_selector(".claim-view[data-ready]")
    sixth = page.locator(".claim-quote").inner_text()
    assert sixth == day.text.split("\n")[5], sixth
    annotator.shot(f"{day.prefix}-2b-annotator-claim-panel")
    withdrawn = page.locator(".claim-view").get_attribute("data-claim")
    page.click('[data-action="withdraw-claim"]')
    _toast(page, words.withdrawn)
    expect(page.locator('[data-list="claims"] > li')).to_have_count(5)
    expect(page.locator(f'#doc [data-claims~="{withdrawn}"]')).to_have_count(0)
    annotator.shot(f"{day.prefix}-2c-annotator-prepared")

    live = Claim.objects.filter(article=article)
    assert live.count() == 5
    assert sorted(live.values_list("origin", flat=True)) == ["extracted"] * 3 + ["manual"] * 2
    assert Claim.all_objects.filter(article=article, withdrawn_by=erin).count() == 1
    quote = _claim(article, day.quote)
    # Offsets are code points into the stored text (an emoji comes before this quotation).
    assert (quote.start, quote.claimant) == (day.text.index(day.quote), day.claimant)
    return article


def step_3_reviewer(start: Start, day: Day, article: Article, bob: User) -> None:
    """bob finds the prepared claims in his queue and gives a verdict on each, highlighting one a
    little wider than erin did and citing a source of his own."""
    words = day.words
    reviewer = start(bob, day.locale)
    page = reviewer.open("/queues/?queue=to_assess")
    rows = page.locator("table.queue-items tr[data-item]")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text(re.compile(words.awaiting, re.IGNORECASE))
    reviewer.shot(f"{day.prefix}-3a-reviewer-queue")

    first = Claim.objects.filter(article=article).order_by("start").first()
    assert first is not None
    page.locator(f'tr[data-item="{first.pk}"] a.open').click()
    page.wait_for_selector(f'.claim-view[data-claim="{first.pk}"][data-ready]')
    expect(page.locator('[data-fact="status"]')).to_have_text(words.awaiting)

    verdicts = _verdicts(article, day)
    for claim, (digit, _carols) in verdicts.items():
        _open_claim_with_j(page, claim)
        if claim.exact == day.part:
            select_text(page, day.part_wider, mouse=True)
            page.locator("#make-claim").click()
            _toast(page, words.highlight_added)
            page.wait_for_selector(f'.claim-view[data-claim="{claim.pk}"][data-ready]')
        if claim.exact == day.text.split("\n")[1]:
            page.fill('[data-form="source"] [name=url]', "https://bob.example/" + str(claim.pk))
            page.fill('[data-form="source"] [name=title]', day.bobs_source_title)
            page.click('[data-form="source"] button[type=submit]')
            expect(page.locator('[data-list="sources"]')).to_contain_text(day.bobs_source_title)
        _give_verdict(page, words, digit, f"bob's reading of claim {claim.pk}")
    reviewer.shot(f"{day.prefix}-3b-reviewer-verdicts")


def _verdicts(article: Article, day: Day) -> dict[Claim, tuple[int, int]]:
    """bob's and carol's verdicts (the nth label of the scale) on each claim, in text order:
    they differ on the second sentence only."""
    claims = list(Claim.objects.filter(article=article).order_by("start"))
    plan = {}
    for claim in claims:
        if claim.exact == day.text.split("\n")[1]:
            plan[claim] = (1, 2)  # False against Mostly false
        elif claim.exact == day.quote:
            plan[claim] = (2, 2)
        elif claim.exact == day.part:
            plan[claim] = (5, 5)
        else:
            plan[claim] = (4, 4)
    return plan


def step_4_second_reviewer(start: Start, day: Day, article: Article, carol: User) -> None:
    """carol assesses blind: before her verdict on a claim she sees no sign of bob's work on it;
    after it she sees his. She disagrees on one verdict and highlights one claim narrower."""
    words = day.words
    reviewer = start(carol, day.locale)
    second = _claim(article, day.text.split("\n")[1])

    # The claim's own page, before her verdict: no status word, count, source, name of bob's.
    page = reviewer.open(f"/claims/{second.pk}/")
    body = page.locator("main")
    expect(body).to_contain_text(re.compile(words.awaiting, re.IGNORECASE))
    expect(page.locator("[data-blind]")).to_be_visible()
    assert "bob" not in body.inner_text()
    assert day.bobs_source_title not in body.inner_text()
    reviewer.shot(f"{day.prefix}-4a-blind-claim-page")

    page = reviewer.open("/queues/?queue=to_assess")
    rows = page.locator("table.queue-items tr[data-item]")
    expect(rows).to_have_count(5)
    assert "bob" not in page.locator("main").inner_text()
    quote = _claim(article, day.quote)
    page.locator(f'tr[data-item="{quote.pk}"] a.open').click()
    page.wait_for_selector(f'.claim-view[data-claim="{quote.pk}"][data-ready]')

    for claim, (_bobs, digit) in sorted(
        _verdicts(article, day).items(), key=lambda item: item[0].exact != day.quote
    ):
        _open_claim_with_j(page, claim)
        panel = page.locator("#panel")
        expect(panel.locator('[data-fact="status"]')).to_have_text(words.awaiting)
        expect(panel.locator('[data-list="assessments"] li')).to_have_count(0)
        expect(panel.locator("[data-blind]")).to_be_visible()
        assert "bob" not in panel.inner_text(), f"bob's name shown on claim {claim.pk}"
        assert day.bobs_source_title not in panel.inner_text()
        if claim.exact == day.quote:
            reviewer.shot(f"{day.prefix}-4b-blind-before-verdict")
            select_text(page, day.quote_narrower, mouse=True)
            page.locator("#make-claim").click()
            _toast(page, words.highlight_added)
            page.wait_for_selector(f'.claim-view[data-claim="{claim.pk}"][data-ready]')
        _give_verdict(page, words, digit, f"carol's reading of claim {claim.pk}")
        # Her verdict is in: bob's appears, with his rationale.
        expect(panel.locator('[data-list="assessments"] li')).to_have_count(2)
        expect(panel.locator('[data-list="assessments"]')).to_contain_text(
            f"bob's reading of claim {claim.pk}"
        )
        if claim.exact == day.quote:
            reviewer.shot(f"{day.prefix}-4c-after-verdict")
    statuses = dict(Claim.objects.filter(article=article).values_list("exact", "status"))
    assert statuses[day.quote] == statuses[day.part] == statuses[second.exact] == "disputed"
    assert sorted(statuses.values()).count("resolved") == 2


def step_5_adjudicator(start: Start, day: Day, article: Article, dave: User) -> None:
    """dave opens the disputed queue; one click opens the curation view of the first claim; he
    takes carol's extent, sets the final verdict with a note, and goes on to the next ones."""
    words = day.words
    adjudicator = start(dave, day.locale)
    page = adjudicator.open("/queues/?queue=disputed")
    rows = page.locator("table.queue-items tr[data-item]")
    expect(rows).to_have_count(3)
    adjudicator.shot(f"{day.prefix}-5a-disputed-queue")
    quote = _claim(article, day.quote)
    assert rows.first.get_attribute("data-item") == str(quote.pk)  # the oldest dispute first
    rows.first.locator("a.open").click()

    page.wait_for_selector("body[data-ready], #curation[data-ready]")
    for name in ("carol", "erin", "bob"):
        expect(page.locator(f'[data-reviewer="{name}"]')).to_be_visible()
    expect(page.locator('[data-reviewer="carol"] .extent')).to_have_text(day.quote_narrower)
    expect(page.locator('[data-reviewer="bob"]')).to_contain_text(
        f"bob's reading of claim {quote.pk}"
    )
    adjudicator.shot(f"{day.prefix}-5b-curation")
    page.locator('[data-reviewer="carol"] [data-action="use-extent"]').click()
    expect(page.locator("#chosen-from")).to_contain_text("carol")
    _blur(page)
    page.keyboard.press("v")
    page.keyboard.press("2")
    page.fill(
        'form[data-form="adjudication"] [name=note]', "Mostly false: the figure is 8 billion."
    )
    page.press('form[data-form="adjudication"] [name=note]', "Control+Enter")

    # On to the next disputed claims, oldest first: the verdicts that differ, then bob's wider
    # extent, which dave keeps; then none is left.
    second = _claim(article, day.text.split("\n")[1])
    part = _claim(article, day.part)
    for claim, reviewer, digit in ((second, None, 1), (part, "bob", 5)):
        page.wait_for_url(re.compile(rf"/claims/{claim.pk}/curate/$"))
        page.wait_for_selector("body[data-ready], #curation[data-ready]")
        if reviewer:
            page.locator(f'[data-reviewer="{reviewer}"] [data-action="use-extent"]').click()
            expect(page.locator("#chosen-from")).to_contain_text(reviewer)
        _blur(page)
        page.keyboard.press("v")
        page.keyboard.press(str(digit))
        page.fill('form[data-form="adjudication"] [name=note]', "Settled.")
        page.press('form[data-form="adjudication"] [name=note]', "Control+Enter")
    page.wait_for_url(re.compile(r"/queues/"))
    expect(page.locator("main")).to_contain_text(words.nothing_waiting)

    quote.refresh_from_db()
    start_at = day.text.index(day.quote_narrower)
    assert (quote.status, quote.final_verdict and quote.final_verdict.slug) == (
        "resolved",
        "mostly-false",
    )
    assert (quote.start, quote.end) == (start_at, start_at + len(day.quote_narrower))
    event = ClaimEvent.objects.get(claim=quote, kind="adjudicated")
    assert event.after is not None
    assert event.after["span"]["from"] == "carol"
    assert Adjudication.objects.filter(claim__article=article).count() == 3

    # The claim's page shows the outcome, its note, and the history in words.
    page = adjudicator.open(f"/claims/{quote.pk}/")
    expect(page.locator('[data-fact="final"]')).to_have_text(words.final_verdict)
    expect(page.locator("main")).to_contain_text("the figure is 8 billion")
    expect(page.locator('[data-section="history"]')).to_contain_text("carol")
    adjudicator.shot(f"{day.prefix}-5c-claim-page", full_page=True)


def play_review_loop(
    start: Start,
    day: Day,
    *,
    workspace: Workspace,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True, reviewers_per_claim=2)
    article = step_2_annotator_prepares(start, day, workspace, erin)
    step_3_reviewer(start, day, article, bob)
    step_4_second_reviewer(start, day, article, carol)
    step_5_adjudicator(start, day, article, dave)
