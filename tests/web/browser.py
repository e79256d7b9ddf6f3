"""What the browser tests do in a page: select text as a user would, read what is highlighted."""

from __future__ import annotations

from playwright.sync_api import Page

from annotations.models import Claim


def select_text(page: Page, phrase: str, *, mouse: bool, root: str = "#doc") -> None:
    """Select `phrase` in the rendered article: with a mouse drag from its first character to its
    last, or (mouse=False) by setting the selection as the keyboard would."""
    rects = page.evaluate(
        """([phrase, mouse, root]) => {
          const nodes = [...document.querySelectorAll(root + " [data-s]")].map((s) => s.firstChild);
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
        [phrase, mouse, root],
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
