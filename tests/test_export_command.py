"""`manage.py export_claims`: a file or standard output, the API's filters, clear errors."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.export_desk import Desk


def run(*args: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_claims", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_writes_fever_to_standard_output(desk: Desk) -> None:
    out, _ = run("--workspace", desk.workspace.pk, "--format", "fever")
    records = [json.loads(line) for line in out.split("\n")[:-1]]
    assert [r["id"] for r in records] == [claim.pk for claim in desk.verified]
    assert records[0]["claim"] == desk.unemployment.normalised_text
    assert records[0]["label"] == "SUPPORTS"


def test_it_writes_a_file_and_says_what_it_wrote(desk: Desk, tmp_path: Path) -> None:
    target = tmp_path / "claims.csv"
    out, err = run(
        "--workspace", desk.workspace.pk, "--format", "csv", "--language", "en", "-o", target
    )
    assert out == ""
    header, *rows = list(csv.reader(io.StringIO(target.read_text(), newline="")))
    assert header[0] == "claim_id"
    assert [int(row[0]) for row in rows] == [desk.budget.pk]
    assert err.startswith(f"Wrote 1 rows ({target.stat().st_size:,} bytes, sha256 ")
    assert str(target) in err
    # Nothing but the file is left in the directory (no temporary file), readable as usual.
    assert [path.name for path in tmp_path.iterdir()] == ["claims.csv"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_it_takes_the_filters_of_the_api(desk: Desk) -> None:
    out, _ = run(
        "--workspace", desk.workspace.pk, "--format", "assessments", "--status", "disputed"
    )
    records = [json.loads(line) for line in out.split("\n")[:-1]]
    assert {r["claim_id"] for r in records} == {desk.disputed.pk}
    out, _ = run(
        "--workspace",
        desk.workspace.pk,
        "--format",
        "fever",
        "--verdict",
        "false,true",
        "--from",
        "2000-01-01",
    )
    assert [json.loads(line)["id"] for line in out.splitlines()] == [
        desk.jobs.pk,
        desk.departments.pk,
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--workspace", "999999", "--format", "fever"], "Workspace 999999 does not exist."),
        (["--format", "rdf"], "invalid choice: 'rdf'"),
        (["--format", "fever", "--status", "finished"], "--status: Unknown status 'finished'"),
        (["--format", "fever", "--verdict", "maybe"], "--verdict: Unknown verdict 'maybe'"),
        (["--format", "fever", "--from", "May 1st"], "--from: Enter a date as YYYY-MM-DD"),
        (["--format", "fever", "--output", "/nonexistent/dir/x.jsonl"], "is not a directory"),
    ],
)
def test_it_stops_with_a_clear_message(desk: Desk, args: list[str], says: str) -> None:
    if "--workspace" not in args:
        args = ["--workspace", str(desk.workspace.pk), *args]
    with pytest.raises(CommandError) as error:
        run(*args)
    assert says in str(error.value)


def test_it_needs_a_workspace_and_a_format() -> None:
    with pytest.raises(CommandError, match="--workspace, --format"):
        run()


def test_it_takes_the_options_of_the_api(desk: Desk, tmp_path: Path) -> None:
    target = tmp_path / "excel.csv"
    run("--workspace", desk.workspace.pk, "--format", "csv", "--bom", "-o", target)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    out, _ = run("--workspace", desk.workspace.pk, "--format", "raw", "--pseudonymise")
    assert '"bob"' not in out
    assert '"creator":"reviewer-1"' in out
    out, _ = run("--workspace", desk.workspace.pk, "--format", "fever", "--texts")
    record = json.loads(out.splitlines()[0])
    assert record["article_text"] == desk.french.text
    out, _ = run(
        "--workspace",
        desk.workspace.pk,
        "--format",
        "webannotation",
        "--utf16",
        "--article",
        desk.french.pk,
    )
    assert '"unit":"utf-16"' in out


def test_it_names_an_option_that_does_not_fit_the_format(desk: Desk) -> None:
    with pytest.raises(CommandError, match="--texts: Article texts do not fit claimreview"):
        run("--workspace", desk.workspace.pk, "--format", "claimreview", "--texts")
