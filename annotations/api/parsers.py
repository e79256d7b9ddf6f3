"""The API's request parsers (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import QueryDict
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


def _not_text(field: str, encoding: str, position: int | None = None) -> ValidationError:
    if position is None:
        message = _(
            "This holds characters that could not be read as %(encoding)s (shown as �): send "
            "the text as %(encoding)s."
        ) % {"encoding": encoding.upper()}
    else:
        message = _(
            "This is not valid %(encoding)s text (byte %(position)d of the value cannot be "
            "read): send it as %(encoding)s."
        ) % {"encoding": encoding.upper(), "position": position + 1}
    return ValidationError({field: [message]})


class FormParser(parsers.FormParser):
    """DRF's form parser, for which a value that is not valid text in the request's encoding
    (UTF-8) is a 400 naming the field: Django would put U+FFFD in its place and the article
    would be saved with those characters lost."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = get_encoding(parser_context or {})
        body: bytes = stream.read()
        for pair in body.split(b"&"):
            raw_name, _equals, raw_value = pair.partition(b"=")
            try:
                unquote_to_bytes(raw_value.replace(b"+", b" ")).decode(encoding)
            except UnicodeDecodeError as exc:
                name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode(encoding, "replace")
                raise _not_text(name, encoding, exc.start) from None
        return QueryDict(body, encoding=encoding)


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
