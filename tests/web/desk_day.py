"""../shared/docs/desk-day.md, played in the product's own pages by five people, once per language
(test_desk_day_en.py and test_desk_day_fr.py call `play_desk_day` with their texts and words).

1. alice creates the workspace on its pages: settings (blind review, two reviewers per claim, a
   label added to the scale, public claim pages) and members.
2. erin uploads an .html page and pastes an article (titles from the page and the text), triages
   the candidates, makes claims, sets a claimant, links a source, and undoes one claim.
3-4. bob and carol assess them blind, with different verdicts on one claim and different extents
   on two; carol sees nothing of bob's work before her own verdict.
5. dave settles the disputes in the curation view.
6. alice publishes the resolved claims with the desk's article, a visitor reads a claim's public
   page and its ClaimReview, alice exports ClaimReview, CSV for Excel and FEVER, freezes a release
   and reads the dashboard. The desk's CMS (a webhook alice set up on the first day, its secret
   copied from the page) receives each published claim, signed; the delivery log says so.
7. The next day an article in the other language repeats the published quotation; outside
   fact-checks were imported overnight. bob's new claim shows both under "Already checked"; he
   takes the desk's verdict with "Use this verdict", which saves nothing until he saves.

Each step asserts what the person must see and what they must not, and saves screenshots in
tests/screenshots/ (each also checked with axe-core by the session fixture). The French day is
played with the keyboard alone (tests/web/hands.py): no mouse call at all.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page, expect

from annotations.models import (
    Adjudication,
    Article,
    Claim,
    ClaimEvent,
    DatasetRelease,
    MemberEvent,
    Role,
    VerdictLabel,
    WebhookDelivery,
    Workspace,
)
from tests.conftest import Receiver
from tests.web.hands import Hands


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
    # The editor's pages.
    workspace_created: str
    settings_saved: str
    member_added: str  # with {name}
    published: str  # with {n}
    public_verdict: str  # the public page's word before the verdict
    dashboard_status: str  # a chart's heading
    alpha_aid: str  # part of the sentence on what alpha means
    release_frozen: str


@dataclass(frozen=True)
class Upload:
    """The .html page erin uploads, and the title it must get from the page."""

    name: str
    html: str
    title: str


@dataclass(frozen=True)
class Echo:
    """The next day's article, in the other language, repeating the published quotation, and an
    outside fact-check of the same claim imported into the reference corpus."""

    language: str
    text: str
    sentence: str  # the repeat, as erin makes it a claim
    reference_url: str
    reference_text: str
    reference_language: str
    publisher: str
    rating: str


@dataclass(frozen=True)
class Day:
    locale: str
    prefix: str  # of the screenshots
    text: str  # pasted without a title: its first line is the title
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
    upload: Upload
    added_label: str  # the label alice adds to the scale (outside it: no value)
    review_url: str  # where the desk published its fact-check
    organisation: str
    search: str  # words alice types in the search box to find the quoted claim again
    # The names alice gives the scale's labels on the settings page (slug -> name).
    scale_names: dict[str, str] = field(default_factory=dict)
    keyboard_only: bool = False
    echo: Echo | None = None

    @property
    def title(self) -> str:
        return self.text.split("\n", 1)[0]


Start = Callable[..., Any]  # the `session` fixture: start(user, locale) -> Session


def _toast(page: Page, text: str) -> None:
    expect(page.locator(".toast", has_text=text).last).to_be_visible()


def _blur(page: Page) -> None:
    page.evaluate("document.activeElement && document.activeElement.blur()")


def _give_verdict(hands: Hands, digit: int, rationale: str) -> None:
    """V then a digit chooses the verdict; Ctrl+Enter saves."""
    page = hands.page
    _blur(page)
    page.keyboard.press("v")
    page.keyboard.press(str(digit))
    hands.fill(page.locator('[data-form="assessment"] [name=rationale]'), rationale)
    page.keyboard.press("Control+Enter")
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


def _message(page: Page, text: str) -> None:
    # A form's answer follows its redirect; on a busy machine (publishing five claims tells the
    # CMS five times) that can take more than the usual five seconds.
    expect(page.locator(".messages")).to_contain_text(text, timeout=15_000)


def step_1_editor_sets_up(start: Start, day: Day, alice: User, team: dict[User, Role]) -> Workspace:
    """alice creates the workspace, chooses its settings (blind review, two reviewers per claim,
    a label added to the scale, the labels' names, public claim pages) and adds its members."""
    words = day.words
    editor = start(alice, day.locale)
    hands = Hands(editor.page, keyboard_only=day.keyboard_only)
    page = editor.open("/")
    hands.press(page.locator('main a[href="/workspaces/new/"]'))
    hands.fill(page.locator("#id_name"), "Desk")
    hands.fill(page.locator("#id_organisation_name"), day.organisation)
    hands.fill(page.locator("#id_organisation_url"), "https://desk.example/")
    hands.press(page.locator("main form button[type=submit]"))
    page.wait_for_url(re.compile(r"/workspaces/\d+/settings/$"))
    _message(page, words.workspace_created)
    workspace = Workspace.objects.get(name="Desk")

    hands.tick(page.locator("#id_ws-blind_review"))
    hands.fill(page.locator("#id_ws-reviewers_per_claim"), "2")
    hands.tick(page.locator("#id_ws-public_claim_pages"))
    for slug, name in day.scale_names.items():
        hands.fill(page.locator(f'tr[data-slug="{slug}"] input[name$="-name"]'), name)
    new_row = page.locator('table.scale tr[data-slug=""]').first
    hands.fill(new_row.locator('input[name$="-name"]'), day.added_label)
    editor.shot(f"{day.prefix}-1a-settings", full_page=True)
    hands.press(page.locator(".sticky-actions button[type=submit]"))
    _message(page, words.settings_saved)
    workspace.refresh_from_db()
    assert (workspace.blind_review, workspace.reviewers_per_claim) == (True, 2)
    assert workspace.public_claim_pages
    labels = dict(VerdictLabel.objects.filter(workspace=workspace).values_list("name", "value"))
    assert labels[day.added_label] is None  # outside the scale
    for name in day.scale_names.values():
        assert name in labels

    hands.press(page.locator('.page-actions a[href$="/members/"]'))
    for user, role in team.items():
        hands.fill(page.locator("#id_add-username"), user.username)
        hands.choose(page.locator("#id_add-role"), str(role.value))
        hands.press(page.locator('button[name="action"][value="add"]'))
        _message(page, words.member_added.format(name=user.username))
        expect(page.locator(f'tr[data-member="{user.username}"]')).to_be_visible()
    expect(page.locator('.trail tr[data-kind="added"]')).to_have_count(len(team))
    editor.shot(f"{day.prefix}-1b-members", full_page=True)
    roles = dict(workspace.memberships.values_list("user__username", "role"))
    assert roles == {"alice": Role.EDITOR, **{u.username: r for u, r in team.items()}}
    assert MemberEvent.objects.filter(workspace=workspace, actor=alice).count() == len(team)
    return workspace


def step_1_editor_adds_a_webhook(
    start: Start, day: Day, workspace: Workspace, alice: User, receiver: Receiver
) -> str:
    """alice sets up the desk's CMS as a webhook for published claims, from the settings page,
    and copies its secret, shown once; it is gone from the page once she comes back."""
    editor = start(alice, day.locale)
    hands = Hands(editor.page, keyboard_only=day.keyboard_only)
    page = editor.open(f"/workspaces/{workspace.pk}/settings/")
    hands.press(page.locator('.page-actions a[href$="/webhooks/"]'))
    page.wait_for_url(re.compile(r"/webhooks/$"))
    hands.fill(page.locator("#id_hook-url"), receiver.url)
    hands.fill(page.locator("#id_hook-description"), "CMS")
    published = page.locator('input[name="hook-events"][value="claim.published"]')
    expect(published).to_be_checked()  # the usual choice, ticked already
    hands.press(page.locator('.webhook-form button[name="action"][value="create"]'))
    page.wait_for_url(re.compile(r"/webhooks/$"))
    secret_box = page.locator("#webhook-secret")
    expect(secret_box).to_be_visible()
    secret: str = secret_box.input_value()
    assert len(secret) >= 40
    expect(page.locator("table.webhooks tr[data-webhook]")).to_have_count(1)
    editor.shot(f"{day.prefix}-1c-webhook-secret", full_page=True)
    page = editor.open(f"/workspaces/{workspace.pk}/webhooks/")
    expect(page.locator("#webhook-secret")).to_have_count(0)
    return secret


def step_6_the_cms_is_told(
    start: Start, day: Day, workspace: Workspace, alice: User, receiver: Receiver, secret: str
) -> None:
    """The five published claims reached the CMS, each signed with the secret alice copied; the
    delivery log shows them delivered, and one is sent again by hand."""
    published = [
        r for r in receiver.received if r["headers"]["X-Workbench-Event"] == "claim.published"
    ]
    assert len(published) == 5
    for delivery in published:
        digest = hmac.new(secret.encode(), delivery["body"], hashlib.sha256).hexdigest()
        assert delivery["headers"]["X-Workbench-Signature-256"] == f"sha256={digest}"
    assert {json.loads(r["body"])["claim"]["review_url"] for r in published} == {day.review_url}
    editor = start(alice, day.locale)
    hands = Hands(editor.page, keyboard_only=day.keyboard_only)
    page = editor.open(f"/workspaces/{workspace.pk}/webhooks/")
    rows = page.locator(
        'table.deliveries tr[data-status="delivered"][data-event="claim.published"]'
    )
    expect(rows).to_have_count(5)
    expect(rows.first.locator(".response-code")).to_have_text("200")
    hands.press(rows.first.locator('button[name="action"][value="redeliver"]'))
    page.wait_for_url(re.compile(r"/webhooks/$"))
    expect(rows).to_have_count(6)
    assert WebhookDelivery.objects.filter(redelivery_of__isnull=False).count() == 1
    assert len(receiver.received) == 6
    editor.shot(f"{day.prefix}-6g-webhook-log", full_page=True)


def _socket_frames(session: Any) -> list[dict[str, Any]]:
    """What the server sends the session's page over its WebSockets from now on, decoded."""
    frames: list[dict[str, Any]] = []
    session.page.on(
        "websocket",
        lambda socket: socket.on("framereceived", lambda data: frames.append(json.loads(data))),
    )
    return frames


def _pushed(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for frame in frames if frame["type"] == "events" for event in frame["events"]]


def step_2_annotator_prepares(
    start: Start, day: Day, workspace: Workspace, erin: User, alice: User
) -> Article:
    """erin uploads a page and pastes an article, triages the candidates, makes claims (with the
    mouse, or the keyboard alone), sets a claimant, links a source, and undoes one claim. alice
    has the article open meanwhile: erin's claims appear on her page, pushed over its socket."""
    words = day.words
    annotator = start(erin, day.locale)
    hands = Hands(annotator.page, keyboard_only=day.keyboard_only)
    page = annotator.open("/")
    hands.press(page.locator(f'main a[href="/workspaces/{workspace.pk}/"]'))
    add = page.locator(f'.page-actions a[href="/workspaces/{workspace.pk}/articles/new/"]')

    # An .html page, uploaded: its title comes from the page.
    hands.press(add)
    if day.keyboard_only:
        hands.reach(page.locator("#id_file"))
    page.locator("#id_file").set_input_files(
        files=[
            {"name": day.upload.name, "mimeType": "text/html", "buffer": day.upload.html.encode()}
        ]
    )
    hands.press(page.locator("form.add-article button.primary"))
    page.wait_for_selector("#doc [data-s]")
    expect(page.locator("#article-title")).to_have_text(day.upload.title)

    # The article of the day, pasted without a title: its first line is the title.
    hands.press(page.locator(f'.crumbs a[href="/workspaces/{workspace.pk}/"]'))
    expect(page.locator("table.articles")).to_contain_text(day.upload.title)
    hands.press(add)
    hands.fill(page.locator("#id_text"), day.text)
    annotator.shot(f"{day.prefix}-2-add-article")
    hands.press(page.locator("form.add-article button.primary"))
    page.wait_for_selector("#doc [data-s]")
    expect(page.locator("#article-title")).to_have_text(day.title)
    article = Article.objects.get(workspace=workspace, title=day.title)
    candidates = page.locator("[data-candidate]")
    expect(candidates).to_have_count(6)
    annotator.shot(f"{day.prefix}-2a-annotator-candidates")

    # Step 7, live: alice opens the same article; her page is connected.
    editor = start(alice, day.locale)
    frames = _socket_frames(editor)
    watching = editor.open_article(article)
    expect(watching.locator("body")).to_have_attribute("data-live", "live")

    # Three accepted: one with its button, then A twice, focus moving on to the next each time.
    hands.press(candidates.first.locator('[data-action="accept"]'))
    _toast(page, words.candidate_accepted)
    expect(page.locator("[data-candidate].focused")).to_have_count(1)
    _blur(page)
    for count in (2, 3):
        page.keyboard.press("a")
        expect(page.locator('[data-list="claims"] > li')).to_have_count(count)
    # The rest dismissed in one action.
    hands.press(page.locator('[data-action="dismiss-all"]'))
    _toast(page, words.dismissed)
    expect(candidates).to_have_count(0)
    expect(page.locator('[data-section="dismissed"] [data-count="dismissed"]')).to_have_text("3")

    # Two claims selected by hand, one over a quotation, with a claimant and a source.
    _blur(page)
    hands.select_passage(day.quote)
    hands.make_claim()
    _toast(page, words.claim_created)
    expect(page.locator(".claim-quote")).to_have_text(day.quote)
    made = page.locator(".claim-view").get_attribute("data-claim")
    # On alice's page within a second, without a reload: told over the socket, not polled.
    expect(watching.locator(f'#doc [data-claims~="{made}"]').first).to_be_visible(timeout=1000)
    assert any(event["claim"] == int(str(made)) for event in _pushed(frames))
    # Each sees the other there; alice (an editor) also sees which claim erin has open, erin (an
    # annotator under blind review) only that alice is on the article.
    expect(watching.locator('#presence [data-user="erin"]')).to_have_text("ER")
    expect(page.locator('#presence [data-user="alice"]')).to_have_text("AL")
    expect(watching.locator(f'li[data-claim="{made}"] > .here')).to_have_text("ER")
    editor.shot(f"{day.prefix}-7i-editor-sees-erins-claim")
    hands.fill(page.locator("[name=claimant]"), day.claimant)
    page.keyboard.press("Control+Enter")
    expect(page.locator('[data-form="details"] .saved')).to_be_visible()
    hands.fill(page.locator('[data-form="source"] [name=url]'), day.source_url)
    hands.fill(page.locator('[data-form="source"] [name=title]'), day.source_title)
    hands.choose(page.locator('[data-form="source"] [name=stance]'), "refutes")
    hands.press(page.locator('[data-form="source"] button[type=submit]'))
    expect(page.locator('[data-list="sources"]')).to_contain_text(day.source_title)
    page.keyboard.press("Escape")
    _blur(page)
    page.keyboard.press("Escape")
    hands.select_passage(day.part)
    hands.make_claim()
    expect(page.locator(".claim-quote")).to_have_text(day.part)

    # One more with the sentence keys: ] steps sentence by sentence to the sixth, C makes it a
    # claim. Then undone.
    _blur(page)
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
    hands.press(page.locator('[data-action="withdraw-claim"]'))
    _toast(page, words.withdrawn)
    expect(page.locator('[data-list="claims"] > li')).to_have_count(5)
    expect(page.locator(f'#doc [data-claims~="{withdrawn}"]')).to_have_count(0)
    annotator.shot(f"{day.prefix}-2c-annotator-prepared")
    # The undone claim leaves alice's page too; she never reloaded it.
    expect(watching.locator(f'#doc [data-claims~="{withdrawn}"]')).to_have_count(0)
    expect(watching.locator('[data-list="claims"] > li')).to_have_count(5)
    assert editor.page.evaluate("performance.getEntriesByType('navigation').length") == 1

    live = Claim.objects.filter(article=article)
    assert live.count() == 5
    assert sorted(live.values_list("origin", flat=True)) == ["extracted"] * 3 + ["manual"] * 2
    assert Claim.all_objects.filter(article=article, withdrawn_by=erin).count() == 1
    quote = _claim(article, day.quote)
    # Offsets are code points into the stored text (an emoji comes before this quotation).
    assert (quote.start, quote.claimant) == (day.text.index(day.quote), day.claimant)
    return article


def step_3_reviewer(
    start: Start, day: Day, article: Article, bob: User, carol: User, dave: User, alice: User
) -> None:
    """bob finds the prepared claims in his queue and gives a verdict on each, highlighting one a
    little wider than erin did and citing a source of his own. carol has the article open: blind
    review, nothing of his reaches her page or its socket."""
    words = day.words
    blind = start(carol, day.locale)
    carols_frames = _socket_frames(blind)
    carols_page = blind.open_article(article)
    expect(carols_page.locator("body")).to_have_attribute("data-live", "live")
    reviewer = start(bob, day.locale)
    hands = Hands(reviewer.page, keyboard_only=day.keyboard_only)
    page = reviewer.open("/queues/?queue=to_assess")
    rows = page.locator("table.queue-items tr[data-item]")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text(re.compile(words.awaiting, re.IGNORECASE))
    reviewer.shot(f"{day.prefix}-3a-reviewer-queue")

    first = Claim.objects.filter(article=article).order_by("start").first()
    assert first is not None
    hands.press(page.locator(f'tr[data-item="{first.pk}"] a.open'))
    page.wait_for_selector(f'.claim-view[data-claim="{first.pk}"][data-ready]')
    expect(page.locator('[data-fact="status"]')).to_have_text(words.awaiting)

    verdicts = _verdicts(article, day)
    for claim, (digit, _carols) in verdicts.items():
        _open_claim_with_j(page, claim)
        if claim.exact == day.part:
            hands.select_passage(day.part_wider)
            hands.make_claim()
            _toast(page, words.highlight_added)
            page.wait_for_selector(f'.claim-view[data-claim="{claim.pk}"][data-ready]')
        if claim.exact == day.text.split("\n")[1]:
            source = page.locator('[data-form="source"]')
            hands.fill(source.locator("[name=url]"), "https://bob.example/" + str(claim.pk))
            hands.fill(source.locator("[name=title]"), day.bobs_source_title)
            hands.press(source.locator("button[type=submit]"))
            expect(page.locator('[data-list="sources"]')).to_contain_text(day.bobs_source_title)
        _give_verdict(hands, digit, f"bob's reading of claim {claim.pk}")
    reviewer.shot(f"{day.prefix}-3b-reviewer-verdicts")
    step_7_bob_mentions_dave(start, reviewer, hands, day, _claim(article, day.quote), dave, alice)
    # Blind: carol's socket carried nothing bob did, her page shows no trace of him.
    assert not [event for event in _pushed(carols_frames) if event["actor"] == "bob"]
    assert "bob" not in carols_page.locator("main").inner_text()
    expect(carols_page.locator("body")).to_have_attribute("data-live", "live")


# What bob asks dave in a comment, after "@dave " (step 7).
QUESTIONS = {
    "en": "which source settles this quotation?",
    "fr": "quelle source tranche cette citation ?",
}
# What alice answers bob from the article page's panel, after "@bob " (step 7).
ANSWERS = {
    "en": "the ministry's press release, linked above.",
    "fr": "le communiqué du ministère, lié plus haut.",
}


def step_7_bob_mentions_dave(
    start: Start, reviewer: Any, hands: Hands, day: Day, claim: Claim, dave: User, alice: User
) -> None:
    """Once his verdict is in, bob asks dave about the quotation in a comment on its page: he
    types "@da", picks dave from the list the page offers (Enter), writes his question. dave has
    the claim's page open: the comment appears in its thread and its badge lights, without a
    reload."""
    adjudicator = start(dave, day.locale)
    watching = adjudicator.open(f"/claims/{claim.pk}/")
    # alice, the editor, has the article open on the same claim: its panel's comments too.
    editor = start(alice, day.locale)
    panel = editor.open(f"/articles/{claim.article_id}/#claim-{claim.pk}")
    expect(panel.locator(f'.claim-view[data-claim="{claim.pk}"][data-ready]')).to_be_visible()
    expect(panel.locator('[data-list="comments"] .panel-comment')).to_have_count(0)
    expect(watching.locator("[data-notifications] [data-unread]")).to_have_count(0)
    page = reviewer.open(f"/claims/{claim.pk}/")
    box = page.locator('[data-form="comment"] textarea[name=body]')
    if day.keyboard_only:
        hands.reach(box)
    else:
        box.click()
    page.keyboard.type("@da")
    options = page.locator(".mention-list [role=option]")
    expect(options).to_have_text(["dave"])
    expect(box).to_have_attribute("aria-expanded", "true")
    reviewer.shot(f"{day.prefix}-7f-reviewer-mention-list")
    page.keyboard.press("Enter")
    expect(box).to_have_value("@dave ")
    page.keyboard.type(QUESTIONS[day.locale[:2]])
    hands.press(page.locator('[data-form="comment"] button[type=submit]'))
    comment = page.locator(".comments .comment").last
    expect(comment.locator(".mention")).to_have_text("@dave")
    expect(comment).to_contain_text(QUESTIONS[day.locale[:2]])
    reviewer.shot(f"{day.prefix}-7g-reviewer-commented", full_page=True)
    expect(watching.locator("[data-notifications] [data-unread]")).to_have_text("1")
    pushed = watching.locator(".comments .comment").last
    expect(pushed).to_contain_text(QUESTIONS[day.locale[:2]])
    expect(pushed.locator(".mention")).to_have_text("@dave")
    in_panel = panel.locator('[data-list="comments"] .panel-comment')
    expect(in_panel).to_have_count(1)
    expect(in_panel.first).to_contain_text(QUESTIONS[day.locale[:2]])
    expect(in_panel.first.locator("strong")).to_have_text("bob")
    in_panel.first.scroll_into_view_if_needed()
    editor.shot(f"{day.prefix}-7k-editor-panel-comment-live")
    # alice has the same claim open in a second tab too (her own changes reach her other tabs).
    other_tab = editor.context.new_page()
    other_tab.goto(editor.server.url + f"/articles/{claim.article_id}/#claim-{claim.pk}")
    expect(other_tab.locator(f'.claim-view[data-claim="{claim.pk}"][data-ready]')).to_be_visible()
    expect(other_tab.locator("body")).to_have_attribute("data-live", "live")
    # alice answers from the panel itself: "@bo", Enter picks bob, then her answer. It joins her
    # panel's thread and appears on bob's and dave's pages of the claim, and in her other tab,
    # without a reload.
    answer = panel.locator('.claim-view [data-form="comment"] textarea[name=body]')
    editor_hands = Hands(panel, keyboard_only=day.keyboard_only)
    if day.keyboard_only:
        editor_hands.reach(answer)
    else:
        answer.click()
    panel.keyboard.type("@bo")
    expect(panel.locator(".claim-view .mention-list [role=option]")).to_have_text(["bob"])
    panel.keyboard.press("Enter")
    expect(answer).to_have_value("@bob ")
    panel.keyboard.type(ANSWERS[day.locale[:2]])
    editor_hands.press(panel.locator('.claim-view [data-form="comment"] button[type=submit]'))
    expect(in_panel).to_have_count(2)
    expect(in_panel.last).to_contain_text(ANSWERS[day.locale[:2]])
    expect(in_panel.last.locator("strong")).to_have_text("alice")
    expect(answer).to_have_value("")
    in_panel.last.scroll_into_view_if_needed()
    editor.shot(f"{day.prefix}-7l-editor-comments-from-the-panel")
    for thread in (page, watching):
        expect(thread.locator(".comments .comment").last).to_contain_text(ANSWERS[day.locale[:2]])
    in_other_tab = other_tab.locator('[data-list="comments"] .panel-comment')
    expect(in_other_tab).to_have_count(2)
    expect(in_other_tab.last).to_contain_text(ANSWERS[day.locale[:2]])
    other_tab.close()
    assert adjudicator.page.evaluate("performance.getEntriesByType('navigation').length") == 1
    adjudicator.shot(f"{day.prefix}-7j-adjudicator-badge-lit")


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
    hands = Hands(reviewer.page, keyboard_only=day.keyboard_only)
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
    hands.press(page.locator(f'tr[data-item="{quote.pk}"] a.open'))
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
            hands.select_passage(day.quote_narrower)
            hands.make_claim()
            _toast(page, words.highlight_added)
            page.wait_for_selector(f'.claim-view[data-claim="{claim.pk}"][data-ready]')
        _give_verdict(hands, digit, f"carol's reading of claim {claim.pk}")
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
    hands = Hands(adjudicator.page, keyboard_only=day.keyboard_only)
    step_7_dave_is_told(adjudicator, hands, day, _claim(article, day.quote))
    page = adjudicator.open("/queues/?queue=disputed")
    rows = page.locator("table.queue-items tr[data-item]")
    expect(rows).to_have_count(3)
    adjudicator.shot(f"{day.prefix}-5a-disputed-queue")
    quote = _claim(article, day.quote)
    assert rows.first.get_attribute("data-item") == str(quote.pk)  # the oldest dispute first
    hands.press(rows.first.locator("a.open"))

    page.wait_for_selector("body[data-ready], #curation[data-ready]")
    for name in ("carol", "erin", "bob"):
        expect(page.locator(f'[data-reviewer="{name}"]')).to_be_visible()
    expect(page.locator('[data-reviewer="carol"] .extent')).to_have_text(day.quote_narrower)
    expect(page.locator('[data-reviewer="bob"]')).to_contain_text(
        f"bob's reading of claim {quote.pk}"
    )
    adjudicator.shot(f"{day.prefix}-5b-curation")
    hands.press(page.locator('[data-reviewer="carol"] [data-action="use-extent"]'))
    expect(page.locator("#chosen-from")).to_contain_text("carol")
    note = page.locator('form[data-form="adjudication"] [name=note]')
    _blur(page)
    page.keyboard.press("v")
    page.keyboard.press("2")
    hands.fill(note, "Mostly false: the figure is 8 billion.")
    page.keyboard.press("Control+Enter")

    # On to the next disputed claims, oldest first: the verdicts that differ, then bob's wider
    # extent, which dave keeps; then none is left.
    second = _claim(article, day.text.split("\n")[1])
    part = _claim(article, day.part)
    for claim, reviewer, digit in ((second, None, 1), (part, "bob", 5)):
        page.wait_for_url(re.compile(rf"/claims/{claim.pk}/curate/$"))
        page.wait_for_selector("body[data-ready], #curation[data-ready]")
        if reviewer:
            hands.press(page.locator(f'[data-reviewer="{reviewer}"] [data-action="use-extent"]'))
            expect(page.locator("#chosen-from")).to_contain_text(reviewer)
        _blur(page)
        page.keyboard.press("v")
        page.keyboard.press(str(digit))
        hands.fill(note, "Settled.")
        page.keyboard.press("Control+Enter")
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


def step_7_dave_is_told(adjudicator: Any, hands: Hands, day: Day, claim: Claim) -> None:
    """dave's badge is lit: bob's mention and the three disputes. The mention leads him to bob's
    comment, and it is then read."""
    page = adjudicator.open("/queues/")
    badge = page.locator("[data-notifications] [data-unread]")
    expect(badge).to_have_text("4")
    hands.press(page.locator("[data-notifications]"))
    mention = page.locator('[data-notification][data-kind="mentioned"]')
    expect(mention).to_contain_text("bob")
    expect(page.locator('[data-notification][data-kind="disputed"]')).to_have_count(3)
    adjudicator.shot(f"{day.prefix}-7h-adjudicator-notifications")
    hands.press(mention.locator("button"))
    page.wait_for_url(re.compile(rf"/claims/{claim.pk}/#comment-\d+$"))
    expect(page.locator(".comments .comment", has_text=QUESTIONS[day.locale[:2]])).to_be_visible()
    expect(page.locator("[data-notifications] [data-unread]")).to_have_text("3")


def _download(page: Page, hands: Hands, fmt: str, *, bom: bool = False) -> bytes:
    """Download the export now from the dialog; the file's bytes."""
    hands.choose(page.locator("#id_export-format"), fmt)
    hands.tick(page.locator("#id_export-bom"), bom)
    with page.expect_download() as download:
        hands.press(page.locator('button[name="go"][value="download"]'))
    return Path(download.value.path()).read_bytes()


def step_6_editor_publishes(
    start: Start, day: Day, workspace: Workspace, article: Article, alice: User
) -> None:
    """alice publishes the resolved claims with the address of the desk's article; a visitor
    reads a claim's public page and its ClaimReview; alice exports ClaimReview, CSV for Excel and
    FEVER, freezes a release, and reads the dashboard."""
    words = day.words
    editor = start(alice, day.locale)
    hands = Hands(editor.page, keyboard_only=day.keyboard_only)
    resolved = list(Claim.objects.filter(article=article, status=Claim.Status.RESOLVED))
    assert len(resolved) == 5

    # The ready-to-publish queue: tick them all, give the desk's article once, publish.
    page = editor.open("/")
    hands.press(page.locator('header a[href="/queues/"]'))
    hands.press(page.locator(f'a[data-queue="ready_to_publish"][href$="={workspace.pk}"]'))
    for claim in resolved:
        hands.tick(page.locator(f'input[name="claims"][value="{claim.pk}"]'))
    hands.fill(page.locator("#publish-review-url"), day.review_url)
    page.locator("#publish-review-date").fill("2026-12-01")
    editor.shot(f"{day.prefix}-6a-ready-to-publish", full_page=True)
    hands.press(page.locator("form.publish-many button.primary"))
    _message(page, words.published.format(n=5))
    expect(page.locator("main")).to_contain_text(words.nothing_waiting)
    assert set(
        Claim.objects.filter(article=article).values_list("status", "review_url").distinct()
    ) == {(Claim.Status.PUBLISHED, day.review_url)}

    # A visitor, not signed in, reads a claim's public page: the claim, the verdict, and the
    # ClaimReview the export gives, naming the desk's article as canonical.
    quote = _claim(article, day.quote_narrower)
    visitor = start(None, day.locale)
    public = visitor.open(f"/claims/{quote.pk}/")
    expect(public.locator("main")).to_contain_text(words.public_verdict)
    expect(public.locator("main")).to_contain_text(words.final_verdict)
    expect(public.locator('link[rel="canonical"]')).to_have_attribute("href", day.review_url)
    [review] = [
        json.loads(text)
        for text in public.locator('script[type="application/ld+json"]').all_text_contents()
    ]
    assert review["url"] == day.review_url and review["datePublished"] == "2026-12-01"
    assert review["reviewRating"]["alternateName"] == words.final_verdict
    assert review["author"]["name"] == day.organisation
    assert "bob" not in public.locator("main").inner_text()  # no reviewer's name in public
    visitor.shot(f"{day.prefix}-6b-public-claim-page", full_page=True)

    # Search finds the claim again from a few words (accents folded), and opens its page.
    page = editor.open("/")
    hands.press(page.locator('header a[href="/search/"]'))
    hands.fill(page.locator("#id_q"), day.search)
    page.keyboard.press("Enter")
    found = page.locator(f'table.search-results tr[data-item="{quote.pk}"]')
    expect(found.locator("mark").first).to_be_visible()
    expect(found.locator(".badge")).to_contain_text(words.final_verdict)
    editor.shot(f"{day.prefix}-6c-search", full_page=True)
    hands.press(found.locator("a.quote"))
    page.wait_for_url(re.compile(rf"/claims/{quote.pk}/$"))

    # The export dialog: ClaimReview, CSV for Excel, FEVER, downloaded now.
    page = editor.open(f"/workspaces/{workspace.pk}/")
    hands.press(page.locator(f'.page-actions a[href="/workspaces/{workspace.pk}/exports/"]'))
    reviews = json.loads(_download(page, hands, "claimreview"))
    assert len(reviews) == 5 and {r["url"] for r in reviews} == {day.review_url}
    assert review in reviews  # one builder for the page and the export
    table = _download(page, hands, "csv", bom=True)
    assert table.startswith(b"\xef\xbb\xbf")  # Excel reads the accents right
    rows = list(csv.DictReader(io.StringIO(table.decode("utf-8-sig"))))
    assert len(rows) == 5 and day.quote_narrower in {row["quote"] for row in rows}
    fever = _download(page, hands, "fever").decode().splitlines()
    assert len(fever) == 5 and all(json.loads(line)["claim"] for line in fever)
    editor.shot(f"{day.prefix}-6d-export-dialog", full_page=True)

    # A release, frozen: its manifest and files are listed.
    release = page.locator('form[data-form="release"]')
    hands.fill(release.locator("#id_release-name"), "Desk")
    hands.fill(release.locator("#id_release-version"), "1.0")
    for fmt in ("claimreview", "csv", "fever"):
        hands.tick(release.locator(f'input[name="release-formats"][value="{fmt}"]'))
    hands.press(release.locator('button[name="action"][value="release"]'))
    _message(page, words.release_frozen)
    frozen = DatasetRelease.objects.get(workspace=workspace)
    row = page.locator(f'tr[data-release="{frozen.pk}"]')
    expect(row.locator(f'a[href="/api/v1/releases/{frozen.pk}/manifest/"]')).to_be_visible()
    # The raw file always comes too (a release stands on its own): the one article with them.
    assert sorted(frozen.files.values_list("format", "rows")) == [
        ("claimreview", 5),
        ("csv", 5),
        ("fever", 5),
        ("raw", 1),
    ]
    editor.shot(f"{day.prefix}-6e-release", full_page=True)

    # The dashboard: progress by status, work per reviewer, agreement with what it means.
    page = editor.open(f"/workspaces/{workspace.pk}/")
    hands.press(page.locator(f'.page-actions a[href="/workspaces/{workspace.pk}/dashboard/"]'))
    main = page.locator("main")
    expect(main).to_contain_text(words.dashboard_status)
    expect(main).to_contain_text(words.alpha_aid)
    for name in ("bob", "carol"):
        expect(main).to_contain_text(name)
    expect(page.locator("main svg").first).to_be_visible()
    editor.shot(f"{day.prefix}-6f-dashboard", full_page=True)


def step_7_registry(
    start: Start,
    day: Day,
    workspace: Workspace,
    article: Article,
    people: tuple[User, User, User],
) -> None:
    """An article in the other language repeats the published quotation: bob's claim on it shows
    the desk's published claim and an outside fact-check under "Already checked", and "Use this
    verdict" fills his form without saving it. alice finds the two claims grouped as the same
    claim, splits them apart, and groups them again."""
    erin, bob, alice = people
    echo = day.echo
    assert echo is not None
    published = _claim(article, day.quote_narrower)
    assert published.status == Claim.Status.PUBLISHED and published.final_verdict is not None
    # Overnight: alice imports an outside fact-check into the reference corpus from the Import
    # page, and erin brings in the new article and makes the repeat a claim (the match runs after).
    from annotations.services.articles import article_create
    from annotations.services.claims import claim_create

    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": echo.reference_url,
        "claimReviewed": echo.reference_text,
        "inLanguage": echo.reference_language,
        "author": {"@type": "Organization", "name": echo.publisher},
        "reviewRating": {"@type": "Rating", "alternateName": echo.rating},
    }
    editor = start(alice, day.locale)
    editor_hands = Hands(editor.page, keyboard_only=day.keyboard_only)
    page = editor.open(f"/workspaces/{workspace.pk}/imports/")
    editor_hands.choose(page.locator("#id_format"), "claimreview")
    if day.keyboard_only:
        editor_hands.reach(page.locator("#id_file"))
    page.locator("#id_file").set_input_files(
        files=[
            {
                "name": "outside-fact-checks.jsonld",
                "mimeType": "application/ld+json",
                "buffer": json.dumps([review, {"@type": "ClaimReview"}]).encode(),
            }
        ]
    )
    summary = _import_and_read_report(page, editor_hands)
    expect(summary.locator('[data-count="failed"]')).to_have_text("1")
    # The item with no page and no claim is reported by its number, in the reader's language.
    failed = page.locator('table.report tr[data-outcome="failed"]')
    expect(failed.locator('[data-place="item 1"]')).to_be_visible()
    expect(failed).to_contain_text("URL")
    editor.shot(f"{day.prefix}-7-0-reference-import", full_page=True)
    assert workspace.reference_claims.filter(url=echo.reference_url).exists()
    fresh = article_create(user=erin, workspace=workspace, text=echo.text, language=echo.language)
    start_at = echo.text.index(echo.sentence)
    repeat = claim_create(
        user=erin, article=fresh, start=start_at, end=start_at + len(echo.sentence)
    ).claim

    reviewer = start(bob, day.locale)
    hands = Hands(reviewer.page, keyboard_only=day.keyboard_only)
    page = reviewer.open(f"/articles/{fresh.pk}/#claim-{repeat.pk}")
    page.wait_for_selector(f'.claim-view[data-claim="{repeat.pk}"][data-ready]')
    similar = page.locator('[data-list="similar"]')
    expect(similar.locator("li")).to_have_count(2)
    expect(similar).to_contain_text(echo.publisher)
    expect(similar).to_contain_text(published.final_verdict.name)
    reuse = similar.locator(f'button[data-reuse="{published.final_verdict.slug}"]').first
    similar.scroll_into_view_if_needed()
    reviewer.shot(f"{day.prefix}-7a-already-checked")
    hands.press(reuse)
    form = page.locator('[data-form="assessment"]')
    expect(form.locator("[name=verdict]")).to_have_value(published.final_verdict.slug)
    expect(form.locator("[name=rationale]")).not_to_have_value("")
    # Offered, never applied by itself: nothing is saved until bob saves.
    assert not repeat.assessments.exists()
    expect(form.locator("[name=rationale]")).to_have_value(re.compile(rf"/claims/{published.pk}/"))
    reviewer.shot(f"{day.prefix}-7b-verdict-reused")
    hands.press(form.locator("button[type=submit]"))
    expect(form.locator(".saved")).to_be_visible()
    assert list(repeat.assessments.values_list("verdict__slug", flat=True)) == [
        published.final_verdict.slug
    ]

    # The claim's page lists both, with language, publisher, rating and link.
    page = reviewer.open(f"/claims/{repeat.pk}/")
    card = page.locator('[data-section="similar"]')
    expect(card.locator('li[data-match="claim"]')).to_contain_text(published.final_verdict.name)
    outside = card.locator('li[data-match="reference"]')
    expect(outside).to_contain_text(echo.publisher)
    expect(outside).to_contain_text(echo.rating)
    expect(outside.locator("a")).to_have_attribute("href", echo.reference_url)
    reviewer.shot(f"{day.prefix}-7c-claim-page-already-checked", full_page=True)

    # The editor: the two claims were grouped by themselves as one claim across the articles.
    editor = start(alice, day.locale)
    hands = Hands(editor.page, keyboard_only=day.keyboard_only)
    page = editor.open(f"/claims/{repeat.pk}/")
    group = page.locator('[data-section="cluster"]')
    expect(group.locator(f'li[data-cluster-claim="{published.pk}"]')).to_contain_text(
        published.final_verdict.name
    )
    expect(group).to_contain_text(article.title)
    # Not the same claim after all: split off, and the registry does not group them again.
    hands.press(group.locator('[data-form="cluster-split"] button'))
    expect(page.locator('[data-section="cluster"]')).to_have_count(0)
    repeat.refresh_from_db()
    published.refresh_from_db()
    assert repeat.cluster_id is None or repeat.cluster_id != published.cluster_id
    # It is: grouped again from its match under "Already checked".
    merge = page.locator('[data-section="similar"] [data-form="cluster-merge"] button')
    editor.shot(f"{day.prefix}-7d-editor-split")
    hands.press(merge)
    expect(
        page.locator(f'[data-section="cluster"] li[data-cluster-claim="{published.pk}"]')
    ).to_be_visible()
    repeat.refresh_from_db()
    published.refresh_from_db()
    assert repeat.cluster_id is not None and repeat.cluster_id == published.cluster_id
    editor.shot(f"{day.prefix}-7e-editor-grouped", full_page=True)


