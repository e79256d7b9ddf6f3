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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from annotations.exports._stream import chunked, json_string
from annotations.exports.rows import ClaimRow, ExportContext

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def write_web_annotations(rows: Iterable[ClaimRow], ctx: ExportContext) -> Iterator[bytes]:
    def line(row: ClaimRow) -> str:
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
    start, end = row.start, row.end
    position = (
        ""
        if start is None and end is None
        else f'{{"type":"TextPositionSelector","start":{start:d},"end":{end:d}}},'
    )
    return (
        f'{{"@context":"{ANNO_CONTEXT}","id":{json_string(ctx.claim_url(row.claim_id))},'
        f'"type":"Annotation",{motivation},'
        f'"target":{{"source":{json_string(source)},"selector":['
        f"{position}"
        f'{{"type":"TextQuoteSelector","exact":{json_string(row.text)},'
        f'"prefix":{json_string(row.prefix)},"suffix":{json_string(row.suffix)}}}]}}'
        f"{created}}}\n"
    )
