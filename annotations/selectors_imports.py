"""Reading import jobs: editors see every import of their workspace, others their own."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from annotations.access import require_role
from annotations.models import ImportJob, Role


def import_job_list(*, user: User, workspace_id: int) -> QuerySet[ImportJob]:
    role = require_role(user=user, workspace_id=workspace_id, role=Role.ANNOTATOR)
    jobs = ImportJob.objects.filter(workspace_id=workspace_id).select_related("requested_by")
    if role < Role.EDITOR:
        jobs = jobs.filter(requested_by_id=user.pk)
    return jobs.defer("report")


def import_job_get(*, user: User, job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("requested_by", "workspace").filter(pk=job_id).first()
    if job is None:
        raise Http404(_("Not found."))
    role = require_role(user=user, workspace_id=job.workspace_id, role=Role.ANNOTATOR)
    if role < Role.EDITOR and job.requested_by_id != user.pk:
        raise Http404(_("Not found."))
    return job
