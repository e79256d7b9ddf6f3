"""Workspaces, their verdict scale and their members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import Membership, Role, VerdictLabel, Workspace
from annotations.services.dispatch import enqueue_on_commit
from annotations.services.disputes import RULE_SETTINGS


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
    rule_changed = any(
        getattr(workspace, key) != value for key, value in fields.items() if key in RULE_SETTINGS
    )
    for key, value in fields.items():
        setattr(workspace, key, value)
    workspace.save(update_fields=[*fields])
    if rule_changed:
        # Claims follow the new dispute rule at once, not at their next assessment.
        from annotations import tasks  # the tasks module imports the services

        enqueue_on_commit(tasks.refresh_claim_statuses, workspace.pk)
    return workspace


def _user_by_username(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise ValidationError(
            {"username": [_("No user is called %(name)s.") % {"name": username}]}
        ) from None


@transaction.atomic
def member_add(*, actor: User, workspace: Workspace, username: str, role: Role) -> Membership:
    require_role(user=actor, workspace_id=workspace.pk, role=Role.EDITOR)
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
            return Membership.objects.create(workspace=workspace, user=user, role=role)
    except IntegrityError:
        # Another editor added the same person a moment ago.
        raise Conflict(
            _("%(name)s is already a member of this workspace.") % {"name": username},
            field="username",
            existing=Membership.objects.get(workspace=workspace, user=user),
        ) from None


def _ensure_another_editor(membership: Membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(workspace_id=membership.workspace_id, role=Role.EDITOR)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError({"role": [_("A workspace must keep at least one editor.")]})


@transaction.atomic
def member_change_role(*, actor: User, membership: Membership, role: Role) -> Membership:
    require_role(user=actor, workspace_id=membership.workspace_id, role=Role.EDITOR)
    if membership.role == Role.EDITOR and role != Role.EDITOR:
        _ensure_another_editor(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> None:
    require_role(user=actor, workspace_id=membership.workspace_id, role=Role.EDITOR)
    if membership.role == Role.EDITOR:
        _ensure_another_editor(membership)
    membership.delete()
