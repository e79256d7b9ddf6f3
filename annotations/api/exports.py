"""Exports over the API: a streamed export, export jobs whose file is kept, dataset releases.

Only editors export: outsiders get 404, other members 403 (annotations.access). Every check runs
before the first byte of a stream, so a bad format or filter is a 400 that names it, never a
broken download.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import selectors
from annotations.api.views import _valid, me
from annotations.errors import Conflict
from annotations.exports import FORMATS
from annotations.models import Claim, DatasetRelease, ExportJob, Role
from annotations.services import exports, releases

# --- Serializers --------------------------------------------------------------------------------


class CommaListField(serializers.ListField):
    """A list, or the same as one comma-separated string ("fever,csv")."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, str):
            data = [part.strip() for part in data.split(",") if part.strip()]
        return super().to_internal_value(data)


class ExportFiltersSerializer(serializers.Serializer[Any]):
    """The filters, as query parameters or in a body. Lists take a comma-separated string too."""

    # Plain strings, not an enum: the service checks them and names what is unknown.
    status = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=f"Claim statuses, some of: {', '.join(Claim.Status.values)} (default: "
        "resolved, published; for `assessments`: all).",
    )
    language = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The articles' languages."
    )
    verdict = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Final verdict slugs."
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # `from` is a Python keyword: declared here rather than as a class attribute.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, help_text="Claims created on or after this date."
        )
        fields["to"] = serializers.DateField(
            required=False, help_text="Claims created on or before this date."
        )
        return fields


def _option(help_text: str) -> serializers.BooleanField:
    return serializers.BooleanField(required=False, default=False, help_text=help_text)


BOM_HELP = "CSV: start with a byte order mark, so that Excel reads it as UTF-8."
PSEUDONYMISE_HELP = (
    "Replace usernames with pseudonyms (reviewer-1, reviewer-2... in order of first appearance)."
)
TEXTS_HELP = (
    "Each row's article text, revision and checksum (raw, fever, csv, assessments; "
    "raw always has them)."
)
UTF16_HELP = "Web Annotation: a second position selector in UTF-16 code units, for JavaScript."


class ExportJobCreateSerializer(ExportFiltersSerializer):
    format = serializers.ChoiceField(choices=tuple(FORMATS))
    bom = _option(BOM_HELP)
    pseudonymise = _option(PSEUDONYMISE_HELP)
    texts = _option(TEXTS_HELP)
    utf16 = _option(UTF16_HELP)


class ExportJobSerializer(serializers.ModelSerializer[ExportJob]):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = (
            "id",
            "workspace",
            "format",
            "filters",
            "status",
            "rows",
            "sha256",
            "error",
            "requested_by",
            "created_at",
            "finished_at",
            "download_url",
        )
        read_only_fields = fields

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return _absolute(self.context, "export-job-download", job_id=job.pk)


class ReleaseCreateSerializer(ExportFiltersSerializer):
    name = serializers.CharField(max_length=200)
    version = serializers.CharField(max_length=50)
    # Checked by the service, which names the unknown ones.
    formats = CommaListField(
        child=serializers.CharField(),
        allow_empty=False,
        required=False,
        help_text=f"Some of: {', '.join(FORMATS)}. Default: every format. A release always "
        "has its raw file (the articles' texts).",
    )
    bom = _option(BOM_HELP)
    pseudonymise = _option(PSEUDONYMISE_HELP + " One set for all the release's files.")


class ReleaseFileSerializer(serializers.Serializer[dict[str, Any]]):
    format = serializers.CharField()
    filename = serializers.CharField()
    media_type = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    rows = serializers.IntegerField()
    url = serializers.URLField()


class ReleaseSerializer(serializers.ModelSerializer[DatasetRelease]):
    status = serializers.SerializerMethodField()
    formats = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    manifest_url = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = DatasetRelease
        fields = (
            "id",
            "workspace",
            "name",
            "version",
            "status",
            "filters",
            "formats",
            "counts",
            "files",
            "manifest_url",
            "error",
            "created_by",
            "created_at",
        )
        read_only_fields = fields

    def get_status(self, release: DatasetRelease) -> str:
        return releases.release_status(release)

    def get_formats(self, release: DatasetRelease) -> list[str]:
        return releases.release_formats(release)

    def get_counts(self, release: DatasetRelease) -> dict[str, Any] | None:
        counts = release.manifest.get("counts")
        return dict(counts) if counts is not None else None

    @extend_schema_field(ReleaseFileSerializer(many=True))
    def get_files(self, release: DatasetRelease) -> list[dict[str, Any]]:
        return [
            {
                **entry,
                "url": _absolute(
                    self.context, "release-file", release_id=release.pk, format_key=entry["format"]
                ),
            }
            for entry in release.manifest.get("files", [])
        ]

    def get_manifest_url(self, release: DatasetRelease) -> str | None:
        if releases.release_status(release) != releases.READY:
            return None
        return _absolute(self.context, "release-manifest", release_id=release.pk)

    def get_error(self, release: DatasetRelease) -> str:
        return str(release.manifest.get("error", ""))


