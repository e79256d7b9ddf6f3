"""Reading JSON Lines and JSON documents record by record, for the import parsers. No Django imports.

``jsonl_objects`` reads one object a line and names each by its line ("line 3", 1-based, blank
lines counted); ``json_items`` streams the items of a JSON document's top-level array (or of a
collection's array, or a single object) with ijson, naming each by its index ("item 0"), so a
Label Studio export of hundreds of megabytes is never held whole. A bad line or item becomes a
``RecordError`` saying what is wrong; the records around it still come out.

Also the small helpers the parsers share: article fields from a tool's metadata, integer checks.

Every problem has a ``code`` and the ``params`` its sentence needs, beside the English sentence:
annotations.import_messages words it in the reader's language.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TypedDict, cast

import ijson  # type: ignore[import-untyped]

from annotations.imports import RecordError

DEFAULT_LINE_LIMIT = 10 * 1024 * 1024
# How much of a file's first line is read to tell JSON Lines from a JSON document.
SNIFF_LIMIT = 1024 * 1024
_BOM = b"\xef\xbb\xbf"
_CHUNK = 64 * 1024

Item = tuple[str, Any]


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, before it is known where: a stable ``code``, the English sentence and the
    ``params`` a translation of it needs."""

    code: str
    message: str
    params: dict[str, object] = field(default_factory=dict, hash=False)

    def at(self, place: str, field_name: str = "") -> RecordError:
        return RecordError(place, self.message, field_name, self.code, self.params)


# A JSON value's kind (the ``kind`` param of ``not_object``) and how the English sentence says it.
KINDS: dict[str, str] = {
    "list": "a list",
    "text": "a piece of text",
    "boolean": "true or false",
    "number": "a number",
    "null": "null",
    "object": "an object",
}


# What a JSON decoder's message says is wrong (Python's json for a line, yajl through ijson for a
# document), as a stable ``reason`` that import_messages words in the reader's language. A
# message matched by none keeps only the decoder's English words, in the English sentence.
_REASONS: tuple[tuple[str, str], ...] = (
    ("Expecting value", "value_expected"),
    ("unallowed token", "value_expected"),
    ("Expecting ',' delimiter", "comma_missing"),
    ("I expect ','", "comma_missing"),
    ("Expecting ':' delimiter", "colon_missing"),
    ("separated by a colon", "colon_missing"),
    ("Expecting property name", "name_not_quoted"),
    ("invalid object key", "name_not_quoted"),
    ("Unterminated string", "string_unclosed"),
    ("Invalid control character", "control_character"),
    ("invalid character inside string", "control_character"),
    ("Invalid \\", "bad_escape"),
    ("after '\\u'", "bad_escape"),
    ("'\\' occurs before", "bad_escape"),
    ("Extra data", "extra_data"),
    ("Illegal trailing comma", "trailing_comma"),
    ("malformed number", "bad_number"),
    ("comment", "comment"),
    ("invalid char in json text", "bad_character"),
    ("invalid string in json text", "bad_character"),
)


def decoder_reason(detail: str) -> str:
    """The ``reason`` a decoder's message gives, or "" when none is recognised."""
    for words, reason in _REASONS:
        if words in detail:
            return reason
    return ""


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "object"


