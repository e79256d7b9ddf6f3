"""Imports: a file of articles, and what people marked on them, read into a workspace.

An import is a job (ImportJob) run by a worker: the file (uploaded, or fetched from an address) is
read by its format's parser (annotations.imports) into records; each record is checked in full
("planned") before anything is written, then written all-or-nothing. Records are written in
batches of IMPORT_BATCH in one transaction each; when a batch fails in the database (another
import took the same URL a moment before), it is written again record by record, so one bad
record never takes the others with it. Each record's outcome goes on the job's report: created,
skipped (the article is already in the workspace, by URL or by its words: importing a file twice
changes nothing) or failed (what is wrong, and in which field).

People named in the file are matched to the workspace's members by username or e-mail; anyone
else is kept as an attribution: an inactive person with no password, never a member, who cannot
sign in. Attributing work to anyone but oneself, adjudications and final verdicts need the
editor role. An import tells nobody item by item (no notification, live event or webhook for each
claim); one ``import.finished`` webhook says what it did when it ends.

A dry run plans every record and writes nothing: its report says what would be created.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any, BinaryIO, Final, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import DatabaseError, connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from annotations.access import require_role, role_in
from annotations.import_messages import describe
from annotations.imports import (
    ArticleIn,
    ClaimIn,
    ImportOptions,
    Parsed,
    Record,
)
from annotations.imports.offsets import Placer, SpanProblem
from annotations.models import (
    Adjudication,
    Article,
    Assessment,
    Claim,
    ClaimEvent,
    ClaimSource,
    Highlight,
    ImportJob,
    Role,
    Source,
    VerdictLabel,
    Workspace,
)
from annotations.services.bulk import insert_rows
from annotations.services.dispatch import enqueue_on_commit
from annotations.services.disputes import claim_status_refresh
from annotations.services.history import quietly
from annotations.services.sources import url_problem
from annotations.text import (
    SAME_CLAIM_JACCARD,
    checksum,
    fingerprint,
    normalise_text,
    quote_at,
    span_jaccard,
)
from annotations.webfetch import UnsafeURL, check_url_syntax, normalise_url

logger = logging.getLogger(__name__)

IMPORT_BATCH: Final = 200
# pg_advisory_xact_lock(_IMPORT_LOCK, workspace id): imports into one workspace write one batch
# at a time (services.imports._claim_words); the first key keeps it apart from other locks.
_IMPORT_LOCK: Final = 0x1A9047
# How often the job's progress is saved while it runs, in records.
PROGRESS_EVERY: Final = 500
_FEVER = {"SUPPORTS", "REFUTES", "NOT ENOUGH INFO"}
_STANCES = frozenset(ClaimSource.Stance.values)
COUNTED: Final = ("articles", "claims", "highlights", "assessments", "sources", "adjudications")
# Outside fact-checks go into the workspace's reference corpus (annotations.services.references),
# not in as articles: the same job, report and pages, another writer.
CLAIMREVIEW: Final = "claimreview"


def formats() -> dict[str, str]:
    """The import formats, by key, with what each reads."""
    return {
        "jsonl": _("The workbench's own JSON Lines (what the raw export writes)"),
        "doccano": _("doccano JSONL (text and labelled spans)"),
        "labelstudio": _("Label Studio JSON export (text tasks with labelled spans)"),
        "webannotation": _("W3C Web Annotations or Hypothesis annotations (JSON or JSON Lines)"),
        "fever": _("FEVER claims (JSON Lines)"),
        CLAIMREVIEW: _(
            "ClaimReview (JSON-LD) or Google Fact Check Tools JSON: outside fact-checks, into the "
            "reference corpus that matching searches (editors)"
        ),
    }


def _span_message(problem: SpanProblem) -> str:
    """A span's problem in the reader's language (annotations.imports.offsets words it in English)."""
    messages = {
        "past_end": _("%(offset)s is past the end of the text (%(length)s characters)."),
        "inside_character": _("%(offset)s falls inside a character (UTF-16)."),
        "quote_missing": _("The quote is not in the article's text."),
        "negative": _("start and end must be 0 or more."),
        "end_before_start": _("end (%(end)s) must be greater than start (%(start)s)."),
        "blank": _("The span holds only white space."),
        "quote_elsewhere": _(
            "The quote %(quote)r is not at %(start)s-%(end)s, nor anywhere in the article's text."
        ),
    }
    template = messages.get(problem.code)
    return template % problem.params if template else str(problem)


class ImportProblem(ValueError):
    """What makes one record impossible to import, with the field it concerns."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# --- Creating a job ----------------------------------------------------------------------------


def _parsers() -> dict[str, Any]:
    """The parsers by format: the workbench's own, and the other tools' (imports.registry)."""
    from annotations.imports import raw
    from annotations.imports.registry import PARSERS

    return {"jsonl": raw.parse, **PARSERS}


def check_format(value: Any) -> str:
    known = set(formats()) & ({*_parsers(), CLAIMREVIEW})
    if not isinstance(value, str) or value not in known:
        raise ValidationError(
            {
                "format": [
                    _("Choose an import format: %(formats)s.")
                    % {"formats": ", ".join(sorted(known))}
                ]
            }
        )
    return value


def check_labels(value: Any) -> dict[str, str]:
    """`--labels` as a mapping {tag in the file: tag kept}; "A=B,C" and lists are accepted."""
    if value in (None, "", [], {}):
        return {}
    pairs: list[str]
    if isinstance(value, dict):
        items = list(value.items())
        if all(isinstance(k, str) and isinstance(v, str) and k and v for k, v in items):
            return {k.strip(): v.strip() for k, v in items}
        raise ValidationError({"labels": [_('Map each tag to a tag: {"CLAIM": "claim"}.')]})
    if isinstance(value, str):
        pairs = [part for part in value.split(",") if part.strip()]
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        pairs = list(value)
    else:
        raise ValidationError({"labels": [_("Give tags as TAG or TAG=KEPT, separated by commas.")]})
    mapping: dict[str, str] = {}
    for pair in pairs:
        source, _eq, kept = pair.partition("=")
        source, kept = source.strip(), (kept or source).strip()
        if not source or not kept or len(kept) > Claim._meta.get_field("tag").max_length:  # type: ignore[operator]
            raise ValidationError(
                {"labels": [_("%(pair)r is not TAG or TAG=KEPT.") % {"pair": pair}]}
            )
        mapping[source] = kept
    return mapping


def _flag(value: Any, field: str) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValidationError({field: [_("Give true or false.")]})


