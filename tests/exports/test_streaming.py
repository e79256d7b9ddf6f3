"""What every writer shares: chunking, constant memory, a clean end, UTF-8 that survives."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.exports import FORMATS, ExportFormat
from annotations.exports._stream import CHUNK_CHARS
from annotations.exports.csv_writer import write_csv
from annotations.exports.fever import write_fever_jsonl
from annotations.exports.webannotation import write_web_annotations
from tests.exports.factories import (
    CountingRows,
    csv_records,
    json_lines,
    make_assessment,
    make_claim,
    make_ctx,
    make_raw_article,
    text_of,
)

MANY = 10_000


def many_rows(fmt: ExportFormat[Any], count: int = MANY) -> Iterator[Any]:
    # _replace on one template keeps building 10,000 rows cheap.
    if fmt.row_kind == "assessments":
        assessment = make_assessment()
        return (assessment._replace(assessment_id=i) for i in range(count))
    if fmt.row_kind == "articles":
        article = make_raw_article()
        return (article._replace(article_id=i) for i in range(count))
    claim = make_claim()
    return (claim._replace(claim_id=i) for i in range(count))


def parse(key: str, data: bytes) -> list[Any]:
    text = data.decode("utf-8")
    if key == "claimreview":
        document = json.loads(text)
        assert isinstance(document, list)
        return document
    if key == "csv":
        return list(csv.reader(io.StringIO(text, newline="")))[1:]
    return [json.loads(line) for line in text.split("\n")[:-1]]


def test_it_registers_every_format() -> None:
    assert set(FORMATS) == {"claimreview", "fever", "webannotation", "csv", "assessments", "raw"}
    assert {fmt.row_kind for fmt in FORMATS.values()} == {"claims", "assessments", "articles"}
    assert (FORMATS["raw"].media_type, FORMATS["raw"].file_extension) == (
        "application/x-ndjson",
        "jsonl",
    )
    assert FORMATS["assessments"].row_kind == "assessments"
    assert FORMATS["csv"].media_type.startswith("text/csv")
    assert FORMATS["claimreview"].file_extension == "jsonld"


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_it_streams_in_chunks_without_reading_ahead(key: str) -> None:
    fmt = FORMATS[key]
    rows = CountingRows(many_rows(fmt))
    chunks = fmt.writer(rows, make_ctx())
    assert rows.consumed == 0

    first = next(chunks)
    # The first chunk holds roughly 64 KiB, i.e. well under a tenth of the rows.
    assert CHUNK_CHARS <= len(first) < 2 * CHUNK_CHARS
    assert rows.consumed < MANY / 10

    rest = list(chunks)
    assert len(rest) > 5
    assert all(len(chunk) < 2 * CHUNK_CHARS for chunk in rest)
    assert rows.consumed == MANY
    assert len(parse(key, first + b"".join(rest))) == MANY


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_it_closes_the_rows_when_the_consumer_goes_away(key: str) -> None:
    fmt = FORMATS[key]
    rows = CountingRows(many_rows(fmt))
    chunks = fmt.writer(rows, make_ctx())
    next(chunks)
    chunks.close()  # type: ignore[attr-defined]
    assert rows.closed


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_it_closes_the_rows_at_the_end(key: str) -> None:
    fmt = FORMATS[key]
    rows = CountingRows(many_rows(fmt, 3))
    assert len(parse(key, b"".join(fmt.writer(rows, make_ctx())))) == 3
    assert rows.closed


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_it_writes_valid_output_for_no_rows(key: str) -> None:
    assert parse(key, b"".join(FORMATS[key].writer(iter(()), make_ctx()))) == []


UNICODE = "Macron : « l'écart s'est réduit » — 😀👍🏽 naïve Ünïcödé 中文 \u2028 \\ \"q\" \t tab"


def test_it_keeps_unicode_in_every_json_format() -> None:
    row = make_claim(text=UNICODE, normalised_text=UNICODE, claimant=UNICODE, prefix=UNICODE)
    [fever] = json_lines(write_fever_jsonl(iter([row]), make_ctx()))
    assert fever["claim"] == fever["quote"] == UNICODE
    [annotation] = json_lines(write_web_annotations(iter([row]), make_ctx()))
    quote = annotation["target"]["selector"][1]
    assert quote["exact"] == quote["prefix"] == UNICODE
    [review] = parse("claimreview", b"".join(FORMATS["claimreview"].writer([row], make_ctx())))
    assert review["claimReviewed"] == review["itemReviewed"]["author"]["name"] == UNICODE
    [assessment] = parse(
        "assessments",
        b"".join(FORMATS["assessments"].writer([make_assessment(rationale=UNICODE)], make_ctx())),
    )
    assert assessment["rationale"] == UNICODE


def test_it_writes_utf8_not_ascii_escapes() -> None:
    data = b"".join(write_fever_jsonl(iter([make_claim(text="« é 😀 »")]), make_ctx()))
    assert "« é 😀 »".encode() in data


def test_it_keeps_unicode_in_csv() -> None:
    row = make_claim(text=UNICODE, claimant=UNICODE)
    [record] = csv_records(write_csv(iter([row]), make_ctx()))[1:]
    assert record[2] == record[4] == UNICODE


def test_it_refuses_a_rating_that_json_cannot_hold() -> None:
    with pytest.raises(ValueError, match="JSON"):
        text_of(write_fever_jsonl(iter([make_claim(verdict_value=float("nan"))]), make_ctx()))


# Any text PostgreSQL can store: no NUL (the CSV writer drops it) and no lone surrogates (they
# have no UTF-8 form at all).
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)


@settings(max_examples=150, deadline=None)
@given(text=ANY_TEXT, claimant=ANY_TEXT, title=ANY_TEXT)
def test_it_round_trips_any_text_through_every_writer(text: str, claimant: str, title: str) -> None:
    row = make_claim(text=text, normalised_text="", claimant=claimant, article_title=title)

    [fever] = json_lines(write_fever_jsonl(iter([row]), make_ctx()))
    assert fever["claim"] == fever["quote"] == text

    [annotation] = json_lines(write_web_annotations(iter([row]), make_ctx()))
    assert annotation["target"]["selector"][1]["exact"] == text

    [review] = parse("claimreview", b"".join(FORMATS["claimreview"].writer([row], make_ctx())))
    assert review["claimReviewed"] == text

    [record] = csv_records(write_csv(iter([row]), make_ctx()))[1:]

    assert (record[2], record[4], record[15]) == (guarded(text), guarded(claimant), guarded(title))


def guarded(cell: str) -> str:
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(
        r"-[0-9]+(\.[0-9]+)?", cell
    ):
        return "'" + cell
    return cell
