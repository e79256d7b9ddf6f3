"""Import a file of articles (and what people marked on them) into a workspace.

    python manage.py import_articles --workspace 1 --user alice --format doccano spans.jsonl
    python manage.py import_articles --workspace 1 --user alice --format jsonl --dry-run raw.jsonl

The import runs here, in this process, as a job the workspace's imports page lists; its report is
printed record by record (what was skipped or failed, and why). Exit status 0 when no record
failed (articles already in the workspace are skipped, so importing a file twice changes
nothing), 1 when some did (the others are in), 2 when the import could not start or stopped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from annotations.models import ImportJob, Workspace
from annotations.services import imports


class Command(BaseCommand):
    help = "Import a file of articles (doccano, Label Studio, W3C, FEVER, the workbench's own)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The file to import.")
        parser.add_argument("--workspace", type=int, required=True, help="The workspace's id.")
        parser.add_argument("--user", required=True, help="Who imports (a member's username).")
        parser.add_argument("--format", required=True, choices=sorted(imports.formats()))
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every record and write nothing."
        )
        parser.add_argument(
            "--labels", help="Tags to keep, as TAG or TAG=KEPT separated by commas (doccano...)."
        )
        parser.add_argument(
            "--no-extract",
            action="store_true",
            help="Do not extract candidate claims from the new articles.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(pk=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"Workspace {options['workspace']} does not exist.", returncode=2)
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"There is no user {options['user']!r}.", returncode=2)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=2)
        data = {
            "format": options["format"],
            "dry_run": options["dry_run"],
            "labels": options["labels"] or "",
            "extract": not options["no_extract"],
        }
        try:
            with path.open("rb") as upload:
                job = imports.import_job_create(
                    user=user,
                    workspace_id=workspace.pk,
                    data=data,
                    upload=upload,
                    file_name=path.name,
                    enqueue=False,
                )
        except ValidationError as exc:
            raise CommandError(_messages(exc), returncode=2) from None
        except (PermissionDenied, Http404):
            raise CommandError(
                f"{user.username} may not import into workspace {workspace.pk}: "
                "importing needs the annotator role.",
                returncode=2,
            ) from None
        try:
            imports.import_job_run(job_id=job.pk)
        except Exception as exc:
            imports.import_job_fail(job_id=job.pk, error=imports.failure_text(exc))
            raise CommandError(
                f"The import failed: {imports.failure_text(exc)}", returncode=2
            ) from None
        job = ImportJob.objects.get(pk=job.pk)
        self._report(job)
        if job.failed:
            raise CommandError(f"{job.failed} of {job.records} records failed.", returncode=1)

    def _report(self, job: ImportJob) -> None:
        for entry in job.report:
            if entry["outcome"] in {"created", "would_create"}:
                continue
            where = f" [{entry['field']}]" if entry.get("field") else ""
            self.stderr.write(
                f"{entry['place']}: {entry['outcome']}{where}: {entry.get('message', '')}"
            )
        counts = ", ".join(f"{value} {key}" for key, value in job.counts.items() if value)
        verb = "would create" if job.dry_run else "created"
        self.stdout.write(
            f"Import {job.pk}: {job.records} records, {job.created} {verb}, {job.skipped} skipped, "
            f"{job.failed} failed ({counts or 'nothing written'})."
        )


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(error.messages)}"
            for field, errors in exc.error_dict.items()
            for error in errors
        )
    return "; ".join(exc.messages)
