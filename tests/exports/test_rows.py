from __future__ import annotations

import pytest

from annotations.exports.rows import (
    DEFAULT_SCALE,
    NOT_ENOUGH_INFO,
    REFUTES,
    SUPPORTS,
    ScaleLabel,
    default_fever_mapping,
    fever_label_for_value,
    rating_bounds,
    resolve_fever_mapping,
)
from tests.exports.factories import THREE_LABEL_SCALE, make_ctx


def test_it_maps_the_default_scale_to_fever_labels() -> None:
    assert default_fever_mapping(DEFAULT_SCALE) == {
        "false": REFUTES,
        "mostly-false": REFUTES,
        "half-true": NOT_ENOUGH_INFO,
        "mostly-true": SUPPORTS,
        "true": SUPPORTS,
        "unverifiable": NOT_ENOUGH_INFO,
    }


def test_it_maps_a_three_label_scale_by_its_midpoint() -> None:
    assert default_fever_mapping(THREE_LABEL_SCALE) == {
        "false": REFUTES,
        "misleading": NOT_ENOUGH_INFO,
        "true": SUPPORTS,
    }


def test_it_maps_an_even_scale_without_a_middle_label() -> None:
    scale = (
        ScaleLabel("false", "False", -1.5, 0),
        ScaleLabel("shaky", "Shaky", -0.5, 1),
        ScaleLabel("sound", "Sound", 0.5, 2),
        ScaleLabel("true", "True", 1.5, 3),
        ScaleLabel("satire", "Satire", None, 4),
    )
    assert default_fever_mapping(scale) == {
        "false": REFUTES,
        "shaky": REFUTES,
        "sound": SUPPORTS,
        "true": SUPPORTS,
        "satire": NOT_ENOUGH_INFO,
    }


def test_it_gives_not_enough_info_on_a_scale_without_a_range() -> None:
    assert fever_label_for_value(1.0, None) == NOT_ENOUGH_INFO
    assert fever_label_for_value(2.0, (2.0, 2.0)) == NOT_ENOUGH_INFO


def test_it_treats_a_float_midpoint_as_the_midpoint() -> None:
    assert fever_label_for_value(0.1 + 0.2, (0.0, 0.6)) == NOT_ENOUGH_INFO


def test_it_takes_rating_bounds_from_numeric_values_only() -> None:
    assert rating_bounds(DEFAULT_SCALE) == (1.0, 5.0)
    assert rating_bounds((ScaleLabel("x", "X", None, 0),)) is None


def test_it_lets_a_workspace_mapping_override_the_default() -> None:
    ctx = make_ctx(fever_mapping={"half-true": REFUTES})
    mapping = resolve_fever_mapping(ctx)
    assert mapping["half-true"] == REFUTES
    assert mapping["true"] == SUPPORTS


def test_it_rejects_a_mapping_to_an_unknown_label() -> None:
    with pytest.raises(ValueError, match="MAYBE"):
        resolve_fever_mapping(make_ctx(fever_mapping={"true": "MAYBE"}))


def test_it_builds_claim_urls_from_the_base_url() -> None:
    assert make_ctx(base_url="https://wb.example/").claim_url(5) == "https://wb.example/claims/5/"
