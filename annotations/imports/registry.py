"""The import formats by name, each with its parser and a line for the pages. No Django imports.

The project's own ``jsonl`` and the ClaimReview import are added where they are written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from annotations.imports import ImportOptions, Parsed, doccano, fever, labelstudio, webannotation

Parser = Callable[[BinaryIO, ImportOptions], Iterator[Parsed]]

PARSERS: dict[str, Parser] = {
    "doccano": doccano.parse,
    "labelstudio": labelstudio.parse,
    "webannotation": webannotation.parse,
    "fever": fever.parse,
}

DESCRIPTIONS: dict[str, str] = {
    "doccano": "doccano JSONL export of a sequence-labelling project: every span becomes a claim",
    "labelstudio": "Label Studio JSON export of text tasks: spans by several annotators",
    "webannotation": "W3C Web Annotations or Hypothesis annotations, attached to articles by URL",
    "fever": "FEVER claims (JSONL): each becomes a one-sentence article with its label",
}
