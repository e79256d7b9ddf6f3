"""Turning a page's HTML into an article's text and metadata. No Django imports.

trafilatura finds the article body and its metadata in a full news page. A fragment that it does
not recognise as an article (a pasted excerpt) falls back to nh3: it drops scripts, styles and
every tag outside a small allow-list, and block tags become line breaks so paragraphs survive.
"""

from __future__ import annotations

import codecs
import html as html_lib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

import nh3
import trafilatura

from annotations.text import normalise_text
from annotations.webfetch import FetchError

_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}
_BLOCK_BOUNDARY = re.compile(rf"</?(?:{'|'.join(sorted(_BLOCK_TAGS))})\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]+>")
_BLANK_RUNS = re.compile(r"[ \t]*\n[ \t\n]*")
_SPACE_RUNS = re.compile(r"[ \t]{2,}")


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Elements that have no end tag, or whose end tag may be left out (the parser closes them when the
# next one starts): counting them as nesting would make a long list of paragraphs look deep.
_NOT_NESTING = _names(
    "area base br col embed hr img input link meta param source track wbr keygen basefont bgsound "
    "frame image p li dt dd tr td th thead tbody tfoot option optgroup rb rt rp rtc colgroup "
    "caption html head body"
)
# Elements whose content is text, not markup ("<div>" in a script is no element).
_RAW_TEXT = _names("script style textarea title xmp iframe noembed noframes noscript")
_TAG_START = re.compile(r"<(?:(!--)|(/?)([A-Za-z][A-Za-z0-9:._-]*))")
_RAW_TEXT_END = {name: re.compile(rf"</{name}", re.IGNORECASE) for name in _RAW_TEXT}


@dataclass(frozen=True, slots=True)
class HtmlLimits:
    """How much HTML a parser is given, measured by `html_shape` before any parser sees it.

    `depth`: libxml2, which reads the page for trafilatura, stops at 256 levels and silently drops
    everything deeper and after, and nh3's parser (the fallback for fragments) takes time in the
    square of the depth (a 1.1 MB page of nested <div> took 41 s); only elements whose end tag is
    required are counted, which leaves room for the others below libxml2's limit. The others
    bound trafilatura's time, which grows with the number of elements, with how deep each one
    sits (`nesting`, the sum of their depths), with the text and with the page's length: None
    leaves them unbounded (a
    page fetched by a worker), `IN_REQUEST` keeps an import that someone waits for under 2 s
    (bench/html_import.py measures it).
    """

    depth: int = 200
    elements: int | None = None
    nesting: int | None = None
    text_chars: int | None = None
    chars: int | None = None  # the page's length once the code of its scripts is cut out


COMPARED_UP_TO_ELEMENTS = 2_000
IN_REQUEST = HtmlLimits(elements=10_000, nesting=150_000, text_chars=1_000_000, chars=2_000_000)


@dataclass(frozen=True, slots=True)
class HtmlShape:
    depth: int = 0
    elements: int = 0
    nesting: int = 0
    text_chars: int = 0

    def beyond(self, limits: HtmlLimits) -> str:
        """The first of `limits` this shape exceeds ("" when none)."""
        if self.depth > limits.depth:
            return "depth"
        for name in ("elements", "nesting", "text_chars"):
            limit = getattr(limits, name)
            if limit is not None and getattr(self, name) > limit:
                return name
        return ""


class HtmlTooComplex(FetchError):
    """A page beyond its HtmlLimits (`code`: "too_deep", or "too_large" for the others). A
    FetchError, so that the fetch task records it on the article like any page it cannot use;
    an import from a request turns it into a 400 on the html field."""

    def __init__(self, limits: HtmlLimits, exceeded: str) -> None:
        if exceeded == "depth":
            super().__init__(
                "the page's HTML nests elements more than %(depth)d levels deep",
                code="too_deep",
                depth=limits.depth,
            )
        else:
            super().__init__(
                "the page's HTML is too large to read at once (at most %(elements)d elements, "
                "%(chars)d characters once scripts and styles are left out)",
                code="too_large",
                elements=limits.elements or 0,
                chars=limits.chars or 0,
            )


def html_shape(html: str, limits: HtmlLimits | None = None) -> HtmlShape:
    """How many elements a page has, how deeply they nest and how much text it holds, counted
    in one pass over its tags (no tree is built). Stops as soon as a limit is exceeded, so that a
    hostile page costs no more than a good one."""
    return _scan(html, limits)[0]


def _scan(html: str, limits: HtmlLimits | None = None) -> tuple[HtmlShape, list[tuple[int, int]]]:
    """html_shape, and where the code of scripts and styles lies (to be cut out). End tags close
    what they can; comments and the text of scripts and styles are skipped."""
    limits = limits or HtmlLimits(depth=len(html))
    depth = deepest = elements = nesting = text_chars = 0
    cuts: list[tuple[int, int]] = []
    position = 0
    while True:
        found = _TAG_START.search(html, position)
        if found is None:
            text_chars += len(html) - position
            break
        text_chars += found.start() - position
        comment, closing, name = found.groups()
        position = found.end()
        if comment:
            end = html.find("-->", position)
            if end < 0:
                break
            position = end + 3
            continue
        name = name.lower()
        if closing:
            if name not in _NOT_NESTING:
                depth = max(depth - 1, 0)
            continue
        elements += 1
        if name in _RAW_TEXT:
            end_tag = _RAW_TEXT_END[name].search(html, position)
            if end_tag is None:
                break
            tag_end = html.find(">", position, end_tag.start())
            if name in _CODE and tag_end >= 0 and not _is_metadata(html[position:tag_end]):
                cuts.append((tag_end + 1, end_tag.start()))
            position = end_tag.end()
            continue
        if name not in _NOT_NESTING:
            depth += 1
            deepest = max(deepest, depth)
        nesting += depth
        if (
            deepest > limits.depth
            or (limits.elements is not None and elements > limits.elements)
            or (limits.nesting is not None and nesting > limits.nesting)
        ):
            break
    return HtmlShape(deepest, elements, nesting, text_chars), cuts


# Scripts and styles: no parser here shows their code, but htmldate searches the whole page for
# dates with regular expressions (0.35 s a megabyte), so their code is cut out before parsing;
# the structured data a page gives about itself (JSON-LD: its date, author, publisher) is kept.
_CODE = _names("script style")


def _is_metadata(script_attributes: str) -> bool:
    return "ld+json" in script_attributes.lower()


def prepared_html(html: str, limits: HtmlLimits) -> tuple[str, HtmlShape]:
    """The page without the code of its scripts and styles, and its shape; raises HtmlTooComplex
    for a page beyond `limits`, before any parser sees it."""
    shape, cuts = _scan(html, limits)
    exceeded = shape.beyond(limits)
    if exceeded:
        raise HtmlTooComplex(limits, exceeded)
    if cuts:
        kept, position = [], 0
        for start, end in cuts:
            kept.append(html[position:start])
            position = end
        kept.append(html[position:])
        html = "".join(kept)
    if limits.chars is not None and len(html) > limits.chars:
        raise HtmlTooComplex(limits, "chars")
    return html, shape


# --- Uploaded files' encodings ------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16's, which it starts with
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Where a browser looks for a page's <meta charset> or http-equiv Content-Type (the HTML
# standard's prescan reads the first 1024 bytes), and the declaration in either form.
_PRESCAN_BYTES = 1024
_DECLARED_CHARSET = re.compile(
    rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:+-]+)", re.IGNORECASE
)
# As the HTML standard reads these labels: Latin-1 and ASCII declarations mean Windows-1252, and a
# UTF-16 declaration in a file without a byte order mark cannot be (its markup would be NULs).
_DECLARED_AS = {"iso8859-1": "cp1252", "ascii": "cp1252", "utf-16": "", "utf-32": ""}


