"""schema.org ClaimReview as one JSON-LD document: a JSON array with one ClaimReview per claim.

Only claims with a final verdict are written: a ClaimReview without a reviewRating is not a review
(Google's markup requires it), and failing half-way through a stream would leave a truncated file,
so the query layer is expected to select published claims and anything else is skipped.

Field choices:
- ``claimReviewed``: the normalised wording when there is one, else the quoted text.
- ``reviewRating``: ``ratingValue`` with ``bestRating``/``worstRating`` (the max/min of the scale's
  numeric values) when the verdict has a value; ``alternateName`` (the verdict's name) always. A
  verdict without a value ("unverifiable") gets neither ratingValue nor the bounds, which mean
  nothing without it.
- ``author``: the workspace's organisation (with its ``logo`` when set). ``itemReviewed``: a
  ``Claim`` whose ``author`` is the claimant (a ``Person``: the workbench does not record whether
  a claimant is an organisation), whose ``datePublished`` is the article's, and whose
  ``appearance`` is the article.
- ``url`` and ``datePublished``: the desk's own article about the claim when the editor gave it
  at publication, else the claim's page in the workbench and the day its verdict was set;
  ``dateModified``: the day of a public correction of the verdict.

The public claim page embeds the same document (``claim_review_document``): one builder.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from annotations.exports._stream import chunked, encode_json, iso, number, separated
from annotations.exports.rows import ClaimRow, ExportContext, rating_bounds

SCHEMA_CONTEXT = "https://schema.org"


def _author(ctx: ExportContext) -> dict[str, Any]:
    author: dict[str, Any] = {"@type": "Organization", "name": ctx.organisation_name}
    if ctx.organisation_url:
        author["url"] = ctx.organisation_url
    if ctx.organisation_logo:
        author["logo"] = {"@type": "ImageObject", "url": ctx.organisation_logo}
    return author


def claim_review_document(row: ClaimRow, ctx: ExportContext) -> dict[str, Any]:
    """One claim's ClaimReview, as the export writes it: what its public page embeds."""
    return claim_review(row, ctx, _author(ctx), rating_bounds(ctx.scale))


def write_claimreview(rows: Iterable[ClaimRow], ctx: ExportContext) -> Iterator[bytes]:
    bounds = rating_bounds(ctx.scale)
    author = _author(ctx)

    def review(row: ClaimRow) -> str:
        return encode_json(claim_review(row, ctx, author, bounds))

    items = (review(row) for row in rows if row.verdict_slug is not None)
    return chunked(separated(items, ",\n"), upstream=rows, head="[\n", tail="\n]\n")


def claim_review(
    row: ClaimRow,
    ctx: ExportContext,
    author: dict[str, Any],
    bounds: tuple[float, float] | None,
) -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating"}
    if row.verdict_value is not None and bounds is not None:
        rating["ratingValue"] = number(row.verdict_value)
        rating["bestRating"] = number(bounds[1])
        rating["worstRating"] = number(bounds[0])
    rating["alternateName"] = row.verdict_name or row.verdict_slug

    review: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "ClaimReview",
        "url": row.review_url or ctx.claim_url(row.claim_id),
        "claimReviewed": row.normalised_text or row.text,
        "reviewRating": rating,
        "author": author,
        "itemReviewed": claim(row, ctx),
    }
    if row.review_published_at is not None:
        review["datePublished"] = row.review_published_at.isoformat()
    elif row.reviewed_at is not None:
        review["datePublished"] = row.reviewed_at.date().isoformat()
    if row.review_modified_at is not None:
        review["dateModified"] = row.review_modified_at.date().isoformat()
    if row.language:
        review["inLanguage"] = row.language
    return review


def claim(row: ClaimRow, ctx: ExportContext) -> dict[str, Any]:
    appearance: dict[str, Any] = {
        "@type": "CreativeWork",
        # Pasted articles have no URL of their own; their page in the workbench stands in.
        "url": row.article_url or ctx.article_page_url(row.article_id),
    }
    if row.article_title:
        appearance["headline"] = row.article_title
    if row.publisher:
        appearance["publisher"] = {"@type": "Organization", "name": row.publisher}
    published = iso(row.article_published_at)
    if published is not None:
        appearance["datePublished"] = published

    item: dict[str, Any] = {"@type": "Claim"}
    if row.claimant:
        item["author"] = {"@type": "Person", "name": row.claimant}
    if published is not None:
        item["datePublished"] = published
    item["appearance"] = appearance
    return item
