"""Shared plumbing for the writers: chunking, JSON encoding, value formatting."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from json.encoder import encode_basestring

# Measured in characters, not bytes: close enough for a transport chunk and free to compute.
CHUNK_CHARS = 64 * 1024

# One encoder for the whole process: json.dumps with non-default options builds a new encoder on
# every call. NaN is refused because it would make the file invalid JSON for every strict reader.
encode_json = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
).encode


# The C function json itself uses for strings when ensure_ascii is off: escapes quotes,
# backslashes and control characters, leaves the rest as is (UTF-8 on the wire).
json_string: Callable[[str], str] = encode_basestring


def json_optional_string(value: str | None) -> str:
    return "null" if value is None else json_string(value)


def json_number(value: float | None) -> str:
    """A JSON number as json.dumps would write it, whole floats without ".0", None as null."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(int(value))
    # float() also takes a Decimal, which a NUMERIC column would produce.
    value = float(value)
    if value.is_integer():
        return str(int(value))
    if not math.isfinite(value):
        raise ValueError(f"{value!r} has no JSON representation")
    return repr(value)


def json_datetime(moment: datetime | None) -> str:
    return "null" if moment is None else f'"{moment.isoformat()}"'


def chunked(
    pieces: Iterable[str], *, upstream: Iterable[object], head: str = "", tail: str = ""
) -> Iterator[bytes]:
    """Join text pieces into UTF-8 chunks of about CHUNK_CHARS, with an optional head and tail.

    The tail is written only when the pieces run out, so a consumer that stops early gets no
    closing bracket rather than a file that looks complete. Whenever this generator ends, closed
    by a disconnected client included, the upstream row iterator is closed too, so a database
    cursor behind it is released at once instead of when it is garbage-collected.
    """
    parts: list[str] = [head]
    size = len(head)
    try:
        for piece in pieces:
            parts.append(piece)
            size += len(piece)
            if size >= CHUNK_CHARS:
                yield "".join(parts).encode()
                parts.clear()
                size = 0
        parts.append(tail)
        data = "".join(parts)
        if data:
            yield data.encode()
    finally:
        close = getattr(upstream, "close", None)
        if close is not None:
            close()


def separated(items: Iterable[str], separator: str) -> Iterator[str]:
    """Yield the items with the separator before every item but the first (a streamed join)."""
    iterator = iter(items)
    for first in iterator:
        yield first
        break
    for item in iterator:
        yield separator + item


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def number(value: float | None) -> float | int | None:
    """Write whole numbers without a trailing ".0": a rating of 5 reads better than 5.0."""
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def article_fields(*, texts: bool, revisions: bool) -> Callable[[int, str, str], str]:
    """What `revisions`/`texts` add to a JSON line: `,"article_revision":...` or nothing."""
    if texts:
        return lambda revision, checksum, text: (
            f',"article_revision":{revision:d},"article_checksum":{json_string(checksum)},'
            f'"article_text":{json_string(text)}'
        )
    if revisions:
        return lambda revision, checksum, text: (
            f',"article_revision":{revision:d},"article_checksum":{json_string(checksum)}'
        )
    return lambda revision, checksum, text: ""
