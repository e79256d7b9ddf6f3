"""What the import tests share: offsets counted as each tool counts them, files written as the
tools write them, and an import run as a worker runs its job."""

from __future__ import annotations

import io
import json
from typing import Any

from django.contrib.auth.models import User

from annotations.models import ImportJob, Workspace


def u16(text: str) -> int:
    """A length as JavaScript counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def u16_span(text: str, quote: str) -> tuple[int, int]:
    start = u16(text[: text.index(quote)])
    return start, start + u16(quote)


def cp_span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def jsonl(*lines: object) -> bytes:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


def run_import(workspace: Workspace, user: User, fmt: str, body: bytes, **data: Any) -> ImportJob:
    """Import `body` in `fmt` (extraction off unless asked), as the job's worker would."""
    from annotations.services import imports

    job = imports.import_job_create(
        user=user,
        workspace_id=workspace.pk,
        data={"format": fmt, "extract": False, **data},
        upload=io.BytesIO(body),
        file_name=f"file.{fmt}",
        enqueue=False,
    )
    imports.import_job_run(job_id=job.pk)
    return ImportJob.objects.get(pk=job.pk)
