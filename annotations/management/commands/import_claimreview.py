"""Import outside fact-checks (ClaimReview JSON-LD, Google Fact Check Tools JSON) into a workspace.

    python manage.py import_claimreview --workspace 3 reviews.jsonld factchecks.jsonl
    curl -s 'https://factchecktools.googleapis.com/...' | python manage.py import_claimreview --workspace 3 -

Every file is read and parsed before anything is written, so a bad file stops the command before
any import; items that are wrong inside a good file are skipped and reported, one line each on
standard error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from annotations.models import Workspace
from annotations.services.references import (
    ORIGIN_MAX,
    Problem,
    document_items,
    references_import,
)

from ._claim_cli import read_text

LINES_SUFFIXES = frozenset({".jsonl", ".ndjson"})
DOCUMENT_SUFFIXES = frozenset({".json", ".jsonld"})
DEFAULT_ORIGIN = "import_claimreview"


@dataclass(frozen=True, slots=True)
class InputFile:
    name: str
    items: list[Any]
    # For JSON lines: the line each item was on (items count from 0, lines from 1).
    lines: list[int] | None = None

    def where(self, problem: Problem) -> str:
        if self.lines is None:
            place = f"item {problem.index}"
        else:
            place = f"line {self.lines[problem.index]}"
        field = f", {problem.field}" if problem.field else ""
        note = "" if problem.skipped else " (imported without it)"
        return f"{self.name}: {place}{field}: {problem.message}{note}"


def _display(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _json_lines(name: str, text: str) -> InputFile:
    items: list[Any] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{name}, line {number}: not valid JSON: {error.msg} (column {error.colno})"
            ) from None
        lines.append(number)
    return InputFile(name, items, lines)


def _document(name: str, text: str) -> InputFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{name}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(document, dict | list):
        raise CommandError(
            f"{name}: expected a JSON object or array of fact-checks, not {type(document).__name__}"
        )
    return InputFile(name, document_items(document))


def read_input(path: str) -> InputFile:
    """A file's items: a JSON document's (one object, an array, an @graph, a Fact Check Tools
    response) or one per line of a .jsonl file. Standard input and other names are read as a
    document when they parse as one, else as JSON lines."""
    name = _display(path)
    text = read_text(path).removeprefix("\ufeff")
    suffix = "" if path == "-" else PurePath(path).suffix.lower()
    if suffix in LINES_SUFFIXES:
        return _json_lines(name, text)
    if suffix in DOCUMENT_SUFFIXES:
        return _document(name, text)
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # a value, then another: one object a line
            return _json_lines(name, text)
    return _document(name, text)


def find_workspace(key: str) -> Workspace:
    """A workspace by its id, else by its name or the slug of its name (workspaces have no slug
    of their own)."""
    key = key.strip()
    if key.isdigit():
        found = Workspace.objects.filter(pk=int(key)).first()
        if found is None:
            raise CommandError(f"--workspace: no workspace has the id {key}")
        return found
    named = list(Workspace.objects.filter(name__iexact=key).order_by("pk"))
    if not named:
        wanted = slugify(key)
        named = [
            ws
            for ws in Workspace.objects.only("pk", "name").order_by("pk")
            if wanted and slugify(ws.name) == wanted
        ]
    if not named:
        raise CommandError(f"--workspace: no workspace has the id, name or slug {key!r}")
    if len(named) > 1:
        ids = ", ".join(str(ws.pk) for ws in named)
        raise CommandError(
            f"--workspace: {len(named)} workspaces are called {key!r} (ids {ids}): give the id"
        )
    return named[0]


class Command(BaseCommand):
    help = (
        "Import outside fact-checks into a workspace's reference corpus, where matching finds "
        "them: schema.org ClaimReview in JSON-LD (one object, an array or an @graph) and Google "
        "Fact Check Tools API responses, from .json/.jsonld files, .jsonl files (one object a "
        "line) or - for standard input. A page imported again updates its reference. Prints one "
        "summary line per file; skipped items go to standard error."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="A file, or - for stdin.")
        parser.add_argument(
            "--workspace",
            required=True,
            metavar="ID_OR_SLUG",
            help="The workspace's id, or its name (or the slug of its name).",
        )
        parser.add_argument(
            "--origin",
            default=DEFAULT_ORIGIN,
            help=f"Recorded on each reference: where it came from (at most {ORIGIN_MAX} "
            f"characters; default {DEFAULT_ORIGIN}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        origin = options["origin"].strip()
        if not origin or len(origin) > ORIGIN_MAX:
            raise CommandError(f"--origin must be 1 to {ORIGIN_MAX} characters")
        if options["files"].count("-") > 1:
            raise CommandError("standard input (-) can be read only once")
        inputs = [read_input(path) for path in options["files"]]
        workspace = find_workspace(options["workspace"])
        for source in inputs:
            outcome = references_import(workspace=workspace, items=source.items, origin=origin)
            for problem in outcome.problems:
                self.stderr.write(source.where(problem))
            self.stdout.write(
                f"{source.name}: {outcome.created} created, {outcome.updated} updated, "
                f"{outcome.unchanged} unchanged, {outcome.skipped} skipped"
            )
