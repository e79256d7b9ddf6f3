"""CSV for spreadsheets: a header row, then one row per claim (RFC 4180, CRLF line endings).

Every field is quoted (RFC 4180 allows it; spreadsheets still read quoted numbers as numbers),
which lets a whole row be escaped with two C-level string replaces instead of a per-character
pass: the csv module's writer made this the slowest export.

Sources share one cell, ``url (stance)`` joined by `` | ``, next to a ``sources_count`` column.
Datetimes are ISO 8601, a missing value is an empty cell (so are the offsets of an orphaned
claim), a whole verdict value is written without ".0". NUL characters are dropped (PostgreSQL
text cannot hold them anyway, and the row assembly uses NUL as its field separator).

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula, and claims quote the open web, so every cell that starts with one of them gets a leading
``'`` (the usual guard: the spreadsheet shows the text and hides the quote), except a cell that is
just a negative number, which is harmless and must stay a number (a verdict value on a -2..2
scale).

``adjudicator`` is the username, or the export's pseudonym. With ``revisions`` or ``texts`` the
columns ``article_revision`` and ``article_checksum`` follow ``sources``; with ``texts``,
``article_text`` (the article's whole text, which ``start``/``end`` index) after them.

``bom=True`` starts the file with a UTF-8 byte order mark, which Excel needs to read it as UTF-8
instead of the system's code page; it is off by default because other readers (Python's csv,
most research tools) would see it as part of the first column's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from annotations.exports._stream import CHUNK_CHARS
from annotations.exports.rows import ClaimRow, ExportContext, SourceRow

HEADER = (
    "claim_id",
    "claim_url",
    "quote",
    "normalised_text",
    "claimant",
    "language",
    "status",
    "verdict",
    "verdict_label",
    "verdict_value",
    "verdict_note",
    "reviewed_at",
    "adjudicator",
    "article_id",
    "article_url",
    "article_title",
    "publisher",
    "article_published_at",
    "start",
    "end",
    "sources_count",
    "sources",
)
REVISION_HEADER = ("article_revision", "article_checksum")
TEXT_HEADER = ("article_text",)

SEPARATOR = "\x00"
# A cell start (after a separator) that a spreadsheet would evaluate; a cell that is exactly a
# negative number is the one safe case. The first cell is the claim id, never guarded. The loose
# pattern is the cheap test that nearly every row passes; the strict one does the work.
_MAYBE_FORMULA = re.compile(r"\x00[-=+@\t\r]")
_FORMULA = re.compile(r"\x00(?=[=+@\t\r]|-(?![0-9]+(?:\.[0-9]+)?(?:\x00|\Z)))")


def quote_line(joined: str) -> str:
    """Turn NUL-separated fields into one CSV line: guard formulas, quote every field."""
    if _MAYBE_FORMULA.search(joined):
        joined = _FORMULA.sub("\x00'", joined)
    return '"' + joined.replace('"', '""').replace(SEPARATOR, '","') + '"\r\n'


def csv_line(fields: Sequence[str]) -> str:
    """The line for any fields: the slow, general path (header, rows that hold a NUL)."""
    return quote_line(SEPARATOR.join([field.replace(SEPARATOR, "") for field in fields]))


def sources_cell(sources: tuple[SourceRow, ...]) -> str:
    return " | ".join([f"{source.url} ({source.stance})" for source in sources])


def verdict_value_cell(value: float | None) -> str:
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def write_csv(
    rows: Iterable[ClaimRow], ctx: ExportContext, *, bom: bool = False
) -> Iterator[bytes]:
    header: tuple[str, ...] = HEADER
    if ctx.revisions or ctx.texts:
        header += REVISION_HEADER
    if ctx.texts:
        header += TEXT_HEADER
    parts = ["\ufeff" if bom else "", csv_line(header)]
    size = 0
    claims_url = ctx.claim_url(0).removesuffix("0/")
    field_count = len(header)
    revisions, texts = ctx.revisions or ctx.texts, ctx.texts
    person = ctx.person
    # Verdict values come from the scale: a handful of distinct ones, formatted once.
    value_cells = {label.value: verdict_value_cell(label.value) for label in ctx.scale}
    # Claims come grouped by article, so its date repeats: formatting an aware datetime costs
    # more than comparing two.
    last_published: datetime | None = None
    published = ""
    try:
        for row in rows:
            reviewed_at = row.reviewed_at
            if row.article_published_at != last_published:
                last_published = row.article_published_at
                published = "" if last_published is None else last_published.isoformat()
            sources = row.sources
            fields: tuple[str, ...] = (
                f"{row.claim_id:d}",
                f"{claims_url}{row.claim_id:d}/",
                row.text,
                row.normalised_text,
                row.claimant,
                row.language,
                row.status,
                row.verdict_slug or "",
                row.verdict_name or "",
                value_cells.get(row.verdict_value) or verdict_value_cell(row.verdict_value),
                row.verdict_note,
                "" if reviewed_at is None else reviewed_at.isoformat(),
                person(row.adjudicator),
                f"{row.article_id:d}",
                row.article_url,
                row.article_title,
                row.publisher,
                published,
                "" if row.start is None else f"{row.start:d}",
                "" if row.end is None else f"{row.end:d}",
                str(len(sources)),
                sources_cell(sources),
            )
            if revisions:
                fields += (str(row.article_revision), row.article_checksum)
                if texts:
                    fields += (row.article_text,)
            joined = SEPARATOR.join(fields)
            # One count over the row proves that no field holds a separator of its own.
            if joined.count(SEPARATOR) != field_count - 1:
                line = csv_line(fields)
            else:
                # quote_line, inlined: this loop is the CSV export's whole cost.
                if _MAYBE_FORMULA.search(joined):
                    joined = _FORMULA.sub("\x00'", joined)
                line = '"' + joined.replace('"', '""').replace(SEPARATOR, '","') + '"\r\n'
            parts.append(line)
            size += len(line)
            if size >= CHUNK_CHARS:
                yield "".join(parts).encode()
                parts.clear()
                size = 0
        yield "".join(parts).encode()
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