class UndecodableFile(ValueError):
    """An uploaded file that is not text in an encoding it gives. `code` says which problem:
    "bom" (not the encoding its byte order mark announces), "not_utf8" (no mark, no declaration,
    not UTF-8), "unknown" (declares an encoding that does not exist), "declared" (not valid in the
    encoding it declares), "nul" (NUL characters: UTF-16 without its mark, or not text at all);
    `encoding` and `position` (the first byte that cannot be read) where they apply."""

    def __init__(self, code: str, *, encoding: str = "", position: int = 0) -> None:
        super().__init__(f"{code}: {encoding} at byte {position}")
        self.code = code
        self.encoding = encoding
        self.position = position


def decoded_file(data: bytes, *, html: bool) -> str:
    """The text of an uploaded file: in the encoding its byte order mark announces, else UTF-8,
    else (an HTML file) the one its <meta> declares. Never a guess: anything else raises
    UndecodableFile rather than becoming mojibake."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            try:
                return _without_nul(data.decode(encoding))
            except UnicodeDecodeError as exc:
                raise UndecodableFile("bom", encoding=encoding, position=exc.start) from None
    if b"\x00" in data:
        raise UndecodableFile("nul", position=data.index(b"\x00"))
    try:
        return _without_nul(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        not_utf8 = UndecodableFile("not_utf8", encoding="UTF-8", position=exc.start)
    declared = _DECLARED_CHARSET.search(data[:_PRESCAN_BYTES]) if html else None
    if declared is None:
        raise not_utf8
    label = declared.group(1).decode("ascii")
    try:
        encoding = _DECLARED_AS.get(codecs.lookup(label).name, codecs.lookup(label).name)
    except LookupError:
        raise UndecodableFile("unknown", encoding=label) from None
    if not encoding or encoding == "utf-8":
        raise not_utf8
    try:
        return _without_nul(data.decode(encoding))
    except UnicodeDecodeError as exc:
        raise UndecodableFile("declared", encoding=label, position=exc.start) from None
    except LookupError:  # a codec that is no text encoding (base64, rot13)
        raise UndecodableFile("unknown", encoding=label) from None


def _without_nul(text: str) -> str:
    if "\x00" in text:
        raise UndecodableFile("nul", position=text.index("\x00"))
    return text


@dataclass(frozen=True, slots=True)
class ImportedPage:
    text: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    published_on: date | None = None
    language: str = ""


def page_from_html(
    html: str, *, url: str | None = None, limits: HtmlLimits | None = None
) -> ImportedPage:
    """The article in a page. Raises HtmlTooComplex, before any parser sees the page, when it is
    beyond `limits` (by default only its depth is bounded)."""
    html, shape = prepared_html(html, limits or HtmlLimits())
    document = trafilatura.bare_extraction(
        html,
        url=url,
        # The extractors trafilatura compares its result with (readability, jusText) take time
        # in the square of the number of short paragraphs: only for pages of ordinary size.
        fast=shape.elements > COMPARED_UP_TO_ELEMENTS,
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
