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


# On the embedded default (SQLite), as `make run` serves: the UTF-16 positions are counted in
# Python there (PostgreSQL counts them in SQL), and used to fail the export outright.
SQLITE_EXPORT = """
import json, sys
from django.core.management import call_command
from django.contrib.auth.models import User
from annotations.services.workspaces import workspace_create
call_command("migrate", verbosity=0)
alice = User.objects.create_user("alice")
ws = workspace_create(user=alice, name="Desk")
text = "🙂 Le ministre a dit : « Le chômage a baissé. » Fin."
quote = "« Le chômage a baissé. »"
start = text.index(quote)
claim = {"start": start, "end": start + len(quote), "exact": quote,
         "adjudications": [{"creator": "alice", "verdict": "false"}]}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write(json.dumps({"url": "https://example.org/a", "text": text, "claims": [claim]}) + "\\n")
call_command("import_articles", "--workspace", ws.pk, "--user", "alice", "--format", "jsonl",
             "--no-extract", sys.argv[1])
call_command("export_claims", "--workspace", ws.pk, "--format", "webannotation", "--utf16")
"""


def test_utf16_positions_are_exported_on_sqlite(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    script = tmp_path / "export.py"
    script.write_text(SQLITE_EXPORT, encoding="utf-8")
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite3",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "PYTHONPATH": str(root),
    }
    done = subprocess.run(  # noqa: S603 - this project's own code
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); exec(open({str(script)!r}).read())",
            str(tmp_path / "a.jsonl"),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=180,
        check=False,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr
    annotation = next(json.loads(line) for line in done.stdout.splitlines() if line.startswith("{"))
    positions = [s for s in annotation["target"]["selector"] if s["type"] == "TextPositionSelector"]
    # The emoji before the claim counts once in code points and twice in UTF-16 units.
    assert positions[0]["start"] == 22
    assert positions[-1] == {
        "type": "TextPositionSelector",
        "start": 23,
        "end": 47,
        "unit": "utf-16",
    }
