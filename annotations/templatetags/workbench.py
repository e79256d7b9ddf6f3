"""Template filters of the workbench's pages."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# What json_script escapes, so that the data can never close the element or open a comment.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(value: Any) -> SafeString:
    """A schema.org document as `<script type="application/ld+json">`: a data block, never run,
    which the Content-Security-Policy allows (json_script's type cannot be set)."""
    data = json.dumps(value, ensure_ascii=False, sort_keys=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{data}</script>')  # noqa: S308
