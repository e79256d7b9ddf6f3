"""Dataset releases: a named, versioned, frozen copy of a workspace's verified claims.

An editor asks for a release (name, version, filters, formats); a worker then freezes it: from
one snapshot of the database it records the exact claim ids, the counts per verdict and language,
and writes each format's file once, with its SHA-256, size and rows, and the manifest that lists
them. The files are never written again, so a download gives the same bytes forever, whatever
is verified or re-adjudicated afterwards.

The freeze always runs as a task (in-process right after commit without a broker, as every task
of the embedded set-up), so a release of a million claims never holds a request open. Until it is
done the release's manifest holds only its status ("freezing", or "failed" with the error); a
release that failed, or that no task will freeze any more, can be asked for again under the same
name and version. The freeze is recorded in the task outbox with the release, so a broker outage
delays it but never leaves it "freezing" for ever (annotations.services.outbox).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.export_rows import (
    Counts,
    ExportFilters,
    article_revisions,
    claim_counts,
    claim_id_list,
    export_context,
    read_snapshot,
    selected_claims,
)
from annotations.exports import FORMATS
from annotations.exports.rows import NOT_ENOUGH_INFO, Pseudonyms, resolve_fever_mapping
from annotations.models import DatasetRelease, ReleaseFile, Role
from annotations.services.dispatch import enqueue_on_commit
from annotations.services.exports import (
    ExportOptions,
    check_filters,
    check_options,
    export_chunks,
    store_chunks,
)
from annotations.services.outbox import outbox_waiting

_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")

# The options a release takes besides its filters (its texts and revisions are always there).
RELEASE_OPTIONS: Final = ("pseudonymise", "bom")

FREEZING: Final = "freezing"
FAILED: Final = "failed"
READY: Final = "ready"


def release_status(release: DatasetRelease) -> str:
    return str(release.manifest.get("status", READY)) if release.manifest else FREEZING


def release_formats(release: DatasetRelease) -> list[str]:
    if "files" in release.manifest:
        return [entry["format"] for entry in release.manifest["files"]]
    return list(release.manifest.get("formats", []))


def _check_formats(formats: Sequence[str]) -> list[str]:
    unknown = [key for key in formats if key not in FORMATS]
    if unknown or not formats:
        raise ValidationError(
            {
                "formats": [
                    _("Choose one or more of: %(choices)s%(unknown)s.")
                    % {
                        "choices": ", ".join(FORMATS),
                        "unknown": (
                            _(" (unknown: %(keys)s)") % {"keys": ", ".join(map(repr, unknown))}
                            if unknown
                            else ""
                        ),
                    }
                ]
            }
        )
    return list(dict.fromkeys(formats))


@transaction.atomic
def release_create(
    *,
    user: User,
    workspace_id: int,
    name: str,
    version: str,
    formats: Sequence[str],
    filters: Mapping[str, Any],
) -> DatasetRelease:
    """Record a release and send the task that freezes it (after commit).

    Every file of a release covers the same claims: the filters select them (resolved and
    published by default, whatever the formats), and the assessments file holds every
    assessment of those claims. A release stands on its own: it always has a raw file (the
    articles' texts, at the revision each claim's offsets index, with the claims on them), every
    row of its other files that fits carries its article's revision and checksum, and its
    manifest lists each article's revision and checksum. `filters` may also hold the options
    `pseudonymise` (one set of pseudonyms across the release's files) and `bom` (its CSV).
    """
    require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)
    errors: dict[str, list[str]] = {}
    keys: list[str] = []
    options = ExportOptions()
    try:
        keys = _check_formats(formats)
        if "raw" not in keys:
            keys.append("raw")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        options = check_options(keys, filters, fields=RELEASE_OPTIONS)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        checked = check_filters(
            workspace_id=workspace_id, data=filters, other_fields=RELEASE_OPTIONS
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    existing = (
        DatasetRelease.objects.select_for_update()
        .filter(workspace_id=workspace_id, name=name, version=version)
        .first()
    )
    if existing is not None:
        if release_status(existing) != FAILED and not _abandoned(existing):
            raise Conflict(
                _("Release %(name)s %(version)s exists already; give a new version.")
                % {"name": name, "version": version},
                field="version",
                existing=existing,
            )
        _delete_files(existing)
        existing.delete()
    release = DatasetRelease.objects.create(
        workspace_id=workspace_id,
        name=name,
        version=version,
        filters={**checked.as_json(), **options.as_json()},
        manifest={"status": FREEZING, "formats": keys},
        created_by=user,
    )
    from annotations import tasks  # the tasks module imports the services

    enqueue_on_commit(tasks.freeze_release, release.pk)
    return release


def _abandoned(release: DatasetRelease) -> bool:
    """A release still "freezing" that no task will ever freeze (asked for before the task
    outbox existed, or its row deleted by hand): replaced like a failed one, not a 409 for ever."""
    return release_status(release) == FREEZING and not outbox_waiting(
        "annotations.freeze_release", [release.pk]
    )


def _delete_files(release: DatasetRelease) -> None:
    for stored in ReleaseFile.objects.filter(release=release):
        if stored.file.name:
            default_storage.delete(stored.file.name)
    ReleaseFile.objects.filter(release=release).delete()


def release_stem(release: DatasetRelease) -> str:
    name = slugify(release.name)[:80] or f"release-{release.pk}"
    # Not slugify: it would drop the dots of "1.0.2".
    version = _UNSAFE_IN_NAME.sub("-", release.version).strip("-.") or "v"
    return f"{name}-{version}"


def release_file_name(release: DatasetRelease, format_key: str) -> str:
    """The name a downloaded file gets: `<name>-<version>.<format>.<extension>`, or
    `<name>-<version>.<extension>` when the format is its extension (`.csv`, not `.csv.csv`)."""
    return FORMATS[format_key].file_name(release_stem(release), format_key)


def release_freeze(*, release_id: int) -> str:
    """Freeze a release: the claim ids, counts and every file, from one snapshot. Idempotent: a
    frozen release is left alone; one interrupted half-way is frozen again from the start."""
    release = DatasetRelease.objects.select_related("workspace", "created_by").get(pk=release_id)
    if release_status(release) == READY:
        return "skipped"
    filters = ExportFilters.from_json(release.filters)
    options = dataclasses.replace(ExportOptions.from_json(release.filters), revisions=True)
    # One set of pseudonyms for the whole release: a reviewer is the same in every file.
    pseudonyms = Pseudonyms()
    claims = selected_claims(workspace_id=release.workspace_id, filters=filters)
    written: list[dict[str, Any]] = []
    try:
        with read_snapshot():
            ids = claim_id_list(claims)
            counts = claim_counts(claims)
            articles = article_revisions(workspace_id=release.workspace_id, filters=filters)
            for key in release_formats(release):
                written.append(_write_file(release, key, filters, options, pseudonyms))
        manifest = _manifest(release, ids, counts, written)
        manifest["articles"] = articles
        manifest["pseudonymised"] = options.pseudonymise
        with transaction.atomic():
            locked = DatasetRelease.objects.select_for_update().get(pk=release_id)
            if release_status(locked) == READY:
                raise _AlreadyFrozen
            _delete_files(locked)  # a failed run's leftovers, if any
            ReleaseFile.objects.bulk_create(
                ReleaseFile(
                    release=locked,
                    format=entry["format"],
                    file=entry["path"],
                    sha256=entry["sha256"],
                    size=entry["size"],
                    rows=entry["rows"],
                )
                for entry in written
            )
            locked.claim_ids = ids
            locked.manifest = manifest
            locked.save(update_fields=["claim_ids", "manifest"])
    except BaseException as exc:
        # Nothing recorded points at this run's files: they go (another run's stand).
        for entry in written:
            default_storage.delete(entry["path"])
        if isinstance(exc, _AlreadyFrozen):
            return "skipped"
        raise
    return "done"


class _AlreadyFrozen(Exception):
    pass


def _write_file(
    release: DatasetRelease,
    key: str,
    filters: ExportFilters,
    options: ExportOptions,
    pseudonyms: Pseudonyms,
) -> dict[str, Any]:
    export = export_chunks(
        workspace=release.workspace,
        format_key=key,
        filters=filters,
        count=True,
        options=options,
        pseudonyms=pseudonyms,
    )
    # Short storage names (the column holds 100 characters); downloads get the long one.
    name = FORMATS[key].file_name(f"releases/{release.pk}/release", key)
    stored = store_chunks(export.chunks, name=name)
    assert export.rows is not None
    return {
        "format": key,
        "filename": release_file_name(release, key),
        "media_type": FORMATS[key].media_type,
        "path": stored.name,
        "sha256": stored.sha256,
        "size": stored.size,
        "rows": export.rows.count,
    }


def _manifest(
    release: DatasetRelease, ids: list[int], counts: Counts, written: list[dict[str, Any]]
) -> dict[str, Any]:
    ctx = export_context(release.workspace)
    mapping = resolve_fever_mapping(ctx)
    by_fever: dict[str, int] = {}
    for slug, n in counts.by_verdict.items():
        label = mapping.get(slug, NOT_ENOUGH_INFO)
        by_fever[label] = by_fever.get(label, 0) + n
    return {
        "name": release.name,
        "version": release.version,
        "workspace": {"id": release.workspace_id, "name": release.workspace.name},
        "publisher": {"name": ctx.organisation_name, "url": ctx.organisation_url},
        "created_at": release.created_at.isoformat(),
        "created_by": release.created_by.username,
        "filters": release.filters,
        "counts": {
            "claims": counts.claims,
            "by_verdict": counts.by_verdict,
            "by_language": counts.by_language,
            "by_fever_label": dict(sorted(by_fever.items())),
        },
        "scale": [
            {"slug": label.slug, "name": label.name, "value": label.value} for label in ctx.scale
        ],
        "fever_mapping": mapping,
        # The SHA-256 of the claim ids in increasing order, one per line: a reader can check
        # that a copy holds exactly the released claims.
        "claim_ids_sha256": hashlib.sha256("".join(f"{i}\n" for i in ids).encode()).hexdigest(),
        "files": [{k: v for k, v in entry.items() if k != "path"} for entry in written],
    }


def release_fail(*, release_id: int, error: str) -> None:
    with transaction.atomic():
        release = DatasetRelease.objects.select_for_update().filter(pk=release_id).first()
        if release is None or release_status(release) == READY:
            return
        release.manifest = {
            "status": FAILED,
            "formats": release_formats(release),
            "error": error[:2000],
        }
        release.save(update_fields=["manifest"])


def manifest_bytes(release: DatasetRelease) -> bytes:
    """The manifest as a file: the same bytes on every download (sorted keys, fixed layout)."""
    text = json.dumps(release.manifest, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode()
