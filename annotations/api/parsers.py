"""The API's request parsers: JSON (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES) for every write, and
multipart for a view that takes a file upload (it names its parsers)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import get_encoding  # type: ignore[attr-defined]


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, for which a body nested too deeply ([[[[...) is a 400 like any other
    malformed JSON: the decoder raises RecursionError there, which is no ValueError (a 500)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None


def _not_text(field: str, encoding: str) -> ValidationError:
    message = _(
        "This holds characters that could not be read as %(encoding)s (shown as �): send "
        "the text as %(encoding)s."
    ) % {"encoding": encoding.upper()}
    return ValidationError({field: [message]})


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, for which a field that Django could not read as text (it puts
    U+FFFD where the bytes were) is a 400 naming the field rather than text with characters
    lost. (A genuine U+FFFD is refused too: JSON carries it.)"""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        for name, values in parsed.data.lists():
            if any("\ufffd" in value for value in values if isinstance(value, str)):
                raise _not_text(name, get_encoding(parser_context or {}))
        return parsed
