"""Turning a page's HTML into an article's text and metadata. No Django imports.

trafilatura finds the article body and its metadata in a full news page. A fragment that it does
not recognise as an article (a pasted excerpt) falls back to nh3: it drops scripts, styles and
every tag outside a small allow-list, and block tags become line breaks so paragraphs survive.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

import nh3
import trafilatura

from annotations.text import normalise_text

_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}
_BLOCK_BOUNDARY = re.compile(rf"</?(?:{'|'.join(sorted(_BLOCK_TAGS))})\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]+>")
_BLANK_RUNS = re.compile(r"[ \t]*\n[ \t\n]*")
_SPACE_RUNS = re.compile(r"[ \t]{2,}")


@dataclass(frozen=True, slots=True)
class ImportedPage:
    text: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    published_on: date | None = None
    language: str = ""


def page_from_html(html: str, *, url: str | None = None) -> ImportedPage:
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
    )
    body = getattr(document, "text", None) or ""
    if body.strip():
        title = (getattr(document, "title", None) or "").strip()
        text = normalise_text(body).strip()
        # trafilatura repeats the headline as the first line of the body.
        first, _sep, rest = text.partition("\n")
        if title and first.strip() == title and rest.strip():
            text = rest.strip()
        return ImportedPage(
            text=text,
            title=title,
            author=(getattr(document, "author", None) or "").strip(),
            publisher=(getattr(document, "sitename", None) or "").strip(),
            published_on=_parse_date(getattr(document, "date", None)),
            language=(getattr(document, "language", None) or "")[:8],
        )
    return ImportedPage(text=plain_text_from_fragment(html), title=_fragment_title(html))


def _fragment_title(html: str) -> str:
    """The <title>, og:title or first heading of a page that trafilatura did not read as an
    article (a short page or an excerpt)."""
    try:
        metadata = trafilatura.extract_metadata(html)
    except (ValueError, TypeError):  # a fragment that lxml cannot make a tree of
        return ""
    return (getattr(metadata, "title", None) or "").strip()


HEADLINE_CHARS = 150
_FILE_NAME_SEPARATORS = re.compile(r"[_\s]+|(?<=\w)-(?=\w)")


def choose_title(*, text: str, page_title: str = "", file_name: str = "") -> str:
    """An article's title when the person importing it gave none.

    The page's own title first (HTML metadata); then the text's first line when it is short
    enough to be a headline; then the uploaded file's name; then the first line, shortened.
    """
    if page_title.strip():
        return page_title.strip()
    first_line = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if first_line and len(first_line) <= HEADLINE_CHARS:
        return first_line
    stem = PurePath(file_name).stem if file_name else ""
    named = " ".join(_FILE_NAME_SEPARATORS.sub(" ", stem).split())
    if named:
        return named[:1].upper() + named[1:]
    return _shortened(first_line, HEADLINE_CHARS)


def _shortened(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def plain_text_from_fragment(html: str) -> str:
    cleaned = nh3.clean(html, tags=_BLOCK_TAGS, attributes={}, strip_comments=True)
    text = _BLOCK_BOUNDARY.sub("\n", cleaned)
    text = html_lib.unescape(_ANY_TAG.sub("", text))
    text = _SPACE_RUNS.sub(" ", normalise_text(text))
    return _BLANK_RUNS.sub("\n", text).strip()


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