def _attachment(filename: str) -> str:
    return content_disposition_header(True, filename) or "attachment"


def _absolute(context: dict[str, Any], name: str, **kwargs: Any) -> str:
    path = reverse(name, kwargs=kwargs)
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# --- The streamed export ------------------------------------------------------------------------


class FormatIsNotARenderer(BaseContentNegotiation):
    """Answer errors in JSON whatever `?format=` says.

    DRF reads `?format=` as the renderer to use (URL_FORMAT_OVERRIDE) and answers 404 when no
    renderer has that name; on the export route the parameter names the export format instead.
    """

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


FILTER_PARAMETERS = [
    OpenApiParameter(
        "status", str, description="Comma-separated claim statuses (default: resolved,published)."
    ),
    OpenApiParameter("language", str, description="Comma-separated article languages."),
    OpenApiParameter("verdict", str, description="Comma-separated final verdict slugs."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Claims created on or after."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Claims created on or before."),
]
OPTION_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.BOOL, description=text)
    for name, text in (
        ("bom", BOM_HELP),
        ("pseudonymise", PSEUDONYMISE_HELP),
        ("texts", TEXTS_HELP),
        ("utf16", UTF16_HELP),
    )
]


# An export's file, in the schema: the bytes of a file, under each format's media type (JSON-LD,
# JSON Lines, CSV; ClaimReview's JSON-LD is one JSON array). application/octet-stream comes first:
# it stands for any of them, so that a generated client hands over the bytes rather than parse
# JSON Lines or CSV as JSON (openapi-python-client takes the first media type it knows).
FILE_MEDIA_TYPES = sorted({fmt.media_type.split(";")[0].strip() for fmt in FORMATS.values()})
EXPORT_FILE_RESPONSES: dict[int | tuple[int, str], OpenApiResponse] = {
    (200, media_type): OpenApiResponse(
        {"type": "array", "items": {"type": "object"}}
        if media_type.endswith("+json")
        else OpenApiTypes.BINARY,
        description="The file: its Content-Type is its format's media type (one of these), its "
        "Content-Disposition its file name.",
    )
    for media_type in ["application/octet-stream", *FILE_MEDIA_TYPES]
}
# A stored file's download: a 409 while the job or release is not done yet.
STORED_FILE_RESPONSES = {
    **EXPORT_FILE_RESPONSES,
    409: OpenApiResponse(description="Not done yet: `status` says what it is."),
}


class WorkspaceExportView(APIView):
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = FormatIsNotARenderer

    @extend_schema(
        operation_id="workspace_export",
        parameters=[
            OpenApiParameter("format", str, required=True, enum=list(FORMATS)),
            *FILTER_PARAMETERS,
            *OPTION_PARAMETERS,
        ],
        responses=EXPORT_FILE_RESPONSES,
        description="Stream the workspace's verified claims in one format (editors only).",
    )
    def get(self, request: Request, workspace_id: int) -> StreamingHttpResponse:
        params = {key: request.query_params.getlist(key) for key in request.query_params}
        export = exports.export_open(user=me(request), workspace_id=workspace_id, params=params)
        response = StreamingHttpResponse(export.chunks, content_type=export.media_type)
        response["Content-Disposition"] = _attachment(export.filename)
        response["Cache-Control"] = "no-store"
        # A proxy that buffers (nginx does by default) would hold the whole export in memory.
        response["X-Accel-Buffering"] = "no"
        return response


# --- Export jobs --------------------------------------------------------------------------------


def _body(request: Request) -> dict[str, Any]:
    data = request.data
    if hasattr(data, "getlist"):  # a form: keep every value of a repeated key
        values = {key: data.getlist(key) for key in data}
        return {key: items[0] if len(items) == 1 else items for key, items in values.items()}
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    return dict(data)


class WorkspaceExportJobsView(GenericAPIView[ExportJob]):
    serializer_class = ExportJobSerializer
    queryset = ExportJob.objects.none()  # for the schema only; reads go through selectors

    @extend_schema(responses=ExportJobSerializer(many=True))
    def get(self, request: Request, workspace_id: int) -> Response:
        jobs = selectors.export_job_list(user=me(request), workspace_id=workspace_id)
        page = self.paginate_queryset(jobs)
        return self.get_paginated_response(
            ExportJobSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=ExportJobCreateSerializer, responses={202: ExportJobSerializer})
    def post(self, request: Request, workspace_id: int) -> Response:
        """Run an export in a worker; poll the job, then download its file."""
        job = exports.export_job_create(
            user=me(request), workspace_id=workspace_id, data=_body(request)
        )
        job = selectors.export_job_get(user=me(request), job_id=job.pk)
        body = ExportJobSerializer(job, context={"request": request}).data
        location = _absolute({"request": request}, "export-job-detail", job_id=job.pk)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class ExportJobView(GenericAPIView[ExportJob]):
    serializer_class = ExportJobSerializer
    queryset = ExportJob.objects.none()

    def get(self, request: Request, job_id: int) -> Response:
        job = selectors.export_job_get(user=me(request), job_id=job_id)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


