"""The API's JSON renderer (REST_FRAMEWORK's DEFAULT_RENDERER_CLASSES)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rest_framework import renderers
from rest_framework.utils import encoders


class JSONRenderer(renderers.JSONRenderer):
    """DRF's renderer (UTF-8, readable accents), which falls back to ASCII escapes when the data
    holds a lone surrogate (JSON may carry "\\ud800"; UTF-8 cannot): echoing such an input in an
    error must give the error, never a 500."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        try:
            rendered: bytes = super().render(data, accepted_media_type, renderer_context)
            return rendered
        except UnicodeEncodeError:
            return json.dumps(data, cls=encoders.JSONEncoder, ensure_ascii=True).encode("ascii")