def import_job_create(
    *,
    user: User,
    workspace_id: int,
    data: dict[str, Any],
    upload: IO[bytes] | None = None,
    file_name: str = "",
    enqueue: bool = True,
) -> ImportJob:
    """Record an import to run in a worker: the file kept in storage (or the address to fetch it
    from), checked options; the task is sent after commit (not with `enqueue` False: the command
    runs the job itself)."""
    require_role(user=user, workspace_id=workspace_id, role=Role.ANNOTATOR)
    format_key = check_format(data.get("format"))
    if format_key == CLAIMREVIEW:
        _check_corpus_editor(user, workspace_id, "format")
    labels = check_labels(data.get("labels"))
    dry_run = _flag(data.get("dry_run"), "dry_run")
    extract = _flag(data.get("extract", True), "extract")
    url = str(data.get("url") or "").strip()
    if (upload is None) == (not url):
        raise ValidationError(
            {"file": [_("Send one file, or the address of one in url; not both.")]}
        )
    if url:
        try:
            url = check_url_syntax(url)
        except UnsafeURL as exc:
            raise ValidationError({"url": [url_problem(exc)]}) from None
    size: int | None = None
    stored = ""
    if upload is not None:
        size = _size(upload)
        if size > settings.IMPORT_MAX_BYTES:
            raise _too_large()
        if size == 0:
            raise ValidationError({"file": [_("The file is empty.")]})
        upload.seek(0)
        stored = default_storage.save(_stored_name(workspace_id, format_key), File(upload))
    options = {
        "labels": labels,
        "extract": extract,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    with transaction.atomic():
        job = ImportJob.objects.create(
            workspace_id=workspace_id,
            format=format_key,
            options=options,
            dry_run=dry_run,
            file=stored,
            file_name=(file_name or url)[:255],
            source_url=url,
            size=size,
            requested_by=user,
        )
        if enqueue:
            from annotations import tasks  # the tasks module imports the services

            enqueue_on_commit(tasks.run_import_job, job.pk)
    return job


def _check_corpus_editor(user: User, workspace_id: int, field: str) -> None:
    """The reference corpus changes what every reviewer is told is already checked: editors."""
    role = role_in(user=user, workspace_id=workspace_id)
    if role is None or role < Role.EDITOR:
        raise ValidationError(
            {field: [_("Importing outside fact-checks (ClaimReview) needs the editor role.")]}
        )


def check_declared_size(content_length: str | None) -> None:
    """Refuse a request whose body is declared larger than an import may be, before it is read
    (an upload is spooled to disk as it arrives; this keeps an oversized one from being)."""
    try:
        declared = int(content_length or 0)
    except ValueError:
        return
    if declared > settings.IMPORT_MAX_BYTES + 64 * 1024:  # the form's other fields and boundaries
        raise _too_large()


def _too_large() -> ValidationError:
    return ValidationError(
        {
            "file": [
                _("The file is larger than %(max)s.")
                % {"max": filesizeformat(settings.IMPORT_MAX_BYTES)}
            ]
        }
    )


class UploadLimit(FileUploadHandler):
    """Stops reading an upload once its files pass IMPORT_MAX_BYTES, whatever the request
    declared (a chunked body declares nothing). Put first among a request's upload handlers before
    anything reads its body (the CSRF check does, for the pages); `exceeded` then says why the file
    is missing."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.IMPORT_MAX_BYTES:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limit_upload(request: Any) -> UploadLimit:
    """Refuse a body declared too large, and make the request's parser stop at the limit: call
    before the body is read. Raises ValidationError (field `file`) for a declared size."""
    check_declared_size(request.META.get("CONTENT_LENGTH"))
    limit = UploadLimit(request)
    request.upload_handlers.insert(0, limit)
    return limit


def refuse_if_exceeded(limit: UploadLimit) -> None:
    """After the body was read: the file stopped at the limit is refused, not imported in part."""
    if limit.exceeded:
        raise _too_large()


def _stored_name(workspace_id: int, format_key: str) -> str:
    """Where an import's file is kept (MEDIA_ROOT, never served): a name nobody can guess."""
    return f"imports/{workspace_id}/{format_key}-{secrets.token_hex(8)}.dat"


def _size(upload: IO[bytes]) -> int:
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    return size


# --- People and verdicts ------------------------------------------------------------------------


class _People:
    """The people a file names, matched once each: members by username or e-mail, the rest kept
    as attributions (inactive, passwordless people who are never members).

    An attribution not yet in the database is planned under a placeholder id (negative) and made
    only when a record naming it is written (``resolve``, inside that record's transaction): a
    record that fails leaves no person behind. ``attributions`` names those of written records."""

    def __init__(self, workspace_id: int, importer: User) -> None:
        self.workspace_id = workspace_id
        self.importer = importer
        self._known: dict[str, int] = {"": importer.pk}
        members = User.objects.filter(memberships__workspace_id=workspace_id).values_list(
            "pk", "username", "email"
        )
        self._members: dict[str, int] = {}
        for pk, username, email in members:
            self._members[username.casefold()] = pk
            if email:
                self._members.setdefault(email.casefold(), pk)
        self.attributions: set[str] = set()
        self._attributed: dict[int, str] = {}  # attribution ids (real or placeholder) -> name
        self._pending: dict[int, str] = {}  # placeholder -> name
        self._made: dict[int, int] = {}  # placeholder -> id, in the current transaction
        self._committed: dict[int, int] = {}  # placeholder -> id, made by a committed one
        self.record_names: set[str] = set()  # attributions the record being planned names

    def user_id(self, name: str) -> int:
        name = name.strip()
        if name in self._known:
            pk = self._known[name]
        else:
            key = name.casefold().removeprefix("acct:")
            # Only a member's exact username or e-mail: "bob@elsewhere.example" is not member bob.
            pk = self._members.get(key) or self._attribution(name)
            self._known[name] = pk
        if pk in self._attributed:
            self.record_names.add(self._attributed[pk])
        return pk

    def _username(self, name: str) -> str:
        digest = hashlib.sha256(f"{self.workspace_id}:{name}".encode()).hexdigest()[:10]
        return f"imported-{slugify(name)[:100] or 'person'}-{digest}"

    def _attribution(self, name: str) -> int:
        existing = (
            User.objects.filter(username=self._username(name)).values_list("pk", flat=True).first()
        )
        pk = existing if existing is not None else -(len(self._pending) + 1)
        if existing is None:
            self._pending[pk] = name
        self._attributed[pk] = name
        return pk

    def resolve(self, pk: int) -> int:
        """The id to write: a placeholder's person is made now (in the writer's transaction)."""
        if pk >= 0:
            return pk
        made = self._committed.get(pk) or self._made.get(pk)
        if made is None:
            name = self._pending[pk]
            person, created = User.objects.get_or_create(
                username=self._username(name),
                defaults={"first_name": name[:150], "is_active": False},
            )
            if created:
                person.set_unusable_password()
                person.save(update_fields=["password"])
            made = self._made[pk] = person.pk
        return made

    def rolled_back(self) -> None:
        """The transaction that made people was undone: they are made again when next needed."""
        self._made.clear()

    def committed(self) -> None:
        """The transaction that made people committed: from now on their names read as their
        ids, so that a later record's checks against the database (a person's highlight already
        on a claim) see them as the database does."""
        for placeholder, pk in self._made.items():
            name = self._pending[placeholder]
            self._known[name] = pk
            self._attributed[pk] = name
        self._committed.update(self._made)
        self._made.clear()


class _Scale:
    """The workspace's verdict labels by slug or name, and FEVER's labels mapped onto them."""

    def __init__(self, workspace_id: int) -> None:
        labels = list(
            VerdictLabel.objects.filter(workspace_id=workspace_id).values_list(
                "pk", "slug", "name", "value", "retired"
            )
        )
        self._by: dict[str, int] = {}
        for pk, slug, name, _value, _retired in labels:
            self._by[slug.casefold()] = pk
            self._by.setdefault(str(name).casefold(), pk)
        live = [row for row in labels if not row[4]]
        self.choices = ", ".join(row[1] for row in live)
        valued = [(row[3], row[0]) for row in live if row[3] is not None]
        if valued:
            self._by.setdefault("supports", max(valued)[1])
            self._by.setdefault("refutes", min(valued)[1])
        unvalued = [row for row in live if row[3] is None]
        if unvalued:
            self._by.setdefault("not enough info", unvalued[0][0])

    def label(self, value: str, field: str) -> int:
        pk = self._by.get(value.strip().casefold())
        if pk is None:
            raise ImportProblem(
                _("Unknown verdict %(slug)r; this workspace's scale has: %(choices)s.")
                % {"slug": value, "choices": self.choices},
                field,
            )
        return pk


# --- Planning a record --------------------------------------------------------------------------


@dataclass(slots=True)
class _Span:
    user_id: int
    start: int
    end: int


@dataclass(slots=True)
class _PlannedClaim:
    start: int
    end: int
    creator_id: int
    tag: str = ""
    claimant: str = ""
    normalised_text: str = ""
    highlights: list[_Span] = field(default_factory=list)
    assessments: list[tuple[int, int, int, str, float | None]] = field(default_factory=list)
    sources: list[tuple[int, str, str, dict[str, Any]]] = field(default_factory=list)
    adjudications: list[tuple[int, int, str]] = field(default_factory=list)
    final_verdict_id: int | None = None
    status: str = ""
    # A claim already in the article that this one is (a highlight joining it).
    join: int | None = None


@dataclass(slots=True)
class _Plan:
    place: str
    seq: int
    article: Article  # unsaved when new
    new: bool
    text: str
    claims: list[_PlannedClaim]
    moved: int = 0
    # In a dry run, the plan of the article earlier in the file that this record adds to (that
    # article is not written, so the record is planned against what that plan would write).
    earlier: _Plan | None = None
    # The people the record names who are kept as attributions (not members).
    people: frozenset[str] = frozenset()
    # Dry run, a record adding to `earlier`: what it adds there once it is planned whole (a new
    # claim, with None; or a claim of `earlier` and the highlights joining it).
    staged: list[tuple[_PlannedClaim, list[_Span] | None]] = field(default_factory=list)


@dataclass(slots=True)
class Outcome:
    place: str
    outcome: str  # created | skipped | failed | would_create
    article: int | None = None
    message: str = ""
    field: str = ""
    # The record's rank in the file: records written in a batch are told after later failures.
    seq: int = 0

    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"place": self.place, "outcome": self.outcome}
        if self.article is not None:
            entry["article"] = self.article
        if self.message:
            entry["message"] = self.message
        if self.field:
            entry["field"] = self.field
        return entry