def _stored_file(name: str, *, filename: str, media_type: str, sha256: str) -> FileResponse:
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is no longer in storage.")) from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=media_type)
    response["ETag"] = f'"{sha256}"'
    return response


class ExportJobDownloadView(APIView):
    @extend_schema(responses=STORED_FILE_RESPONSES)
    def get(self, request: Request, job_id: int) -> FileResponse:
        job = selectors.export_job_get(user=me(request), job_id=job_id)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Conflict(
                _("This export is %(status)s; its file can be downloaded once it is done.")
                % {"status": job.status},
                field="status",
                existing=job,
            )
        return _stored_file(
            job.file.name,
            filename=exports.export_filename(
                workspace=job.workspace,
                format_key=job.format,
                label=job.created_at.strftime("%Y%m%d"),
            ),
            media_type=FORMATS[job.format].media_type,
            sha256=job.sha256,
        )


# --- Dataset releases ---------------------------------------------------------------------------

RELEASE_FIELDS = ("name", "version", "formats")


class WorkspaceReleasesView(GenericAPIView[DatasetRelease]):
    serializer_class = ReleaseSerializer
    queryset = DatasetRelease.objects.none()

    @extend_schema(responses=ReleaseSerializer(many=True))
    def get(self, request: Request, workspace_id: int) -> Response:
        found = selectors.release_list(user=me(request), workspace_id=workspace_id)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(
            ReleaseSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=ReleaseCreateSerializer, responses={201: ReleaseSerializer})
    def post(self, request: Request, workspace_id: int) -> Response:
        """Freeze a release: its files are written once, by a worker, and never change."""
        # Access before validation: an outsider's malformed request is a 404, not a 400.
        selectors.workspace_get(user=me(request), workspace_id=workspace_id, role=Role.EDITOR)
        body = _body(request)
        # The release's own fields are checked here, the filters by the service (as for exports).
        own = _valid(
            ReleaseCreateSerializer, {k: v for k, v in body.items() if k in RELEASE_FIELDS}
        )
        release = releases.release_create(
            user=me(request),
            workspace_id=workspace_id,
            name=own["name"],
            version=own["version"],
            formats=own.get("formats") or list(FORMATS),
            filters={k: v for k, v in body.items() if k not in RELEASE_FIELDS},
        )
        release = selectors.release_get(user=me(request), release_id=release.pk)
        body = ReleaseSerializer(release, context={"request": request}).data
        location = _absolute({"request": request}, "release-detail", release_id=release.pk)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class ReleaseView(GenericAPIView[DatasetRelease]):
    serializer_class = ReleaseSerializer
    queryset = DatasetRelease.objects.none()

    def get(self, request: Request, release_id: int) -> Response:
        release = selectors.release_get(user=me(request), release_id=release_id)
        return Response(ReleaseSerializer(release, context={"request": request}).data)


def _ready(release: DatasetRelease) -> None:
    state = releases.release_status(release)
    if state != releases.READY:
        raise Conflict(
            _("This release is %(status)s; its files can be downloaded once it is frozen.")
            % {"status": state},
            field="status",
            existing=release,
        )


class ReleaseFileView(APIView):
    @extend_schema(responses=STORED_FILE_RESPONSES)
    def get(self, request: Request, release_id: int, format_key: str) -> FileResponse:
        release = selectors.release_get(user=me(request), release_id=release_id)
        _ready(release)
        stored = next((f for f in release.files.all() if f.format == format_key), None)
        if stored is None:
            raise Http404(
                _("This release has no %(format)s file; it has: %(formats)s.")
                % {"format": format_key, "formats": ", ".join(releases.release_formats(release))}
            )
        return _stored_file(
            stored.file.name,
            filename=releases.release_file_name(release, format_key),
            media_type=FORMATS[format_key].media_type,
            sha256=stored.sha256,
        )


class ReleaseManifestView(APIView):
    @extend_schema(
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The release's manifest."),
            409: STORED_FILE_RESPONSES[409],
        }
    )
    def get(self, request: Request, release_id: int) -> HttpResponse:
        release = selectors.release_get(user=me(request), release_id=release_id)
        _ready(release)
        response = HttpResponse(
            releases.manifest_bytes(release), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = _attachment(
            f"{releases.release_stem(release)}.manifest.json"
        )
        return response
