"""Who may see and do what in a workspace: the one place access is decided.

Every selector and service goes through these functions. Outsiders get a 404 for anything inside
a workspace (they must not learn it exists); members whose role is too low get a 403.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
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
