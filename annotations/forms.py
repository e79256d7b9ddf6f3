"""The add-article form: paste a text, upload an .html or .txt file, or give a URL."""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotations.importing import UndecodableFile, decoded_file

logger = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt",)
# A file may hold markup or a multi-byte encoding: allow a few bytes per character of text.
BYTES_PER_CHAR = 4
# How long an uploaded file is kept on the server for "Import it anyway" (seconds).
KEPT_UPLOAD_SECONDS = 60 * 60
_KEPT_UPLOAD_KEY = "article-upload:{user}:{token}"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def decode_upload(data: bytes, *, html: bool) -> str:
    """Text of an uploaded file: in the encoding its byte order mark gives (UTF-8, UTF-16), else
    UTF-8, else for an HTML file the charset its <meta> declares (importing.decoded_file). Anything
    else is a form error saying what is wrong, never a guess: a Windows-1252 export read as such
    without saying so would turn every other encoding into mojibake."""
    try:
        return decoded_file(data, html=html)
    except UndecodableFile as problem:
        raise forms.ValidationError(_encoding_problem(problem)) from None


def _encoding_problem(problem: UndecodableFile) -> str:
    position = problem.position + 1  # as a person counts bytes
    if problem.code == "bom":
        return gettext(
            "The file starts with a %(encoding)s byte order mark but is not valid %(encoding)s "
            "(byte %(position)d). Save it again as UTF-8."
        ) % {"encoding": problem.encoding.upper(), "position": position}
    if problem.code == "unknown":
        return gettext(
            "The file declares the encoding “%(encoding)s”, which is not one we know. Save it as "
            "UTF-8."
        ) % {"encoding": problem.encoding}
    if problem.code == "declared":
        return gettext(
            "The file is not valid %(encoding)s, the encoding it declares (byte %(position)d). "
            "Save it as UTF-8."
        ) % {"encoding": problem.encoding, "position": position}
    if problem.code == "nul":
        return gettext(
            "The file holds NUL characters: it may be UTF-16 without a byte order mark, or not "
            "text at all. Save it as UTF-8."
        )
    return gettext(
        "The file is not UTF-8 (byte %(position)d cannot be read as UTF-8) and declares no "
        "other encoding. Save it as UTF-8, or for an HTML file declare its encoding with "
        "<meta charset>."
    ) % {"position": position}


def keep_upload(*, user_id: int, kind: str, content: str, name: str) -> str | None:
    """Keep an uploaded file's decoded content on the server (the cache) for a while, for this
    user only; the token to find it again, or None when the cache cannot take it."""
    token = secrets.token_urlsafe(24)
    key = _KEPT_UPLOAD_KEY.format(user=user_id, token=token)
    try:
        cache.set(key, {"kind": kind, "content": content, "name": name}, KEPT_UPLOAD_SECONDS)
    except Exception:
        logger.exception("could not keep an uploaded file in the cache")
        return None
    return token


def kept_upload(*, user_id: int, token: str) -> dict[str, str] | None:
    """The file kept under `token` for this user; None when expired, unknown or someone else's."""
    if not _TOKEN.fullmatch(token):
        return None
    try:
        kept = cache.get(_KEPT_UPLOAD_KEY.format(user=user_id, token=token))
    except Exception:
        logger.exception("could not read an uploaded file back from the cache")
        return None
    return kept if isinstance(kept, dict) else None


def forget_upload(*, user_id: int, token: str) -> None:
    """Drop a kept file once it is imported."""
    try:
        cache.delete(_KEPT_UPLOAD_KEY.format(user=user_id, token=token))
    except Exception:
        logger.exception("could not drop an uploaded file from the cache")


class ArticleAddForm(forms.Form):
    text = forms.CharField(
        label=_("Paste the text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    file = forms.FileField(
        label=_("or upload a file (.html, .htm or .txt)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".html,.htm,.txt,text/html,text/plain"}),
    )
    url = forms.URLField(
        label=_("or give its URL (a worker fetches it)"),
        required=False,
        max_length=2000,
        assume_scheme="https",
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=500)
    publisher = forms.CharField(label=_("Publisher"), required=False, max_length=200)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Detect")), ("fr", _("French")), ("en", _("English"))],
    )
    # After "the same text is already here", an uploaded file stays on the server for a while
    # (`keep_upload`) and the page carries its token and name, so that "Import it anyway" does
    # not ask for the file a second time (nor post it again).
    carried = forms.CharField(required=False, widget=forms.HiddenInput)
    carried_name = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)
    import_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id = user_id
        # The kept file behind `carried`, once the form is valid.
        self.kept: dict[str, str] | None = None
        # The uploaded file's text, once clean_file has decoded it.
        self.decoded = ""

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if upload is None:
            return None
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in HTML_SUFFIXES + TEXT_SUFFIXES:
            raise forms.ValidationError(_("Upload an .html, .htm or .txt file."))
        if (upload.size or 0) > settings.ARTICLE_MAX_CHARS * BYTES_PER_CHAR:
            raise forms.ValidationError(_("The file is too large."))
        self.decoded = decode_upload(upload.read(), html=suffix in HTML_SUFFIXES)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        token = data.get("carried")
        if token and not data.get("file"):
            self.kept = kept_upload(user_id=self.user_id, token=token)
            if self.kept is None:
                data["carried"] = ""
                self.add_error(
                    "file",
                    _(
                        "The file you chose before is no longer kept (it is kept for an hour): "
                        "choose it again."
                    ),
                )
                return data
        elif token:
            # A file chosen anew replaces the one kept.
            data["carried"] = ""
        given = {name for name in ("text", "file", "url", "carried") if data.get(name)}
        if "carried" in given:
            given = (given - {"carried"}) | {"file"}
        if not given and not self.errors:
            raise forms.ValidationError(
                _("Paste the article's text, upload a file, or give its URL.")
            )
        if {"text", "file"} <= given:
            raise forms.ValidationError(_("Paste a text or upload a file, not both."))
        # A URL given with a text or a file is kept as the article's address, not fetched.
        return data

    def article_fields(self) -> dict[str, Any]:
        """The keyword arguments for annotations.services.articles.article_create."""
        data = self.cleaned_data
        fields: dict[str, Any] = {
            key: data[key] for key in ("title", "publisher", "language", "url") if data.get(key)
        }
        upload: UploadedFile | None = data.get("file")
        if upload is not None:
            content = self.decoded
            is_html = PurePath(upload.name or "").suffix.lower() in HTML_SUFFIXES
            fields["html" if is_html else "text"] = content
            fields["file_name"] = upload.name or ""
        elif self.kept is not None:
            fields["html" if self.kept.get("kind") == "html" else "text"] = self.kept["content"]
            fields["file_name"] = self.kept.get("name", "")
        elif data.get("text"):
            fields["text"] = data["text"]
        if data.get("import_anyway"):
            fields["allow_duplicate"] = True
        return fields