class Skip(Exception):
    def __init__(self, message: str, article: int | None) -> None:
        super().__init__(message)
        self.article = article


def _published_at(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        day = None if moment is not None else parse_date(value[:10])
    except ValueError:  # well formed, but no such day (2026-02-30)
        moment = day = None
    if moment is None:
        if day is None:
            raise ImportProblem(_("%(value)r is not a date.") % {"value": value}, "published_at")
        moment = datetime.combine(day, time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        day = parse_date(value[:10])
    except ValueError:  # well formed, but no such day
        day = None
    if day is None:
        raise ImportProblem(_("%(value)r is not a date.") % {"value": value}, field)
    return day


_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})?$")
# Half of a UTF-16 surrogate pair on its own: JSON can carry one ("\\ud800"), text cannot.
_SURROGATE = re.compile("[\ud800-\udfff]")
URL_MAX = 2000


def _checked_url(value: str, field: str) -> str:
    try:
        url = check_url_syntax(value.strip())
    except UnsafeURL as exc:
        raise ImportProblem(url_problem(exc), field) from None
    if len(url) > URL_MAX or _SURROGATE.search(url):
        raise ImportProblem(
            _("An address of more than %(max)d characters cannot be kept.") % {"max": URL_MAX},
            field,
        )
    return url


def _plain(value: str, field: str) -> str:
    """A text value as the database can keep it: no lone surrogate (refused, naming the field),
    control characters and NUL dropped, newlines folded (annotations.text.normalise_text)."""
    if _SURROGATE.search(value):
        raise ImportProblem(_("This holds a character that is not valid text."), field)
    return normalise_text(value)


