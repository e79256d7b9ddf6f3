"""The OpenAPI schema's error answers, documented once for every operation.

drf-spectacular documents the answers a view declares, which are its successes. The errors come
from shared code (annotations.api.errors, access, versioning, parsers), the same for every route,
so they are added here to each operation, as what they are: a JSON object, either
`{"detail": "..."}` or the fields with what is wrong with each (`{"verdict": ["..."]}`), with
extra keys where a conflict points at the existing row or a stale write at the current version.

Which ones an operation gets (`error_codes`): every operation may be refused (401 signed out,
403 role too low, 404 not found or not yours, 429 too many requests); one with a query or a body
may get 400; a write may also get 409 (a conflict with the data), 412 (a stale version), 413 (a
body too large) and 428 (a version missing).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from rest_framework import serializers

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
    "428": "Give the version you read (If-Match or `version`).",
    "429": "Too many requests: wait, then try again.",
}


def error_codes(method: str, operation: dict[str, Any]) -> list[str]:
    """The error statuses an operation may answer (see the module's doc)."""
    codes = ["401", "403", "404", "429"]
    if operation.get("parameters") or "requestBody" in operation or method in WRITES:
        codes.append("400")
    if method in WRITES:
        codes += ["409", "412", "413", "428"]
    return sorted(codes)


def document_errors(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: each operation's error answers, with the Error body,
    where the view did not document that status itself."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_SCHEMA_NAME, ERROR_SCHEMA)
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in error_codes(method, operation):
                responses.setdefault(code, {"description": REASONS[code], "content": body})
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


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, with an address that may be left empty said as such: a
    URLField with allow_blank is an http(s) address or "" (an article pasted without one, a desk
    without a website), where drf-spectacular would say only `format: uri`."""

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(  # type: ignore[no-untyped-call]
            field, direction, bypass_extensions
        )
        if not (isinstance(field, serializers.URLField) and _may_be_blank(field)):
            return schema
        if schema.get("format") != "uri":
            return schema
        address = {key: schema.pop(key) for key in ("type", "format", "maxLength") if key in schema}
        return {**schema, "anyOf": [address, {"type": "string", "maxLength": 0}]}