def _utf16_span(text: str, phrase: str) -> list[int]:
    start = len(text[: text.index(phrase)].encode("utf-16-le")) // 2
    return [start, start + len(phrase.encode("utf-16-le")) // 2]


def _import_and_read_report(page: Page, hands: Hands) -> Locator:
    """Press Import on the filled form; on the report page, one record created. The summary."""
    hands.press(page.locator('form[data-form="import"] button.primary'))
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    summary = page.locator('.import-summary[data-status="done"]')
    expect(summary).to_be_visible()
    expect(summary.locator('[data-count="created"]')).to_have_text("1")
    return summary


def step_8_editor_imports(start: Start, day: Day, workspace: Workspace, alice: User) -> None:
    """alice imports a colleague's doccano file from the workspace's Import page: the day's article
    is already there (skipped), a new one comes in with its two spans on the right characters
    after an emoji, and a span past the end of its text is reported by its line; the report says
    which record and why, in the reader's language."""
    text = f"🙂 {day.claimant}: {day.quote}\n{day.part_wider}."
    lines = [
        {"text": day.text, "label": [[0, 5, "CLAIM"]]},
        {
            "text": text,
            "label": [
                [*_utf16_span(text, day.quote), "CLAIM"],
                [*_utf16_span(text, day.part), "CLAIM"],
            ],
        },
        {"text": text + " 2", "label": [[3, 9999, "CLAIM"]]},
    ]
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    editor = start(alice, day.locale)
    hands = Hands(editor.page, keyboard_only=day.keyboard_only)
    page = editor.open(f"/workspaces/{workspace.pk}/")
    hands.press(page.locator(f'.page-actions a[href="/workspaces/{workspace.pk}/imports/"]'))
    page.wait_for_url(re.compile(r"/imports/$"))
    hands.choose(page.locator("#id_format"), "doccano")
    hands.tick(page.locator("#id_extract"), on=False)  # the spans are the claims: no candidates
    if day.keyboard_only:
        hands.reach(page.locator("#id_file"))
    page.locator("#id_file").set_input_files(
        files=[{"name": "colleague.jsonl", "mimeType": "application/json", "buffer": body}]
    )
    editor.shot(f"{day.prefix}-8a-import-form", full_page=True)
    summary = _import_and_read_report(page, hands)
    expect(summary.locator('[data-count="skipped"]')).to_have_text("1")
    expect(summary.locator('[data-count="failed"]')).to_have_text("1")
    failed = page.locator('table.report tr[data-outcome="failed"]')
    expect(failed.locator('[data-place="line 3"]')).to_be_visible()
    expect(failed).to_contain_text("9999")
    expect(page.locator('table.report tr[data-outcome="skipped"] a')).to_have_attribute(
        "href", re.compile(r"/articles/\d+/$")
    )
    editor.shot(f"{day.prefix}-8b-import-report", full_page=True)

    imported = Article.objects.get(workspace=workspace, text=text)
    claims = {c.exact: c for c in Claim.objects.filter(article=imported)}
    assert set(claims) == {day.quote, day.part}
    page = editor.open(f"/articles/{imported.pk}/")
    page.wait_for_selector("#doc [data-s]")
    for claim in claims.values():
        expect(page.locator(f'#doc [data-claims~="{claim.pk}"]').first).to_be_visible(
            timeout=10_000
        )
    _open_claim_with_j(page, claims[day.quote])
    expect(page.locator('.claim-view [data-fact="tag"]')).to_have_text("CLAIM")
    editor.shot(f"{day.prefix}-8c-imported-article")


def play_desk_day(
    start: Start,
    day: Day,
    *,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
    receiver: Receiver,
) -> None:
    team = {erin: Role.ANNOTATOR, bob: Role.REVIEWER, carol: Role.REVIEWER, dave: Role.ADJUDICATOR}
    workspace = step_1_editor_sets_up(start, day, alice, team)
    secret = step_1_editor_adds_a_webhook(start, day, workspace, alice, receiver)
    article = step_2_annotator_prepares(start, day, workspace, erin, alice)
    step_3_reviewer(start, day, article, bob, carol, dave, alice)
    step_4_second_reviewer(start, day, article, carol)
    step_5_adjudicator(start, day, article, dave)
    step_6_editor_publishes(start, day, workspace, article, alice)
    step_6_the_cms_is_told(start, day, workspace, alice, receiver, secret)
    if day.echo is not None:
        step_7_registry(start, day, workspace, article, (erin, bob, alice))
    assert Adjudication.objects.filter(claim__article=article).count() == 3
    step_8_editor_imports(start, day, workspace, alice)
