"""Exports: checking what is asked for, streaming it, and export jobs that store the file.

Every export goes through ``export_chunks``: the selected claims (or their assessments) read by
annotations.export_rows and written by the format's writer (annotations.exports). The API
streams the chunks, the command writes them to a file, an export job writes them to the default
storage with their SHA-256 and row count. Only editors export.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import secrets
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Generic, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.export_rows import (
    ALL_STATUSES,
    VERIFIED_STATUSES,
    ExportFilters,
    assessment_rows,
    claim_rows,
    export_context,
    in_snapshot,
    raw_article_rows,
    read_snapshot,
    selected_claims,
)
from annotations.exports import FORMATS, ExportFormat
from annotations.exports.csv_writer import write_csv
from annotations.exports.rows import ExportContext, Pseudonyms
from annotations.models import Claim, ExportJob, Role, VerdictLabel, Workspace
from annotations.services.dispatch import enqueue_on_commit

FILTER_FIELDS: Final = ("status", "language", "verdict", "article", "dates", "from", "to")
# How a file is written rather than what it holds (yes/no options: 1/0, true/false, yes/no, on/off).
OPTION_FIELDS: Final = ("bom", "pseudonymise", "texts", "utf16")
_YES: Final = ("1", "true", "yes", "on")
_NO: Final = ("0", "false", "no", "off", "")
DATE_FIELDS: Final = ("created", "verdict")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,4})?$")

T = TypeVar("T")


# --- Checking a request -------------------------------------------------------------------------


def _flag(value: Any) -> bool | None:
    """A yes/no option given as a query, form or JSON value (bom=1, bom=true, bom=on, true);
    None when it is neither."""
    value = value[0] if isinstance(value, list) and len(value) == 1 else value
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    return None


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How an export's file is written (see annotations.exports for what each does)."""

    bom: bool = False  # CSV: a byte order mark for Excel
    pseudonymise: bool = False  # people as "reviewer-1", "reviewer-2"...
    texts: bool = False  # each row's article text, revision and checksum
    utf16: bool = False  # Web Annotation: a UTF-16 position selector too
    # Each row's article revision and checksum without the text (releases).
    revisions: bool = False

    def as_json(self) -> dict[str, bool]:
        """The options that are on, as stored with an export job's or a release's filters."""
        return {key: True for key in OPTION_FIELDS if getattr(self, key)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExportOptions:
        return cls(**{key: bool(data.get(key)) for key in OPTION_FIELDS})


def check_options(
    format_keys: Sequence[str], data: Mapping[str, Any], *, fields: Sequence[str] = OPTION_FIELDS
) -> ExportOptions:
    """The options of an export (or of a release's files), or a ValidationError naming each bad
    one: a value that is not yes or no, `texts` for a format it does not fit, `utf16` for
    anything but Web Annotation."""
    errors: dict[str, list[str]] = {}
    values: dict[str, bool] = {}
    for key in fields:
        given = data.get(key)
        value = _flag(given)
        if value is None:
            given = given[0] if isinstance(given, list) and len(given) == 1 else given
            errors[key] = [_("Give 1 or 0 (true or false), not %(value)r.") % {"value": given}]
        values[key] = bool(value)
    if values.get("texts"):
        misfits = [key for key in format_keys if not FORMATS[key].takes_texts]
        if misfits:
            errors["texts"] = [
                _("Article texts do not fit %(formats)s; they go into: %(choices)s.")
                % {
                    "formats": ", ".join(misfits),
                    "choices": ", ".join(k for k, f in FORMATS.items() if f.takes_texts),
                }
            ]
    if values.get("utf16") and any(key != "webannotation" for key in format_keys):
        errors["utf16"] = [_("UTF-16 positions are only for the webannotation format.")]
    if errors:
        raise ValidationError(errors)
    return ExportOptions(**values)


def check_format(key: Any) -> str:
    """The format's key, or a ValidationError on `format` listing the choices."""
    if key is None or key in ("", []):
        raise ValidationError(
            {"format": [_("Choose a format: %(choices)s.") % {"choices": ", ".join(FORMATS)}]}
        )
    if isinstance(key, list) and len(key) == 1:
        key = key[0]
    if not isinstance(key, str) or key not in FORMATS:
        raise ValidationError(
            {
                "format": [
                    _("Unknown format %(key)r; choose one of: %(choices)s.")
                    % {"key": key, "choices": ", ".join(FORMATS)}
                ]
            }
        )
    return key


def _strings(value: Any) -> list[str] | None:
    """A filter value as a list of strings: "a,b", ["a", "b"] or ["a,b"]; None when malformed."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        return None
    return list(dict.fromkeys(part.strip() for item in items for part in item.split(",")))


def _date(value: Any) -> date | str | None:
    """A date from "YYYY-MM-DD" (None when absent), or the error message."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return _("Enter a date as YYYY-MM-DD, not %(value)r.") % {"value": value}


def _listed(values: list[str]) -> str:
    return ", ".join(map(repr, values))


class _Checker:
    """Collects every field's error, so one 400 names all that is wrong."""

    def __init__(self, workspace_id: int, data: Mapping[str, Any]) -> None:
        self.workspace_id = workspace_id
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def strings(self, key: str) -> list[str]:
        values = _strings(self.data.get(key))
        if values is None:
            self.errors[key] = [_("Give a comma-separated string or a list of strings.")]
            return []
        return [value for value in values if value]

    def statuses(self) -> list[str]:
        statuses = self.strings("status")
        unknown = [status for status in statuses if status not in ALL_STATUSES]
        if unknown:
            self.errors["status"] = [
                _("Unknown status %(unknown)s; the statuses are: %(choices)s.")
                % {"unknown": _listed(unknown), "choices": ", ".join(ALL_STATUSES)}
            ]
        return statuses

    def languages(self) -> list[str]:
        languages = [language.lower() for language in self.strings("language")]
        bad = [language for language in languages if not _LANGUAGE.match(language)]
        if bad:
            self.errors["language"] = [
                _("Give ISO 639-1 language codes such as fr or en, not %(bad)s.")
                % {"bad": _listed(bad)}
            ]
        return languages

    def verdicts(self) -> list[str]:
        verdicts = self.strings("verdict")
        if not verdicts:
            return []
        scale = list(
            VerdictLabel.objects.filter(workspace_id=self.workspace_id).values_list(
                "slug", flat=True
            )
        )
        unknown = [slug for slug in verdicts if slug not in scale]
        if unknown:
            self.errors["verdict"] = [
                _("Unknown verdict %(unknown)s; this workspace's scale has: %(choices)s.")
                % {"unknown": _listed(unknown), "choices": ", ".join(scale)}
            ]
        return verdicts

    def articles(self) -> list[int]:
        values = self.strings("article")
        bad = [value for value in values if not (value.isascii() and value.isdigit())]
        if bad:
            self.errors["article"] = [
                _("Give article ids (numbers), not %(bad)s.") % {"bad": _listed(bad)}
            ]
            return []
        return [int(value) for value in values]

    def dates(self) -> str:
        value = self.data.get("dates") or "created"
        value = value[0] if isinstance(value, list) and value else value
        if value not in DATE_FIELDS:
            self.errors["dates"] = [
                _("Choose which date the period applies to: %(choices)s.")
                % {"choices": ", ".join(DATE_FIELDS)}
            ]
            return "created"
        return str(value)

    def day(self, key: str) -> date | None:
        parsed = _date(self.data.get(key))
        if isinstance(parsed, str):
            self.errors[key] = [parsed]
            return None
        return parsed


def check_filters(
    *,
    workspace_id: int,
    data: Mapping[str, Any],
    default_statuses: Sequence[str] = VERIFIED_STATUSES,
    other_fields: Sequence[str] = (),
) -> ExportFilters:
    """Turn request values into ExportFilters, or raise a ValidationError naming each bad field.

    Each list filter takes a comma-separated string or a list of strings. Keys that are neither
    filters nor `other_fields` are refused: a misspelt filter must not silently export everything.
    """
    check = _Checker(workspace_id, data)
    for key in data:
        if key not in FILTER_FIELDS and key not in other_fields:
            # Named as sent, but writable: a lone surrogate (JSON's \\ud800) escaped.
            check.errors[key.encode("utf-8", "backslashreplace").decode()] = [
                _("Unknown parameter; the filters are: %(fields)s.")
                % {"fields": ", ".join(FILTER_FIELDS)}
            ]
    statuses, languages, verdicts = check.statuses(), check.languages(), check.verdicts()
    articles, dates = check.articles(), check.dates()
    date_from, date_to = check.day("from"), check.day("to")
    if date_from is not None and date_to is not None and date_from > date_to:
        check.errors["to"] = [_("The end date must be on or after the start date.")]
    if check.errors:
        raise ValidationError(check.errors)
    return ExportFilters(
        statuses=tuple(statuses) or tuple(default_statuses),
        languages=tuple(languages),
        verdicts=tuple(verdicts),
        date_from=date_from,
        date_to=date_to,
        articles=tuple(articles),
        dates=dates,
    )


def default_statuses_for(format_key: str) -> tuple[str, ...]:
    """Verified claims by default; for the raw assessments, every claim (agreement research
    needs the disputed and unresolved ones), and for the raw export every claim of every article
    (a workspace's raw export carries all of it)."""
    if FORMATS[format_key].row_kind in ("assessments", "articles"):
        return ALL_STATUSES
    return VERIFIED_STATUSES


def check_export(
    *, workspace_id: int, data: Mapping[str, Any]
) -> tuple[str, ExportFilters, ExportOptions]:
    """The format, filters and options of an export request, or one ValidationError naming every
    bad field (unknown keys included)."""
    errors: dict[str, list[str]] = {}
    format_key = ""
    try:
        format_key = check_format(data.get("format"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    options = ExportOptions()
    try:
        options = check_options([format_key] if format_key else [], data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    filters = None
    try:
        filters = check_filters(
            workspace_id=workspace_id,
            data=data,
            default_statuses=default_statuses_for(format_key) if format_key else VERIFIED_STATUSES,
            other_fields=("format", *OPTION_FIELDS),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors or filters is None:
        raise ValidationError(errors)
    return format_key, filters, options


# --- Producing an export ------------------------------------------------------------------------


class CountedRows(Generic[T]):
    """An iterator that counts what the writer took from it and passes close() on."""

    def __init__(self, rows: Iterator[T]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> CountedRows[T]:
        return self

    def __next__(self) -> T:
        row = next(self.rows)
        self.count += 1
        return row

    def close(self) -> None:
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True, slots=True)
class Export:
    format: str
    media_type: str
    filename: str
    chunks: Iterator[bytes]
    # How many rows the writer has taken so far: the file's row count once the chunks are spent.
    rows: CountedRows[Any] | None = None


def export_filename(*, workspace: Workspace, format_key: str, label: str = "") -> str:
    fmt = FORMATS[format_key]
    stem = slugify(workspace.name)[:60] or f"workspace-{workspace.pk}"
    label = label or timezone.localdate().strftime("%Y%m%d")
    return f"{stem}-{format_key}-{label}.{fmt.file_extension}"


def export_rows(
    *, workspace_id: int, format_key: str, filters: ExportFilters, options: ExportOptions
) -> Iterator[Any]:
    """The rows the format's writer takes, not yet read (see annotations.export_rows)."""
    fmt: ExportFormat[Any] = FORMATS[format_key]
    if fmt.row_kind == "articles":
        return raw_article_rows(workspace_id=workspace_id, filters=filters)
    claims = selected_claims(workspace_id=workspace_id, filters=filters)
    if fmt.row_kind == "assessments":
        return assessment_rows(claims, texts=options.texts)
    if format_key == "claimreview":
        claims = claims.filter(final_verdict__isnull=False)
    return claim_rows(
        claims,
        texts=options.texts and fmt.takes_texts,
        # Every reviewer's own span goes only into Web Annotation (one annotation each).
        highlights=format_key == "webannotation",
        utf16=options.utf16 and format_key == "webannotation",
    )


def export_chunks(
    *,
    workspace: Workspace,
    format_key: str,
    filters: ExportFilters,
    count: bool = False,
    options: ExportOptions | None = None,
    pseudonyms: Pseudonyms | None = None,
) -> Export:
    """The export's chunks, not yet read: iterate them inside read_snapshot().

    The writer is called here, so a configuration error raises now, before a response starts.
    ClaimReview takes only claims with a final verdict (a review needs its rating), so its row
    count is the number of reviews written. With `options.pseudonymise`, people get pseudonyms
    from `pseudonyms` when given (a release shares one set across its files), else a new set.
    """
    options = options or ExportOptions()
    fmt: ExportFormat[Any] = FORMATS[format_key]
    rows = export_rows(
        workspace_id=workspace.pk, format_key=format_key, filters=filters, options=options
    )
    counted = CountedRows(rows) if count else None
    writer = fmt.writer
    if options.bom and format_key == "csv":
        # A byte order mark: what Excel needs to read the file as UTF-8.
        writer = functools.partial(write_csv, bom=True)
    texts = options.texts and fmt.takes_texts
    ctx = dataclasses.replace(
        export_context(workspace),
        pseudonyms=(pseudonyms or Pseudonyms()) if options.pseudonymise else None,
        texts=texts,
        revisions=texts or options.revisions,
        utf16=options.utf16,
    )
    chunks = writer(counted or rows, ctx)
    return Export(
        format=format_key,
        media_type=fmt.media_type,
        filename=export_filename(workspace=workspace, format_key=format_key),
        chunks=chunks,
        rows=counted,
    )


def export_open(*, user: User, workspace_id: int, params: Mapping[str, Any]) -> Export:
    """A checked export for the API to stream: everything that can be wrong is refused here,
    before the first byte; the chunks then read the database inside one snapshot."""
    require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)
    format_key, filters, options = check_export(workspace_id=workspace_id, data=params)
    workspace = Workspace.objects.get(pk=workspace_id)
    export = export_chunks(
        workspace=workspace, format_key=format_key, filters=filters, options=options
    )
    return Export(
        format=export.format,
        media_type=export.media_type,
        filename=export.filename,
        chunks=in_snapshot(export.chunks),
    )


@dataclass(frozen=True, slots=True)
class StoredFile:
    name: str
    sha256: str
    size: int


def store_chunks(chunks: Iterator[bytes], *, name: str) -> StoredFile:
    """Write the chunks to the default storage, through a temporary file so memory stays flat.

    The stored name is `name` with a random part added before the extension: a task run again
    after a lost worker writes a file of its own instead of overwriting one that another run may
    have recorded. The storage may change the name further; the returned one is what it kept.
    """
    digest = hashlib.sha256()
    size = 0
    with tempfile.TemporaryFile() as spool:
        for chunk in chunks:
            spool.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        spool.seek(0)
        stem, dot, extension = name.rpartition(".")
        unique = f"{stem}-{secrets.token_hex(4)}{dot}{extension}"
        saved = default_storage.save(unique, File(spool, name=unique))
    return StoredFile(name=saved, sha256=digest.hexdigest(), size=size)


# --- Export jobs --------------------------------------------------------------------------------


@transaction.atomic
def export_job_create(*, user: User, workspace_id: int, data: Mapping[str, Any]) -> ExportJob:
    """Record an export to run in a worker; the task is sent after commit."""
    require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)
    format_key, filters, options = check_export(workspace_id=workspace_id, data=data)
    # How the file is written, kept with what it holds.
    stored = {**filters.as_json(), **options.as_json()}
    job = ExportJob.objects.create(
        workspace_id=workspace_id,
        format=format_key,
        filters=stored,
        requested_by=user,
    )
    from annotations import tasks  # the tasks module imports the services

    enqueue_on_commit(tasks.run_export_job, job.pk)
    return job


def export_job_run(*, job_id: int) -> str:
    """Write a job's file. Idempotent: a finished job is left alone, a job interrupted half-way
    (a worker lost) writes its file again from the start."""
    job = ExportJob.objects.select_related("workspace").filter(pk=job_id).first()
    if job is None or job.status == ExportJob.Status.DONE:
        return "skipped"
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.RUNNING, error="")
    export = export_chunks(
        workspace=job.workspace,
        format_key=job.format,
        filters=ExportFilters.from_json(job.filters),
        count=True,
        options=ExportOptions.from_json(job.filters),
    )
    # Short storage names (the column holds 100 characters); the download gets the long one.
    name = FORMATS[job.format].file_name(f"exports/{job.pk}/export", job.format)
    with read_snapshot():
        stored = store_chunks(export.chunks, name=name)
    assert export.rows is not None
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE,
        file=stored.name,
        sha256=stored.sha256,
        rows=export.rows.count,
        finished_at=timezone.now(),
    )
    return "done"


def export_job_fail(*, job_id: int, error: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def selection_csv(claims: QuerySet[Claim]) -> Iterator[bytes]:
    """A CSV of any selection of claims, whatever their status or workspace (the admin action,
    for staff), streamed like every export."""
    ctx = ExportContext(
        workspace_name="",
        organisation_name="",
        organisation_url="",
        base_url=settings.SITE_URL,
        scale=(),
    )
    selection = Claim.objects.filter(pk__in=claims.values("pk"))
    return in_snapshot(FORMATS["csv"].writer(claim_rows(selection), ctx))
