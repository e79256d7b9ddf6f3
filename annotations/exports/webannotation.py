"""W3C Web Annotation export as JSON Lines: one complete JSON-LD Annotation a line.

Why lines and not an AnnotationCollection: every line is a standalone JSON-LD document with its own
``@context``, so a reader (an import script, an annotation server's bulk loader) can stream it
without holding the whole file, which a single collection document would force on most JSON
parsers; and a collection would need its ``total`` and a page IRI before the first item, neither
of which a stream knows.

Each annotation: ``id`` is the claim's URL in the workbench; ``target.source`` is the article's URL
(the article's workbench page for pasted articles); the selectors are a TextPositionSelector
(code points into the article's stored text, end exclusive) and a TextQuoteSelector (the quoted
text with its context); an orphaned claim (a text correction could not place its quote again)
has no position, so only its TextQuoteSelector is written. A claim with a verdict is
``motivation: "assessing"`` with two bodies: the verdict's name (purpose ``assessing``) and its
slug (purpose ``tagging``). A claim without one is only ``highlighting`` and has no body.
``created`` is when the final verdict was set.

Per-reviewer highlights: after each claim's annotation come its reviewers' own spans, one
annotation each (what span agreement is computed on): ``id`` is the claim's URL with
``#highlight-<id>``, ``motivation: "highlighting"``, ``creator`` a ``Person`` whose ``nickname``
is the reviewer's username (or the export's pseudonym), ``created`` when it was drawn, the same
target source with its own selectors, and one body, a ``SpecificResource`` whose ``source`` is the
claim's annotation (``purpose: "linking"``), so a reader groups the spans by claim.

``utf16`` (optional): where an astral character (an emoji...) before or inside the span makes
UTF-16 code units differ from code points, a second ``TextPositionSelector`` counted in UTF-16 code
units, marked ``"unit": "utf-16"``, is written last. JavaScript clients count UTF-16 units, and
Hypothesis's client takes the last position selector it finds, so it anchors on the position
without its quote fallback; readers that take the first position selector get code points.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from annotations.exports._stream import chunked, json_string
from annotations.exports.rows import ClaimRow, ExportContext, HighlightRow

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def write_web_annotations(rows: Iterable[ClaimRow], ctx: ExportContext) -> Iterator[bytes]:
    def line(row: ClaimRow) -> str:
        if row.highlights:
            return annotation_line(row, ctx) + "".join(
                [highlight_line(row, highlight, ctx) for highlight in row.highlights]
            )
        return annotation_line(row, ctx)

    return chunked(map(line, rows), upstream=rows)


def annotation_line(row: ClaimRow, ctx: ExportContext) -> str:
    # A template instead of json.dumps of a dict, for speed: see fever.fever_line.
    slug = row.verdict_slug
    if slug is None:
        motivation = '"motivation":"highlighting"'
    else:
        motivation = (
            '"motivation":"assessing","body":['
            '{"type":"TextualBody","purpose":"assessing",'
            f'"value":{json_string(row.verdict_name or slug)},"format":"text/plain"}},'
            f'{{"type":"TextualBody","purpose":"tagging","value":{json_string(slug)}}}]'
        )
    source = row.article_url or ctx.article_page_url(row.article_id)
    created = "" if row.reviewed_at is None else f',"created":"{row.reviewed_at.isoformat()}"'
    selectors = selector_list(
        row.start,
        end=row.end,
        exact=row.text,
        prefix=row.prefix,
        suffix=row.suffix,
        utf16=(row.start_utf16, row.end_utf16) if ctx.utf16 else None,
    )
    return (
        f'{{"@context":"{ANNO_CONTEXT}","id":{json_string(ctx.claim_url(row.claim_id))},'
        f'"type":"Annotation",{motivation},'
        f'"target":{{"source":{json_string(source)},"selector":[{selectors}]}}'
        f"{created}}}\n"
    )


def highlight_line(row: ClaimRow, highlight: HighlightRow, ctx: ExportContext) -> str:
    claim_url = ctx.claim_url(row.claim_id)
    source = row.article_url or ctx.article_page_url(row.article_id)
    created = (
        "" if highlight.created_at is None else f',"created":"{highlight.created_at.isoformat()}"'
    )
    selectors = selector_list(
        highlight.start,
        end=highlight.end,
        exact=highlight.exact,
        prefix=highlight.prefix,
        suffix=highlight.suffix,
        utf16=(highlight.start_utf16, highlight.end_utf16) if ctx.utf16 else None,
    )
    creator = json_string(ctx.person(highlight.creator))
    return (
        f'{{"@context":"{ANNO_CONTEXT}",'
        f'"id":{json_string(f"{claim_url}#highlight-{highlight.highlight_id:d}")},'
        f'"type":"Annotation","motivation":"highlighting",'
        f'"creator":{{"type":"Person","nickname":{creator}}},'
        f'"body":{{"type":"SpecificResource","source":{json_string(claim_url)},'
        f'"purpose":"linking"}},'
        f'"target":{{"source":{json_string(source)},"selector":[{selectors}]}}'
        f"{created}}}\n"
    )


def selector_list(
    start: int | None,
    *,
    end: int | None,
    exact: str,
    prefix: str,
    suffix: str,
    utf16: tuple[int | None, int | None] | None,
) -> str:
    """The position (code points; none for an orphan), the quote, then the UTF-16 position when
    asked for and different from the code points."""
    position = (
        ""
        if start is None and end is None
        else f'{{"type":"TextPositionSelector","start":{start:d},"end":{end:d}}},'
    )
    quote = (
        f'{{"type":"TextQuoteSelector","exact":{json_string(exact)},'
        f'"prefix":{json_string(prefix)},"suffix":{json_string(suffix)}}}'
    )
    if utf16 is None or start is None or utf16[0] is None or utf16 == (start, end):
        return position + quote
    return (
        f'{position}{quote},{{"type":"TextPositionSelector","start":{utf16[0]:d},'
        f'"end":{utf16[1]:d},"unit":"utf-16"}}'
    )
