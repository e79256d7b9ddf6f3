"""Placing an imported span in the article's stored text. No Django imports.

A file's offsets count in its tool's unit (JavaScript tools count UTF-16 code units) and point
into the text as the file gives it; the workbench stores the text normalised
(annotations.text.normalise_text: newlines folded, control characters dropped, NFC) and counts
code points. ``Placer`` converts an offset both ways once per text, then checks the span against
the quote the file gives: a quote that is not at the position is looked for in the text, nearest
the position first; a quote with no position (start -1) is placed where it first occurs.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from annotations.imports import OffsetUnit
from annotations.text import normalise_text


class SpanProblem(ValueError):
    """What is wrong with a span: `code` and `params` for the service to word in the reader's
    language (annotations.services.imports), an English sentence as the exception's text."""

    def __init__(self, code: str, field: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.params = params


@dataclass(frozen=True, slots=True)
class Placed:
    start: int
    end: int
    # True when the position did not hold the quote and the quote was found elsewhere.
    moved: bool = False


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _utf16_starts(text: str) -> list[int] | None:
    """For each code point index, its UTF-16 offset (one more entry for the end); None when the
    two units agree (no character outside the Basic Multilingual Plane)."""
    if not _ASTRAL.search(text):
        return None
    starts = [0] * (len(text) + 1)
    position = 0
    for index, ch in enumerate(text):
        starts[index] = position
        position += 2 if ord(ch) >= 0x10000 else 1
    starts[len(text)] = position
    return starts


_FOLDED = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_DROPPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _stored_offsets(given: str, stored: str) -> list[int]:
    """For each offset of `given` (and its end), the offset in its stored form, in one pass; an
    empty list when the stored form is not the given one with newlines folded and control
    characters dropped (the text changed under NFC), for the caller to count otherwise."""
    offsets = [0] * (len(given) + 1)
    at = 0
    index = 0
    while index < len(given):
        offsets[index] = at
        folded = _FOLDED.match(given, index)
        if folded:
            for inner in range(index, folded.end()):
                offsets[inner] = at
            at += 1  # one newline stands for the whole sequence
            index = folded.end()
            continue
        if not _DROPPED.match(given, index):
            at += 1
        index += 1
    offsets[len(given)] = at
    return offsets if at == len(stored) and unicodedata.is_normalized("NFC", stored) else []


class Placer:
    """Offsets of one text as a file gives it, turned into offsets of its stored form."""

    def __init__(self, given: str, stored: str, unit: OffsetUnit) -> None:
        self.given = given
        self.stored = stored
        self.unit = unit
        self._utf16 = _utf16_starts(given) if unit == "utf16" else None
        self._same = given == stored
        self._map: list[int] | None = None

    def _code_point(self, offset: int, field: str) -> int:
        if self._utf16 is None:
            if offset > len(self.given):
                raise SpanProblem(
                    "past_end",
                    field,
                    f"{field} {offset} is past the end of the text ({len(self.given)} characters)",
                    offset=offset,
                    length=len(self.given),
                )
            return offset
        index = bisect_left(self._utf16, offset)
        if index >= len(self._utf16):
            raise SpanProblem(
                "past_end",
                field,
                f"{field} {offset} is past the end of the text ({self._utf16[-1]} UTF-16 units)",
                offset=offset,
                length=self._utf16[-1],
            )
        if self._utf16[index] != offset:
            raise SpanProblem(
                "inside_character",
                field,
                f"{field} {offset} falls inside a character (UTF-16)",
                offset=offset,
            )
        return index

    def _stored(self, offset: int) -> int:
        if self._same:
            return offset
        if self._map is None:
            self._map = _stored_offsets(self.given, self.stored)
        if self._map:
            return self._map[offset]
        return len(normalise_text(self.given[:offset]))  # not NFC: rare, and slower

    def place(self, start: int, end: int, exact: str | None) -> Placed:
        """The span in the stored text, or SpanProblem saying what is wrong."""
        quote = normalise_text(exact) if exact else None
        if exact and not (quote or "").strip():
            raise SpanProblem("blank", "exact", "the quote holds no text")
        if start < 0 or end < 0:
            if start == -1 and end == -1 and quote:
                found = self.stored.find(quote)
                if found < 0:
                    raise SpanProblem(
                        "quote_missing", "exact", "the quote is not in the article's text"
                    )
                return Placed(found, found + len(quote))
            raise SpanProblem("negative", "start", "start and end must be 0 or more")
        if end <= start:
            raise SpanProblem(
                "end_before_start",
                "end",
                f"end ({end}) must be greater than start ({start})",
                start=start,
                end=end,
            )
        first = self._stored(self._code_point(start, "start"))
        last = self._stored(self._code_point(end, "end"))
        if quote is None or self.stored[first:last] == quote:
            if not self.stored[first:last].strip():
                raise SpanProblem("blank", "end", "the span holds only white space")
            return Placed(first, last)
        nearest = self._nearest(quote, first)
        if nearest is None:
            raise SpanProblem(
                "quote_elsewhere",
                "exact",
                f"the quote {quote[:80]!r} is not at {start}-{end} nor anywhere in the text",
                quote=quote[:80],
                start=start,
                end=end,
            )
        return Placed(nearest, nearest + len(quote), moved=True)

    def _nearest(self, quote: str, around: int) -> int | None:
        best: int | None = None
        found = self.stored.find(quote)
        while found >= 0:
            if best is None or abs(found - around) < abs(best - around):
                best = found
            found = self.stored.find(quote, found + 1)
        return best
