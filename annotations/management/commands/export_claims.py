"""Export a workspace's claims to a file (or standard output), streamed like the API's export.

    python manage.py export_claims --workspace 1 --format fever --output claims.jsonl
    python manage.py export_claims --workspace 1 --format csv --language fr --status published

Filters as on the API: --status, --language, --verdict, --article (comma-separated), --from and
--to (dates, inclusive, on the claim's creation, or with --dates verdict on its final verdict's).
Options as on the API: --bom (CSV for Excel), --pseudonymise (people as reviewer-1, reviewer-2...),
--texts (each row's article text, revision and checksum), --utf16 (Web Annotation: UTF-16
positions too). A file is written under a temporary name and renamed once complete, so a failed
export never leaves a truncated file behind.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.export_rows import read_snapshot
from annotations.exports import FORMATS
from annotations.models import Workspace
from annotations.services.exports import OPTION_FIELDS, check_export, export_chunks


class Command(BaseCommand):
    help = "Export a workspace's claims in one format to a file or to standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", type=int, required=True, help="The workspace's id.")
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument(
            "--status",
            help="Comma-separated claim statuses (default: resolved,published; "
            "every status for the assessments format).",
        )
        parser.add_argument("--language", help="Comma-separated article languages, e.g. fr,en.")
        parser.add_argument("--verdict", help="Comma-separated final verdict slugs.")
        parser.add_argument("--article", help="Comma-separated article ids.")
        parser.add_argument(
            "--dates", help="Which date --from and --to bound: created (default) or verdict."
        )
        parser.add_argument("--from", dest="date_from", help="Claims created on or after (date).")
        parser.add_argument("--to", dest="date_to", help="Claims created on or before (date).")
        parser.add_argument(
            "--bom", action="store_true", help="CSV: start with a byte order mark (for Excel)."
        )
        parser.add_argument(
            "--pseudonymise",
            action="store_true",
            help="Replace usernames with pseudonyms (reviewer-1, reviewer-2...).",
        )
        parser.add_argument(
            "--texts",
            action="store_true",
            help="Add each row's article text, revision and checksum (raw, fever, csv, "
            "assessments).",
        )
        parser.add_argument(
            "--utf16",
            action="store_true",
            help="Web Annotation: add positions in UTF-16 code units (for JavaScript clients).",
        )
        parser.add_argument("--output", "-o", help="The file to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(pk=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"Workspace {options['workspace']} does not exist.")
        format_key: str = options["format"]
        given = {
            "format": format_key,
            "status": options["status"],
            "language": options["language"],
            "verdict": options["verdict"],
            "article": options["article"],
            "dates": options["dates"],
            "from": options["date_from"],
            "to": options["date_to"],
        }
        for flag in OPTION_FIELDS:
            if options[flag]:
                given[flag] = "1"
        try:
            _, filters, export_options = check_export(
                workspace_id=workspace.pk,
                data={key: value for key, value in given.items() if value is not None},
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"--{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
            )
            raise CommandError(problems) from exc
        export = export_chunks(
            workspace=workspace,
            format_key=format_key,
            filters=filters,
            count=True,
            options=export_options,
        )
        if options["output"]:
            size, digest = self._to_file(export.chunks, Path(options["output"]))
            rows = export.rows.count if export.rows is not None else 0
            self.stderr.write(
                f"Wrote {rows:,} rows ({size:,} bytes, sha256 {digest}) to {options['output']}."
            )
        else:
            self._to_stdout(export.chunks)

    def _to_file(self, chunks: Any, path: Path) -> tuple[int, str]:
        directory = path.resolve().parent
        if not directory.is_dir():
            raise CommandError(f"Cannot write {path}: {directory} is not a directory.")
        digest = hashlib.sha256()
        size = 0
        handle, partial = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out, read_snapshot():
                for chunk in chunks:
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            # mkstemp makes the file private (0600); give it the mode a plain open() would.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(partial, 0o666 & ~umask)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        return size, digest.hexdigest()

    def _to_stdout(self, chunks: Any) -> None:
        # Bytes straight to the terminal or pipe when there is one (the chunks are UTF-8); text
        # when standard output was replaced by a text stream (call_command(stdout=StringIO())).
        binary: BinaryIO | None = getattr(self.stdout, "buffer", None)
        try:
            with read_snapshot():
                for chunk in chunks:
                    if binary is not None:
                        binary.write(chunk)
                    else:
                        self.stdout.write(chunk.decode(), ending="")
            if binary is not None:
                binary.flush()
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly, as command-line tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
