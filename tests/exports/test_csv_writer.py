from __future__ import annotations

from typing import Any

import pytest

from annotations.exports.csv_writer import HEADER, write_csv
from annotations.exports.rows import ScaleLabel
from tests.exports.factories import csv_records, make_claim, make_ctx, text_of


def table(*rows: Any, **ctx: Any) -> list[dict[str, str]]:
    header, *records = csv_records(write_csv(iter(rows), make_ctx(**ctx)))
    assert tuple(header) == HEADER
    assert all(len(record) == len(HEADER) for record in records)
    return [dict(zip(header, record, strict=True)) for record in records]


def test_it_writes_a_row_field_by_field() -> None:
    [row] = table(make_claim())

    assert row == {
        "claim_id": "7",
        "claim_url": "https://workbench.example/claims/7/",
        "quote": "« le chômage a baissé de 12 % »",
        "normalised_text": "Le chômage a baissé de 12 % en 2023.",
        "claimant": "Jean Dupont",
        "language": "fr",
        "status": "published",
        "verdict": "mostly-true",
        "verdict_label": "Mostly true",
        "verdict_value": "4",
        "verdict_note": "Chiffres INSEE",
        "reviewed_at": "2024-05-02T09:15:30+00:00",
        "adjudicator": "alice",
        "article_id": "3",
        "article_url": "https://journal.example/article/3",
        "article_title": "Le débat budgétaire",
        "publisher": "Le Journal",
        "article_published_at": "2024-04-30T18:00:00+00:00",
        "start": "120",
        "end": "151",
        "sources_count": "3",
        "sources": "https://stats.example/a (supports) | https://news.example/b (refutes)"
        " | https://blog.example/c (context)",
    }


def test_it_writes_only_the_header_for_no_rows() -> None:
    assert table() == []
    assert text_of(write_csv(iter(()), make_ctx())) == ",".join(f'"{n}"' for n in HEADER) + "\r\n"


def test_it_writes_empty_cells_for_missing_values() -> None:
    [row] = table(
        make_claim(
            verdict_slug=None,
            verdict_name=None,
            verdict_value=None,
            reviewed_at=None,
            article_published_at=None,
            sources=(),
        )
    )
    assert [row[name] for name in ("verdict", "verdict_value", "reviewed_at", "sources")] == [
        "",
        "",
        "",
        "",
    ]
    assert row["article_published_at"] == ""
    assert row["sources_count"] == "0"


def test_it_quotes_commas_quotes_and_line_breaks_and_ends_lines_with_crlf() -> None:
    tricky = 'He said "no", then\r\nleft;\nagain\r'
    chunks = write_csv(iter([make_claim(text=tricky)]), make_ctx())
    text = text_of(chunks)
    assert text.endswith('"\r\n')
    [row] = table(make_claim(text=tricky))
    assert row["quote"] == tricky


@pytest.mark.parametrize(
    "dangerous",
    ['=HYPERLINK("http://evil")', "+33 1 23", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "-"],
)
def test_it_neutralises_formulas_in_text_cells(dangerous: str) -> None:
    [row] = table(
        make_claim(
            claimant=dangerous,
            text=dangerous,
            article_title=dangerous,
            sources=(make_claim().sources[0]._replace(url=dangerous),),
        )
    )
    for name in ("claimant", "quote", "article_title"):
        assert row[name] == "'" + dangerous
    assert row["sources"].startswith("'" + dangerous)


def test_it_neutralises_a_formula_in_the_last_cell_and_after_an_empty_cell() -> None:
    [row] = table(make_claim(verdict_note="", adjudicator="=1+1", sources=()))
    assert row["adjudicator"] == "'=1+1"
    [row] = table(make_claim(sources=(make_claim().sources[0]._replace(url="=cmd"),)))
    assert row["sources"] == "'=cmd (supports)"


def test_it_leaves_negative_numbers_and_inner_signs_alone() -> None:
    scale = (ScaleLabel("false", "False", -2.0, 0), ScaleLabel("true", "True", 2.0, 1))
    [row] = table(
        make_claim(verdict_value=-2.0, claimant="-1.5", text="1 + 1 = 2 @ noon"), scale=scale
    )
    assert row["verdict_value"] == "-2"
    assert row["claimant"] == "-1.5"
    assert row["quote"] == "1 + 1 = 2 @ noon"


def test_it_drops_nul_characters_and_keeps_the_columns() -> None:
    [row] = table(make_claim(claimant="Jean\x00 Dupont", article_title="=x\x00y"))
    assert row["claimant"] == "Jean Dupont"
    assert row["article_title"] == "'=xy"


def test_it_starts_with_a_byte_order_mark_only_when_asked() -> None:
    plain = b"".join(write_csv(iter(()), make_ctx()))
    excel = b"".join(write_csv(iter(()), make_ctx(), bom=True))
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel == b"\xef\xbb\xbf" + plain


def test_it_writes_fractional_verdict_values_in_full() -> None:
    [row] = table(make_claim(verdict_value=3.25))
    assert row["verdict_value"] == "3.25"
