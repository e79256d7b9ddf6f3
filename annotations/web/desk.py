"""The editor's pages for running a desk: a new workspace, its settings (with the verdict scale),
its members (with invitations by e-mail and the membership trail), and the page an invitation's
link opens.

Plain HTML forms that post back to the page; every change goes through the services (roles,
audit, rate limits are theirs), and a refused change shows the form again with the reason.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from annotations import selectors
from annotations.errors import Conflict, RateLimited
from annotations.models import MemberEvent, Membership, Role, VerdictLabel, Workspace
from annotations.services import invitations
from annotations.services import workspaces as desk
from annotations.web.articles import _me

ROLE_CHOICES = [(role.value, role.label) for role in Role]
SETTINGS_FIELDS = (
    "name",
    "organisation_name",
    "organisation_url",
    "organisation_logo",
    "blind_review",
    "independent_highlighting",
    "allow_self_adjudication",
    "reviewers_per_claim",
    "dispute_distance",
    "consensus_resolves",
    "candidate_threshold",
    "assignment_due_days",
    "public_claim_pages",
)


# Line breaks and other control characters: a workspace's name goes into e-mail subjects, where a
# line break makes the sending fail.
_CONTROL_CATEGORIES = ("Cc", "Zl", "Zp")
NAME_LABELS = {
    "name": gettext_lazy("Name"),
    "organisation_name": gettext_lazy("Organisation"),
    "organisation_url": gettext_lazy("Organisation's website"),
}


def one_line(value: str | None) -> str:
    """A name as typed, refused when it holds a line break or another control character."""
    text = value or ""
    if any(unicodedata.category(char) in _CONTROL_CATEGORIES for char in text):
        raise ValidationError(
            _("Write it on one line, without tabs or control characters."),
            code="control_character",
        )
    return text


class WorkspaceNewForm(forms.ModelForm[Workspace]):
    class Meta:
        model = Workspace
        fields = ("name", "organisation_name", "organisation_url")
        labels = NAME_LABELS

    def clean_name(self) -> str:
        return one_line(self.cleaned_data.get("name"))

    def clean_organisation_name(self) -> str:
        return one_line(self.cleaned_data.get("organisation_name"))


class SettingsForm(forms.ModelForm[Workspace]):
    reviewers_per_claim = forms.IntegerField(
        min_value=1, max_value=20, label=gettext_lazy("Reviewers per claim")
    )
    candidate_threshold = forms.FloatField(
        min_value=0,
        max_value=1,
        label=gettext_lazy("Candidate threshold (0 to 1)"),
        help_text=gettext_lazy("Extracted sentences scoring at least this become candidates."),
    )
    dispute_distance = forms.FloatField(
        min_value=0,
        required=False,
        label=gettext_lazy("Dispute distance"),
        help_text=gettext_lazy(
            "Verdicts further apart than this on the scale make a claim disputed; empty: any "
            "two different verdicts do."
        ),
    )
    assignment_due_days = forms.IntegerField(
        min_value=1, max_value=365, label=gettext_lazy("Days to finish an assigned article")
    )

    class Meta:
        model = Workspace
        fields = SETTINGS_FIELDS
        labels = {
            **NAME_LABELS,
            "organisation_logo": gettext_lazy("Logo (address of an image)"),
            "blind_review": gettext_lazy("Blind review"),
            "independent_highlighting": gettext_lazy("Independent highlighting"),
            "allow_self_adjudication": gettext_lazy(
                "An adjudicator may settle a claim they assessed"
            ),
            "consensus_resolves": gettext_lazy("Agreement resolves a claim without adjudication"),
            "public_claim_pages": gettext_lazy("Public claim pages"),
        }

    def clean_name(self) -> str:
        return one_line(self.cleaned_data.get("name"))

    def clean_organisation_name(self) -> str:
        return one_line(self.cleaned_data.get("organisation_name"))


class ScaleRowForm(forms.Form):
    slug = forms.SlugField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(max_length=100, required=False, label=gettext_lazy("Name"))
    value = forms.FloatField(required=False, label=gettext_lazy("Value"))
    retired = forms.BooleanField(required=False, label=gettext_lazy("Retired"))


ScaleFormSet = forms.formset_factory(ScaleRowForm, extra=2, max_num=40)


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150, label=gettext_lazy("Username"))
    role = forms.TypedChoiceField(
        choices=ROLE_CHOICES, coerce=int, initial=Role.REVIEWER, label=gettext_lazy("Role")
    )


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254, label=gettext_lazy("E-mail address"))
    role = forms.TypedChoiceField(
        choices=ROLE_CHOICES, coerce=int, initial=Role.REVIEWER, label=gettext_lazy("Role")
    )


class MemberRoleForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.TypedChoiceField(choices=ROLE_CHOICES, coerce=int, label=gettext_lazy("Role"))


def _number(value: str | None) -> int:
    """A posted id or role, 0 when it is not a plain number that fits an id (0 matches nothing)."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else 0


