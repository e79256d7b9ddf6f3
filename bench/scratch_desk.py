"""A workbench on its embedded defaults in a scratch directory, for the benches that feed its
exports to outside tools (fever_scorer.py, hypothesis_anchoring.py).

`open_desk()` points Django at a fresh SQLite file (tasks in-process, no broker, MEDIA_ROOT in the
scratch directory), migrates, loads the demo desk and returns its workspace; `import_records`
brings articles in with `import_articles --format jsonl` (the workbench's own JSON Lines) and
prints its summary; `export` writes a format with `export_claims` and returns the file. Everything
goes through the commands a desk would run.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def open_desk() -> tuple[Any, Path]:
    """The demo workspace of a fresh workbench, and the scratch directory it lives in."""
    scratch = Path(tempfile.mkdtemp(prefix="wb-desk-"))
    os.environ.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{scratch / 'db.sqlite3'}",
        MEDIA_ROOT=str(scratch / "media"),
        DJANGO_SETTINGS_MODULE="workbench.settings",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from annotations.models import Workspace

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    return Workspace.objects.get(name="Demo desk"), scratch


def import_records(workspace: Any, scratch: Path, records: list[dict[str, Any]]) -> None:
    """Import `records` (the workbench's own JSON Lines) as the demo editor, extraction off."""
    from django.core.management import call_command

    data = scratch / "records.jsonl"
    data.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    report = io.StringIO()
    call_command(
        "import_articles",
        *("--workspace", str(workspace.pk), "--user", "alice", "--format", "jsonl"),
        "--no-extract",
        str(data),
        stdout=report,
    )
    print(report.getvalue().strip())


def export(workspace: Any, scratch: Path, format_key: str, *options: str) -> Path:
    """The workspace's export in `format_key` (with `export_claims` options), as a file."""
    from django.core.management import call_command

    name = "-".join([format_key, *(o.strip("-") for o in options)])
    output = scratch / f"{name}.jsonl"
    call_command(
        "export_claims",
        *("--workspace", str(workspace.pk), "--format", format_key, *options),
        *("--output", str(output)),
        stdout=io.StringIO(),
    )
    return output
