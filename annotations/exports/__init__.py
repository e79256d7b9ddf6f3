"""Export writers: one per format, each turning plain rows into a stream of UTF-8 byte chunks.

No Django imports here: the query layer builds the rows (``rows.py``) one at a time and hands the
writer an iterator, the view or task sends the chunks on. Every writer takes ``(rows, ctx)`` and
returns an iterator of chunks of about 64 KiB; configuration errors (a bad FEVER mapping) raise on
the call, before the first chunk, so a response never starts on an export that cannot finish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from annotations.exports.assessments import write_assessments_jsonl
from annotations.exports.claimreview import write_claimreview
from annotations.exports.csv_writer import write_csv
from annotations.exports.fever import write_fever_jsonl
from annotations.exports.raw import write_raw_jsonl
from annotations.exports.rows import AssessmentRow, ClaimRow, ExportContext, RawArticle
from annotations.exports.webannotation import write_web_annotations

RowT = TypeVar("RowT")


@dataclass(frozen=True, slots=True)
class ExportFormat(Generic[RowT]):
    name: str
    media_type: str
    file_extension: str
    writer: Callable[[Iterable[RowT], ExportContext], Iterator[bytes]]
    # Which rows the query layer must feed the writer: ClaimRow, AssessmentRow or RawArticle.
    row_kind: Literal["claims", "assessments", "articles"]
    # Whether `texts` (each row's article text, revision and checksum) fits the format.
    takes_texts: bool = True

    def file_name(self, stem: str, key: str) -> str:
        """`<stem>.<key>.<extension>`, or `<stem>.<extension>` when the key is the extension
        (`.csv`, not `.csv.csv`)."""
        if key == self.file_extension:
            return f"{stem}.{self.file_extension}"
        return f"{stem}.{key}.{self.file_extension}"


# JSON Lines has no registered media type; application/x-ndjson is what streaming clients know.
NDJSON = "application/x-ndjson"

CLAIMREVIEW: ExportFormat[ClaimRow] = ExportFormat(
    "ClaimReview (schema.org JSON-LD)",
    "application/ld+json",
    "jsonld",
    write_claimreview,
    "claims",
    takes_texts=False,
)
FEVER: ExportFormat[ClaimRow] = ExportFormat(
    "FEVER-style JSON Lines", NDJSON, "jsonl", write_fever_jsonl, "claims"
)
WEB_ANNOTATION: ExportFormat[ClaimRow] = ExportFormat(
    "W3C Web Annotations (JSON-LD, one a line)",
    NDJSON,
    "jsonl",
    write_web_annotations,
    "claims",
    takes_texts=False,
)
CSV: ExportFormat[ClaimRow] = ExportFormat(
    "CSV (one row per claim)",
    "text/csv; charset=utf-8; header=present",
    "csv",
    write_csv,
    "claims",
)
ASSESSMENTS: ExportFormat[AssessmentRow] = ExportFormat(
    "Per-reviewer assessments (JSON Lines)",
    NDJSON,
    "jsonl",
    write_assessments_jsonl,
    "assessments",
)

RAW: ExportFormat[RawArticle] = ExportFormat(
    "Raw (JSON Lines, one article a line with everything on it)",
    NDJSON,
    "jsonl",
    write_raw_jsonl,
    "articles",
)

FORMATS: dict[str, ExportFormat[Any]] = {
    "claimreview": CLAIMREVIEW,
    "fever": FEVER,
    "webannotation": WEB_ANNOTATION,
    "csv": CSV,
    "assessments": ASSESSMENTS,
    "raw": RAW,
}

__all__ = [
    "ASSESSMENTS",
    "CLAIMREVIEW",
    "CSV",
    "FEVER",
    "FORMATS",
    "RAW",
    "WEB_ANNOTATION",
    "ExportFormat",
    "write_assessments_jsonl",
    "write_claimreview",
    "write_csv",
    "write_fever_jsonl",
    "write_raw_jsonl",
    "write_web_annotations",
]
