"""API of imports: send a file (or its address) to import into a workspace, then follow the job
and read its report (annotations.services.imports). Registered in annotations.api.urls."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from annotations import selectors_imports
from annotations.api.parsers import JSONParser, MultiPartParser
from annotations.api.views import me
from annotations.models import ImportJob
from annotations.services import imports

FORMATS_HELP = "jsonl, doccano, labelstudio, webannotation or fever."


class ImportJobSerializer(serializers.Serializer[Any]):
    """An import: its state, what it counted, and (on the job's own page) its report."""

    id = serializers.IntegerField(source="pk", read_only=True)
    workspace = serializers.IntegerField(source="workspace_id", read_only=True)
    format = serializers.CharField(read_only=True)
    file_name = serializers.CharField(read_only=True)
    source_url = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True, allow_null=True)
    dry_run = serializers.BooleanField(read_only=True)
    options = serializers.JSONField(read_only=True)
    status = serializers.CharField(read_only=True)
    records = serializers.IntegerField(read_only=True)
    created = serializers.IntegerField(read_only=True)
    skipped = serializers.IntegerField(read_only=True)
    failed = serializers.IntegerField(read_only=True)
    counts = serializers.JSONField(read_only=True)
    error = serializers.CharField(read_only=True)
    requested_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True, allow_null=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    def get_requested_by(self, job: ImportJob) -> str:
        return job.requested_by.get_username()

    def get_url(self, job: ImportJob) -> str:
        return reverse(
            "import-job-detail", kwargs={"job_id": job.pk}, request=self.context.get("request")
        )


class ImportJobDetailSerializer(ImportJobSerializer):
    report = serializers.JSONField(
        read_only=True,
        help_text='One entry per record, in the file\'s order: place ("line 3", "item 0"), '
        "outcome (created, skipped, failed, would_create), article, message, field.",
    )


class ImportCreateSerializer(serializers.Serializer[Any]):
    """What an import is asked with (documentation: the service checks every field)."""

    format = serializers.CharField(help_text=FORMATS_HELP)
    file = serializers.FileField(required=False, help_text="The file to import.")
    url = serializers.URLField(required=False, help_text="Or the address to fetch the file from.")
    dry_run = serializers.BooleanField(
        required=False, help_text="Read and check every record; write nothing."
    )
    extract = serializers.BooleanField(
        required=False, help_text="Extract candidate claims from new articles (default true)."
    )
    labels = serializers.CharField(
        required=False,
        help_text="doccano / Label Studio tags to keep, as TAG or TAG=KEPT separated by commas.",
    )


def _fields(request: Request) -> dict[str, Any]:
    data = request.data
    if hasattr(data, "getlist"):
        return {key: data.get(key) for key in data if key != "file"}
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object or a form."]})
    return dict(data)


class WorkspaceImportsView(GenericAPIView[ImportJob]):
    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()  # for the schema only; reads go through selectors
    parser_classes = (MultiPartParser, JSONParser)
    upload_limit: imports.UploadLimit | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: a session's CSRF check reads the body, and an upload must meet
        # its size limit before anything reads it.
        if request.method == "POST":
            self.upload_limit = imports.limit_upload(request)
        super().initial(request, *args, **kwargs)

    @extend_schema(responses=ImportJobSerializer(many=True))
    def get(self, request: Request, workspace_id: int) -> Response:
        """The workspace's imports, newest first (an annotator sees their own)."""
        jobs = selectors_imports.import_job_list(user=me(request), workspace_id=workspace_id)
        page = self.paginate_queryset(jobs)
        return self.get_paginated_response(
            ImportJobSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request={
            "multipart/form-data": ImportCreateSerializer,
            "application/json": OpenApiTypes.OBJECT,
        },
        responses={202: ImportJobSerializer},
    )
    def post(self, request: Request, workspace_id: int) -> Response:
        """Import a file (multipart, field `file`) or the file at `url` (JSON), as a job."""
        upload = request.FILES.get("file")
        if self.upload_limit is not None:
            imports.refuse_if_exceeded(self.upload_limit)
        job = imports.import_job_create(
            user=me(request),
            workspace_id=workspace_id,
            data=_fields(request),
            upload=upload,
            file_name=upload.name if upload is not None else "",
        )
        job = selectors_imports.import_job_get(user=me(request), job_id=job.pk)
        body = ImportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ImportJobView(GenericAPIView[ImportJob]):
    serializer_class = ImportJobDetailSerializer
    queryset = ImportJob.objects.none()

    def get(self, request: Request, job_id: int) -> Response:
        """An import's state and its report, record by record."""
        job = selectors_imports.import_job_get(user=me(request), job_id=job_id)
        return Response(ImportJobDetailSerializer(job, context={"request": request}).data)