class ImportRun:
    """One import's state while it reads a file: who imports, what the file already brought in."""

    def __init__(
        self,
        *,
        job: ImportJob | None,
        workspace: Workspace,
        user: User,
        dry_run: bool,
        extract: bool,
    ) -> None:
        self.job = job
        self.workspace = workspace
        self.user = user
        self.dry_run = dry_run
        self.extract = extract
        role = role_in(user=user, workspace_id=workspace.pk)
        if role is None or role < Role.ANNOTATOR:
            raise PermissionDenied(_("Importing needs the annotator role in the workspace."))
        self.role = role
        self.editor = role >= Role.EDITOR
        self.people = _People(workspace.pk, user)
        self.scale = _Scale(workspace.pk)
        # What the workspace holds already, read once (an import of thousands of articles would
        # otherwise ask twice per record); a concurrent import of the same URL is still refused
        # by the database (article_unique_url) and reported as skipped.
        articles = Article.objects.filter(workspace=workspace)
        self.known_urls: dict[str, int] = dict(
            articles.exclude(url="").values_list("url", "pk").iterator()
        )
        self.known_prints: dict[str, int] = {}
        for words, pk in (
            articles.exclude(fingerprint="")
            .order_by("-pk")
            .values_list("fingerprint", "pk")
            .iterator()
        ):
            self.known_prints[words] = pk  # the oldest copy wins
        self.seen_urls: dict[str, str] = {}
        # Dry run: the new articles planned so far by URL, for records that add to them.
        self.planned_urls: dict[str, _Plan] = {}
        self.planned_sources: set[str] = set()  # dry run: sources counted as new so far
        self.seen_prints: dict[str, str] = {}
        self.counts: dict[str, int] = dict.fromkeys(COUNTED, 0)
        self.outcomes: list[Outcome] = []

    # Who may bring in what.
    def _person(self, name: str, field: str) -> int:
        pk = self.people.user_id(name)
        if pk != self.user.pk and not self.editor:
            raise ImportProblem(
                _("Importing other people's work needs the editor role (%(name)s).")
                % {"name": name},
                field,
            )
        return pk

    def _editor(self, field: str) -> None:
        if not self.editor:
            raise ImportProblem(
                _("Importing final verdicts and adjudications needs the editor role."), field
            )

    def plan(self, record: Record, seq: int = 0) -> _Plan:
        self.people.record_names = set()
        given = record.article
        earlier: _Plan | None = None
        if given.text is None:
            article, text, earlier = self._existing(given)
            new = False
        else:
            article, text = self._new_article(record.place, given)
            new = True
        placer = Placer(given.text if given.text is not None else text, text, given.offsets)
        plan = _Plan(
            place=record.place,
            seq=seq,
            article=article,
            new=new,
            text=text,
            claims=[],
            earlier=earlier,
        )
        for index, claim in enumerate(given.claims):
            planned = self._claim(placer, claim, f"claims[{index}]", plan)
            if planned is not None:
                plan.claims.append(planned)
        if not new and not plan.claims:
            raise Skip(_("Already in the workspace."), article.pk)
        if new:
            # Only a record that can go in stands for its URL and words: a corrected copy of
            # a failed one later in the file is not "the same as" it.
            if article.url:
                self.seen_urls[article.url] = record.place
                if self.dry_run:
                    self.planned_urls[article.url] = plan
            self.seen_prints[article.fingerprint] = record.place
        plan.people = frozenset(self.people.record_names)
        if plan.earlier is not None:  # planned whole: what it adds is there for later records
            for staged, spans in plan.staged:
                if spans is None:
                    plan.earlier.claims.append(staged)
                else:
                    staged.highlights.extend(spans)
        return plan

    def forget(self, plan: _Plan) -> None:
        """A planned record the database then refused no longer stands for its URL or words."""
        if plan.new:
            self.seen_urls.pop(plan.article.url, None)
            self.seen_prints.pop(plan.article.fingerprint, None)

    def _existing(self, given: ArticleIn) -> tuple[Article, str, _Plan | None]:
        if not given.url:
            raise ImportProblem(
                _("This record has no text and no URL to find its article by."), "url"
            )
        url = given.url.strip()
        variants = (url, url.rstrip("/"), url.rstrip("/") + "/")
        article = (
            Article.objects.filter(workspace=self.workspace, url__in=variants)
            .order_by("pk")
            .first()
        )
        if article is None and self.dry_run:
            # The article may be earlier in this file: a real run writes it first.
            for variant in variants:
                earlier = self.planned_urls.get(variant)
                if earlier is not None:
                    return earlier.article, earlier.text, earlier
        if article is None:
            raise ImportProblem(
                _("No article of the workspace has the address %(url)s: import the article first.")
                % {"url": url[:300]},
                "url",
            )
        return article, article.text, None

    def _new_url(self, given: str) -> str:
        url = _checked_url(given, "url")
        existing = self.known_urls.get(url)
        if existing is not None:
            raise Skip(_("An article with this URL is already in the workspace."), existing)
        if url in self.seen_urls:
            raise Skip(_("The same URL as %(place)s.") % {"place": self.seen_urls[url]}, None)
        return url

    def _new_article(self, place: str, given: ArticleIn) -> tuple[Article, str]:
        assert given.text is not None
        text = _plain(given.text, "text")
        if not text.strip():
            raise ImportProblem(_("The article has no text."), "text")
        if len(text) > settings.ARTICLE_MAX_CHARS:
            raise ImportProblem(
                _("The article is longer than %(max)d characters.")
                % {"max": settings.ARTICLE_MAX_CHARS},
                "text",
            )
        url = self._new_url(given.url) if given.url else ""
        words = fingerprint(text)
        existing = self.known_prints.get(words)
        if existing is not None:
            raise Skip(_("The same text is already in the workspace."), existing)
        if words in self.seen_prints:
            raise Skip(_("The same text as %(place)s.") % {"place": self.seen_prints[words]}, None)
        language = given.language.strip().lower()
        if language and not _LANGUAGE.match(language):
            raise ImportProblem(
                _("%(value)r is not a language code.") % {"value": language}, "language"
            )
        if not language:
            from annotations.extraction.language import detect_language

            language = detect_language(text)
        article = Article(
            workspace=self.workspace,
            created_by=self.user,
            url=url,
            title=(_plain(given.title, "title").strip() or _first_line(text))[:500],
            publisher=_plain(given.publisher, "publisher")[:200],
            author=_plain(given.author, "author")[:300],
            language=language[:8],
            published_at=_published_at(given.published_at),
            text=text,
            checksum=checksum(text),
            fingerprint=words,
        )
        if self.extract:
            article.extraction_status = Article.Status.QUEUED
            article.extraction_requested_at = timezone.now()
        else:
            article.extraction_status = Article.Status.DONE
        return article, text

    def _claim(
        self, placer: Placer, claim: ClaimIn, where: str, plan: _Plan
    ) -> _PlannedClaim | None:
        try:
            placed = placer.place(claim.start, claim.end, claim.exact)
        except SpanProblem as exc:
            raise ImportProblem(_span_message(exc), f"{where}.{exc.field}") from None
        plan.moved += placed.moved
        creator = self._person(claim.creator, f"{where}.creator")
        planned = _PlannedClaim(
            start=placed.start,
            end=placed.end,
            creator_id=creator,
            tag=_plain(claim.label, f"{where}.tag")[:100],
            claimant=_plain(claim.claimant, f"{where}.claimant")[:300],
            normalised_text=_plain(claim.normalised_text, f"{where}.normalised_text"),
        )
        self._highlights(placer, claim, where, planned)
        self._assessments(claim, where, planned)
        self._sources(claim, where, planned)
        for index, adjudication in enumerate(claim.adjudications):
            name = f"{where}.adjudications[{index}]"
            self._editor(name)
            person = self._person(adjudication.creator, f"{name}.creator")
            verdict = self.scale.label(adjudication.verdict, f"{name}.verdict")
            note = _plain(adjudication.note, f"{name}.note")
            planned.adjudications.append((person, verdict, note))
        if claim.verdict:
            self._editor(f"{where}.verdict")
            planned.final_verdict_id = self.scale.label(claim.verdict, f"{where}.verdict")
        elif planned.adjudications:
            planned.final_verdict_id = planned.adjudications[-1][1]
        planned.status = self._status(claim.status, planned, where)
        if not plan.new:
            return self._join(plan, planned)
        return planned

    def _highlights(
        self, placer: Placer, claim: ClaimIn, where: str, planned: _PlannedClaim
    ) -> None:
        reviewers: set[int] = set()
        for index, highlight in enumerate(claim.highlights):
            name = f"{where}.highlights[{index}]"
            try:
                span = placer.place(highlight.start, highlight.end, highlight.exact)
            except SpanProblem as exc:
                raise ImportProblem(_span_message(exc), f"{name}.{exc.field}") from None
            person = self._person(highlight.creator, f"{name}.creator")
            if person in reviewers:
                raise ImportProblem(_("One person highlights a claim once."), f"{name}.creator")
            reviewers.add(person)
            planned.highlights.append(_Span(person, span.start, span.end))
        if not planned.highlights:
            planned.highlights.append(_Span(planned.creator_id, planned.start, planned.end))

    def _assessments(self, claim: ClaimIn, where: str, planned: _PlannedClaim) -> None:
        if claim.assessments and self.role < Role.REVIEWER:
            raise ImportProblem(
                _("Importing verdicts needs the reviewer role."), f"{where}.assessments"
            )
        assessed: set[int] = set()
        for index, assessment in enumerate(claim.assessments):
            name = f"{where}.assessments[{index}]"
            person = self._person(assessment.creator, f"{name}.creator")
            if person in assessed:
                raise ImportProblem(_("One verdict per reviewer and claim."), f"{name}.creator")
            assessed.add(person)
            verdict = self.scale.label(assessment.verdict, f"{name}.verdict")
            initial = (
                self.scale.label(assessment.initial_verdict, f"{name}.initial_verdict")
                if assessment.initial_verdict
                else verdict
            )
            confidence = assessment.confidence
            if confidence is not None and not 0 <= confidence <= 1:
                raise ImportProblem(_("confidence must be between 0 and 1."), f"{name}.confidence")
            rationale = _plain(assessment.rationale, f"{name}.rationale")
            planned.assessments.append((person, verdict, initial, rationale, confidence))

    def _sources(self, claim: ClaimIn, where: str, planned: _PlannedClaim) -> None:
        for index, source in enumerate(claim.sources):
            name = f"{where}.sources[{index}]"
            url = _checked_url(source.url, f"{name}.url")
            if source.stance not in _STANCES:
                raise ImportProblem(
                    _("stance must be supports, refutes or context."), f"{name}.stance"
                )
            person = self._person(source.creator, f"{name}.creator")
            details = {
                "title": _plain(source.title, f"{name}.title")[:500],
                "publisher": _plain(source.publisher, f"{name}.publisher")[:200],
                "published_at": _day(source.published_at, f"{name}.published_at"),
                "quote": _plain(source.quote, f"{name}.quote"),
            }
            planned.sources.append((person, url, source.stance, details))

    def _status(self, given: str, planned: _PlannedClaim, where: str) -> str:
        settled = planned.final_verdict_id is not None
        if given == Claim.Status.PUBLISHED:
            self._editor(f"{where}.status")
            if not settled:
                raise ImportProblem(
                    _("A published claim needs its final verdict."), f"{where}.status"
                )
            return Claim.Status.PUBLISHED
        if settled:
            return Claim.Status.RESOLVED
        if given in {Claim.Status.RESOLVED}:
            raise ImportProblem(_("A resolved claim needs its final verdict."), f"{where}.status")
        if given and given not in Claim.Status.values:
            raise ImportProblem(
                _("Unknown status %(value)r.") % {"value": given}, f"{where}.status"
            )
        return ""  # derived from the assessments once written

    def _join(self, plan: _Plan, planned: _PlannedClaim) -> _PlannedClaim | None:
        """On an article already there, a span that is the same claim as one of its claims joins
        it (as a reviewer's highlight would); the same person's highlight already there: skip."""
        if plan.earlier is not None:
            return self._join_planned(plan, planned)
        best: tuple[float, int] | None = None
        for pk, start, end in Claim.objects.filter(
            article=plan.article, orphaned=False, start__lt=planned.end, end__gt=planned.start
        ).values_list("pk", "start", "end"):
            score = span_jaccard(planned.start, planned.end, start or 0, end or 0)
            if score >= SAME_CLAIM_JACCARD and (best is None or score > best[0]):
                best = (score, pk)
        if best is None:
            return planned
        planned.join = best[1]
        have = set(Highlight.objects.filter(claim_id=best[1]).values_list("user_id", flat=True))
        return self._joined(planned, have)

    def _join_planned(self, plan: _Plan, planned: _PlannedClaim) -> _PlannedClaim | None:
        """Dry run: _join against the claims earlier records of the file would have written (as
        the real run joins those the database holds, never one of the same record)."""
        assert plan.earlier is not None
        best: tuple[float, _PlannedClaim] | None = None
        for claim in plan.earlier.claims:
            if claim.start < planned.end and claim.end > planned.start:
                score = span_jaccard(planned.start, planned.end, claim.start, claim.end)
                if score >= SAME_CLAIM_JACCARD and (best is None or score > best[0]):
                    best = (score, claim)
        if best is None:
            plan.staged.append((planned, None))  # later records may join it in turn
            return planned
        planned.join = -1  # a claim this file brings: never written in a dry run
        have = {span.user_id for span in best[1].highlights}
        joined = self._joined(planned, have)
        if joined is not None:
            plan.staged.append((best[1], list(joined.highlights)))
        return joined

    @staticmethod
    def _joined(planned: _PlannedClaim, have: set[int]) -> _PlannedClaim | None:
        planned.highlights = [span for span in planned.highlights if span.user_id not in have]
        if not planned.highlights and not planned.assessments and not planned.sources:
            return None
        return planned


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


