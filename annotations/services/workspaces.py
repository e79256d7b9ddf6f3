"""Workspaces, their verdict scale and their members."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict, RateLimited
from annotations.models import (
    Adjudication,
    Assessment,
    Claim,
    MemberEvent,
    Membership,
    Role,
    VerdictLabel,
    Workspace,
)
from annotations.services.dispatch import enqueue_on_commit
from annotations.services.disputes import RULE_SETTINGS
from annotations.services.limits import counted
from annotations.services.live import tell_access_changed


@dataclass(frozen=True, slots=True)
class VerdictSpec:
    name: str
    value: float | None
    slug: str = ""


# product.md's default: an ordered five-step scale plus "Unverifiable", which has no value so that
# ordinal statistics leave it out while nominal agreement still counts it.
DEFAULT_SCALE: tuple[VerdictSpec, ...] = (
    VerdictSpec("False", 1, "false"),
    VerdictSpec("Mostly false", 2, "mostly-false"),
    VerdictSpec("Half true", 3, "half-true"),
    VerdictSpec("Mostly true", 4, "mostly-true"),
    VerdictSpec("True", 5, "true"),
    VerdictSpec("Unverifiable", None, "unverifiable"),
)

WORKSPACE_FIELDS = frozenset(
    {
        "name",
        "organisation_name",
        "organisation_url",
        "organisation_logo",
        "public_claim_pages",
        "blind_review",
        "independent_highlighting",
        "allow_self_adjudication",
        "reviewers_per_claim",
        "candidate_threshold",
        "dispute_distance",
        "consensus_resolves",
        "assignment_due_days",
    }
)


# A verdict's value places it on the scale; agreement and ClaimReview ratings compute with it.
VALUE_LIMIT = 1000.0
# Names go into mail subjects, page titles and exports: one line of printable characters.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _check_one_line(fields: dict[str, Any]) -> None:
    for field in ("name", "organisation_name"):
        value = fields.get(field)
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValidationError(
                {field: [_("Write it on one line, without tabs or control characters.")]}
            )


def _check_value(value: float | None, name: str) -> None:
    if value is not None and not (math.isfinite(value) and abs(value) <= VALUE_LIMIT):
        raise ValidationError(
            {
                "verdicts": [
                    _("The value of %(name)s must be a number between -%(limit)d and %(limit)d.")
                    % {"name": name, "limit": VALUE_LIMIT}
                ]
            }
        )


def _checked_scale(scale: Sequence[VerdictSpec]) -> list[VerdictSpec]:
    if len(scale) < 2:
        raise ValidationError({"verdicts": [_("A verdict scale needs at least two labels.")]})
    checked: list[VerdictSpec] = []
    seen: set[str] = set()
    for spec in scale:
        name = spec.name.strip()
        slug = slugify(spec.slug or name)
        if not name or not slug:
            raise ValidationError({"verdicts": [_("Every verdict needs a name.")]})
        _check_value(spec.value, name)
        if len(slug) > VerdictLabel._meta.get_field("slug").max_length:  # type: ignore[operator]
            raise ValidationError(
                {
                    "verdicts": [
                        _("Verdict slug %(slug)s is longer than 50 characters.") % {"slug": slug}
                    ]
                }
            )
        if slug in seen:
            raise ValidationError(
                {"verdicts": [_("Verdict slug %(slug)s is used twice.") % {"slug": slug}]}
            )
        seen.add(slug)
        checked.append(VerdictSpec(name=name, value=spec.value, slug=slug))
    return checked


@transaction.atomic
def workspace_create(
    *, user: User, name: str, scale: Sequence[VerdictSpec] | None = None, **fields: Any
) -> Workspace:
    """Create a workspace whose creator is its editor, with the given or the default scale."""
    unknown = set(fields) - WORKSPACE_FIELDS
    if unknown:
        raise ValueError(f"unknown workspace fields: {sorted(unknown)}")
    _check_one_line({"name": name, **fields})
    verdicts = _checked_scale(scale or DEFAULT_SCALE)
    workspace = Workspace.objects.create(name=name, created_by=user, **fields)
    VerdictLabel.objects.bulk_create(
        VerdictLabel(
            workspace=workspace, slug=v.slug, name=v.name, value=v.value, position=position
        )
        for position, v in enumerate(verdicts)
    )
    Membership.objects.create(workspace=workspace, user=user, role=Role.EDITOR)
    return workspace


@transaction.atomic
def workspace_update(*, user: User, workspace: Workspace, **fields: Any) -> Workspace:
    require_role(user=user, workspace_id=workspace.pk, role=Role.EDITOR)
    unknown = set(fields) - WORKSPACE_FIELDS
    if unknown:
        raise ValueError(f"unknown workspace fields: {sorted(unknown)}")
    _check_one_line(fields)
    rule_changed = any(
        getattr(workspace, key) != value for key, value in fields.items() if key in RULE_SETTINGS
    )
    sight_changed = any(
        getattr(workspace, key) != value
        for key, value in fields.items()
        if key in ("blind_review", "independent_highlighting")
    )
    for key, value in fields.items():
        setattr(workspace, key, value)
    workspace.save(update_fields=[*fields])
    if rule_changed:
        # Claims follow the new dispute rule at once, not at their next assessment.
        from annotations import tasks  # the tasks module imports the services

        enqueue_on_commit(tasks.refresh_claim_statuses, workspace.pk)
    if sight_changed:
        tell_access_changed(
            list(Membership.objects.filter(workspace=workspace).values_list("user_id", flat=True))
        )
    return workspace


def used_verdict_slugs(*, workspace: Workspace) -> set[str]:
    """The labels some verdict, initial verdict, adjudication or final verdict points at."""
    return set(
        VerdictLabel.objects.filter(workspace=workspace)
        .filter(
            Q(Exists(Assessment.objects.filter(verdict_id=OuterRef("pk"))))
            | Q(Exists(Assessment.objects.filter(initial_verdict_id=OuterRef("pk"))))
            | Q(Exists(Adjudication.objects.filter(verdict_id=OuterRef("pk"))))
            | Q(Exists(Claim.all_objects.filter(final_verdict_id=OuterRef("pk"))))
        )
        .values_list("slug", flat=True)
    )


@transaction.atomic
def workspace_settings_save(
    *, user: User, workspace: Workspace, fields: dict[str, Any], labels: Sequence[LabelEdit]
) -> Workspace:
    """The settings page's one save: the workspace's settings and its scale, all or nothing."""
    workspace = workspace_update(user=user, workspace=workspace, **fields)
    scale_update(user=user, workspace=workspace, labels=labels)
    return workspace


@dataclass(frozen=True, slots=True)
class LabelEdit:
    """One row of the scale editor: an existing label (by slug) or a new one (slug empty)."""

    name: str
    value: float | None
    slug: str = ""
    retired: bool = False


@transaction.atomic
def scale_update(*, user: User, workspace: Workspace, labels: Sequence[LabelEdit]) -> None:
    """Rename, retire or revalue the workspace's verdict labels, and add new ones at the end.

    A label already used by a verdict keeps its value and its position, so that old verdicts,
    ordinal agreement and published ratings keep their meaning: only its name and whether it is
    retired change. Labels are never deleted (verdicts point at them).
    """
    require_role(user=user, workspace_id=workspace.pk, role=Role.EDITOR)
    current = {
        v.slug: v for v in VerdictLabel.objects.select_for_update().filter(workspace=workspace)
    }
    used = used_verdict_slugs(workspace=workspace)
    errors: list[str] = []
    position = max((v.position for v in current.values()), default=-1)
    taken = set(current)
    for edit in labels:
        name = edit.name.strip()
        if not name:
            errors.append(_("Every verdict needs a name."))
            continue
        try:
            _check_value(edit.value, name)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        label = current.get(edit.slug) if edit.slug else None
        if edit.slug and label is None:
            errors.append(
                _("There is no verdict %(slug)s in this workspace.") % {"slug": edit.slug}
            )
            continue
        if label is None:
            slug = slugify(name)[:50]
            if not slug or slug in taken:
                errors.append(
                    _("A verdict called %(name)s is already on the scale.") % {"name": name}
                )
                continue
            taken.add(slug)
            position += 1
            VerdictLabel.objects.create(
                workspace=workspace, slug=slug, name=name, value=edit.value, position=position
            )
            continue
        if edit.value != label.value and label.slug in used:
            errors.append(
                _(
                    "%(name)s is used by verdicts already: its value stays %(value)s, so that "
                    "they keep their meaning."
                )
                % {"name": label.name, "value": label.value}
            )
            continue
        label.name, label.value, label.retired = name, edit.value, edit.retired
        label.save(update_fields=["name", "value", "retired"])
    if sum(1 for v in VerdictLabel.objects.filter(workspace=workspace, retired=False)) < 2:
        errors.append(_("A verdict scale needs at least two labels that are not retired."))
    seen: dict[str, str] = {}
    for label in VerdictLabel.objects.filter(workspace=workspace).order_by("position"):
        key = label.name.strip().casefold()
        if key in seen:
            errors.append(
                _("Two verdicts are called %(name)s: give each its own name.")
                % {"name": label.name}
            )
        seen[key] = label.name
    if errors:
        raise ValidationError({"verdicts": errors})


# --- Members ------------------------------------------------------------------------------------
#
# Adding a member by username answers at once whether that user exists: desks need it, but it
# lets a prober enumerate usernames. So additions are rate-limited per person (MEMBER_ADD_RATE,
# counted in the cache: Redis when REDIS_URL is set) and every attempt is recorded in the
# workspace's membership trail (MemberEvent), refused ones included.


def _record(workspace: Workspace, actor: User, kind: str, subject: str, role: Role | None) -> None:
    MemberEvent.objects.create(
        workspace=workspace, actor=actor, kind=kind, subject=subject, role=role
    )


def _throttle_additions(actor: User) -> None:
    """Refuse an addition past MEMBER_ADD_RATE (count, seconds) per person. Fails open when the
    cache is down: the trail still records every attempt."""
    count, period = settings.MEMBER_ADD_RATE
    made = counted(f"member-additions:{actor.pk}", period)
    if made is not None and made > count:
        raise RateLimited(
            _(
                "You have added or invited %(n)d people in a short time: wait a little before "
                "adding or inviting more (this limit keeps usernames from being guessed)."
            )
            % {"n": count}
        )


def _user_by_username(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise ValidationError(
            {"username": [_("No user is called %(name)s.") % {"name": username}]}
        ) from None


def member_add(*, actor: User, workspace: Workspace, username: str, role: Role) -> Membership:
    """Add a user by username, recorded in the trail (a refusal too, in its own transaction)."""
    require_role(user=actor, workspace_id=workspace.pk, role=Role.EDITOR)
    _throttle_additions(actor)
    try:
        return _member_add(actor=actor, workspace=workspace, username=username, role=role)
    except ValidationError:
        _record(workspace, actor, MemberEvent.Kind.REFUSED, username, role)
        raise


@transaction.atomic
def _member_add(*, actor: User, workspace: Workspace, username: str, role: Role) -> Membership:
    user = _user_by_username(username)
    existing = Membership.objects.filter(workspace=workspace, user=user).first()
    if existing is not None:
        raise Conflict(
            _("%(name)s is already a member of this workspace.") % {"name": username},
            field="username",
            existing=existing,
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(workspace=workspace, user=user, role=role)
        _record(workspace, actor, MemberEvent.Kind.ADDED, username, role)
        return membership
    except IntegrityError:
        # Another editor added the same person a moment ago.
        raise Conflict(
            _("%(name)s is already a member of this workspace.") % {"name": username},
            field="username",
            existing=Membership.objects.get(workspace=workspace, user=user),
        ) from None


def _locked(membership: Membership) -> Membership:
    """The membership as it is now, with its workspace's row locked: changes to one workspace's
    members then happen one after the other (two editors stepping down at the same moment cannot
    both succeed, nor deadlock on each other's rows)."""
    Workspace.objects.select_for_update(no_key=True).filter(pk=membership.workspace_id).first()
    current = (
        Membership.objects.select_related("workspace", "user").filter(pk=membership.pk).first()
    )
    if current is None:
        raise Http404(_("Not found."))
    return current


def _ensure_another_editor(membership: Membership) -> None:
    others = Membership.objects.filter(
        workspace_id=membership.workspace_id, role=Role.EDITOR
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError({"role": [_("A workspace must keep at least one editor.")]})


@transaction.atomic
def member_change_role(*, actor: User, membership: Membership, role: Role) -> Membership:
    require_role(user=actor, workspace_id=membership.workspace_id, role=Role.EDITOR)
    membership = _locked(membership)
    if membership.role == Role.EDITOR and role != Role.EDITOR:
        _ensure_another_editor(membership)
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
        tell_access_changed([membership.user_id])
        _record(
            membership.workspace,
            actor,
            MemberEvent.Kind.ROLE_CHANGED,
            membership.user.username,
            role,
        )
    return membership


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> None:
    require_role(user=actor, workspace_id=membership.workspace_id, role=Role.EDITOR)
    membership = _locked(membership)
    if membership.role == Role.EDITOR:
        _ensure_another_editor(membership)
    _record(
        membership.workspace,
        actor,
        MemberEvent.Kind.REMOVED,
        membership.user.username,
        Role(membership.role),
    )
    membership.delete()
    tell_access_changed([membership.user_id])
