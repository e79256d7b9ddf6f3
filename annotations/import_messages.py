"""The import parsers' problems in the reader's language.

The parsers (annotations.imports) import nothing from Django, so they cannot translate: each
``RecordError`` carries an English sentence (``message``, for the command's report and the logs),
a stable ``code`` and the ``params`` that sentence needs. ``describe`` words it here with gettext,
as annotations.services.imports does for a span's ``SpanProblem``. An error with a code this
module does not know, or without the params its sentence needs, keeps its English message: the
report never fails for want of a translation.

Params are numbers (a span's number, offsets, a column) or names from the file (a field's path,
a label). For ``not_json`` and ``not_json_document``, the JSON decoder's own (English,
technical) words stay in the English message; the sentence here words the ``reason`` the parser
recognised in them, or says only where the JSON breaks when it recognised none.
"""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from annotations.imports import RecordError


def _templates() -> dict[str, str]:
    """Each code's sentence, in the active language (built at each call: gettext, not lazy)."""
    return {
        # Reading a line or a JSON document (annotations.imports._json).
        "line_too_long": _("The line is too long (over %(size)s): one record must be smaller."),
        "not_utf8": _(
            "This is not UTF-8 text (byte %(byte)s at column %(column)s): save the file as UTF-8."
        ),
        "not_utf8_document": _("This is not UTF-8 text: save the file as UTF-8."),
        "not_json": _("This is not valid JSON: %(reason)s, at column %(column)s."),
        "not_json_at": _("This is not valid JSON at column %(column)s."),
        "not_json_document": _("This is not valid JSON: %(reason)s."),
        "not_json_unexplained": _("This is not valid JSON."),
        "json_cut_short": _(
            "This is not valid JSON: the file ends in the middle of a record (is it cut short?)."
        ),
        "json_trailing_text": _(
            "This is not valid JSON: there is more text after the end of the list."
        ),
        "too_deep": _("This cannot be read: the JSON is nested too deeply."),
        "not_object": _("This is not a JSON object ({...}) but %(kind)s."),
        "empty_file": _("The file is empty: there is nothing to import."),
        "not_json_list": _(
            "This is not a JSON document: it should start with [ (a list of records)."
        ),
        "single_object": _(
            "The file holds one JSON object; a list of records ([...]) is expected."
        ),
        # A span of doccano or Label Studio, numbered from 1 in the record.
        "span_not_integer": _("Span %(number)s has a start or end that is not a whole number."),
        "span_before_text": _("Span %(number)s starts before the text begins (at %(start)s)."),
        "span_end_before_start": _(
            "Span %(number)s has its end before its start (%(start)s to %(end)s)."
        ),
        "span_empty": _("Span %(number)s is empty (it starts and ends at %(start)s)."),
        "span_past_end": _(
            "Span %(number)s ends at %(end)s, after the end of the text (%(length)s characters)."
        ),
        "span_no_tag": _("Span %(number)s has no tag."),
        # A Web Annotation's one position.
        "position_not_integer": _("The position has a start or end that is not a whole number."),
        "position_before_text": _("The position starts before the text begins (at %(start)s)."),
        "position_end_before_start": _(
            "The position has its end before its start (%(start)s to %(end)s)."
        ),
        "position_empty": _("The position is empty (it starts and ends at %(start)s)."),
        "position_past_end": _(
            "The position ends at %(end)s, after the end of the text (%(length)s characters)."
        ),
        # doccano.
        "doccano_no_text": _('No text: a doccano line needs its document under "text".'),
        "doccano_text_not_string": _(
            '"text" is not a piece of text: a doccano line needs its document under "text".'
        ),
        "doccano_spans_not_list": _('"%(field)s" should be a list of spans [start, end, "tag"].'),
        "doccano_categories": _(
            '"%(field)s" holds categories, not spans: this looks like a text-classification '
            "export; export a sequence-labelling project."
        ),
        "doccano_span_not_triple": _('Span %(number)s is not [start, end, "tag"].'),
        # FEVER.
        "fever_no_claim": _('No claim: a FEVER line needs its claim under "claim".'),
        "fever_unknown_label": _(
            'The label "%(label)s" is not one of FEVER\'s: SUPPORTS, REFUTES, NOT ENOUGH INFO.'
        ),
        "fever_evidence_not_list": _("The evidence should be a list of evidence sets."),
        # Label Studio.
        "labelstudio_not_task": _(
            "This is not a Label Studio task (an object with data and annotations)."
        ),
        "labelstudio_no_data": _(
            'No "data": this is not a task of Label Studio\'s JSON export (the JSON-MIN and CSV '
            "exports cannot be imported)."
        ),
        "labelstudio_no_text": _("The task's data holds no text."),
        "labelstudio_annotations_not_list": _('"annotations" should be a list.'),
        "labelstudio_annotation_not_object": _("Annotation %(number)s is not an object."),
        "labelstudio_result_not_list": _("Annotation %(number)s has a result that is not a list."),
        "labelstudio_span_in_html": _(
            "Span %(number)s is placed in HTML (HyperText), which cannot be imported; "
            "use a Text tag."
        ),
        # W3C Web Annotation and Hypothesis.
        "not_annotation": _("This is not an annotation (a JSON object)."),
        "annotation_no_target": _("No target: the annotation does not say what it annotates."),
        "annotation_no_source": _(
            "No target source: there is no telling which article the annotation belongs to."
        ),
        "annotation_unplaceable": _(
            "No text position or quote: the annotation cannot be placed in the text "
            "(a page note or a reply?)."
        ),
        # The workbench's own JSON Lines: a field's path such as claims[0].start.
        "field_missing": _("%(name)s is missing."),
        "field_not_string": _("%(name)s must be a string."),
        "field_not_integer": _("%(name)s must be a whole number."),
        "field_not_number": _("%(name)s must be a number."),
        "field_not_list": _("%(name)s must be a list of objects."),
    }


