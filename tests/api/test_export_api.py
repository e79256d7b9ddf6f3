"""GET /workspaces/{id}/export/: each format streamed and parsed back field by field against the
database, the filters, the checks made before the first byte, and who may export."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from annotations.exports.csv_writer import HEADER
from annotations.models import (
    Adjudication,
    Assessment,
    Claim,
    ClaimSource,
    Source,
    VerdictLabel,
    Workspace,
)
from tests.export_desk import BLOG, DARES, INSEE, Desk, streamed

Api = Callable[[User | None], APIClient]
SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE


def export(client: APIClient, workspace: Workspace, query: str = "") -> Any:
    return client.get(f"/api/v1/workspaces/{workspace.pk}/export/?{query}")


def body_of(response: Any) -> str:
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    return streamed(response).decode("utf-8")


def lines_of(response: Any) -> list[dict[str, Any]]:
    text = body_of(response)
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.split("\n")[:-1]]


def latest(claim: Claim) -> Adjudication:
    return Adjudication.objects.filter(claim=claim).select_related("adjudicator").latest()


def links(claim: Claim) -> list[ClaimSource]:
    return list(ClaimSource.objects.filter(claim=claim).select_related("source").order_by("id"))


def source_id(url: str) -> int:
    return Source.objects.get(url=url).pk


# --- Each format, field by field ----------------------------------------------------------------


def test_it_streams_fever_lines_field_by_field(desk: Desk, alice: User, api: Api) -> None:
    response = export(api(alice), desk.workspace, "format=fever")
    assert response["Content-Type"] == "application/x-ndjson"
    today = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Disposition"] == f'attachment; filename="desk-fever-{today}.jsonl"'
    records = {record["id"]: record for record in lines_of(response)}

    assert list(records) == [claim.pk for claim in desk.verified]
    claim = desk.unemployment
    record = records[claim.pk]
    # A passage's sentence id is the id of the link that quoted it (bob's, the first of the two).
    sentence = {link.source.url: link.pk for link in reversed(links(claim))}
    assert record == {
        "id": claim.pk,
        "claim": claim.normalised_text,
        "label": "SUPPORTS",
        "verifiable": "VERIFIABLE",
        # One evidence set per supporting or refuting source; the source bob and carol both
        # linked as supporting is listed once. FEVER's [annotation_id, evidence_id, page,
        # sentence_id]: the source's URL is the page, the quoted passage the sentence.
        "evidence": [
            [[None, source_id(INSEE), INSEE, sentence[INSEE]]],
            [[None, source_id(DARES), DARES, sentence[DARES]]],
        ],
        "evidence_sources": [
            {
                "source_id": source_id(url),
                "sentence_id": sentence[url],
                "url": url,
                "title": "",
                "publisher": "",
                "stance": stance,
                "quote": quote,
            }
            for url, stance, quote in (
                (INSEE, "supports", "recul de 0,3 point"),
                (DARES, "refutes", ""),
                (BLOG, "context", "voir"),
            )
        ],
        "quote": claim.exact,
        "verdict": "mostly-true",
        "verdict_label": "Mostly true",
        "verdict_value": 4,
        "language": "fr",
        "article_url": "",
        "start": claim.start,
        "end": claim.end,
        "status": "resolved",
    }
    assert desk.french.text[claim.start : claim.end] == record["quote"]
    # The documented mapping: above the middle of the scale supports, below refutes, the middle
    # and labels without a value are NOT ENOUGH INFO.
    assert records[desk.jobs.pk]["label"] == "REFUTES"
    assert records[desk.jobs.pk]["status"] == "published"
    assert records[desk.opposition.pk]["label"] == "NOT ENOUGH INFO"
    assert records[desk.opposition.pk]["verifiable"] == "NOT VERIFIABLE"
    assert records[desk.budget.pk]["label"] == "NOT ENOUGH INFO"
    assert records[desk.budget.pk]["verdict_value"] is None
    assert records[desk.budget.pk]["article_url"] == "https://news.example/budget"
    assert records[desk.budget.pk]["language"] == "en"
    assert records[desk.budget.pk]["evidence"] == []
    # An orphaned claim is kept, without offsets.
    orphan = records[desk.departments.pk]
    assert (orphan["start"], orphan["end"], orphan["label"]) == (None, None, "SUPPORTS")
    assert orphan["quote"] == "Une trentaine de départements"


def test_it_streams_csv_when_asked_with_format_csv(desk: Desk, alice: User, api: Api) -> None:
    # ?format= is DRF's renderer override elsewhere; here it must reach the export.
    response = export(api(alice), desk.workspace, "format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"].endswith('.csv"')
    header, *records = list(csv.reader(io.StringIO(body_of(response), newline="")))
    assert tuple(header) == HEADER
    rows = {int(record[0]): dict(zip(header, record, strict=True)) for record in records}
    assert list(rows) == [claim.pk for claim in desk.verified]

    for claim in desk.verified:
        row = rows[claim.pk]
        decision = latest(claim)
        verdict = claim.final_verdict
        assert verdict is not None
        article = claim.article
        assert row == {
            "claim_id": str(claim.pk),
            "claim_url": f"{SITE}/claims/{claim.pk}/",
            "quote": claim.exact,
            "normalised_text": claim.normalised_text,
            "claimant": claim.claimant,
            "language": article.language,
            "status": claim.status,
            "verdict": verdict.slug,
            "verdict_label": verdict.name,
            "verdict_value": "" if verdict.value is None else str(int(verdict.value)),
            "verdict_note": decision.note,
            "reviewed_at": decision.created_at.isoformat(),
            "adjudicator": "dave",
            "article_id": str(article.pk),
            "article_url": article.url,
            "article_title": article.title,
            "publisher": article.publisher,
            "article_published_at": (
                article.published_at.isoformat() if article.published_at else ""
            ),
            "start": "" if claim.start is None else str(claim.start),
            "end": "" if claim.end is None else str(claim.end),
            "sources_count": str(len({(link.source_id, link.stance) for link in links(claim)})),
            "sources": " | ".join(
                dict.fromkeys(f"{link.source.url} ({link.stance})" for link in links(claim))
            ),
        }
    assert rows[desk.departments.pk]["start"] == rows[desk.departments.pk]["end"] == ""


def test_it_streams_claimreview_json_ld_field_by_field(desk: Desk, alice: User, api: Api) -> None:
    response = export(api(alice), desk.workspace, "format=claimreview")
    assert response["Content-Type"] == "application/ld+json"
    reviews = json.loads(body_of(response))
    assert [review["url"] for review in reviews] == [
        f"{SITE}/claims/{claim.pk}/" for claim in desk.verified
    ]
    by_id = {int(review["url"].rstrip("/").rsplit("/", 1)[1]): review for review in reviews}

    review = by_id[desk.unemployment.pk]
    assert review == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{SITE}/claims/{desk.unemployment.pk}/",
        "claimReviewed": desk.unemployment.normalised_text,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 4,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Mostly true",
        },
        "author": {"@type": "Organization", "name": "Les Vérificateurs"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Insee"},
            # A pasted article has no URL: its page in the workbench stands in.
            "appearance": {
                "@type": "CreativeWork",
                "url": f"{SITE}/articles/{desk.french.pk}/",
                "headline": "Chômage",
            },
        },
        "datePublished": latest(desk.unemployment).created_at.date().isoformat(),
        "inLanguage": "fr",
    }
    budget = by_id[desk.budget.pk]
    # A verdict without a value has its name only: no rating numbers.
    assert budget["reviewRating"] == {"@type": "Rating", "alternateName": "Unverifiable"}
    assert budget["itemReviewed"]["author"] == {"@type": "Person", "name": "The council"}
    assert budget["itemReviewed"]["appearance"] == {
        "@type": "CreativeWork",
        "url": "https://news.example/budget",
        "headline": "Council budget",
        "publisher": {"@type": "Organization", "name": "Example News"},
        "datePublished": "2024-04-30T18:00:00+00:00",
    }
    assert budget["itemReviewed"]["datePublished"] == "2024-04-30T18:00:00+00:00"


def test_it_streams_web_annotations_whose_selectors_find_the_quote(
    desk: Desk, alice: User, api: Api
) -> None:
    response = export(api(alice), desk.workspace, "format=webannotation")
    lines = lines_of(response)
    annotations = [a for a in lines if "#highlight-" not in a["id"]]
    assert [a["id"] for a in annotations] == [
        f"{SITE}/claims/{claim.pk}/" for claim in desk.verified
    ]
    texts = {desk.french.pk: desk.french.text, desk.english.pk: desk.english.text}
    for annotation, claim in zip(annotations, desk.verified, strict=True):
        assert annotation["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert annotation["type"] == "Annotation"
        assert annotation["motivation"] == "assessing"
        assert claim.final_verdict is not None
        assert [body["value"] for body in annotation["body"]] == [
            claim.final_verdict.name,
            claim.final_verdict.slug,
        ]
        assert annotation["created"] == latest(claim).created_at.isoformat()
        selectors = {s["type"]: s for s in annotation["target"]["selector"]}
        quote = selectors["TextQuoteSelector"]
        assert (quote["exact"], quote["prefix"], quote["suffix"]) == (
            claim.exact,
            claim.prefix,
            claim.suffix,
        )
        if claim.orphaned:
            assert "TextPositionSelector" not in selectors
            continue
        position = selectors["TextPositionSelector"]
        text = texts[claim.article_id]
        # Code points, end exclusive: the emoji counts as one.
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])
    opposition = next(a for a in annotations if a["id"].endswith(f"/{desk.opposition.pk}/"))
    assert opposition["target"]["selector"][1]["exact"].endswith("😐")
    assert opposition["target"]["source"] == f"{SITE}/articles/{desk.french.pk}/"


def test_it_streams_every_assessment_disputed_and_unresolved_included(
    desk: Desk, alice: User, api: Api
) -> None:
    response = export(api(alice), desk.workspace, "format=assessments")
    records = lines_of(response)
    expected = Assessment.objects.select_related("claim__article", "reviewer", "verdict").order_by(
        "claim_id", "id"
    )
    assert [r["assessment_id"] for r in records] == [a.pk for a in expected]
    assert {r["claim_status"] for r in records} == {"resolved", "disputed"}
    positions = dict(
        VerdictLabel.objects.filter(workspace=desk.workspace).values_list("slug", "position")
    )
    for record, assessment in zip(records, expected, strict=True):
        assert record == {
            "assessment_id": assessment.pk,
            "claim_id": assessment.claim_id,
            "claim_text": assessment.claim.exact,
            "claim_status": assessment.claim.status,
            "article_id": assessment.claim.article_id,
            "article_url": assessment.claim.article.url,
            "language": assessment.claim.article.language,
            "reviewer": assessment.reviewer.username,
            "verdict": assessment.verdict.slug,
            "verdict_label": assessment.verdict.name,
            "verdict_value": assessment.verdict.value,
            "verdict_position": positions[assessment.verdict.slug],
            "confidence": assessment.confidence,
            "rationale": assessment.rationale,
            "created_at": assessment.created_at.isoformat(),
            "updated_at": assessment.updated_at.isoformat(),
            "initial_verdict": assessment.initial_verdict.slug,
        }


# --- Filters ------------------------------------------------------------------------------------


def ids(response: Any) -> list[int]:
    return [record["id"] for record in lines_of(response)]


def test_it_filters_by_status_language_verdict_and_date(desk: Desk, alice: User, api: Api) -> None:
    client = api(alice)
    ws = desk.workspace
    assert ids(export(client, ws, "format=fever&status=disputed")) == [desk.disputed.pk]
    assert ids(export(client, ws, "format=fever&status=open,disputed")) == [
        desk.disputed.pk,
        desk.open.pk,
    ]
    assert ids(export(client, ws, "format=fever&status=published&status=open")) == [
        desk.jobs.pk,
        desk.open.pk,
    ]
    assert ids(export(client, ws, "format=fever&language=en")) == [desk.budget.pk]
    assert ids(export(client, ws, "format=fever&language=FR&verdict=false,true")) == [
        desk.jobs.pk,
        desk.departments.pk,
    ]
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    assert ids(export(client, ws, f"format=fever&from={today}&to={today}")) == [
        claim.pk for claim in desk.verified
    ]
    assert ids(export(client, ws, f"format=fever&to={yesterday}")) == []
    assert ids(export(client, ws, f"format=fever&from={today + timedelta(days=1)}")) == []
    # The assessments follow their claims' filters.
    only = lines_of(export(client, ws, "format=assessments&status=disputed"))
    assert {r["claim_id"] for r in only} == {desk.disputed.pk}


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("", "format", "Choose a format"),
        ("format=xml", "format", "claimreview, fever, webannotation, csv, assessments"),
        ("format=fever&status=verified", "status", "open, assessed, disputed"),
        ("format=fever&verdict=pants-on-fire", "verdict", "mostly-true"),
        ("format=fever&language=french", "language", "ISO 639-1"),
        ("format=fever&from=2024-13-01", "from", "YYYY-MM-DD"),
        ("format=fever&from=2024-05-02&to=2024-05-01", "to", "on or after"),
        ("format=fever&lang=fr", "lang", "the filters are"),
    ],
)
def test_it_names_a_bad_format_or_filter_before_streaming(
    desk: Desk, alice: User, api: Api, query: str, field: str, says: str
) -> None:
    response = export(api(alice), desk.workspace, query)
    assert response.status_code == 400
    assert not response.streaming
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == [field]
    assert says in body[field][0]


# --- Who may export -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "code"),
    [("alice", 200), ("dave", 403), ("bob", 403), ("erin", 403), ("mallory", 404), (None, 401)],
)
def test_it_lets_only_editors_export(
    desk: Desk, api: Api, request: pytest.FixtureRequest, who: str | None, code: int
) -> None:
    user = request.getfixturevalue(who) if who else None
    response = export(api(user), desk.workspace, "format=fever")
    assert response.status_code == code
    if code != 200:
        assert not response.streaming
    # Outsiders cannot tell a workspace they are not in from one that does not exist.
    if who == "mallory":
        missing = api(user).get("/api/v1/workspaces/999999/export/?format=fever")
        assert missing.status_code == 404
        assert missing.json() == response.json()


def test_it_checks_the_role_before_the_filters(desk: Desk, mallory: User, api: Api) -> None:
    assert export(api(mallory), desk.workspace, "format=xml").status_code == 404


# --- Streaming ----------------------------------------------------------------------------------


def _grow(desk: Desk, count: int, adjudicator: User) -> None:
    """Many more verified claims, each with a source and an adjudication (bulk, for speed)."""
    text = desk.english.text
    verdict = VerdictLabel.objects.get(workspace=desk.workspace, slug="true")
    created = Claim.objects.bulk_create(
        Claim(
            workspace=desk.workspace,
            article=desk.english,
            start=0,
            end=10,
            exact=text[0:10] + f" n°{i}",
            status=Claim.Status.RESOLVED,
            final_verdict=verdict,
            created_by=adjudicator,
        )
        for i in range(count)
    )
    source = Source.objects.get(url=INSEE)
    ClaimSource.objects.bulk_create(
        ClaimSource(claim=claim, source=source, stance="supports", added_by=adjudicator)
        for claim in created
    )
    Adjudication.objects.bulk_create(
        Adjudication(claim=claim, adjudicator=adjudicator, verdict=verdict) for claim in created
    )


def consume(response: Any) -> list[bytes]:
    assert response.status_code == 200
    return list(response.streaming_content)


@pytest.mark.parametrize("fmt", ["fever", "csv", "claimreview", "webannotation"])
def test_it_streams_a_large_export_in_chunks_with_a_fixed_number_of_queries(
    desk: Desk, alice: User, dave: User, api: Api, fmt: str
) -> None:
    client = api(alice)
    with CaptureQueriesContext(connection) as small:
        consume(export(client, desk.workspace, f"format={fmt}"))
    _grow(desk, 2_000, dave)
    with CaptureQueriesContext(connection) as large:
        chunks = consume(export(client, desk.workspace, f"format={fmt}"))
    # No query per claim, per source or per adjudication: the same queries for 5 or 2,005.
    assert len(large) == len(small)
    assert len(chunks) > 5
    assert all(len(chunk) < 200_000 for chunk in chunks)
    text = b"".join(chunks).decode()
    count = 2_000 + len(desk.verified)
    if fmt == "claimreview":
        assert len(json.loads(text)) == count
        assert text.endswith("\n]\n")
    elif fmt == "csv":
        assert text.count("\r\n") == count + 1
    else:
        assert text.endswith("\n")
        # Web Annotation: each claim's annotation, then one per reviewer's highlight.
        highlights = text.count("#highlight-")
        assert text.count("\n") - highlights == count


@pytest.mark.django_db(transaction=True)
def test_it_stops_cleanly_when_the_client_goes_away(
    desk: Desk, alice: User, dave: User, api: Api
) -> None:
    # A transactional test: the export opens its own snapshot transaction, as in production.
    _grow(desk, 3_000, dave)
    response = export(api(alice), desk.workspace, "format=fever")
    try:
        first = next(iter(response.streaming_content))
        assert first.startswith(b'{"id":')
        assert connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            assert cursor.fetchone() == ("repeatable read",)
    finally:
        response.close()  # what a WSGI server does when the client goes away
    assert not connection.in_atomic_block
    assert not [t for t in threading.enumerate() if t.name == "export-fetch"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        assert cursor.fetchone() == (0,)
    assert Claim.objects.filter(workspace=desk.workspace).count() == 3_007


def test_it_documents_the_export_routes() -> None:
    paths = APIClient().get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/workspaces/{workspace_id}/export/",
        "/api/v1/workspaces/{workspace_id}/exports/",
        "/api/v1/exports/{job_id}/download/",
        "/api/v1/workspaces/{workspace_id}/releases/",
        "/api/v1/releases/{release_id}/files/{format_key}/",
        "/api/v1/releases/{release_id}/manifest/",
    ):
        assert path in paths
    parameters = paths["/api/v1/workspaces/{workspace_id}/export/"]["get"]["parameters"]
    assert {p["name"] for p in parameters} >= {"format", "status", "language", "verdict", "from"}
