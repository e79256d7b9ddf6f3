"""Raw per-reviewer assessments as JSON Lines, one assessment a line, for agreement research.

Whatever the query layer selects is written, disputed and unresolved claims included: agreement
is measured on the independent assessments, not on the final verdicts. Besides the row's own
fields (the verdict as ``verdict`` slug, ``verdict_label`` name and ``verdict_value``), each line
carries ``verdict_position``, the label's rank on the workspace's ordered scale (null for a label
no longer on it), which ordinal agreement needs even for labels without a numeric value, and
``initial_verdict``, the verdict as first given (before seeing anyone else's, under blind review):
the workbench's own agreement figures are computed on it.

``reviewer`` is the username, or the export's pseudonym. With ``revisions`` or ``texts`` each line
also has ``article_revision`` and ``article_checksum``; with ``texts``, ``article_text``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from annotations.exports._stream import (
    article_fields,
    chunked,
    json_datetime,
    json_number,
    json_optional_string,
    json_string,
)
from annotations.exports.rows import AssessmentRow, ExportContext


def write_assessments_jsonl(rows: Iterable[AssessmentRow], ctx: ExportContext) -> Iterator[bytes]:
    positions = {label.slug: label.position for label in ctx.scale}
    article = article_fields(texts=ctx.texts, revisions=ctx.revisions)
    person = ctx.person

    def line(row: AssessmentRow) -> str:
        slug = row.verdict_slug
        position = None if slug is None else positions.get(slug)
        if ctx.pseudonyms is not None:
            row = row._replace(reviewer=person(row.reviewer))
        text = assessment_line(row, position)
        extra = article(row.article_revision, row.article_checksum, row.article_text)
        return text if not extra else f"{text[:-2]}{extra}}}\n"

    return chunked(map(line, rows), upstream=rows)


def assessment_line(row: AssessmentRow, position: int | None) -> str:
    # A template instead of json.dumps of a dict, for speed: see fever.fever_line.
    return (
        f'{{"assessment_id":{row.assessment_id:d},"claim_id":{row.claim_id:d},'
        f'"claim_text":{json_string(row.claim_text)},"claim_status":{json_string(row.claim_status)},'
        f'"article_id":{row.article_id:d},"article_url":{json_string(row.article_url)},'
        f'"language":{json_string(row.language)},"reviewer":{json_string(row.reviewer)},'
        f'"verdict":{json_optional_string(row.verdict_slug)},'
        f'"verdict_label":{json_optional_string(row.verdict_name)},'
        f'"verdict_value":{json_number(row.verdict_value)},"verdict_position":{json_number(position)},'
        f'"confidence":{json_number(row.confidence)},"rationale":{json_string(row.rationale)},'
        f'"created_at":{json_datetime(row.created_at)},"updated_at":{json_datetime(row.updated_at)},'
        f'"initial_verdict":{json_optional_string(row.initial_verdict_slug)}}}\n'
    )
