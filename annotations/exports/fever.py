"""FEVER-style JSON Lines: one claim a line, FEVER's field names, sources in place of Wikipedia.

Per line:
- ``id``, ``claim`` (normalised wording, else the quoted text), ``label`` and ``verifiable``
  (VERIFIABLE for SUPPORTS/REFUTES, NOT VERIFIABLE for NOT ENOUGH INFO, as in FEVER).
- ``label`` comes from the workspace's mapping (``ExportContext.fever_mapping``) completed by
  ``default_fever_mapping``: a verdict value above the scale's midpoint supports, below refutes,
  at the midpoint or without a value is NOT ENOUGH INFO. A verdict the mapping does not know (the
  scale changed after it was given) is placed by its own value the same way; no verdict at all is
  NOT ENOUGH INFO.
- ``evidence``: one evidence set per source whose stance is "supports" or "refutes", each
  ``[[null, source_id, url, sentence_id]]`` where FEVER has ``[annotation_id, evidence_id, page,
  sentence_id]``: the source's URL is the page, the passage quoted from it is the sentence. A
  sentence id is the id of the claim-source link that quoted the passage (an integer, the same in
  every export and release; an empty quote stands for the page as a whole). ``evidence_sources``
  lists every linked source (context ones too) with its ``source_id``, ``sentence_id`` and
  ``quote``, so evidence and passages join on ``(url, sentence_id)``.
- With ``revisions`` or ``texts``: ``article_revision`` and ``article_checksum`` (the SHA-256 of
  the article's text at that revision, which ``start``/``end`` index); with ``texts``,
  ``article_text`` too.
- The workbench's own fields: ``quote`` (the highlighted text, which ``start``/``end`` index into
  the article, code points, end exclusive), ``verdict`` (slug), ``verdict_label`` (its name),
  ``verdict_value``, ``language``, ``article_url``, ``status``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from annotations.exports._stream import (
    article_fields,
    chunked,
    json_number,
    json_optional_string,
    json_string,
)
from annotations.exports.rows import (
    NOT_ENOUGH_INFO,
    ClaimRow,
    ExportContext,
    SourceRow,
    fever_label_for_value,
    rating_bounds,
    resolve_fever_mapping,
)

EVIDENCE_STANCES = frozenset({"supports", "refutes"})


def write_fever_jsonl(rows: Iterable[ClaimRow], ctx: ExportContext) -> Iterator[bytes]:
    # Resolved here, not inside the generator, so a bad mapping fails before a response starts.
    mapping = resolve_fever_mapping(ctx)
    bounds = rating_bounds(ctx.scale)

    def line(row: ClaimRow) -> str:
        slug = row.verdict_slug
        if slug is None:
            label = NOT_ENOUGH_INFO
        else:
            label = mapping.get(slug) or fever_label_for_value(row.verdict_value, bounds)
        return fever_line(row, label, article)

    article = article_fields(texts=ctx.texts, revisions=ctx.revisions)

    return chunked(map(line, rows), upstream=rows)


def fever_line(
    row: ClaimRow, label: str, article: Callable[[int, str, str], str] | None = None
) -> str:
    # A template rather than json.dumps of a dict: twice as fast (no dict to build, no keys to
    # escape), and every value still goes through json's own escaping; `:d` makes a None where
    # an int belongs fail loudly instead of writing invalid JSON.
    verifiable = "NOT VERIFIABLE" if label == NOT_ENOUGH_INFO else "VERIFIABLE"
    start, end = row.start, row.end
    # An orphaned claim has neither offset; anything else without one is a bug upstream, and `:d`
    # still refuses it rather than write a wrong offset.
    span = (
        '"start":null,"end":null'
        if start is None and end is None
        else f'"start":{start:d},"end":{end:d}'
    )
    return (
        f'{{"id":{row.claim_id:d},"claim":{json_string(row.normalised_text or row.text)},'
        f'"label":"{label}","verifiable":"{verifiable}",'
        f'"evidence":[{evidence(row.sources)}],"evidence_sources":[{sources(row.sources)}],'
        f'"quote":{json_string(row.text)},"verdict":{json_optional_string(row.verdict_slug)},'
        f'"verdict_label":{json_optional_string(row.verdict_name)},'
        f'"verdict_value":{json_number(row.verdict_value)},'
        f'"language":{json_string(row.language)},"article_url":{json_string(row.article_url)},'
        f'{span},"status":{json_string(row.status)}'
        f"{'' if article is None else article(row.article_revision, row.article_checksum, row.article_text)}}}\n"
    )


def evidence(rows: tuple[SourceRow, ...]) -> str:
    return ",".join(
        [
            f"[[null,{source.source_id:d},{json_string(source.url)},{source.link_id:d}]]"
            for source in rows
            if source.stance in EVIDENCE_STANCES
        ]
    )


def sources(rows: tuple[SourceRow, ...]) -> str:
    return ",".join(
        [
            f'{{"source_id":{source.source_id:d},"sentence_id":{source.link_id:d},'
            f'"url":{json_string(source.url)},'
            f'"title":{json_string(source.title)},"publisher":{json_string(source.publisher)},'
            f'"stance":{json_string(source.stance)},"quote":{json_string(source.quote)}}}'
            for source in rows
        ]
    )
