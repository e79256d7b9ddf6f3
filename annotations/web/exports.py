"""The editor's export dialog: download an export now (streamed), or run it as a job and come
back for the file; freeze a dataset release and read its manifest and files.

Everything goes through annotations.services.exports and .releases, which check the filters and
answer a bad one with the field it concerns; the page shows that next to the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from annotations import selectors
from annotations.errors import Conflict
from annotations.models import Claim, Role, VerdictLabel, Workspace
from annotations.services import exports, releases
from annotations.web.articles import _me

STATUS_CHOICES = [(value, label) for value, label in Claim.Status.choices]
# The formats in the reader's language (annotations.exports names them for the API).
FORMAT_CHOICES = [
    ("claimreview", gettext_lazy("ClaimReview (JSON-LD, for publishing)")),
    ("fever", gettext_lazy("FEVER (JSON Lines, for research)")),
    ("csv", gettext_lazy("CSV (one row per claim)")),
    ("webannotation", gettext_lazy("W3C Web Annotations (JSON-LD)")),
    ("assessments", gettext_lazy("Every reviewer's verdicts (JSON Lines)")),
    ("raw", gettext_lazy("Raw: one article a line with everything on it (JSON Lines)")),
]
# The yes/no options of an export (services.exports.OPTION_FIELDS) and of a release.
EXPORT_OPTIONS = ("bom", "pseudonymise", "texts", "utf16")
RELEASE_OPTIONS = ("bom", "pseudonymise")


def _pseudonymise_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label=gettext_lazy("Pseudonymise people"),
        help_text=gettext_lazy(
            "Usernames become reviewer-1, reviewer-2… in the order they first appear."
        ),
    )


def _bom_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=False, label=gettext_lazy("CSV for Excel (with a byte order mark)")
    )


RELEASE_STATES = {
    releases.FREEZING: gettext_lazy("being frozen"),
    releases.READY: gettext_lazy("ready"),
    releases.FAILED: gettext_lazy("failed"),
}
DATE_CHOICES = [
    ("created", gettext_lazy("the claim was made")),
    ("verdict", gettext_lazy("its final verdict was set")),
]


class FiltersForm(forms.Form):
    """The filters every export and release takes (services.exports.check_filters)."""

    status = forms.MultipleChoiceField(
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Status"),
        help_text=gettext_lazy(
            "None ticked: resolved and published (every status for raw assessments)."
        ),
    )
    verdict = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Final verdict")
    )
    language = forms.CharField(
        required=False, max_length=100, label=gettext_lazy("Languages (e.g. fr, en)")
    )
    article = forms.CharField(
        required=False, max_length=2000, label=gettext_lazy("Article ids (comma-separated)")
    )
    dates = forms.ChoiceField(
        choices=DATE_CHOICES,
        initial="created",
        required=False,
        label=gettext_lazy("Dates: when"),
    )
    date_from = forms.DateField(
        required=False,
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        required=False,
        label=gettext_lazy("To (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["verdict"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(v.slug, v.name) for v in VerdictLabel.objects.filter(workspace=workspace)]

    def as_params(self) -> dict[str, Any]:
        """The cleaned filters as the export services take them."""
        data = self.cleaned_data
        params: dict[str, Any] = {
            "status": data["status"],
            "verdict": data["verdict"],
            "language": [part.strip() for part in data["language"].split(",") if part.strip()],
            "article": [part.strip() for part in data["article"].split(",") if part.strip()],
            "dates": data["dates"] or "created",
        }
        if data["date_from"]:
            params["from"] = data["date_from"].isoformat()
        if data["date_to"]:
            params["to"] = data["date_to"].isoformat()
        return params


class ExportForm(FiltersForm):
    format = forms.ChoiceField(
        choices=FORMAT_CHOICES,
        label=gettext_lazy("Format"),
    )
    bom = _bom_field()
    pseudonymise = _pseudonymise_field()
    texts = forms.BooleanField(
        required=False,
        label=gettext_lazy("Article texts"),
        help_text=gettext_lazy(
            "Each row with its article's text, revision and checksum (raw, FEVER, CSV, "
            "reviewers' verdicts)."
        ),
    )
    utf16 = forms.BooleanField(
        required=False,
        label=gettext_lazy("UTF-16 positions"),
        help_text=gettext_lazy(
            "Web Annotations: positions as JavaScript counts them too (Hypothesis)."
        ),
    )

    field_order = ("format", "bom", "pseudonymise", "texts", "utf16")

    def options(self) -> dict[str, str]:
        return {key: "1" for key in EXPORT_OPTIONS if self.cleaned_data.get(key)}


class ReleaseForm(FiltersForm):
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    version = forms.CharField(max_length=50, label=gettext_lazy("Version"))
    formats = forms.MultipleChoiceField(
        choices=FORMAT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Files"),
        help_text=gettext_lazy("A release always has its raw file, with the articles' texts."),
    )
    bom = _bom_field()
    pseudonymise = _pseudonymise_field()

    field_order = ("name", "version", "formats", "bom", "pseudonymise")

    def options(self) -> dict[str, str]:
        return {key: "1" for key in RELEASE_OPTIONS if self.cleaned_data.get(key)}


def _errors_into(form: forms.BaseForm, error: ValidationError) -> None:
    names = {"from": "date_from", "to": "date_to"}
    by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    for field, items in by_field.items():
        name = names.get(field, field)
        for message in items:
            form.add_error(name if name in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def exports_page(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """The export dialog, the export jobs and the dataset releases of a workspace (editors)."""
    workspace = selectors.workspace_get(
        user=request.user, workspace_id=workspace_id, role=Role.EDITOR
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    export_form = ExportForm(
        request.POST if action == "job" else None, workspace=workspace, prefix="export"
    )
    release_form = ReleaseForm(
        request.POST if action == "release" else None, workspace=workspace, prefix="release"
    )
    if action and _posted(request, workspace, action, export_form, release_form):
        return redirect(reverse("exports", args=[workspace.pk]))
    return _dialog(request, workspace, export_form, release_form, status=400 if action else 200)


def _dialog(
    request: HttpRequest,
    workspace: Workspace,
    export_form: ExportForm,
    release_form: ReleaseForm,
    *,
    status: int,
) -> HttpResponse:
    jobs = list(selectors.export_job_list(user=request.user, workspace_id=workspace.pk)[:20])
    frozen = list(selectors.release_list(user=request.user, workspace_id=workspace.pk)[:20])
    for release in frozen:
        release.state = releases.release_status(release)  # type: ignore[attr-defined]
        release.state_label = RELEASE_STATES.get(release.state, release.state)  # type: ignore[attr-defined]
    context = {
        "workspace": workspace,
        "export_form": export_form,
        "release_form": release_form,
        "jobs": jobs,
        "releases": frozen,
        # The page looks again while a job or a release is still being written.
        "refresh": any(job.status in ("queued", "running") for job in jobs)
        or any(release.state == releases.FREEZING for release in frozen),  # type: ignore[attr-defined]
    }
    return render(request, "annotations/exports.html", context, status=status)


def _posted(
    request: HttpRequest,
    workspace: Workspace,
    action: str,
    export_form: ExportForm,
    release_form: ReleaseForm,
) -> bool:
    user = _me(request)
    form: FiltersForm = export_form if action == "job" else release_form
    if action not in ("job", "release") or not form.is_valid():
        return False
    try:
        if action == "job":
            assert isinstance(form, ExportForm)
            data = {**form.as_params(), **form.options(), "format": form.cleaned_data["format"]}
            exports.export_job_create(user=user, workspace_id=workspace.pk, data=data)
            messages.success(request, _("The export is being written: its file appears below."))
        else:
            assert isinstance(form, ReleaseForm)
            releases.release_create(
                user=user,
                workspace_id=workspace.pk,
                name=form.cleaned_data["name"],
                version=form.cleaned_data["version"],
                formats=form.cleaned_data["formats"],
                filters={**form.as_params(), **form.options()},
            )
            messages.success(request, _("The release is being frozen: its files appear below."))
    except ValidationError as error:
        _errors_into(form, error)
        return False
    except Conflict as conflict:
        form.add_error("version" if "version" in form.fields else None, conflict.message)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def export_download(request: HttpRequest, workspace_id: int) -> HttpResponseBase:
    """The dialog's "Download now": the export streamed as a file, with the same checks. The
    dialog posts (its CSRF token stays out of addresses and logs); an address with the filters
    in its query string, bookmarked or shared, still downloads with GET."""
    workspace = selectors.workspace_get(
        user=request.user, workspace_id=workspace_id, role=Role.EDITOR
    )
    data = request.POST if request.method == "POST" else request.GET
    form = ExportForm(data, workspace=workspace, prefix="export")
    if not form.is_valid():
        return _dialog_again(request, workspace, form)
    params = {**form.as_params(), **form.options(), "format": form.cleaned_data["format"]}
    try:
        export = exports.export_open(user=_me(request), workspace_id=workspace.pk, params=params)
    except ValidationError as error:
        _errors_into(form, error)
        return _dialog_again(request, workspace, form)
    response = StreamingHttpResponse(export.chunks, content_type=export.media_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


def _dialog_again(request: HttpRequest, workspace: Workspace, form: ExportForm) -> HttpResponse:
    release_form = ReleaseForm(workspace=workspace, prefix="release")
    return _dialog(request, workspace, form, release_form, status=400)
