"""The imports page: send a file (or its address) to import into a workspace, follow the job, read
its report record by record. Everything goes through annotations.services.imports, which names
the field a bad value concerns; the page shows it next to that field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from annotations import selectors, selectors_imports
from annotations.models import Role, Workspace
from annotations.services import imports
from annotations.web.articles import _me
from annotations.web.exports import _errors_into

COUNT_LABELS = {
    "articles": gettext_lazy("articles"),
    "claims": gettext_lazy("claims"),
    "highlights": gettext_lazy("highlights"),
    "assessments": gettext_lazy("verdicts"),
    "sources": gettext_lazy("new sources"),
    "adjudications": gettext_lazy("adjudications"),
    "references": gettext_lazy("outside fact-checks"),
    "references_updated": gettext_lazy("outside fact-checks updated"),
}
OUTCOME_LABELS = {
    "created": gettext_lazy("created"),
    "would_create": gettext_lazy("would be created"),
    "skipped": gettext_lazy("skipped"),
    "failed": gettext_lazy("failed"),
}


def place_label(place: str) -> str:
    """A record's place as the report stores it ("line 3", "item 0") in the reader's language."""
    kind, _space, number = place.partition(" ")
    if number.isdigit():
        if kind == "line":
            return _("line %(number)s") % {"number": number}
        if kind == "item":
            return _("item %(number)s") % {"number": number}
    if place == "file":
        return _("the file")
    return place


class ImportForm(forms.Form):
    format = forms.ChoiceField(label=gettext_lazy("Format"))
    file = forms.FileField(required=False, label=gettext_lazy("File"))
    url = forms.CharField(
        required=False, max_length=2000, label=gettext_lazy("Or the file's address (URL)")
    )
    labels = forms.CharField(
        required=False,
        max_length=2000,
        label=gettext_lazy("Tags to keep (doccano, Label Studio)"),
        help_text=gettext_lazy(
            "TAG or TAG=KEPT, separated by commas; empty keeps every tag as it is."
        ),
    )
    dry_run = forms.BooleanField(
        required=False,
        label=gettext_lazy("Dry run: check every record and write nothing"),
    )
    extract = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("Extract candidate claims from the new articles"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["format"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(imports.formats().items())


@csrf_exempt  # checked by _import_form, once the upload's size limit is in place
@login_required
def imports_page(request: HttpRequest, workspace_id: int) -> HttpResponse:
    """The import form and the workspace's imports (an annotator sees their own). An upload is
    refused by its declared size, or stopped at the limit as it arrives, before the CSRF check
    reads the form: a huge file is never written to disk in full."""
    workspace = selectors.workspace_get(
        user=request.user, workspace_id=workspace_id, role=Role.ANNOTATOR
    )
    limit = None
    if request.method == "POST":
        try:
            limit = imports.limit_upload(request)
        except ValidationError as error:
            return _refused(request, workspace, error)
    return _import_form(request, workspace, limit)


def _refused(request: HttpRequest, workspace: Workspace, error: ValidationError) -> HttpResponse:
    for problem in error.messages:
        messages.error(request, problem)
    return _imports_page(request, workspace, ImportForm(), status=413)


@csrf_protect
def _import_form(
    request: HttpRequest, workspace: Workspace, limit: imports.UploadLimit | None
) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if limit is not None:
        try:
            imports.refuse_if_exceeded(limit)
        except ValidationError as error:
            return _refused(request, workspace, error)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = {
            "format": form.cleaned_data["format"],
            "url": form.cleaned_data["url"],
            "labels": form.cleaned_data["labels"],
            "dry_run": form.cleaned_data["dry_run"],
            "extract": form.cleaned_data["extract"],
        }
        try:
            job = imports.import_job_create(
                user=_me(request),
                workspace_id=workspace.pk,
                data=data,
                upload=upload,
                file_name=upload.name if upload is not None else "",
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("The file is being imported: its report follows."))
            return redirect(reverse("import-job", args=[job.pk]))
    return _imports_page(request, workspace, form, status=400 if request.method == "POST" else 200)


def _imports_page(
    request: HttpRequest, workspace: Workspace, form: ImportForm, *, status: int
) -> HttpResponse:
    jobs = list(
        selectors_imports.import_job_list(user=_me(request), workspace_id=workspace.pk)[:30]
    )
    context = {
        "workspace": workspace,
        "form": form,
        "jobs": jobs,
        "refresh": any(job.status in ("queued", "running") for job in jobs),
    }
    return render(request, "annotations/imports.html", context, status=status)


@login_required
def import_job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    """One import: its progress while it runs, then its report (problems first)."""
    job = selectors_imports.import_job_get(user=_me(request), job_id=job_id)
    shown = request.GET.get("show", "problems")
    entries = [
        {
            **entry,
            "label": OUTCOME_LABELS.get(entry["outcome"], entry["outcome"]),
            "where": place_label(entry["place"]),
        }
        for entry in job.report
        if shown == "all" or entry["outcome"] in ("failed", "skipped")
    ]
    page = Paginator(entries, 200).get_page(request.GET.get("page"))
    context = {
        "job": job,
        "workspace": job.workspace,
        "page": page,
        "shown": shown,
        "written": [
            (label, job.counts[key]) for key, label in COUNT_LABELS.items() if key in job.counts
        ],
        "refresh": job.status in ("queued", "running"),
    }
    return render(request, "annotations/import_job.html", context)
