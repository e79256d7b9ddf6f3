"""What research needs from the exports (issue 14): the raw export (one article a line, the shape
the JSON Lines import reads back), every reviewer's highlight in Web Annotation, pseudonyms,
article texts, FEVER sentence ids, UTF-16 positions for JavaScript clients, and the 400s that name
a bad option."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from annotations.export_rows import ARTICLE_BATCH
from annotations.models import (
    Adjudication,
    Article,
    Claim,
    ClaimSource,
    Highlight,
    Workspace,
)
from annotations.services.articles import article_create
from annotations.services.claims import claim_create
from tests.export_desk import INSEE, Desk, streamed

Api = Callable[[User | None], APIClient]
SITE = "http://127.0.0.1:8000"
USERNAMES = ("alice", "bob", "carol", "dave", "erin")


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE


def export(client: APIClient, workspace: Workspace, query: str) -> Any:
    return client.get(f"/api/v1/workspaces/{workspace.pk}/export/?{query}")


def body(response: Any) -> str:
    assert response.status_code == 200, response.content
    return streamed(response).decode("utf-8")


def lines(response: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body(response).split("\n")[:-1]]


# --- The raw export -----------------------------------------------------------------------------


def test_raw_writes_each_article_with_everything_on_it(desk: Desk, alice: User, api: Api) -> None:
    response = export(api(alice), desk.workspace, "format=raw")
    assert response["Content-Type"] == "application/x-ndjson"
    today = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Disposition"] == f'attachment; filename="desk-raw-{today}.jsonl"'
    articles = {record["id"]: record for record in lines(response)}
    assert list(articles) == sorted([desk.french.pk, desk.english.pk])

    english = Article.objects.get(pk=desk.english.pk)
    record = articles[english.pk]
    assert {k: v for k, v in record.items() if k != "claims"} == {
        "id": english.pk,
        "url": "https://news.example/budget",
        "title": "Council budget",
        "publisher": "Example News",
        "author": "",
        "language": "en",
        "published_at": "2024-04-30T18:00:00+00:00",
        "text": english.text,
        "revision": english.revision,
        "checksum": english.checksum,
    }
    # A workspace's raw export holds every claim, whatever its status.
    assert [c["id"] for c in record["claims"]] == [
        desk.budget.pk,
        desk.disputed.pk,
        desk.open.pk,
    ]

    french = articles[desk.french.pk]
    claim = next(c for c in french["claims"] if c["id"] == desk.unemployment.pk)
    unemployment = desk.unemployment
    assert french["text"][claim["start"] : claim["end"]] == claim["exact"]
    assert {k: v for k, v in claim.items() if not isinstance(v, list)} == {
        "id": unemployment.pk,
        "start": unemployment.start,
        "end": unemployment.end,
        "exact": unemployment.exact,
        "claimant": "Insee",
        "normalised_text": unemployment.normalised_text,
        "status": "resolved",
        "final_verdict": "mostly-true",
        "creator": "bob",
        "tag": "",
    }
    assert claim["highlights"] == [
        {
            "start": unemployment.start,
            "end": unemployment.end,
            "exact": unemployment.exact,
            "creator": "bob",
        }
    ]
    assert claim["assessments"] == [
        {
            "creator": "bob",
            "verdict": "mostly-true",
            "initial_verdict": "mostly-true",
            "confidence": 0.8,
            "rationale": "",
        },
        {
            "creator": "carol",
            "verdict": "true",
            "initial_verdict": "true",
            "confidence": None,
            "rationale": 'Chiffres "officiels"',
        },
    ]
    # Every live link, each with who made it (bob and carol both linked INSEE).
    assert [(s["url"], s["stance"], s["quote"], s["creator"]) for s in claim["sources"]] == [
        (INSEE, "supports", "recul de 0,3 point", "bob"),
        (INSEE, "supports", "", "carol"),
        ("https://dares.travail-emploi.gouv.fr/emploi", "refutes", "", "carol"),
        ("https://blog.example/contexte", "context", "voir", "erin"),
    ]
    assert set(claim["sources"][0]) == {
        "url",
        "stance",
        "quote",
        "title",
        "publisher",
        "published_at",
        "creator",
    }
    adjudication = Adjudication.objects.get(claim=unemployment)
    assert claim["adjudications"] == [
        {
            "creator": "dave",
            "verdict": "mostly-true",
            "note": "Chiffres Insee confirmés",
            "created_at": adjudication.created_at.isoformat(),
        }
    ]
    orphan = next(c for c in french["claims"] if c["id"] == desk.departments.pk)
    assert (orphan["start"], orphan["end"]) == (None, None)


def test_raw_leaves_out_what_was_withdrawn(desk: Desk, alice: User, api: Api) -> None:
    now = timezone.now()
    Claim.all_objects.filter(pk=desk.open.pk).update(withdrawn_at=now, withdrawn_by=alice)
    Highlight.all_objects.filter(claim=desk.jobs).update(withdrawn_at=now, withdrawn_by=alice)
    ClaimSource.all_objects.filter(claim=desk.unemployment, source__url=INSEE).update(
        withdrawn_at=now, withdrawn_by=alice
    )
    articles = {r["id"]: r for r in lines(export(api(alice), desk.workspace, "format=raw"))}
    claims = {c["id"]: c for a in articles.values() for c in a["claims"]}
    assert desk.open.pk not in claims
    assert claims[desk.jobs.pk]["highlights"] == []
    assert INSEE not in {s["url"] for s in claims[desk.unemployment.pk]["sources"]}


def test_raw_writes_articles_without_claims_unless_the_filters_pick_claims(
    desk: Desk, alice: User, api: Api
) -> None:
    bare = article_create(
        user=alice, workspace=desk.workspace, text="Nothing to check here.", language="en"
    )
    client = api(alice)
    everything = lines(export(client, desk.workspace, "format=raw"))
    assert [r["id"] for r in everything] == sorted([desk.french.pk, desk.english.pk, bare.pk])
    assert everything[-1]["claims"] == []
    # The language filter picks articles: the bare English one stays.
    english = lines(export(client, desk.workspace, "format=raw&language=en"))
    assert [r["id"] for r in english] == [desk.english.pk, bare.pk]
    # A status (or verdict, or period) picks claims: articles without one of them are left out.
    disputed = lines(export(client, desk.workspace, "format=raw&status=disputed"))
    assert [(r["id"], [c["id"] for c in r["claims"]]) for r in disputed] == [
        (desk.english.pk, [desk.disputed.pk])
    ]


def test_raw_reads_a_fixed_number_of_queries_per_batch_of_articles(
    desk: Desk, alice: User, api: Api
) -> None:
    client = api(alice)
    with CaptureQueriesContext(connection) as small:
        assert len(lines(export(client, desk.workspace, "format=raw"))) == 2
    more = Article.objects.bulk_create(
        Article(
            workspace=desk.workspace,
            text=f"Article {i} 😐 says the sky is green.",
            language="en",
            created_by=alice,
        )
        for i in range(ARTICLE_BATCH + 10)
    )
    Claim.objects.bulk_create(
        Claim(
            workspace=desk.workspace,
            article=article,
            start=0,
            end=7,
            exact="Article",
            created_by=alice,
        )
        for article in more
    )
    with CaptureQueriesContext(connection) as large:
        records = lines(export(client, desk.workspace, "format=raw"))
    assert len(records) == len(more) + 2
    assert all(len(r["claims"]) == 1 for r in records[2:])
    # One more batch: six more queries (articles, claims, highlights, assessments, sources and
    # adjudications), not one per article or per claim.
    assert len(large) == len(small) + 6


# --- People -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["raw", "webannotation", "assessments", "csv"])
def test_pseudonymise_replaces_every_username(desk: Desk, alice: User, api: Api, fmt: str) -> None:
    query = f"format={fmt}&pseudonymise=1&status=resolved,published,disputed,open"
    text = body(export(api(alice), desk.workspace, query))
    for username in USERNAMES:
        assert f'"{username}"' not in text
    assert "reviewer-1" in text


def test_pseudonyms_are_stable_within_an_export(desk: Desk, alice: User, api: Api) -> None:
    records = lines(export(api(alice), desk.workspace, "format=raw&pseudonymise=1"))
    claims = {c["id"]: c for r in records for c in r["claims"]}
    unemployment = claims[desk.unemployment.pk]
    # bob is the first person met: he created the first claim.
    bob = unemployment["creator"]
    assert bob == "reviewer-1"
    assert unemployment["highlights"][0]["creator"] == bob
    assert unemployment["assessments"][0]["creator"] == bob
    carol = unemployment["assessments"][1]["creator"]
    assert carol not in (bob, "carol")
    assert claims[desk.disputed.pk]["creator"] == carol
    assert claims[desk.jobs.pk]["creator"] == carol


# --- Web Annotation: every reviewer's span ------------------------------------------------------


def test_web_annotation_carries_each_reviewers_highlight_with_its_creator(
    desk: Desk, alice: User, carol: User, api: Api
) -> None:
    # carol draws her own span on bob's claim (independent highlighting keeps both).
    phrase = "Le chômage a reculé de 0,3 point"
    start = desk.french.text.index(phrase)
    claim_create(user=carol, article=desk.french, start=start, end=start + len(phrase))
    annotations = lines(export(api(alice), desk.workspace, "format=webannotation"))
    claim_url = f"{SITE}/claims/{desk.unemployment.pk}/"
    ids = [a["id"] for a in annotations]
    position = ids.index(claim_url)
    spans = [a for a in annotations if a["id"].startswith(f"{claim_url}#highlight-")]
    # The claim's annotation, then its reviewers' spans right after it.
    assert ids[position + 1 : position + 1 + len(spans)] == [a["id"] for a in spans]
    by_creator = {a["creator"]["nickname"]: a for a in spans}
    assert set(by_creator) >= {"bob"}
    bob = by_creator["bob"]
    assert bob["motivation"] == "highlighting"
    assert bob["creator"] == {"type": "Person", "nickname": "bob"}
    assert bob["body"] == {"type": "SpecificResource", "source": claim_url, "purpose": "linking"}
    highlight = Highlight.objects.get(claim=desk.unemployment, user__username="bob")
    assert bob["created"] == highlight.created_at.isoformat()
    selectors = {s["type"]: s for s in bob["target"]["selector"]}
    text = desk.french.text
    assert (
        text[selectors["TextPositionSelector"]["start"] : selectors["TextPositionSelector"]["end"]]
        == selectors["TextQuoteSelector"]["exact"]
        == highlight.exact
    )
    if "carol" in by_creator:
        carols = by_creator["carol"]["target"]["selector"][0]
        assert text[carols["start"] : carols["end"]] == phrase


def test_utf16_positions_anchor_where_javascript_counts(
    desk: Desk, alice: User, carol: User, api: Api
) -> None:
    # A claim after the emoji: its start moves by one UTF-16 unit.
    text = desk.french.text
    phrase = "restent au-dessus de 9 %"
    start = text.index(phrase)
    after = claim_create(user=carol, article=desk.french, start=start, end=start + len(phrase))
    query = "format=webannotation&utf16=1&status=resolved,published,open"
    annotations = lines(export(api(alice), desk.workspace, query))
    units = text.encode("utf-16-le")

    def in_utf16(selector: dict[str, Any]) -> str:
        return units[2 * selector["start"] : 2 * selector["end"]].decode("utf-16-le")

    checked = set()
    for annotation in annotations:
        selectors = annotation["target"]["selector"]
        extra = [s for s in selectors if s.get("unit") == "utf-16"]
        if not extra:
            continue
        # Last, where Hypothesis's client (which keeps the last position selector) reads it.
        assert selectors[-1] is extra[0]
        quote = next(s for s in selectors if s["type"] == "TextQuoteSelector")
        assert in_utf16(extra[0]) == quote["exact"]
        checked.add(annotation["id"].split("#")[0])
    assert f"{SITE}/claims/{desk.opposition.pk}/" in checked  # ends on the emoji
    assert f"{SITE}/claims/{after.claim.pk}/" in checked  # starts after it
    # Where the counts agree (no astral character before the end), no second selector.
    unemployment = next(
        a for a in annotations if a["id"] == f"{SITE}/claims/{desk.unemployment.pk}/"
    )
    assert [s["type"] for s in unemployment["target"]["selector"]] == [
        "TextPositionSelector",
        "TextQuoteSelector",
    ]


# --- Texts --------------------------------------------------------------------------------------


def test_texts_put_each_rows_article_text_revision_and_checksum(
    desk: Desk, alice: User, api: Api
) -> None:
    client = api(alice)
    articles = {a.pk: a for a in Article.objects.filter(workspace=desk.workspace)}
    for record in lines(export(client, desk.workspace, "format=fever&texts=1")):
        article = articles[Claim.objects.get(pk=record["id"]).article_id]
        assert (record["article_text"], record["article_revision"], record["article_checksum"]) == (
            article.text,
            article.revision,
            article.checksum,
        )
        if record["start"] is not None:
            assert record["article_text"][record["start"] : record["end"]] == record["quote"]
    for record in lines(export(client, desk.workspace, "format=assessments&texts=1")):
        assert record["article_text"] == articles[record["article_id"]].text
    header, *rows = csv.reader(
        io.StringIO(body(export(client, desk.workspace, "format=csv&texts=1")), newline="")
    )
    assert header[-3:] == ["article_revision", "article_checksum", "article_text"]
    for row in rows:
        article = articles[int(row[header.index("article_id")])]
        assert row[-3:] == [str(article.revision), article.checksum, article.text]
    # Without the option, nothing changes.
    assert "article_text" not in lines(export(client, desk.workspace, "format=fever"))[0]


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("format=claimreview&texts=1", "texts", "do not fit claimreview"),
        ("format=webannotation&texts=1", "texts", "go into: fever, csv, assessments, raw"),
        ("format=fever&utf16=1", "utf16", "only for the webannotation format"),
        ("format=raw&pseudonymise=perhaps", "pseudonymise", "not 'perhaps'"),
        ("format=csv&bom=2", "bom", "Give 1 or 0"),
    ],
)
def test_a_bad_option_is_a_400_naming_it(
    desk: Desk, alice: User, api: Api, query: str, field: str, says: str
) -> None:
    response = export(api(alice), desk.workspace, query)
    assert response.status_code == 400
    assert not response.streaming
    errors = response.json()
    assert list(errors) == [field]
    assert says in errors[field][0]


def test_a_bad_option_and_a_bad_filter_are_named_together(
    desk: Desk, alice: User, api: Api
) -> None:
    response = export(api(alice), desk.workspace, "format=csv&texts=maybe&status=lost")
    assert response.status_code == 400
    assert set(response.json()) == {"texts", "status"}


# --- FEVER evidence -----------------------------------------------------------------------------


def test_fever_evidence_has_integer_sentence_ids_that_score_a_perfect_oracle(
    desk: Desk, alice: User, api: Api
) -> None:
    records = lines(export(api(alice), desk.workspace, "format=fever"))
    for record in records:
        passages = {(s["url"], s["sentence_id"]): s["quote"] for s in record["evidence_sources"]}
        for evidence_set in record["evidence"]:
            for annotation_id, evidence_id, page, sentence_id in evidence_set:
                assert annotation_id is None
                assert isinstance(evidence_id, int)
                assert isinstance(sentence_id, int)
                assert (page, sentence_id) in passages
    # fever-scorer's strict check, as it documents it: for a verifiable claim, some whole gold
    # evidence set among the predicted [page, sentence_id] pairs. The export's own evidence as
    # the predictions passes it for every claim that has evidence.
    with_evidence = [r for r in records if r["evidence"]]
    assert with_evidence
    for record in with_evidence:
        predicted = [[e[2], e[3]] for group in record["evidence"] for e in group]
        assert any(all([e[2], e[3]] in predicted for e in group) for group in record["evidence"])
