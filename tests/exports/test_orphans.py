"""An orphaned claim (a text correction could not place its quote again) has no offsets: every
writer keeps it and leaves only the position out."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from annotations.exports.csv_writer import write_csv
from annotations.exports.fever import write_fever_jsonl
from annotations.exports.webannotation import write_web_annotations
from tests.exports.factories import csv_records, json_lines, make_claim, make_ctx

ORPHAN = make_claim(start=None, end=None)


def test_it_writes_null_offsets_in_fever() -> None:
    [record] = json_lines(write_fever_jsonl(iter([ORPHAN]), make_ctx()))
    assert (record["start"], record["end"]) == (None, None)
    assert record["quote"] == ORPHAN.text
    assert record["label"] == "SUPPORTS"


def test_it_leaves_the_offset_cells_empty_in_csv() -> None:
    header, row = csv_records(write_csv(iter([ORPHAN]), make_ctx()))
    record = dict(zip(header, row, strict=True))
    assert (record["start"], record["end"]) == ("", "")
    assert record["quote"] == ORPHAN.text


def test_it_keeps_only_the_quote_selector_in_a_web_annotation() -> None:
    [annotation] = json_lines(write_web_annotations(iter([ORPHAN]), make_ctx()))
    assert annotation["target"]["selector"] == [
        {
            "type": "TextQuoteSelector",
            "exact": ORPHAN.text,
            "prefix": ORPHAN.prefix,
            "suffix": ORPHAN.suffix,
        }
    ]


@pytest.mark.parametrize("writer", [write_fever_jsonl, write_web_annotations])
def test_it_still_refuses_half_an_offset(writer: Callable[..., Iterator[bytes]]) -> None:
    with pytest.raises((TypeError, ValueError)):
        list(writer(iter([make_claim(end=None)]), make_ctx()))