# --- Writing ------------------------------------------------------------------------------------


def _article_row(article: Article) -> dict[str, Any]:
    return {
        field.attname: getattr(article, field.attname)
        for field in Article._meta.concrete_fields
        if not field.primary_key
    }


def _claim_rows(
    run: ImportRun, plans: list[_Plan], now: datetime
) -> tuple[list[dict[str, Any]], list[tuple[_Plan, _PlannedClaim, int | None]]]:
    """The new claims' rows, and each planned claim with the id of the claim it joins (None: its
    own, made from the row at the same rank)."""
    claims: list[dict[str, Any]] = []
    owners: list[tuple[_Plan, _PlannedClaim, int | None]] = []
    for plan in plans:
        for planned in plan.claims:
            if planned.join is not None:
                owners.append((plan, planned, planned.join))
                continue
            quote = quote_at(plan.text, planned.start, planned.end)
            status = planned.status or Claim.Status.OPEN
            claims.append(
                {
                    "workspace_id": run.workspace.pk,
                    "article_id": plan.article.pk,
                    "start": planned.start,
                    "end": planned.end,
                    "exact": quote.exact,
                    "prefix": quote.prefix,
                    "suffix": quote.suffix,
                    "tag": planned.tag,
                    "claimant": planned.claimant,
                    "normalised_text": planned.normalised_text,
                    "status": status,
                    "final_verdict_id": planned.final_verdict_id,
                    "settled_at": now if planned.final_verdict_id else None,
                    "published_at": now if status == Claim.Status.PUBLISHED else None,
                    "created_by_id": run.people.resolve(planned.creator_id),
                }
            )
            owners.append((plan, planned, None))
    return claims, owners


