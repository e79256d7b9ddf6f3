"""Who may see and do what in a workspace: the one place access is decided.

Every selector and service goes through these functions. Outsiders get a 404 for anything inside
a workspace (they must not learn it exists); members whose role is too low get a 403.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import F, Func, IntegerField, Value
from django.http import Http404
from django.utils.translation import gettext as _

from annotations.models import Membership, Role

AnyUser = User | AnonymousUser


def role_in(*, user: AnyUser, workspace_id: int) -> Role | None:
    if not user.is_authenticated:
        return None
    role = (
        Membership.objects.filter(workspace_id=workspace_id, user_id=int(user.pk))
        .values_list("role", flat=True)
        .first()
    )
    return Role(role) if role is not None else None


class _RoleIn(Func):
    """(SELECT role FROM membership WHERE workspace_id = <the row's column> AND user_id = <user>):
    written out, since Django builds a Subquery each time at a cost of a millisecond, which a
    write that reads it with its locked row (`role_column`) pays on every request."""

    template = (
        '(SELECT "member"."role" FROM "annotations_membership" AS "member" '
        'WHERE "member"."workspace_id" = %(expressions)s LIMIT 1)'
    )
    arg_joiner = ' AND "member"."user_id" = '
    output_field = IntegerField(null=True)


def role_column(*, user: AnyUser, workspace_ref: str = "workspace_id") -> Func | Value:
    """The user's role in the workspace of each row of a query (its column `workspace_ref`), NULL
    for someone not in it: a write that locks its row reads the writer's access in the same
    statement, then decides with `role_of` and `check_role`."""
    if not user.is_authenticated:
        return Value(None, output_field=IntegerField(null=True))
    return _RoleIn(F(workspace_ref), Value(int(user.pk)))


def role_of(column: int | None) -> Role | None:
    """The role a `role_column` read (None: not a member)."""
    return Role(column) if column is not None else None


def require_role(*, user: AnyUser, workspace_id: int, role: Role) -> Role:
    """Return the user's role in the workspace, or raise 404 (not a member) / 403 (role too low)."""
    return check_role(current=role_in(user=user, workspace_id=workspace_id), needed=role)


def check_role(*, current: Role | None, needed: Role) -> Role:
    """The same decision for a role already known (None: not a member)."""
    if current is None:
        raise Http404(_("Not found."))
    if current < needed:
        raise PermissionDenied(
            _("This needs the %(role)s role in this workspace.") % {"role": needed.label.lower()}
        )
    return current