def _errors_into(form: forms.BaseForm, error: ValidationError) -> None:
    by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    for field, items in by_field.items():
        for message in items:
            form.add_error(field if field in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_new(request: HttpRequest) -> HttpResponse:
    """Create a workspace; its creator is its editor, and goes on to its settings."""
    form = WorkspaceNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = desk.workspace_create(user=_me(request), **form.cleaned_data)
        messages.success(request, _("Workspace created: choose its settings and add its members."))
        return redirect(reverse("desk-settings", args=[workspace.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "annotations/workspace_new.html", {"form": form}, status=status)


def _scale_initial(workspace: Workspace) -> list[dict[str, Any]]:
    return [
        {"slug": v.slug, "name": v.name, "value": v.value, "retired": v.retired}
        for v in VerdictLabel.objects.filter(workspace=workspace).order_by("position")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """The editor's settings page: the desk's rules and its verdict scale."""
    workspace = selectors.workspace_get(
        user=request.user, workspace_id=workspace_id, role=Role.EDITOR
    )
    posted = request.method == "POST"
    form = SettingsForm(request.POST if posted else None, instance=workspace, prefix="ws")
    scale = ScaleFormSet(
        request.POST if posted else None, initial=_scale_initial(workspace), prefix="scale"
    )
    if posted and form.is_valid() and scale.is_valid():
        changed = {name: form.cleaned_data[name] for name in SETTINGS_FIELDS}
        edits = [
            desk.LabelEdit(
                slug=row["slug"] or "",
                name=row["name"] or "",
                value=row["value"],
                retired=bool(row["retired"]),
            )
            for row in scale.cleaned_data
            if row and (row.get("slug") or row.get("name"))
        ]
        try:
            # One save: the settings and the scale change together or not at all.
            desk.workspace_settings_save(
                user=_me(request), workspace=workspace, fields=changed, labels=edits
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect(reverse("desk-settings", args=[workspace.pk]))
    context = {
        "workspace": workspace,
        "form": form,
        "scale": scale,
        "used": desk.used_verdict_slugs(workspace=workspace),
    }
    return render(
        request,
        "annotations/workspace_settings.html",
        context,
        status=400 if posted else 200,
    )


MEMBER_ACTIONS = ("add", "invite", "revoke", "role", "remove")


@login_required
@require_http_methods(["GET", "POST"])
def workspace_members(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """Members with their role and open assignments; add one, change a role, remove one; invite
    by e-mail and revoke a pending invitation; the membership trail. Members see the list;
    editors change it. The addition and invitation forms show their own errors; those of a role
    change, a removal or a revocation are said at the top of the page."""
    workspace = selectors.workspace_get(user=request.user, workspace_id=workspace_id)
    editor = Role(workspace.my_role) >= Role.EDITOR  # type: ignore[attr-defined]
    action = request.POST.get("action", "") if request.method == "POST" else ""
    add = MemberAddForm(request.POST if action == "add" else None, prefix="add")
    invite = InviteForm(request.POST if action == "invite" else None, prefix="invite")
    status = 200
    if request.method == "POST":
        if action not in MEMBER_ACTIONS:
            messages.error(request, _("Unknown action."))
            status = 400
        else:
            status, then = _member_action(request, workspace, action, add, invite)
            if status == 302:
                return redirect(then)
    members = (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .annotate(
            open_assignments=Count(
                "user__assignments",
                filter=Q(
                    user__assignments__workspace=workspace,
                    user__assignments__completed_at__isnull=True,
                ),
            )
        )
        .order_by("-role", "user__username")
    )
    trail = (
        MemberEvent.objects.filter(workspace=workspace).select_related("actor")[:50]
        if editor
        else []
    )
    context = {
        "workspace": workspace,
        "members": [
            (
                m,
                MemberRoleForm(
                    initial={"user_id": m.user_id, "role": m.role}, prefix=f"m{m.user_id}"
                ),
            )
            for m in members
        ],
        "add": add,
        "invite": invite,
        # Each with its link, for an editor to pass on by hand (the console e-mail backend only
        # writes the mail into the server's log).
        "invitations": [
            (invitation, invitations.invitation_link(invitation))
            for invitation in (
                invitations.pending_invitations(workspace=workspace) if editor else []
            )
        ],
        "invitation_days": settings.INVITATION_DAYS,
        "now": timezone.now(),
        "editor": editor,
        "trail": trail,
        "roles": ROLE_CHOICES,
    }
    return render(request, "annotations/workspace_members.html", context, status=status)


def _member_action(
    request: HttpRequest,
    workspace: Workspace,
    action: str,
    add: MemberAddForm,
    invite: InviteForm,
) -> tuple[int, str]:
    """Carry out the posted action: (302, where to go next) when done (a message says so), else
    the status of the page shown again, with the reason in the addition or invitation form for
    those actions, at the top of the page for the others."""
    form: forms.Form | None = add if action == "add" else invite if action == "invite" else None
    try:
        done = _carry_out(request, workspace, form, action)
    except ValidationError as error:
        if form is not None:
            _errors_into(form, error)
        else:
            for message in error.messages:
                messages.error(request, message)
        return 400, ""
    except (Conflict, RateLimited) as error:
        # An invitation's conflict (that address is a member already) shows next to its field.
        field = getattr(error, "field", None)
        if form is not None:
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.error(request, error.message)
        return (429 if isinstance(error, RateLimited) else 409), ""
    except Http404:
        if form is not None:
            raise
        # Gone meanwhile (another tab, another editor): said, with the page as it is now.
        messages.error(
            request,
            _("This invitation is no longer pending: it may have been revoked already.")
            if action == "revoke"
            else _("This person is no longer a member of the workspace."),
        )
        return 404, ""
    if done is None:
        return 400, ""
    message, then = done
    messages.success(request, message)
    return 302, then


def _carry_out(
    request: HttpRequest, workspace: Workspace, form: forms.Form | None, action: str
) -> tuple[str, str] | None:
    """The posted action's message and the page to go to once done; None when the form shows
    what is wrong."""
    if form is None:
        return _carry_out_on_a_row(request, workspace, action)
    if not form.is_valid():
        return None
    actor = _me(request)
    data = form.cleaned_data
    if action == "add":
        desk.member_add(
            actor=actor, workspace=workspace, username=data["username"], role=Role(data["role"])
        )
        message = _("%(name)s added.") % {"name": data["username"]}
    else:
        invitation = invitations.invitation_create(
            user=actor, workspace_id=workspace.pk, email=data["email"], role=Role(data["role"])
        )
        message = _("Invitation sent to %(email)s.") % {"email": invitation.email}
    return message, reverse("desk-members", args=[workspace.pk])


def _carry_out_on_a_row(request: HttpRequest, workspace: Workspace, action: str) -> tuple[str, str]:
    """A revocation, a role change or a removal (the buttons of a table's row)."""
    actor = _me(request)
    back = reverse("desk-members", args=[workspace.pk])
    if action == "revoke":
        invitations.invitation_revoke(
            user=actor,
            invitation_id=_number(request.POST.get("invitation_id")),
            workspace_id=workspace.pk,
        )
        return _("Invitation revoked."), back
    membership = selectors.membership_get(
        user=actor, workspace=workspace, user_id=_number(request.POST.get("user_id"))
    )
    if action == "role":
        role = _number(request.POST.get(f"m{membership.user_id}-role"))
        if role not in Role.values:
            raise ValidationError(_("Choose a role."))
        desk.member_change_role(actor=actor, membership=membership, role=Role(role))
        return _("Role changed."), back
    desk.member_remove(actor=actor, membership=membership)
    if membership.user_id == actor.pk:
        # The workspace's pages are no longer the actor's to see.
        message = _("You are no longer a member of %(workspace)s.") % {"workspace": workspace.name}
        return message, reverse("home")
    return _("Member removed."), back


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation's link opens: which workspace, which role, who invited; joining
    takes the signed-in user to the workspace. A link that is unknown, used or expired says so."""
    try:
        invitation = invitations.invitation_get(token=token)
    except Http404 as error:
        context: dict[str, Any] = {"invitation": None, "problem": str(error)}
        return render(request, "annotations/invitation_accept.html", context, status=404)
    problem = invitations.invitation_problem(invitation)
    if request.method == "POST" and problem is None:
        try:
            membership = invitations.invitation_accept(user=_me(request), token=token)
        except Conflict as error:  # used or expired a moment ago
            problem = error.message
        else:
            messages.success(
                request,
                _("Invitation accepted: your role in %(workspace)s is %(role)s.")
                % {
                    "workspace": invitation.workspace.name,
                    "role": Role(membership.role).label.lower(),
                },
            )
            return redirect(reverse("workspace", args=[invitation.workspace_id]))
    current = Membership.objects.filter(
        workspace_id=invitation.workspace_id, user_id=_me(request).pk
    ).first()
    context = {
        "invitation": invitation,
        "problem": problem,
        "inviter": invitation.invited_by.get_full_name() or invitation.invited_by.get_username(),
        "current": current,
    }
    return render(
        request, "annotations/invitation_accept.html", context, status=410 if problem else 200
    )
