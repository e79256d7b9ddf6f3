"""Pure text helpers shared by import, highlighting and export: no Django imports.

Offsets everywhere in the workbench are Python string indices, i.e. Unicode code points into the
article's stored (normalised) text, end exclusive, as in the W3C TextPositionSelector.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

CONTEXT_CHARS = 32

# C0/C1 controls other than tab and newline: PostgreSQL rejects NUL in text columns and the others
# only ever come from broken encodings; they would also shift offsets invisibly in the browser.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def normalise_text(text: str) -> str:
    """Return the canonical form an article's text is stored in.

    NFC so that "é" is one code point whatever the source produced, every newline convention
    folded to "\\n", control characters dropped. Applied once on import and on each revision,
    never to text that claims already point into.
    """
    text = _NEWLINES.sub("\n", text)
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(text: str) -> str:
    """What two copies of one article share however they came in: the words, whatever the
    spacing, line breaks or case (a pasted text and the same page uploaded as a file)."""
    return checksum(" ".join(text.split()).casefold())


@dataclass(frozen=True, slots=True)
class Quote:
    exact: str
    prefix: str
    suffix: str


def quote_at(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> Quote:
    return quote_in(TextWindow(len(text), 0, text), start, end, context)


@dataclass(frozen=True, slots=True)
class TextWindow:
    """A piece of a text (`piece`, starting at `offset`) and the whole text's `length`: what a
    span's check and its quote need, read from the database without the whole text."""

    length: int
    offset: int
    piece: str

    def slice(self, start: int, end: int) -> str:
        """text[start:end], for a range inside the piece."""
        return self.piece[max(0, start - self.offset) : max(0, end - self.offset)]


# The largest 1-based position or length a window may have: PostgreSQL's substr takes 4-byte
# integers (a span far past any text then reads an empty window, and is refused by its length).
_WINDOW_MAX = 2**31 - 1


def window_around(start: int, end: int, context: int = CONTEXT_CHARS) -> tuple[int, int]:
    """Where the window a span's quote needs starts (0-based) and how long it is."""
    first = min(max(0, start - context), _WINDOW_MAX - 1)
    return first, min(max(1, end + context - first), _WINDOW_MAX)


def quote_in(window: TextWindow, start: int, end: int, context: int = CONTEXT_CHARS) -> Quote:
    """quote_at on a window that holds the span and its context (window_around)."""
    return Quote(
        exact=window.slice(start, end),
        prefix=window.slice(max(0, start - context), start),
        suffix=window.slice(end, end + context),
    )


def span_jaccard(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    """Character Jaccard of two half-open spans: shared characters over covered characters."""
    overlap = min(a_end, b_end) - max(a_start, b_start)
    if overlap <= 0:
        return 0.0
    union = max(a_end, b_end) - min(a_start, b_start)
    return overlap / union


# Two highlights on the same article belong to the same claim when their character Jaccard is at
# least this: one reviewer's "the rate rose 3%" and another's "unemployment rate rose 3% in May"
# are one claim; two adjacent sentences are not.
SAME_CLAIM_JACCARD = 0.5


# An @mention: "@" and a username (Django's characters: letters, digits, and . @ + - _), not
# preceded by such a character (an e-mail address "x@desk.fr" names nobody).
_MENTION = re.compile(r"(?<![\w.@+-])@([\w.@+-]+)")


def mentioned_names(text: str, limit: int = 50) -> list[str]:
    """The usernames a text names as @username, in order, each once, at most `limit` of them.
    A name ending a sentence ("ask @bob.") is given both ways ("bob." then "bob"): usernames may
    end with a dot, and the caller keeps whichever is a member."""
    names: list[str] = []
    for match in _MENTION.finditer(text):
        token = match.group(1)
        for name in (token, token.rstrip(".")):
            if name and name not in names:
                names.append(name)
        if len(names) >= limit:
            break
    return names[:limit]
