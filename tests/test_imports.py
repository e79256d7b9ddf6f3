"""Imports of the workbench's own JSON Lines: records in whole or not at all, a report by line,
people matched to members, the editor's rights, dry runs, importing twice, and the command."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.models import (
    Adjudication,
    Article,
    Assessment,
    Claim,
    ClaimSource,
    Highlight,
    ImportJob,
    WebhookDelivery,
    Workspace,
)
from annotations.services import imports
from annotations.services.webhooks import webhook_create
from tests.conftest import Receiver
from tests.import_helpers import run_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


TEXT = "🙂 Le ministre a dit : « Le chômage a baissé de 10 % en 2025. » Puis il est parti.\r\nFin."


def _span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def _line(**article: Any) -> str:
    return json.dumps(article, ensure_ascii=False)


def _record(text: str = TEXT, url: str = "https://example.org/a", **extra: Any) -> dict[str, Any]:
    quote = "« Le chômage a baissé de 10 % en 2025. »"
    start, end = _span(text, quote)
    claim = {
        "start": start,
        "end": end,
        "exact": quote,
        "claimant": "Le ministre",
        "creator": "bob",
        "highlights": [
            {"start": start, "end": end, "exact": quote, "creator": "bob"},
            {"start": start + 2, "end": end - 2, "exact": quote[2:-2], "creator": "carol"},
        ],
        "assessments": [
            {"creator": "bob", "verdict": "false", "confidence": 0.9, "rationale": "INSEE"},
            {"creator": "carol", "verdict": "mostly-false"},
        ],
        "sources": [
            {"url": "https://insee.fr/chomage", "stance": "refutes", "creator": "bob"},
        ],
        "adjudications": [{"creator": "dave", "verdict": "false", "note": "INSEE says 2 %"}],
    }
    return {
        "url": url,
        "title": "Chômage",
        "language": "fr",
        "text": text,
        "claims": [claim],
    } | extra


def _run(workspace: Workspace, user: User, lines: list[str], **data: Any) -> ImportJob:
    return run_import(workspace, user, "jsonl", ("\n".join(lines) + "\n").encode(), **data)


def test_an_article_comes_in_with_everything_marked_on_it(
    workspace: Workspace, alice: User
) -> None:
    job = _run(workspace, alice, [_line(**_record())])

    assert (job.status, job.records, job.created, job.failed) == ("done", 1, 1, 0)
    article = Article.objects.get(workspace=workspace, url="https://example.org/a")
    # Stored normalised (the CRLF folded), offsets still on the guillemets after the emoji.
    assert "\r" not in article.text
    claim = Claim.objects.get(article=article)
    assert claim.exact == "« Le chômage a baissé de 10 % en 2025. »"
    assert article.text[claim.start : claim.end] == claim.exact
    assert claim.final_verdict is not None
    assert (claim.claimant, claim.status, claim.final_verdict.slug) == (
        "Le ministre",
        "resolved",
        "false",
    )
    spans = {
        h.user.username: h.exact
        for h in Highlight.objects.filter(claim=claim).select_related("user")
    }
    assert spans == {
        "bob": "« Le chômage a baissé de 10 % en 2025. »",
        "carol": "Le chômage a baissé de 10 % en 2025.",
    }
    verdicts = {
        a.reviewer.username: (a.verdict.slug, a.confidence)
        for a in Assessment.objects.filter(claim=claim).select_related("reviewer", "verdict")
    }
    assert verdicts == {"bob": ("false", 0.9), "carol": ("mostly-false", None)}
    link = ClaimSource.objects.get(claim=claim)
    assert (link.stance, link.added_by.username, link.source.url) == (
        "refutes",
        "bob",
        "https://insee.fr/chomage",
    )
    assert Adjudication.objects.get(claim=claim).adjudicator.username == "dave"
    assert job.counts["claims"] == 1 and job.counts["highlights"] == 2
    # The history says where the claim came from.
    assert claim.events.filter(kind="imported").exists()


def test_a_bad_line_is_reported_by_its_number_and_the_others_go_in(
    workspace: Workspace, alice: User
) -> None:
    bad = _record(url="https://example.org/b", text=TEXT + " Autre.")
    bad["claims"][0]["start"] = 500
    bad["claims"][0]["end"] = 520
    bad["claims"][0]["highlights"] = []
    lines = [
        _line(**_record()),
        _line(**bad),
        "{not json",
        _line(**_record(url="https://example.org/c", text=TEXT + " Un troisième.")),
    ]
    job = _run(workspace, alice, lines)

    assert (job.records, job.created, job.failed) == (4, 2, 2)
    failed = {entry["place"]: entry for entry in job.report if entry["outcome"] == "failed"}
    assert set(failed) == {"line 2", "line 3"}
    assert failed["line 2"]["field"] == "claims[0].start"
    assert "past the end" in failed["line 2"]["message"]
    # Line 2 left nothing behind: not its article, not a claim.
    assert not Article.objects.filter(url="https://example.org/b").exists()
    assert Article.objects.filter(workspace=workspace).count() == 2


def test_importing_the_same_file_twice_changes_nothing(workspace: Workspace, alice: User) -> None:
    lines = [_line(**_record())]
    _run(workspace, alice, lines)
    claims = Claim.objects.count()

    again = _run(workspace, alice, lines)

    assert (again.created, again.skipped, again.failed) == (0, 1, 0)
    assert again.report[0]["outcome"] == "skipped"
    assert Claim.objects.count() == claims


def test_a_dry_run_writes_nothing_and_says_what_it_would_create(
    workspace: Workspace, alice: User
) -> None:
    job = _run(workspace, alice, [_line(**_record())], dry_run=True)

    assert job.report == [{"place": "line 1", "outcome": "would_create"}]
    assert job.counts["claims"] == 1 and job.counts["assessments"] == 2
    assert not Article.objects.filter(url="https://example.org/a").exists()


def test_a_dry_run_plans_records_that_add_to_an_article_earlier_in_the_file(
    workspace: Workspace, alice: User
) -> None:
    # Line 2 has no text: it adds to line 1's article (bob's span again, which joins his claim
    # and brings nothing new for him, and carol's verdict on it; then a claim of its own).
    first = _record()
    claim = first["claims"][0]
    start, end = _span(TEXT, "Puis il est parti.")
    second = {
        "url": "https://example.org/a/",
        "claims": [
            {
                "start": claim["start"] + 1,
                "end": claim["end"],
                "exact": claim["exact"][1:],
                "creator": "carol",
                "assessments": [{"creator": "erin", "verdict": "false"}],
            },
            {"start": start, "end": end, "exact": "Puis il est parti.", "creator": "carol"},
        ],
    }
    lines = [_line(**first), _line(**second)]
    dry = _run(workspace, alice, lines, dry_run=True)
    assert [row["outcome"] for row in dry.report] == ["would_create", "would_create"]
    assert not Article.objects.filter(workspace=workspace, url="https://example.org/a").exists()

    real = _run(workspace, alice, lines)
    assert [row["outcome"] for row in real.report] == ["created", "created"]
    # What the dry run said it would write is what the real run wrote.
    assert dry.counts == real.counts
    assert real.counts["claims"] == 2 and real.counts["assessments"] == 3
    article = Article.objects.get(workspace=workspace, url="https://example.org/a")
    assert article.claims.count() == 2


def test_a_dry_run_joins_only_what_earlier_records_would_have_written(
    workspace: Workspace, alice: User
) -> None:
    url = "https://example.org/d"
    quote = "« Le chômage a baissé de 10 % en 2025. »"
    start, end = _span(TEXT, quote)
    base = {"url": url, "text": TEXT, "claims": []}
    # Two overlapping spans in one record: each its own claim (neither is written yet when the
    # other is planned), in the dry run as in the real run.
    pair = {
        "url": url,
        "claims": [
            {"start": start, "end": end, "exact": quote, "creator": "bob"},
            {"start": start + 2, "end": end - 2, "exact": quote[2:-2], "creator": "carol"},
        ],
    }
    # A record whose second claim fails: its first claim is not there for the next record.
    broken = {
        "url": url,
        "claims": [
            {"start": 0, "end": 7, "exact": TEXT[0:7], "creator": "bob"},
            {"start": 0, "end": 10**6, "creator": "bob"},
        ],
    }
    after = {"url": url, "claims": [{"start": 0, "end": 7, "exact": TEXT[0:7], "creator": "carol"}]}
    lines = [_line(**base), _line(**pair), _line(**broken), _line(**after)]
    dry = _run(workspace, alice, lines, dry_run=True)
    real = _run(workspace, alice, lines)
    assert [r["outcome"] for r in real.report] == ["created", "created", "failed", "created"]
    assert [r["outcome"] for r in dry.report] == [
        "would_create",
        "would_create",
        "failed",
        "would_create",
    ]
    assert dry.counts == real.counts
    assert real.counts["claims"] == 3


def test_an_annotator_may_not_import_other_peoples_verdicts(
    workspace: Workspace, erin: User
) -> None:
    job = _run(workspace, erin, [_line(**_record())])

    assert job.failed == 1
    assert "editor role" in job.report[0]["message"]
    assert not Article.objects.filter(url="https://example.org/a").exists()


def test_people_who_are_not_members_are_kept_as_attributions(
    workspace: Workspace, alice: User
) -> None:
    record = _record()
    record["claims"][0]["highlights"][1]["creator"] = "zoé@example.org"
    record["claims"][0]["assessments"][1]["creator"] = "zoé@example.org"
    job = _run(workspace, alice, [_line(**record)])

    assert job.created == 1 and job.counts["people_attributed"] == 1
    person = Highlight.objects.exclude(user__username="bob").get().user
    assert person.first_name == "zoé@example.org"
    assert not person.is_active and not person.has_usable_password()
    assert not workspace.memberships.filter(user=person).exists()


def test_a_failed_record_leaves_nobody_behind(workspace: Workspace, alice: User) -> None:
    # Line 1 names zoé and then fails on its verdict; line 2 names yann and goes in.
    bad = _record(url="https://example.org/bad")
    bad["claims"][0]["highlights"][1]["creator"] = "zoé@example.org"
    bad["claims"][0]["assessments"][1] = {"creator": "zoé@example.org", "verdict": "bogus"}
    good = _record(text=TEXT + " Deux.", url="https://example.org/good")
    good["claims"][0]["highlights"][1]["creator"] = "yann"
    good["claims"][0]["assessments"][1]["creator"] = "yann"
    job = _run(workspace, alice, [_line(**bad), _line(**good)])

    assert [row["outcome"] for row in job.report] == ["failed", "created"]
    assert job.counts["people_attributed"] == 1
    attributed = User.objects.filter(username__startswith="imported-")
    assert [person.first_name for person in attributed] == ["yann"]

    # A dry run makes nobody, and counts only the people of records that would go in.
    fresh = _record(text=TEXT + " Trois.", url="https://example.org/fresh")
    fresh["claims"][0]["highlights"][1]["creator"] = "xavier"
    dry = _run(workspace, alice, [_line(**bad), _line(**fresh)], dry_run=True)
    assert [row["outcome"] for row in dry.report] == ["failed", "would_create"]
    assert dry.counts["people_attributed"] == 1  # xavier; zoé's record fails
    assert User.objects.filter(username__startswith="imported-").count() == 1

    # Once a record naming zoé goes in, she is made, once, whoever names her next.
    bad["claims"][0]["assessments"][1]["verdict"] = "false"
    again = _run(workspace, alice, [_line(**bad)])
    assert again.report[0]["outcome"] == "created"
    assert again.counts["people_attributed"] == 1
    assert User.objects.filter(username__startswith="imported-").count() == 2


def test_a_non_member_highlighting_again_later_in_the_file_is_skipped_not_failed(
    workspace: Workspace, alice: User
) -> None:
    # xavier (no member) highlights the quote in line 1, and the same quote again in line 2,
    # which adds to line 1's article: his highlight is there already, so line 2 brings nothing.
    quote = "« Le chômage a baissé de 10 % en 2025. »"
    start, end = _span(TEXT, quote)
    claim = {"start": start, "end": end, "exact": quote, "creator": "xavier"}
    first = {"url": "https://example.org/x", "text": TEXT, "claims": [claim]}
    again = {"url": "https://example.org/x", "claims": [claim]}
    job = _run(workspace, alice, [_line(**first), _line(**again)])
    assert [row["outcome"] for row in job.report] == ["created", "skipped"], job.report
    assert Highlight.objects.filter(user__first_name="xavier").count() == 1


def test_a_finished_import_keeps_no_copy_of_its_file(
    workspace: Workspace, alice: User, settings: Any
) -> None:
    from pathlib import Path

    from annotations.services.imports import import_job_create, import_job_run

    stored = Path(settings.MEDIA_ROOT) / "imports" / str(workspace.pk)
    job = _run(workspace, alice, [_line(**_record())])
    assert job.status == "done" and job.created == 1
    assert not job.file
    assert not list(stored.iterdir())

    # A job that fails (here: its importer is no longer a member) lets its file go too.
    body = io.BytesIO((_line(**_record(url="https://example.org/b")) + "\n").encode())
    queued = import_job_create(
        user=alice,
        workspace_id=workspace.pk,
        data={"format": "jsonl", "extract": False},
        upload=body,
        file_name="b.jsonl",
        enqueue=False,
    )
    assert queued.file and len(list(stored.iterdir())) == 1
    workspace.memberships.filter(user=alice).delete()
    from annotations import tasks

    assert tasks.run_import_job(queued.pk) == "failed"
    queued.refresh_from_db()
    assert queued.status == "failed" and not queued.file
    assert not list(stored.iterdir())
    assert import_job_run(job_id=queued.pk) == "skipped"


def test_an_unknown_verdict_names_the_scale(workspace: Workspace, alice: User) -> None:
    record = _record()
    record["claims"][0]["assessments"][0]["verdict"] = "pants-on-fire"
    job = _run(workspace, alice, [_line(**record)])

    entry = job.report[0]
    assert entry["field"] == "claims[0].assessments[0].verdict"
    assert "pants-on-fire" in entry["message"] and "mostly-false" in entry["message"]


def test_the_command_prints_the_report_and_fails_when_a_record_failed(
    workspace: Workspace, alice: User, tmp_path: Any, capsys: Any
) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text(_line(**_record()) + "\n{oops\n", encoding="utf-8")

    with pytest.raises(CommandError) as failed:
        call_command(
            "import_articles",
            str(path),
            workspace=workspace.pk,
            user="alice",
            format="jsonl",
            no_extract=True,
        )

    assert failed.value.returncode == 1
    assert "1 of 2 records failed" in str(failed.value)
    assert "line 2: failed" in capsys.readouterr().err
    assert Article.objects.filter(url="https://example.org/a").exists()


def test_the_command_refuses_an_unknown_user_before_reading(
    workspace: Workspace, tmp_path: Any
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no user 'nobody'") as failed:
        call_command(
            "import_articles", str(path), workspace=workspace.pk, user="nobody", format="jsonl"
        )
    assert failed.value.returncode == 2


def test_the_api_takes_a_file_and_reports_by_line(
    workspace: Workspace, alice: User, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    body = (_line(**_record()) + "\n[1]\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post(
            f"/api/v1/workspaces/{workspace.pk}/imports/",
            {"format": "jsonl", "extract": "false", "file": SimpleUploadedFile("a.jsonl", body)},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    job = api(alice).get(response["Location"]).json()
    assert (job["status"], job["created"], job["failed"]) == ("done", 1, 1)
    assert job["report"][1]["place"] == "line 2"


def test_the_api_names_a_bad_format(workspace: Workspace, alice: User, api: Any) -> None:
    response = api(alice).post(
        f"/api/v1/workspaces/{workspace.pk}/imports/",
        {"format": "xlsx", "file": SimpleUploadedFile("a.jsonl", b"{}\n")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "jsonl" in response.json()["format"][0]
    assert not ImportJob.objects.exists()


def test_the_api_refuses_a_file_past_the_size_limit_by_name(
    workspace: Workspace, alice: User, api: Any, settings: Any
) -> None:
    settings.IMPORT_MAX_BYTES = 1024
    # Declared too large: refused before the body is read (the test client's payload holds a few
    # bytes and fails any read past them).
    response = api(alice).post(
        f"/api/v1/workspaces/{workspace.pk}/imports/",
        {"format": "jsonl", "file": SimpleUploadedFile("a.jsonl", b"{}\n")},
        format="multipart",
        CONTENT_LENGTH=str(10**9),
    )
    assert response.status_code == 400
    assert "larger than" in response.json()["file"][0]
    # Declared within the form's slack, the file past the limit: stopped as it arrives.
    response = api(alice).post(
        f"/api/v1/workspaces/{workspace.pk}/imports/",
        {"format": "jsonl", "file": SimpleUploadedFile("a.jsonl", b"{}\n" * 600)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "larger than" in response.json()["file"][0]
    assert not ImportJob.objects.exists()


def test_an_import_announces_itself_once_and_none_of_its_claims(
    workspace: Workspace, alice: User, receiver: Receiver
) -> None:
    webhook_create(
        user=alice,
        workspace_id=workspace.pk,
        url=receiver.url,
        events=["import.finished", "claim.resolved", "claim.disputed"],
    )
    disputed = _record(url="https://example.org/d", text=TEXT + " Disputé.")
    disputed["claims"][0]["adjudications"] = []
    job = _run(workspace, alice, [_line(**_record()), _line(**disputed)])

    assert job.created == 2
    assert Claim.objects.filter(workspace=workspace, status="disputed").count() == 1
    events = list(WebhookDelivery.objects.values_list("event", flat=True))
    assert events == ["import.finished"]
    (delivery,) = WebhookDelivery.objects.all()
    body = json.loads(delivery.body)
    assert (body["import"]["id"], body["import"]["created"]) == (job.pk, 2)


def test_a_record_nobody_foresaw_fails_alone(workspace: Workspace, alice: User) -> None:
    no_such_day = _record(url="https://example.org/b", text=TEXT + " B.", published_at="2026-02-30")
    half_a_pair = '{"url": "https://example.org/c", "text": "\\ud800 C."}'
    nul = _record(url="https://example.org/d", text=TEXT + " D.")
    nul["claims"][0]["assessments"][0]["rationale"] = "INSEE\u0000"
    job = _run(
        workspace, alice, [_line(**_record()), _line(**no_such_day), half_a_pair, _line(**nul)]
    )

    outcomes = [(entry["place"], entry["outcome"]) for entry in job.report]
    assert outcomes == [
        ("line 1", "created"),
        ("line 2", "failed"),
        ("line 3", "failed"),
        ("line 4", "created"),
    ]
    assert job.report[1]["field"] == "published_at"
    assert job.report[2]["field"] == "text"
    assert Assessment.objects.filter(rationale="INSEE").count() == 2  # lines 1 and 4


def test_a_corrected_copy_of_a_failed_record_goes_in(workspace: Workspace, alice: User) -> None:
    broken = _record()
    broken["claims"][0]["start"] = 9000
    job = _run(workspace, alice, [_line(**broken), _line(**_record())])

    assert [entry["outcome"] for entry in job.report] == ["failed", "created"]


def test_an_annotator_may_not_import_verdicts(workspace: Workspace, erin: User) -> None:
    record = _record()
    claim = record["claims"][0]
    for part in ("highlights", "sources", "adjudications"):
        claim[part] = []
    claim["creator"] = ""
    claim["assessments"] = [{"verdict": "false"}]
    job = _run(workspace, erin, [_line(**record)])

    assert job.failed == 1
    assert "reviewer role" in job.report[0]["message"]


def test_a_url_taken_meanwhile_by_another_writer_skips_that_record_only(
    workspace: Workspace, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = imports.ImportRun.plan

    def plan_then_race(run: imports.ImportRun, record: Any, seq: int = 0) -> Any:
        plan = planned(run, record, seq)
        if record.place == "line 2":  # someone else imports the same page a moment later
            Article.objects.create(
                workspace=workspace, url="https://example.org/b", text="x", created_by=alice
            )
        return plan

    monkeypatch.setattr(imports.ImportRun, "plan", plan_then_race)
    lines = [
        _line(**_record(url="https://example.org/a", text=TEXT + " A.")),
        _line(**_record(url="https://example.org/b", text=TEXT + " B.")),
        _line(**_record(url="https://example.org/c", text=TEXT + " C.")),
    ]
    job = _run(workspace, alice, lines)

    assert [entry["outcome"] for entry in job.report] == ["created", "skipped", "created"]
    assert Claim.objects.filter(article__url="https://example.org/c").count() == 1
    assert not Claim.objects.filter(article__url="https://example.org/b").exists()
