"""The query side of the exports (annotations.export_rows): the three streams merged claim by
claim whatever the chunk size, errors raised where the rows are read, nothing left open."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, transaction

from annotations.export_rows import (
    ALL_STATUSES,
    ExportFilters,
    assessment_rows,
    claim_rows,
    selected_claims,
    stream_chunks,
)
from annotations.models import Claim
from tests.export_desk import Desk

EVERY_CLAIM = ExportFilters(statuses=ALL_STATUSES)


@pytest.mark.parametrize("chunk_size", [1, 2, 3])
def test_it_merges_sources_and_adjudications_across_chunk_boundaries(
    desk: Desk, chunk_size: int
) -> None:
    claims = selected_claims(workspace_id=desk.workspace.pk, filters=EVERY_CLAIM)
    expected = list(claim_rows(claims))
    # Sources and adjudications arrive a row or two at a time, cut anywhere.
    assert list(claim_rows(claims, chunk_size=chunk_size)) == expected
    by_id = {row.claim_id: row for row in expected}
    assert [row.claim_id for row in expected] == sorted(by_id)
    assert len(by_id[desk.unemployment.pk].sources) == 3
    assert by_id[desk.unemployment.pk].adjudicator == "dave"
    assert by_id[desk.open.pk].sources == ()
    assert (by_id[desk.open.pk].adjudicator, by_id[desk.open.pk].reviewed_at) == ("", None)
    assessments = list(assessment_rows(claims, chunk_size=chunk_size))
    assert assessments == list(assessment_rows(claims))
    assert len(assessments) == 4


def test_it_raises_a_database_error_where_the_rows_are_read(desk: Desk) -> None:
    failing = Claim.objects.extra(where=["1 / (id - id) = 1"]).values_list("id")
    with pytest.raises(DatabaseError, match="division by zero"), transaction.atomic():
        list(stream_chunks(failing))
    assert not [t for t in threading.enumerate() if t.name == "export-fetch"]


def test_it_leaves_no_fetching_thread_behind_when_closed_early(desk: Desk) -> None:
    claims = selected_claims(workspace_id=desk.workspace.pk, filters=EVERY_CLAIM)
    rows = claim_rows(claims, chunk_size=1)
    next(rows)
    assert [t for t in threading.enumerate() if t.name == "export-fetch"]
    rows.close()
    assert not [t for t in threading.enumerate() if t.name == "export-fetch"]