def _write(run: ImportRun, plans: list[_Plan]) -> None:
    """Write planned records in the current transaction, in as few statements as the rows allow
    (services.bulk: COPY on PostgreSQL)."""
    now = timezone.now()
    new = [plan.article for plan in plans if plan.new]
    for article in new:
        article.created_at = article.updated_at = now
    for article, pk in zip(new, insert_rows(Article, [_article_row(a) for a in new]), strict=True):
        article.pk = pk
        article._state.adding = False
    run.counts["articles"] += len(new)
    claims, owners = _claim_rows(run, plans, now)
    made = iter(insert_rows(Claim, claims))
    placed = [(plan, planned, pk if pk is not None else next(made)) for plan, planned, pk in owners]
    run.counts["claims"] += len(claims)

    highlights: list[dict[str, Any]] = []
    assessments: list[Assessment] = []
    links: list[tuple[int, int, str, str, dict[str, Any]]] = []
    adjudications: list[Adjudication] = []
    events: list[dict[str, Any]] = []
    refresh: list[int] = []
    job_id = run.job.pk if run.job is not None else None
    for plan, planned, claim_id in placed:
        for span in planned.highlights:
            quote = quote_at(plan.text, span.start, span.end)
            highlights.append(
                {
                    "claim_id": claim_id,
                    "article_id": plan.article.pk,
                    "user_id": run.people.resolve(span.user_id),
                    "start": span.start,
                    "end": span.end,
                    "exact": quote.exact,
                    "prefix": quote.prefix,
                    "suffix": quote.suffix,
                }
            )
        for person, verdict, initial, rationale, confidence in planned.assessments:
            assessments.append(
                Assessment(
                    claim_id=claim_id,
                    reviewer_id=run.people.resolve(person),
                    verdict_id=verdict,
                    initial_verdict_id=initial,
                    rationale=rationale,
                    confidence=confidence,
                )
            )
        for person, url, stance, details in planned.sources:
            links.append((claim_id, run.people.resolve(person), url, stance, details))
        for person, verdict, note in planned.adjudications:
            adjudications.append(
                Adjudication(
                    claim_id=claim_id,
                    adjudicator_id=run.people.resolve(person),
                    verdict_id=verdict,
                    note=note,
                )
            )
        events.append(
            {
                "claim_id": claim_id,
                "actor_id": run.user.pk,
                "kind": "imported",
                "after": {"import": job_id, "place": plan.place},
            }
        )
        if not planned.status and (planned.assessments or planned.join is not None):
            refresh.append(claim_id)
    insert_rows(Highlight, highlights)
    Assessment.objects.bulk_create(assessments)
    Adjudication.objects.bulk_create(adjudications)
    _link_sources(run, links)
    insert_rows(ClaimEvent, events)
    run.counts["highlights"] += len(highlights)
    run.counts["assessments"] += len(assessments)
    run.counts["adjudications"] += len(adjudications)
    with quietly():
        for claim_id in refresh:
            claim_status_refresh(claim_id=claim_id, actor=run.user)
    if run.extract and new:
        from annotations import tasks  # the tasks module imports the services

        for article in new:
            enqueue_on_commit(tasks.extract_article, article.pk)


def _link_sources(run: ImportRun, links: list[tuple[int, int, str, str, dict[str, Any]]]) -> None:
    if not links:
        return
    keys = {normalise_url(url): url for _c, _p, url, _s, _d in links}
    existing = dict(
        Source.objects.filter(workspace=run.workspace, normalised_url__in=list(keys)).values_list(
            "normalised_url", "pk"
        )
    )
    missing = [key for key in keys if key not in existing]
    if missing:
        firsts = {normalise_url(url): details for _c, _p, url, _s, details in reversed(links)}
        Source.objects.bulk_create(
            [
                Source(
                    workspace=run.workspace,
                    url=keys[key],
                    normalised_url=key,
                    title=firsts[key]["title"],
                    publisher=firsts[key]["publisher"],
                    published_at=firsts[key]["published_at"],
                    created_by=run.user,
                )
                for key in missing
            ],
            ignore_conflicts=True,
        )
        existing.update(
            Source.objects.filter(workspace=run.workspace, normalised_url__in=missing).values_list(
                "normalised_url", "pk"
            )
        )
        run.counts["sources"] += len(missing)
    ClaimSource.objects.bulk_create(
        [
            ClaimSource(
                claim_id=claim_id,
                source_id=existing[normalise_url(url)],
                stance=stance,
                quote=details["quote"],
                url=url,
                title=details["title"],
                publisher=details["publisher"],
                published_at=details["published_at"],
                added_by_id=person,
            )
            for claim_id, person, url, stance, details in links
        ]
    )


# --- Running ------------------------------------------------------------------------------------


def _problem_text(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ImportProblem):
        return str(exc), exc.field
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            name, errors = next(iter(exc.error_dict.items()))
            return "; ".join(m for e in errors for m in e.messages), name
        return "; ".join(exc.messages), ""
    return str(exc), ""