def jsonl_objects(
    stream: BinaryIO, *, max_line_bytes: int = DEFAULT_LINE_LIMIT
) -> Iterator[tuple[str, dict[str, Any] | RecordError]]:
    """Each non-blank line of a JSON Lines file as ``("line N", object)``, or a ``RecordError``
    for a line that is too long, not UTF-8, not JSON or not a JSON object. Never stops early."""
    number = 0
    while True:
        line = stream.readline(max_line_bytes + 1)
        if not line:
            return
        number += 1
        place = f"line {number}"
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            # Skip the rest of the line without keeping it.
            while True:
                rest = stream.readline(_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield (
                place,
                RecordError(
                    place,
                    f"the line is too long (over {_size(max_line_bytes)}); one record must be smaller",
                    code="line_too_long",
                    params={"limit": max_line_bytes},
                ),
            )
            continue
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        if not line.strip():
            continue
        yield place, _decode_line(place, line)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    if count >= 1024:
        return f"{count / 1024:g} KB"
    return f"{count} bytes"


def _decode_line(place: str, line: bytes) -> dict[str, Any] | RecordError:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = f"{line[error.start]:#04x}"
        return RecordError(
            place,
            f"not UTF-8 text (byte {byte} at column {error.start + 1}); save the file as UTF-8",
            code="not_utf8",
            params={"byte": byte, "column": error.start + 1},
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return RecordError(
            place,
            f"not valid JSON: {error.msg} at column {error.colno}",
            code="not_json",
            params={
                "detail": error.msg,
                "column": error.colno,
                "reason": decoder_reason(error.msg),
            },
        )
    except RecursionError:
        return RecordError(place, "not readable: the JSON is nested too deeply", code="too_deep")
    if not isinstance(value, dict):
        kind = _kind(value)
        return RecordError(
            place,
            f"not a JSON object ({{...}}) but {KINDS[kind]}",
            code="not_object",
            params={"kind": kind},
        )
    return value


class _Replay(io.RawIOBase):
    """A stream that gives back bytes already read from it, then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(view), len(self._head))
            view[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def sniff(stream: BinaryIO) -> tuple[BinaryIO, bytes, bytes]:
    """Look at the start of a file without losing it: returns a stream to read from the start
    (byte-order mark dropped), the first non-blank byte (empty for an empty file) and the first
    line (up to ``SNIFF_LIMIT`` bytes)."""
    head = stream.readline(SNIFF_LIMIT)
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    first_line = head
    # Blank lines before the content: keep reading until a byte shows.
    while head and not head.strip():
        more = stream.readline(SNIFF_LIMIT)
        if not more:
            break
        first_line = more
        head += more
    stripped = head.lstrip()
    first = stripped[:1]
    return io.BufferedReader(_Replay(head, stream), _CHUNK), first, first_line


def _json_problem(error: Exception) -> Problem:
    text = str(error).strip()
    if text.startswith(("b'", 'b"')):
        text = text[2:]
    first = text.splitlines()[0].strip() if text else ""
    first = first.removeprefix("parse error: ").removeprefix("lexical error: ")
    if "premature EOF" in first:
        return Problem(
            "json_cut_short",
            "not valid JSON: the file ends in the middle of a record (is it cut short?)",
        )
    if "invalid bytes in UTF8" in first:
        return Problem("not_utf8_document", "not UTF-8 text; save the file as UTF-8")
    if "trailing garbage" in first:
        return Problem(
            "json_trailing_text", "not valid JSON: there is more text after the end of the list"
        )
    if first:
        # The decoder's own (English, technical) words, passed through.
        return Problem(
            "not_json_document",
            f"not valid JSON: {first}",
            {"detail": first, "reason": decoder_reason(first)},
        )
    return Problem("not_json_unexplained", "not valid JSON")


def json_items(
    stream: BinaryIO,
    *,
    single_object: bool = True,
    containers: Sequence[str] = (),
) -> Iterator[Item]:
    """The items of a JSON document as ``("item N", value)``, 0-based, streamed.

    The top level is an array of items; or, with ``single_object``, an object that is one item
    (``"item 0"``) unless it has an array under one of ``containers`` (dotted paths such as
    ``"rows"`` or ``"first.items"``), whose elements are then the items. A document that stops
    being valid JSON yields the items before the break, then one ``RecordError`` naming the
    item where it broke (or ``"file"``, before the first item).
    """
    reader, first, _ = sniff(stream)
    if not first:
        yield (
            "file",
            RecordError("file", "the file is empty: there is nothing to import", code="empty_file"),
        )
        return
    if first not in (b"[", b"{"):
        yield (
            "file",
            RecordError(
                "file",
                "not a JSON document: it should start with [ (a list of records)",
                code="not_json_list",
            ),
        )
        return
    if first == b"{" and not single_object:
        yield (
            "file",
            RecordError(
                "file",
                "the file holds one JSON object; a list of records ([...]) is expected",
                code="single_object",
            ),
        )
        return
    yield from _walk(reader, containers)


class _ItemBuilder:
    """Builds one item from ijson's events; ``done`` once its last event came."""

    def __init__(self, event: str, value: Any) -> None:
        self._builder: Any = ijson.ObjectBuilder()
        self._builder.event(event, value)
        self._depth = 1

    def event(self, event: str, value: Any) -> bool:
        self._builder.event(event, value)
        if event in ("start_map", "start_array"):
            self._depth += 1
        elif event in ("end_map", "end_array"):
            self._depth -= 1
        return self._depth == 0

    @property
    def value(self) -> Any:
        return self._builder.value


def _walk(reader: BinaryIO, containers: Sequence[str]) -> Iterator[Item]:
    array_paths = {""} | set(containers)
    index = 0
    builder: _ItemBuilder | None = None  # the item being built, while inside one
    whole: Any = ijson.ObjectBuilder()  # the top-level object, when it is the one record
    top_is_object = False
    items_path: str | None = None  # the array whose elements are the items, once seen
    try:
        for prefix, event, value in ijson.parse(reader, use_float=True):
            if builder is not None:
                if builder.event(event, value):
                    yield f"item {index}", builder.value
                    index += 1
                    builder = None
                continue
            if prefix == "" and event == "start_map":
                top_is_object = True
            if (
                items_path is None
                and event == "start_array"
                and prefix in array_paths
                and (prefix or not top_is_object)
            ):
                items_path = prefix
                continue
            if items_path is not None:
                if prefix != (f"{items_path}.item" if items_path else "item"):
                    continue
                if event in ("start_map", "start_array"):
                    builder = _ItemBuilder(event, value)
                elif event != "end_array":
                    yield f"item {index}", value
                    index += 1
            elif top_is_object:
                whole.event(event, value)
    except (ijson.JSONError, UnicodeDecodeError, ValueError) as error:
        place = f"item {index}" if items_path is not None else "file"
        yield place, _json_problem(error).at(place)
        return
    if top_is_object and items_path is None:
        yield "item 0", whole.value


def json_records(
    stream: BinaryIO, containers: Sequence[str], is_container: Callable[[Any], bool]
) -> Iterator[Item]:
    """The records of a file that may be JSON Lines or a JSON document, told apart by its first
    line: one whole object that is not a container (``is_container``) makes JSON Lines
    ("line N"); anything else is read as a document with json_items ("item N")."""
    reader, first, first_line = sniff(stream)
    if first == b"{":
        line = first_line.strip()
        looks_whole = line.endswith(b"}")
        parsed: Any = None
        if looks_whole:
            try:
                parsed = json.loads(line)
            except (ValueError, RecursionError):
                parsed = None
        if looks_whole and not is_container(parsed):
            yield from jsonl_objects(reader)
            return
    yield from json_items(reader, containers=containers)


def string_of(value: Any) -> str:
    """A string value as it is, anything else as empty."""
    return value.strip() if isinstance(value, str) else ""


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def slice_utf16(text: str, start: int, end: int) -> str:
    """``text[start:end]`` counted in UTF-16 code units, as JavaScript's ``slice`` does."""
    data = text.encode("utf-16-le")
    return data[2 * start : 2 * end].decode("utf-16-le", errors="replace")


_FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "url": ("url", "uri", "link", "source_url", "article_url", "original_url"),
    "title": ("title", "headline"),
    "publisher": ("publisher", "site_name", "outlet"),
    "author": ("author", "byline", "authors"),
    "language": ("language", "lang", "languageCode"),
    "published_at": ("published_at", "date_published", "datePublished", "published", "date"),
}


class ArticleFields(TypedDict, total=False):
    url: str
    title: str
    publisher: str
    author: str
    language: str
    published_at: str


def article_fields(*sources: Mapping[str, Any]) -> ArticleFields:
    """ArticleIn's metadata fields (url, title, publisher, author, language, published_at) from
    the first source, then the next, that has a text value under a usual key for it."""
    found: dict[str, str] = {}
    for field_name, keys in _FIELD_KEYS.items():
        for source in sources:
            value = next(
                (string_of(source.get(key)) for key in keys if string_of(source.get(key))), ""
            )
            if not value and field_name == "author":
                listed = next(
                    (source.get(key) for key in keys if isinstance(source.get(key), list)), None
                )
                if listed:
                    value = ", ".join(string_of(name) for name in listed if string_of(name))
            if value:
                found[field_name] = value
                break
    return cast(ArticleFields, found)


def span_problem(number: int | None, start: Any, end: Any, length: int | None) -> Problem | None:
    """What is wrong with span ``number`` (1-based as a person counts; None: an annotation's one
    position, "the position", its codes ``position_*`` rather than ``span_*``) of a text
    ``length`` long in the file's unit, or None."""
    name = "the position" if number is None else f"span {number}"
    prefix = "position" if number is None else "span"
    about: dict[str, object] = {} if number is None else {"number": number}
    if not is_int(start) or not is_int(end):
        return Problem(
            f"{prefix}_not_integer", f"{name} has a start or end that is not a whole number", about
        )
    if start < 0:
        return Problem(
            f"{prefix}_before_text",
            f"{name} starts before the text begins (at {start})",
            {**about, "start": start},
        )
    if end < start:
        return Problem(
            f"{prefix}_end_before_start",
            f"{name} has end before start ({start} to {end})",
            {**about, "start": start, "end": end},
        )
    if end == start:
        return Problem(
            f"{prefix}_empty",
            f"{name} is empty (it starts and ends at {start})",
            {**about, "start": start},
        )
    if length is not None and end > length:
        return Problem(
            f"{prefix}_past_end",
            f"{name} ends at {end}, after the end of the text ({length} characters)",
            {**about, "end": end, "length": length},
        )
    return None
