"""The OpenAPI schema's shared parts, documented once for every operation (annotations.api.schema
.AutoSchema is REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS).

Errors. drf-spectacular documents the answers a view declares, which are its successes. The errors
come from shared code (annotations.api.errors, access, versioning, parsers, throttling), the same
for every route, so the AutoSchema adds them to each operation, as what they are: a JSON object,
either `{"detail": "..."}` or the fields with what is wrong with each (`{"verdict": ["..."]}`), with
extra keys where a conflict points at the existing row or a stale write at the current version.
Which ones an operation gets is read from the view (`error_codes`):

- 401 (signed out) and 403 (role too low) wherever signing in is required, and 404 (not found,
  not in a workspace of yours, or a page past the last) where there are parameters or a write;
- 400 where there are query parameters, a body or a write;
- 409 (in conflict with the data, or with a write made at the same moment) on every write;
- 413 (too large) and 415 (not JSON) where there is a body;
- 412 (a stale version) and 428 (no version) where the body takes the `version` a client edited;
- 429 where the view is throttled.

A view declares the other error answers it gives, with a description only (`RATE_LIMITED`, or
`OpenApiResponse(description=...)` for a 409 on a download); the Error body is added to them here.

Tags. One per resource, read from the path: the last segment naming a resource
(`/claims/{id}/assessments/` is under `assessments`, `/claims/{id}/publish/` under `claims`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

ERROR_SCHEMA_NAME = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": 'What is wrong: {"detail": "..."} or each field with its problems.',
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
WRITES = frozenset({"post", "put", "patch", "delete"})
REASONS = {
    "400": "The request is malformed or a field is wrong (each named, with its problem).",
    "401": "Not signed in.",
    "403": "Your role in the workspace does not allow it.",
    "404": "Not found, or not in a workspace of yours.",
    "409": "In conflict with the data as it is (for example, it exists already).",
    "412": "Changed by someone else since you read it: the answer gives the current version.",
    "413": "The body is too large.",
    "415": "The body is not in a media type this operation takes (JSON: application/json).",
    "428": "Give the version you read (If-Match or `version`).",
    "429": "Too many requests: wait, then try again.",
}
# For a view whose service limits how often it may be called (annotations.errors.RateLimited).
RATE_LIMITED = OpenApiResponse(description=REASONS["429"])

API_PREFIX = "/api/v1/"
# The path segments that name a resource, and the tag each is under.
TAG_OF_SEGMENT = {
    "auth": "auth",
    "workspaces": "workspaces",
    "members": "members",
    "articles": "articles",
    "revisions": "articles",
    "events": "live",
    "candidates": "candidates",
    "claims": "claims",
    "history": "claims",
    "cluster": "clusters",
    "highlights": "highlights",
    "assessments": "assessments",
    "sources": "sources",
    "adjudication": "adjudications",
    "comments": "comments",
    "assignments": "assignments",
    "queues": "queues",
    "agreement": "agreement",
    "export": "exports",
    "exports": "exports",
    "releases": "releases",
    "imports": "imports",
    "notifications": "notifications",
    "webhooks": "webhooks",
    "webhook-deliveries": "webhooks",
    "search": "search",
}
TAG_DESCRIPTIONS = {
    "auth": "A token for `Authorization: Token ...`.",
    "workspaces": "Desks: their settings and verdict scale.",
    "members": "Who belongs to a workspace, with which role.",
    "articles": "Articles: their text, metadata, corrections (revisions) and sentences.",
    "live": "An article's live feed, for polling.",
    "candidates": "Claims the extractor proposes, to accept or dismiss.",
    "claims": "Claims: highlighted spans, their status, history, publication.",
    "clusters": "The same claim across articles.",
    "highlights": "Each reviewer's own highlight of a claim.",
    "assessments": "Reviewers' verdicts on a claim.",
    "sources": "Sources linked to a claim, with their stance.",
    "adjudications": "The final verdict where reviewers disagree.",
    "comments": "A claim's discussion thread.",
    "assignments": "Who reviews what, and by when.",
    "queues": "Review queues: what waits for whom.",
    "agreement": "Inter-annotator agreement figures.",
    "exports": "Exports: streamed, or as jobs whose file is kept.",
    "releases": "Frozen dataset releases and their files.",
    "imports": "Bulk imports, as jobs with a report.",
    "notifications": "A person's notifications and their settings.",
    "webhooks": "A workspace's webhooks and their delivery log.",
    "search": "Search.",
}


def tag_of(path: str) -> str:
    """The resource a path is about: its last segment that names one, else its first segment."""
    segments = [
        part
        for part in path.removeprefix(API_PREFIX).strip("/").split("/")
        if part and not part.startswith("{")
    ]
    for segment in reversed(segments):
        if segment in TAG_OF_SEGMENT:
            return TAG_OF_SEGMENT[segment]
    return segments[0] if segments else "api"


def describe_tags(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the tags in use, in alphabetical order, each with what
    it holds."""
    used = {
        tag
        for path_item in result.get("paths", {}).values()
        for operation in path_item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    result["tags"] = [
        {"name": tag, **({"description": TAG_DESCRIPTIONS[tag]} if tag in TAG_DESCRIPTIONS else {})}
        for tag in sorted(used)
    ]
    return result


def _may_be_blank(field: serializers.URLField) -> bool:
    """Whether the field takes or gives "": allow_blank, or (read only, where DRF drops that
    flag) a model field with blank=True."""
    if field.allow_blank:
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if not field.read_only or model is None:
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


def _blank_default_refused(field: Any) -> bool:
    """A text field whose default is "" but which refuses "" when sent (`default=""` is then only
    what the view gets when the field is left out): "" is no default a client could give."""
    return (
        isinstance(field, serializers.CharField)
        and not field.read_only
        and field.default == ""
        and not field.allow_blank
    )


def _takes_version(serializer: Any) -> bool:
    """Whether a request body carries the `version` a client edited (an integer; a release's
    `version` is its name)."""
    instance = force_instance(serializer)  # type: ignore[no-untyped-call]
    if not isinstance(instance, serializers.Serializer):
        return False
    return isinstance(instance.fields.get("version"), serializers.IntegerField)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, with each operation's error answers and its resource's tag
    (see the module's doc), and addresses and defaults said as the fields take them:

    - a URLField with allow_blank is an http(s) address or "" (an article pasted without one, a
      desk without a website), where drf-spectacular would say only `format: uri`;
    - a text field's `default: ""` is left out where the field refuses "" (the schema would break
      its own `format`, `minLength` or `pattern`)."""

    def get_tags(self) -> list[str]:
        return [tag_of(self.path)]

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is not None:
            self._document_errors(operation)
        return operation

    def error_codes(self, operation: dict[str, Any]) -> set[str]:
        """The error statuses the operation may answer (see the module's doc)."""
        method = self.method.lower()
        has_body = "requestBody" in operation
        codes: set[str] = set()
        if any(not isinstance(check, AllowAny) for check in self.view.get_permissions()):
            codes |= {"401", "403"}
            if operation.get("parameters") or method in WRITES:
                codes.add("404")
        has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
        if has_query or has_body or method in WRITES:
            codes.add("400")
        if method in WRITES:
            codes.add("409")
        if has_body:
            codes |= {"413", "415"}
            if _takes_version(self.get_request_serializer()):
                codes |= {"412", "428"}
        if self.view.get_throttles():
            codes.add("429")
        return codes

    def _document_errors(self, operation: dict[str, Any]) -> None:
        self.registry.register_on_missing(
            ResolvedComponent(  # type: ignore[no-untyped-call]
                name=ERROR_SCHEMA_NAME,
                type=ResolvedComponent.SCHEMA,
                schema=ERROR_SCHEMA,
                object=ERROR_SCHEMA_NAME,
            )
        )
        body = {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}
        }
        responses: dict[str, Any] = operation["responses"]
        for code in self.error_codes(operation):
            responses.setdefault(code, {"description": REASONS[code]})
        for code, response in responses.items():
            # The view's own error answers, declared by their description: the Error body too.
            if code.startswith("4") and not response.get("content"):
                response["content"] = body
        operation["responses"] = dict(sorted(responses.items()))

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(  # type: ignore[no-untyped-call]
            field, direction, bypass_extensions
        )
        if _blank_default_refused(field):
            schema.pop("default", None)
        if not (isinstance(field, serializers.URLField) and _may_be_blank(field)):
            return schema
        if schema.get("format") != "uri":
            return schema
        address = {key: schema.pop(key) for key in ("type", "format", "maxLength") if key in schema}
        return {**schema, "anyOf": [address, {"type": "string", "maxLength": 0}]}