def import_records(run: ImportRun, parsed: Iterable[Parsed]) -> Iterator[Outcome]:
    """Plan and write (unless a dry run) each record; yield each record's outcome (a batch's
    records once it is written: `seq` gives the file's order back)."""
    batch: list[_Plan] = []

    def flush() -> Iterator[Outcome]:
        if not batch:
            return
        plans = list(batch)
        batch.clear()
        yield from _flush(run, plans)

    for seq, item in enumerate(parsed):
        if not isinstance(item, Record):
            yield Outcome(item.place, "failed", message=describe(item), field=item.field, seq=seq)
            continue
        if item.article.text is None:
            # A record that adds to an article already there plans against what earlier
            # records wrote: write them first.
            yield from flush()
        try:
            plan = run.plan(item, seq)
        except Skip as skip:
            yield Outcome(item.place, "skipped", article=skip.article, message=str(skip), seq=seq)
            continue
        except (ImportProblem, ValidationError) as exc:
            message, name = _problem_text(exc)
            yield Outcome(item.place, "failed", message=message, field=name, seq=seq)
            continue
        except Exception as exc:  # a record nobody foresaw fails alone; the others go on
            logger.exception("import: %s could not be read", item.place)
            message = _("This record could not be read (%(error)s).") % {
                "error": exc.__class__.__name__
            }
            yield Outcome(item.place, "failed", message=message, seq=seq)
            continue
        if run.dry_run:
            _count_planned(run, plan)
            run.people.attributions |= plan.people
            existing = None if plan.new else plan.article.pk
            yield Outcome(item.place, "would_create", article=existing, seq=seq)
            continue
        batch.append(plan)
        if item.article.text is None or len(batch) >= IMPORT_BATCH:
            yield from flush()
    yield from flush()


def _count_planned(run: ImportRun, plan: _Plan) -> None:
    run.counts["articles"] += plan.new
    run.counts["claims"] += sum(1 for c in plan.claims if c.join is None)
    run.counts["highlights"] += sum(len(c.highlights) for c in plan.claims)
    run.counts["assessments"] += sum(len(c.assessments) for c in plan.claims)
    run.counts["adjudications"] += sum(len(c.adjudications) for c in plan.claims)
    urls = {normalise_url(url) for c in plan.claims for _p, url, _s, _d in c.sources}
    urls -= run.planned_sources
    if urls:
        known = Source.objects.filter(workspace=run.workspace, normalised_url__in=urls)
        run.counts["sources"] += len(urls - set(known.values_list("normalised_url", flat=True)))
        run.planned_sources |= urls


def _flush(run: ImportRun, plans: list[_Plan]) -> Iterator[Outcome]:
    before = dict(run.counts)
    try:
        with transaction.atomic():
            kept, doubles = _claim_words(run, plans)
            _write(run, kept)
    except DatabaseError:
        # The database refused a row of one of them (another import took the same URL a moment
        # ago, a value it cannot keep): each record on its own, so the others still go in.
        run.counts = before
        run.people.rolled_back()
        for plan in plans:
            yield _write_alone(run, plan)
        return
    run.people.committed()
    for plan in kept:
        run.people.attributions |= plan.people
    yield from doubles
    for plan in kept:
        yield Outcome(plan.place, "created", article=plan.article.pk, seq=plan.seq)


def _claim_words(run: ImportRun, plans: list[_Plan]) -> tuple[list[_Plan], list[Outcome]]:
    """Inside the batch's transaction on PostgreSQL, hold the workspace's import lock and leave
    out the new articles whose words another import wrote since this one started (the database
    has no unique key on them, and two imports of one file at once must not write it twice)."""
    if connection.vendor != "postgresql":
        return plans, []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_IMPORT_LOCK, run.workspace.pk])
    prints = [plan.article.fingerprint for plan in plans if plan.new]
    taken = dict(
        Article.objects.filter(workspace=run.workspace, fingerprint__in=prints).values_list(
            "fingerprint", "pk"
        )
    )
    if not taken:
        return plans, []
    kept: list[_Plan] = []
    doubles: list[Outcome] = []
    for plan in plans:
        existing = taken.get(plan.article.fingerprint) if plan.new else None
        if existing is None:
            kept.append(plan)
        else:
            message = _("The same text is already in the workspace.")
            doubles.append(Outcome(plan.place, "skipped", existing, message, seq=plan.seq))
    return kept, doubles


def _write_alone(run: ImportRun, plan: _Plan) -> Outcome:
    if plan.new:  # the batch's insert was rolled back
        plan.article.pk = None
        plan.article._state.adding = True
    counts = dict(run.counts)
    try:
        with transaction.atomic():
            kept, doubles = _claim_words(run, [plan])
            if doubles:
                return doubles[0]
            _write(run, kept)
            written = bool(kept)
    except DatabaseError as exc:
        run.counts = counts
        run.people.rolled_back()
        run.forget(plan)
        if "article_unique_url" in str(exc):
            message = _("An article with this URL is already in the workspace.")
            return Outcome(plan.place, "skipped", message=message, seq=plan.seq)
        return Outcome(plan.place, "failed", message=_database_problem(exc), seq=plan.seq)
    run.people.committed()
    if written:
        run.people.attributions |= plan.people
    return Outcome(plan.place, "created", article=plan.article.pk, seq=plan.seq)


def _database_problem(exc: DatabaseError) -> str:
    text = str(exc)
    return _("The database refused the record: %(error)s") % {"error": text.splitlines()[0][:300]}


def open_job_file(job: ImportJob) -> BinaryIO:
    return cast(BinaryIO, default_storage.open(job.file.name, "rb"))


def import_job_run(*, job_id: int) -> str:
    """Read a job's file into its workspace. A job run again after a lost worker reads the file
    from the start: what the first run wrote is skipped as already there."""
    job = ImportJob.objects.select_related("workspace", "requested_by").filter(pk=job_id).first()
    if job is None or job.status in {ImportJob.Status.DONE, ImportJob.Status.FAILED}:
        return "skipped"
    language = str(job.options.get("language") or settings.LANGUAGE_CODE)
    with translation.override(language):
        outcome = _run(job)
    _discard_file(job.pk)
    return outcome


def _run(job: ImportJob) -> str:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), error=""
    )
    if not job.file:
        _fetch_file(job)
    if job.format == CLAIMREVIEW:
        _run_references(job)
        _announce(job)
        return "done"
    run = ImportRun(
        job=job,
        workspace=job.workspace,
        user=job.requested_by,
        dry_run=job.dry_run,
        extract=bool(job.options.get("extract", True)),
    )
    options = ImportOptions(labels=dict(job.options.get("labels") or {}))
    parser = _parsers()[job.format]
    with open_job_file(job) as stream:
        for outcome in import_records(run, parser(stream, options)):
            run.outcomes.append(outcome)
            if len(run.outcomes) % PROGRESS_EVERY == 0:
                _progress(job.pk, run, final=False)
    _progress(job.pk, run, final=True)
    _announce(job)
    return "done"


def _announce(job: ImportJob) -> None:
    if not job.dry_run:
        from annotations.services.webhooks import webhooks_announce

        with transaction.atomic():
            webhooks_announce(
                workspace_id=job.workspace_id,
                event="import.finished",
                data={"import": import_summary(ImportJob.objects.get(pk=job.pk))},
            )


