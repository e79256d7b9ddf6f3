"""The dispute rule on its own, and two reviewers saving their verdicts at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from annotations.models import Claim, Disagreement
from annotations.services.assessments import assessment_create
from annotations.services.disputes import verdicts_disagree


def rows(*verdicts: tuple[int, float | None]) -> list[tuple[str, int, str, float | None]]:
    return [(f"r{i}", pk, f"v{pk}", value) for i, (pk, value) in enumerate(verdicts)]


@pytest.mark.parametrize(
    ("verdicts", "distance", "expected"),
    [
        (rows((1, 5.0)), None, False),
        (rows((1, 5.0), (1, 5.0)), None, False),
        (rows((1, 5.0), (2, 4.0)), None, True),
        (rows((1, 5.0), (2, 4.0)), 1.0, False),  # exactly the distance: not further apart
        (rows((1, 5.0), (2, 4.0), (3, 3.0)), 1.0, True),  # 5 and 3
        (rows((1, 5.0), (6, None)), 100.0, True),
        (rows((6, None), (7, None)), 100.0, True),  # two different labels without values
        (rows((6, None), (6, None)), 0.0, False),
    ],
)
def test_it_decides_when_verdicts_disagree(
    verdicts: list[tuple[str, int, str, float | None]], distance: float | None, expected: bool
) -> None:
    assert verdicts_disagree(verdicts, distance=distance) is expected


@pytest.mark.django_db(transaction=True)
def test_it_disputes_a_claim_when_two_reviewers_disagree_at_the_same_moment(
    claim: Claim, bob: User, carol: User
) -> None:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def save(user: User, verdict: str) -> None:
        try:
            start.wait()
            assessment_create(user=user, claim=claim, verdict=verdict)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(bob, "true")),
        threading.Thread(target=save, args=(carol, "false")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Claim.objects.get(pk=claim.pk).status == "disputed"
    assert Disagreement.objects.filter(claim=claim, resolved_at__isnull=True).count() == 1
