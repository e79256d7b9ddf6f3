"""How a person works the pages in the browser tests: with the mouse and the keyboard, or with
the keyboard alone.

With `keyboard_only`, no mouse call is ever made: a control is reached with Tab (or Shift+Tab)
as a keyboard user would reach it, so a control that Tab cannot reach fails the test; buttons and
links are used with Enter, check boxes with Space, lists with the arrow keys, and a passage of the
article is selected with the annotator's sentence and word keys (] [ } { > < ) ().
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.web.browser import select_text

# More than any page of the day has controls before the one sought.
TAB_LIMIT = 250
# The annotator's keys that move the selection's end or start by a word (annotations/static/
# annotations/js/article.js, WORD_KEYS).
END_EARLIER, START_LATER = "<", ")"


class Hands:
    def __init__(self, page: Page, *, keyboard_only: bool) -> None:
        self.page = page
        self.keyboard_only = keyboard_only

    # --- Reaching and using controls ----------------------------------------------------------

    def reach(self, target: Locator) -> None:
        """Tab to the control, forwards or backwards as it lies from the focus."""
        target.wait_for(state="visible")
        handle = target.element_handle()
        before = self.page.evaluate(
            """el => {
              const active = document.activeElement;
              if (!active || active === document.body) return false;
              return Boolean(el.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING);
            }""",
            handle,
        )
        key = "Shift+Tab" if before else "Tab"
        for _ in range(TAB_LIMIT):
            if self.page.evaluate("el => el === document.activeElement", handle):
                return
            self.page.keyboard.press(key)
        raise AssertionError(f"{key} never reached {target}: it is out of the keyboard's reach")

    def press(self, target: Locator) -> None:
        """Use a button or a link."""
        if not self.keyboard_only:
            target.click()
            return
        self.reach(target)
        self.page.keyboard.press("Enter")

    def tick(self, target: Locator, on: bool = True) -> None:
        """Tick (or untick) a check box."""
        if target.is_checked() == on:
            return
        if not self.keyboard_only:
            target.set_checked(on)
            return
        self.reach(target)
        self.page.keyboard.press("Space")
        expect(target).to_be_checked(checked=on)

    def fill(self, target: Locator, text: str) -> None:
        """Type into a field, replacing what it held (a long text arrives as a paste would)."""
        if not self.keyboard_only:
            target.fill(text)
            return
        self.reach(target)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        if text:
            self.page.keyboard.insert_text(text)
        expect(target).to_have_value(text)

    def choose(self, target: Locator, value: str) -> None:
        """Choose an option of a drop-down list by its value."""
        if not self.keyboard_only:
            target.select_option(value)
            return
        target.wait_for()  # on the page a link or a form may just have opened
        values: list[str] = target.locator("option").evaluate_all("os => os.map((o) => o.value)")
        current = target.input_value()
        self.reach(target)
        steps = values.index(value) - values.index(current)
        for _ in range(abs(steps)):
            self.page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
        expect(target).to_have_value(value)

    # --- The annotator's selection ------------------------------------------------------------

    def select_passage(self, phrase: str) -> None:
        """Select `phrase` in the article: a mouse drag, or from the keyboard the sentence that
        holds it (]), then its start and end moved word by word."""
        if not self.keyboard_only:
            select_text(self.page, phrase, mouse=True)
            return
        page = self.page
        page.keyboard.press("Escape")
        selected = ""
        for _ in range(40):
            page.keyboard.press("]")
            page.wait_for_function(
                "prev => window.getSelection().toString() !== prev", arg=selected
            )
            selected = page.evaluate("() => window.getSelection().toString()")
            if phrase in selected:
                break
        else:
            raise AssertionError(f"no sentence holds {phrase!r}")
        before, _phrase, after = selected.partition(phrase)
        assert not before or before[-1].isspace(), f"{phrase!r} starts inside a word"
        assert not after or after[0].isspace(), f"{phrase!r} ends inside a word"
        for _ in before.split():
            page.keyboard.press(START_LATER)
        for _ in after.split():
            page.keyboard.press(END_EARLIER)
        page.wait_for_function("p => window.getSelection().toString() === p", arg=phrase)

    def make_claim(self) -> None:
        """Make a claim of the selection: the button that appears by it, or C."""
        if self.keyboard_only:
            self.page.keyboard.press("c")
        else:
            self.page.locator("#make-claim").click()