def _run_references(job: ImportJob) -> None:
    """A ClaimReview file into the reference corpus: each item of the file (a line, a document's
    element, each claim of a Fact Check Tools response) is a record of the report."""
    from annotations.imports import RecordError
    from annotations.imports._json import json_records
    from annotations.services.references import Problem, references_import

    try:
        _check_corpus_editor(job.requested_by, job.workspace_id, "format")
    except ValidationError as error:
        raise PermissionDenied(error.messages[0]) from None
    outcomes: list[Outcome] = []
    read: list[tuple[str, int]] = []  # each item handed to the writer: its place and seq

    def items() -> Iterator[Any]:
        with open_job_file(job) as stream:
            # A whole object on the first line: JSON Lines, each line a record (a Fact Check
            # Tools answer a line too); otherwise a document, each of its claims a record.
            records = json_records(stream, ("claims",), lambda _first: False)
            for seq, (place, item) in enumerate(records):
                if isinstance(item, RecordError):
                    outcomes.append(
                        Outcome(place, "failed", message=describe(item), field=item.field, seq=seq)
                    )
                    continue
                read.append((place, seq))
                yield item

    done = references_import(
        workspace=job.workspace, items=items(), origin="import", dry_run=job.dry_run
    )
    results: dict[int, set[str]] = {}
    for index, result in done.results:
        results.setdefault(index, set()).add(result)
    problems: dict[int, list[Problem]] = {}
    for problem in done.problems:
        problems.setdefault(problem.index, []).append(problem)
    for index, (place, seq) in enumerate(read):
        outcomes.append(
            _reference_outcome(
                place, seq, results.get(index, set()), problems.get(index, []), job.dry_run
            )
        )
    counts = {"references": done.created, "references_updated": done.updated}
    _save_outcomes(job.pk, outcomes, counts, final=True)


def _reference_outcome(
    place: str, seq: int, results: set[str], problems: list[Any], dry_run: bool
) -> Outcome:
    """One item's line of the report: created when it brought a new fact-check (or changed one
    already there), skipped when everything in it was there already, failed when none of its
    reviews could be read. Fields left empty, and reviews of the item refused while others went
    in, are said in the message."""

    def note(problem: Any) -> str:
        if not problem.skipped:
            return _(" (imported without it)")
        return _(" (this review was not imported)") if results else ""

    said = pgettext("between problems", "; ").join(
        (
            _("%(field)s: %(problem)s") % {"field": problem.field, "problem": problem.message}
            if problem.field
            else problem.message
        )
        + note(problem)
        for problem in problems
    )
    field = next((problem.field for problem in problems if problem.skipped), "")
    if not results:
        said = said or _("There is no fact-check in this item.")
        return Outcome(place, "failed", message=said, field=field, seq=seq)
    if results <= {"unchanged"}:
        message = _("Already in the reference corpus, unchanged.")
        return Outcome(place, "skipped", message=" ".join(filter(None, [message, said])), seq=seq)
    message = "" if "created" in results else _("The fact-check at this address was updated.")
    return Outcome(
        place,
        "would_create" if dry_run else "created",
        message=" ".join(filter(None, [message, said])),
        field=field,
        seq=seq,
    )


def _tally(outcomes: list[Outcome]) -> dict[str, int]:
    tally = {"created": 0, "skipped": 0, "failed": 0}
    for outcome in outcomes:
        key = "created" if outcome.outcome == "would_create" else outcome.outcome
        tally[key] += 1
    return tally


def _progress(job_id: int, run: ImportRun, *, final: bool) -> None:
    counts = {**run.counts, "people_attributed": len(run.people.attributions)}
    _save_outcomes(job_id, run.outcomes, counts, final=final)


def _save_outcomes(
    job_id: int, outcomes: list[Outcome], counts: dict[str, int], *, final: bool
) -> None:
    """A job's tally and counts so far; once `final`, done, with its report in the file's order."""
    tally = _tally(outcomes)
    changes: dict[str, Any] = {
        "records": len(outcomes),
        "created": tally["created"],
        "skipped": tally["skipped"],
        "failed": tally["failed"],
        "counts": counts,
    }
    if final:
        changes.update(
            status=ImportJob.Status.DONE,
            finished_at=timezone.now(),
            report=[outcome.as_json() for outcome in sorted(outcomes, key=lambda o: o.seq)],
        )
    ImportJob.objects.filter(pk=job_id).update(**changes)


def _fetch_file(job: ImportJob) -> None:
    from annotations.webfetch import FetchError, fetch_file

    try:
        body = fetch_file(
            job.source_url,
            timeout=settings.IMPORT_FETCH_TIMEOUT,
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_redirects=settings.ARTICLE_FETCH_MAX_REDIRECTS,
            allow_private=settings.ARTICLE_FETCH_ALLOW_PRIVATE,
            deadline=settings.IMPORT_FETCH_DEADLINE,
        )
    except FetchError as exc:
        raise ImportProblem(url_problem(exc), "url") from None
    with body:
        size = _size(body)
        name = default_storage.save(_stored_name(job.workspace_id, job.format), File(body))
    ImportJob.objects.filter(pk=job.pk).update(file=name, size=size)
    job.file.name = name


def failure_text(exc: Exception) -> str:
    """What the desk reads of a failed job: our own messages as they are, anything else named."""
    if isinstance(exc, ImportProblem | ValidationError | PermissionDenied):
        return _problem_text(exc)[0] if not isinstance(exc, PermissionDenied) else str(exc)
    return f"{exc.__class__.__name__}: {exc}"


def import_job_fail(*, job_id: int, error: str) -> None:
    """Mark a job failed, unless it ended meanwhile (a redelivered run of a job another run
    finished must not turn it into a failure)."""
    ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.FAILED, error=error[:2000], finished_at=timezone.now())
    _discard_file(job_id)


def _discard_file(job_id: int) -> None:
    """A finished job's file is deleted: its report says what became of every record, and a desk's
    files (people's names, unpublished texts) are not kept on the server for nothing. Kept while
    the job may still run again (a lost worker's job reads it from the start)."""
    name = ImportJob.objects.filter(pk=job_id).values_list("file", flat=True).first()
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("import %s: its file %s could not be deleted", job_id, name, exc_info=True)
        return
    ImportJob.objects.filter(pk=job_id).update(file="")


def import_summary(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "format": job.format,
        "file": job.file_name,
        "dry_run": job.dry_run,
        "status": job.status,
        "records": job.records,
        "created": job.created,
        "skipped": job.skipped,
        "failed": job.failed,
        "counts": job.counts,
    }
