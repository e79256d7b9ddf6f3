"""Invitations by e-mail: an editor invites an address with a role, the mail carries a link with a
random token, and whoever signs in with that link joins the workspace with the role.

Invitations count against the same per-person limit as additions by username (MEMBER_ADD_RATE)
and are recorded in the membership trail. The mail leaves only once the invitation is committed,
so a rolled-back invitation never sends a link that does not work. A link works once, until it
expires (INVITATION_DAYS); inviting the same address again while its invitation is pending
renews that invitation (new link, new expiry, the new role) instead of adding another.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import BaseUserManager, User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.errors import Conflict
from annotations.models import Invitation, MemberEvent, Membership, Role, Workspace
from annotations.services.workspaces import _record, _throttle_additions

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters


def invitation_link(invitation: Invitation) -> str:
    """The address the mail gives: SITE_URL + /invitations/<token>/."""
    return f"{settings.SITE_URL}/invitations/{invitation.token}/"


def _clean_email(email: str) -> str:
    address = BaseUserManager.normalize_email((email or "").strip())
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid email address.")]}) from None
    return address


def invitation_create(*, user: User, workspace_id: int, email: str, role: Role) -> Invitation:
    """Invite an address to the workspace with a role (editors only), and mail it the link once
    the invitation is committed. A pending invitation to the same address is renewed."""
    require_role(user=user, workspace_id=workspace_id, role=Role.EDITOR)
    _throttle_additions(user)
    address = _clean_email(email)
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose a role.")]})
    return _invitation_create(user=user, workspace_id=workspace_id, email=address, role=Role(role))


@transaction.atomic
def _invitation_create(*, user: User, workspace_id: int, email: str, role: Role) -> Invitation:
    # The workspace's row is the lock: two editors inviting the same address at the same moment
    # end up with one invitation, not two.
    workspace = Workspace.objects.select_for_update(no_key=True).get(pk=workspace_id)
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise Conflict(
            _("Someone with the address %(email)s is already a member of this workspace.")
            % {"email": email},
            field="email",
        )
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = (
        Invitation.objects.filter(
            workspace=workspace, email__iexact=email, accepted_at__isnull=True
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if invitation is None:
        invitation = Invitation.objects.create(
            workspace=workspace,
            email=email,
            role=role,
            token=token,
            invited_by=user,
            expires_at=expires_at,
        )
    else:
        # Renewed: the earlier link stops working, the new mail's link is the one that joins.
        invitation.email, invitation.role, invitation.token = email, role, token
        invitation.invited_by, invitation.expires_at = user, expires_at
        invitation.save(update_fields=["email", "role", "token", "invited_by", "expires_at"])
    _record(workspace, user, MemberEvent.Kind.INVITED, email, role)
    subject, body = _mail(invitation, workspace, user)
    transaction.on_commit(partial(_send, subject, body, email))
    return invitation


def _mail(invitation: Invitation, workspace: Workspace, inviter: User) -> tuple[str, str]:
    """The invitation's subject and text, in the inviting editor's language."""
    values = {
        "workspace": workspace.name,
        "inviter": inviter.get_full_name() or inviter.get_username(),
        "role": Role(invitation.role).label.lower(),
        "link": invitation_link(invitation),
        "expires": formats.date_format(timezone.localdate(invitation.expires_at), "DATE_FORMAT"),
    }
    subject = _("Invitation to join %(workspace)s") % values
    body = (
        _(
            "%(inviter)s invites you to join the workspace %(workspace)s as %(role)s on the "
            "fact-checking workbench.\n\n"
            "To accept, sign in and open this link (it works once, until %(expires)s):\n"
            "%(link)s\n\n"
            "If you have no account on the workbench yet, ask %(inviter)s for one first.\n"
            "If you did not expect this invitation, you can ignore this e-mail."
        )
        % values
    )
    return subject, body


def _send(subject: str, body: str, address: str) -> None:
    """Send the mail (EMAIL_TIMEOUT bounds the SMTP connection). A failure is logged, not raised:
    the invitation stays pending and inviting the same address again sends a new link."""
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except Exception:
        logger.exception("The invitation mail to %s could not be sent", address)


def pending_invitations(*, workspace: Workspace) -> list[Invitation]:
    """The invitations nobody has accepted yet, the expired ones included, soonest expiry first."""
    return list(
        Invitation.objects.filter(workspace=workspace, accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("expires_at", "id")
    )


@transaction.atomic
def invitation_revoke(*, user: User, invitation_id: int, workspace_id: int | None = None) -> None:
    """Withdraw a pending invitation (editors only): its link stops working at once. When
    workspace_id is given, an invitation of another workspace is not found."""
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None or workspace_id not in (None, invitation.workspace_id):
        raise Http404(_("Not found."))
    require_role(user=user, workspace_id=invitation.workspace_id, role=Role.EDITOR)
    if invitation.accepted_at is not None:
        raise Conflict(
            _("This invitation has been accepted already: remove the member instead."),
            existing=invitation,
        )
    _record(invitation.workspace, user, MemberEvent.Kind.REVOKED, invitation.email, None)
    invitation.delete()


def _not_valid() -> Http404:
    return Http404(
        _(
            "This invitation link is not valid: it may have been revoked, or replaced by a "
            "newer invitation."
        )
    )


def invitation_get(*, token: str) -> Invitation:
    """The invitation a link points at, or 404 with a message that says why it may be gone."""
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by").filter(token=token).first()
    )
    if invitation is None:
        raise _not_valid()
    return invitation


def invitation_problem(invitation: Invitation) -> str | None:
    """Why the invitation can no longer be accepted (used, expired), or None."""
    if invitation.accepted_at is not None:
        return _("This invitation has already been used: an invitation link works once.")
    if invitation.expires_at <= timezone.now():
        return _(
            "This invitation expired on %(date)s: ask the workspace's editor for a new one."
        ) % {"date": formats.date_format(timezone.localdate(invitation.expires_at), "DATE_FORMAT")}
    return None


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> Membership:
    """The signed-in user takes up the invitation: they become a member with its role. Someone
    who is a member already keeps the higher of their role and the invitation's."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("workspace")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise _not_valid()
    problem = invitation_problem(invitation)
    if problem is not None:
        raise Conflict(problem, field="token", existing=invitation)
    workspace, role = invitation.workspace, Role(invitation.role)
    membership, created = Membership.objects.select_for_update().get_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    if created:
        _record(workspace, user, MemberEvent.Kind.JOINED, user.get_username(), role)
    elif membership.role < role:
        membership.role = role
        membership.save(update_fields=["role"])
        _record(workspace, user, MemberEvent.Kind.ROLE_CHANGED, user.get_username(), role)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