def _kinds() -> dict[str, str]:
    """A JSON value's kind (``not_object``'s ``kind``), as the sentence says it."""
    return {
        "list": pgettext("a JSON value", "a list"),
        "text": pgettext("a JSON value", "a piece of text"),
        "boolean": pgettext("a JSON value", "true or false"),
        "number": pgettext("a JSON value", "a number"),
        "null": pgettext("a JSON value", "null"),
        "object": pgettext("a JSON value", "an object"),
    }


def _reasons() -> dict[str, str]:
    """What a JSON decoder found wrong (annotations.imports._json.decoder_reason), worded."""
    return {
        "value_expected": _("a value is missing or is not a JSON value"),
        "comma_missing": _("a comma is missing between two values"),
        "colon_missing": _("a colon is missing between a name and its value"),
        "name_not_quoted": _("a name must be written in double quotes"),
        "string_unclosed": _("a piece of text in quotes is not closed"),
        "control_character": _(
            "a tab or a line break is inside a piece of text in quotes (write it as \\t or \\n)"
        ),
        "bad_escape": _("a backslash (\\) starts an escape that JSON does not have"),
        "extra_data": _("there is more after the end of the record"),
        "trailing_comma": _("a comma comes just before the end of an object or a list"),
        "bad_number": _("a number is not written as JSON writes numbers"),
        "comment": _("JSON has no comments"),
        "bad_character": _(
            "a character is not allowed here (are the quotes straight double quotes?)"
        ),
    }


# A decoder's message nobody recognised: the sentence says only where, in the reader's language.
_UNEXPLAINED = {"not_json": "not_json_at", "not_json_document": "not_json_unexplained"}


def known_codes() -> frozenset[str]:
    """The codes ``describe`` words (the others keep their English message)."""
    return frozenset(_templates())


def _params(error: RecordError) -> dict[str, object]:
    """The error's params, with those worded here added: a value's kind, a size in bytes."""
    params = dict(error.params)
    kind = params.get("kind")
    if error.code == "not_object" and isinstance(kind, str):
        params["kind"] = _kinds()[kind]
    if error.code in _UNEXPLAINED:
        params["reason"] = _reasons().get(str(params.get("reason", "")), "")
    limit = params.get("limit")
    if error.code == "line_too_long" and isinstance(limit, int):
        params["size"] = str(filesizeformat(limit))
    return params


def describe(error: RecordError) -> str:
    """The error in the active language; its English ``message`` for a code not known here or
    params that do not fit the sentence. Never raises."""
    templates = _templates()
    template = templates.get(error.code)
    if template is None:
        return error.message
    try:
        params = _params(error)
        if error.code in _UNEXPLAINED and not params["reason"]:
            template = templates[_UNEXPLAINED[error.code]]
        return template % params
    except (KeyError, TypeError, ValueError):
        return error.message
