"""FEVER claims (JSON Lines). No Django imports.

One claim a line: ``{"id": 75397, "verifiable": "VERIFIABLE", "label": "SUPPORTS", "claim": "...",
"evidence": [[[annotation_id, evidence_id, "Page_title", sentence_id], ...], ...]}``. Each line
becomes a one-sentence article whose text is the claim, with one claim spanning the whole text;
its ``verdict`` is FEVER's label as written (SUPPORTS, REFUTES or NOT ENOUGH INFO: the import maps it
onto the workspace's scale), empty when the line has none (FEVER's unlabelled test set). The
article's title is the claim, shortened; it has no URL. Evidence pages are Wikipedia titles, not
sources the workbench can link to, so they are left out, except a page that is a web address
(http or https: what the workbench's own FEVER export writes in its place), which becomes a
source, supporting or refuting as the label says (context for NOT ENOUGH INFO).
Offsets are code points (the span is computed here, in Python).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from annotations.imports import (
    ArticleIn,
    ClaimIn,
    ImportOptions,
    Parsed,
    Record,
    RecordError,
    SourceIn,
)
from annotations.imports._json import jsonl_objects, string_of

LABELS = ("SUPPORTS", "REFUTES", "NOT ENOUGH INFO")
STANCES = {"SUPPORTS": "supports", "REFUTES": "refutes"}
TITLE_LENGTH = 80


def parse(stream: BinaryIO, options: ImportOptions) -> Iterator[Parsed]:
    for place, obj in jsonl_objects(stream):
        if isinstance(obj, RecordError):
            yield obj
            continue
        yield _record(place, obj)


def short_title(text: str, limit: int = TITLE_LENGTH) -> str:
    """The text on one line, cut at a word before ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def _pages(evidence: Any) -> Iterator[Any]:
    """Each evidence entry's page: entries are [annotation_id, evidence_id, page, sentence_id],
    grouped in sets (a list of sets, or one set)."""
    for group in evidence if isinstance(evidence, list) else []:
        if not isinstance(group, list):
            continue  # not FEVER's shape: nothing to take from it
        entries = group if group and isinstance(group[0], list) else [group]
        for entry in entries:
            if isinstance(entry, list) and len(entry) >= 3:
                yield entry[2]


def _record(place: str, obj: dict[str, Any]) -> Parsed:
    claim = obj.get("claim")
    if not isinstance(claim, str) or not claim.strip():
        return RecordError(
            place, 'no claim: a FEVER line needs its claim under "claim"', "claim", "fever_no_claim"
        )
    raw_label = obj.get("label")
    label = ""
    if raw_label is not None:
        label = " ".join(str(raw_label).upper().split())
        if label not in LABELS:
            return RecordError(
                place,
                f'the label "{raw_label}" is not one of FEVER\'s: SUPPORTS, REFUTES, NOT ENOUGH INFO',
                "label",
                "fever_unknown_label",
                {"label": str(raw_label)},
            )
    evidence = obj.get("evidence")
    if evidence is not None and not isinstance(evidence, list):
        return RecordError(
            place,
            "the evidence should be a list of evidence sets",
            "evidence",
            "fever_evidence_not_list",
        )
    sources: list[SourceIn] = []
    seen: set[str] = set()
    for page in _pages(evidence):
        url = string_of(page)
        if url.lower().startswith(("http://", "https://")) and url not in seen:
            seen.add(url)
            sources.append(SourceIn(url=url, stance=STANCES.get(label, "context")))
    text = claim.strip()
    return Record(
        place,
        ArticleIn(
            text=text,
            title=short_title(text),
            offsets="codepoints",
            claims=(
                ClaimIn(start=0, end=len(text), exact=text, verdict=label, sources=tuple(sources)),
            ),
        ),
    )
