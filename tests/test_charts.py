"""The SVG charts (annotations.charts): well-formed, escaped, accessible, without inline styles,
and right on the edge cases (no data, one point, gaps, negative agreement)."""

from __future__ import annotations

import ast
import itertools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import given

from annotations import charts
from annotations.charts import Reference, Series

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert("x")</script> & «Vérif»'


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (our own output, parsed to check it is well-formed)


def y_ticks(root: ET.Element) -> list[str]:
    """The y axis's labels, bottom first."""
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "axis axis-y")
    return [t.text or "" for t in axis.iter(f"{SVG}text")]


def area(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "chart_id": "status",
        "title": "Claims by status",
        "desc": "Stacked areas.",
        "x_labels": ["1 Mar", "2 Mar", "3 Mar"],
        "series": [Series("resolved", "Resolved", [0, 1, 2]), Series("open", "Open", [3, 2, 2])],
    }
    arguments.update(overrides)
    return charts.stacked_area_chart(**arguments)  # type: ignore[arg-type]


def lines(values: list[float | None], **overrides: object) -> str:
    arguments: dict[str, object] = {
        "chart_id": "alpha",
        "title": "Alpha by month",
        "desc": "Lines.",
        "x_labels": [f"M{i}" for i in range(len(values))],
        "series": [Series("nominal", "Nominal", values)],
        "references": [Reference(0.8, "0.8 reliable", "reliable"), Reference(0, "0", "chance")],
        "negative_label": "worse than chance",
    }
    arguments.update(overrides)
    return charts.line_chart(**arguments)  # type: ignore[arg-type]


def bars(labels: list[str], values: list[float], **overrides: object) -> str:
    arguments: dict[str, object] = {
        "chart_id": "work",
        "title": "Verdicts",
        "desc": "Bars.",
        "labels": labels,
        "values": values,
        "key": "verdicts",
    }
    arguments.update(overrides)
    return charts.bar_chart(**arguments)  # type: ignore[arg-type]


def every_chart() -> list[str]:
    return [
        area(),
        area(x_labels=[], series=[]),
        area(x_labels=["1 Mar"], series=[Series("open", "Open", [4])]),
        lines([0.5, None, -0.2, 0.9]),
        lines([]),
        lines([0.7]),
        bars(["bob", "carol"], [3, 5]),
        bars([], []),
    ]


# --- Every chart ----------------------------------------------------------------------------------


def test_it_draws_well_formed_accessible_svg_without_inline_styles() -> None:
    for markup in every_chart():
        root = parse(markup)
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        title_id, desc_id = (root.get("aria-labelledby") or "").split()
        title = root.find(f"{SVG}title")
        desc = root.find(f"{SVG}desc")
        assert title is not None and title.get("id") == title_id and title.text
        assert desc is not None and desc.get("id") == desc_id and desc.text
        assert root.get("viewBox")
        assert "style=" not in markup and "<style" not in markup
        assert "<script" not in markup


def test_it_escapes_every_label_it_is_given() -> None:
    drawn = [
        area(
            title=NASTY,
            desc=NASTY,
            x_labels=[NASTY, "b", "c"],
            series=[Series("open", NASTY, [1, 2, 3])],
        ),
        lines(
            [0.1, -0.4],
            title=NASTY,
            desc=NASTY,
            x_labels=[NASTY, NASTY],
            references=[Reference(0.8, NASTY, "reliable")],
            negative_label=NASTY,
            notes=[NASTY, ""],
            series=[Series("nominal", NASTY, [0.1, -0.4])],
        ),
        bars([NASTY], [2], title=NASTY, desc=NASTY),
        area(x_labels=[], series=[], empty_text=NASTY),
    ]
    for markup in drawn:
        assert "<script>" not in markup
        assert "&lt;script&gt;" in markup
        parse(markup)
        assert NASTY in "".join(parse(markup).itertext())


def test_it_keeps_ids_and_class_names_to_safe_characters() -> None:
    markup = area(chart_id='x" onload="alert(1)', series=[Series('a" b', "A", [1, 2, 3])])
    root = parse(markup)
    assert root.get("id") == "x--onload--alert-1-"
    assert "onload=" not in markup
    assert 'class="area series-a--b"' in markup


def test_it_writes_numbers_in_the_format_it_is_given() -> None:
    def french(value: float) -> str:
        return f"{value:.1f}".replace(".", ",")

    markup = lines([0.25, 0.75], number_format=french)
    assert y_ticks(parse(markup)) == ["0,0", "0,2", "0,4", "0,6", "0,8", "1,0"]
    assert "Nominal 0,2" in markup  # in the tooltip


# --- Stacked areas -------------------------------------------------------------------------------


def test_it_stacks_each_series_on_the_ones_below() -> None:
    root = parse(area(height=280))
    paths = {p.get("class"): p.get("d") or "" for p in root.iter(f"{SVG}path")}
    resolved, opened = paths["area series-resolved"], paths["area series-open"]
    # The open band's lower edge is the resolved band's upper edge.
    resolved_upper = resolved[1:].split(" L")[:3]
    opened_lower = opened[1:].rstrip(" Z").split(" L")[3:][::-1]
    assert resolved_upper == opened_lower
    # The top of the stack is the total (4 on the third day): the axis goes that far, in steps.
    assert y_ticks(root) == ["0", "1", "2", "3", "4"]


def test_it_reads_the_legend_top_to_bottom_like_the_stack() -> None:
    legend = re.search(r'<g class="legend">(.*?)</g>', area(), re.S)
    assert legend and legend.group(1).index("Open") < legend.group(1).index("Resolved")


def test_it_draws_one_day_as_a_band_across_the_chart() -> None:
    root = parse(area(x_labels=["1 Mar"], series=[Series("open", "Open", [4])]))
    path = next(root.iter(f"{SVG}path")).get("d") or ""
    xs = {float(point.split(",")[0]) for point in re.findall(r"[\d.]+,[\d.]+", path)}
    assert min(xs) == 48 and max(xs) == charts.WIDTH - 14
    assert "1 Mar: Open 4" in "".join(root.itertext())


def test_it_says_so_when_there_is_nothing_to_draw() -> None:
    markup = area(x_labels=[], series=[], empty_text="No claims yet.")
    assert "No claims yet." in markup and "<path" not in markup


def test_it_counts_in_whole_steps() -> None:
    root = parse(area(x_labels=["a"], series=[Series("open", "Open", [1])]))
    assert y_ticks(root) == ["0", "1"]


# --- Lines ---------------------------------------------------------------------------------------


def _markers(markup: str) -> list[ET.Element]:
    root = parse(markup)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "lines")
    return [e for e in group if "marker" in (e.get("class") or "")]


def _zero_y(markup: str) -> float:
    line = next(e for e in parse(markup).iter(f"{SVG}line") if e.get("class") == "ref ref-chance")
    return float(line.get("y1") or 0)


def test_it_draws_a_negative_alpha_below_zero_in_a_shaded_warning_band() -> None:
    markup = lines([0.6, -0.35])
    assert 'class="band-negative"' in markup and "worse than chance" in markup
    markers = _markers(markup)
    assert len(markers) == 2
    negative = [m for m in markers if "negative" in (m.get("class") or "")]
    assert len(negative) == 1
    y = float(negative[0].get("cy") or negative[0].get("y") or 0)
    assert y > _zero_y(markup)
    # The axis reaches down far enough to hold it.
    assert min(float(label) for label in y_ticks(parse(markup))) <= -0.35


def test_it_has_no_warning_band_when_every_figure_is_positive() -> None:
    markup = lines([0.6, 0.9])
    assert "band-negative" not in markup
    assert not any("negative" in (m.get("class") or "") for m in _markers(markup))


def test_it_breaks_a_line_where_a_month_has_no_figure() -> None:
    markup = lines([0.5, 0.6, None, 0.7, 0.8, None, 0.9])
    assert markup.count('<polyline class="line series-nominal"') == 2
    assert len(_markers(markup)) == 5
    assert "M2: Nominal \N{EN DASH}" in markup


def test_it_marks_a_single_month_with_a_point_and_no_line() -> None:
    markup = lines([0.42], notes=["12 claims"])
    assert "<polyline" not in markup
    assert len(_markers(markup)) == 1
    assert "M0: Nominal 0.42 (12 claims)" in markup


def test_it_says_so_when_no_month_has_a_figure() -> None:
    for values in ([], [None, None], [math.nan]):
        markup = lines(values, empty_text="No figure yet.")  # type: ignore[arg-type]
        assert "No figure yet." in markup and "<polyline" not in markup


def test_it_tells_series_apart_by_more_than_colour() -> None:
    markup = lines(
        [0.5, 0.6],
        series=[Series("nominal", "Nominal", [0.5, 0.6]), Series("ordinal", "Ordinal", [0.4, 0.7])],
    )
    shapes = {m.tag for m in _markers(markup)}
    assert shapes == {f"{SVG}circle", f"{SVG}rect"}


# --- Bars ----------------------------------------------------------------------------------------


def test_it_draws_bars_in_proportion_with_their_values() -> None:
    root = parse(bars(["bob", "carol", "dave"], [10, 5, 0]))
    widths = [
        float(r.get("width") or 0)
        for r in root.iter(f"{SVG}rect")
        if "bar " in (r.get("class") or "")
    ]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    assert "carol: 5" in "".join(root.itertext())


def test_it_shortens_long_names_and_keeps_them_whole_in_the_tooltip() -> None:
    name = "a-reviewer-with-a-remarkably-long-username"
    markup = bars([name], [3])
    assert f"{name[:27]}…" in markup
    assert f"<title>{name}: 3</title>" in markup


# --- Helpers -------------------------------------------------------------------------------------


def test_it_reads_agreement_as_krippendorff_does() -> None:
    assert charts.agreement_band(1.0) == "reliable"
    assert charts.agreement_band(0.8) == "reliable"
    assert charts.agreement_band(0.79) == "tentative"
    assert charts.agreement_band(0.667) == "tentative"
    assert charts.agreement_band(0.5) == "unreliable"
    assert charts.agreement_band(0.0) == "unreliable"
    assert charts.agreement_band(-0.01) == "negative"
    assert charts.agreement_band(None) == "none"
    assert charts.agreement_band(math.nan) == "none"


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=2, max_value=15))
def test_it_labels_the_last_point_and_evenly_spaced_ones(n: int, most: int) -> None:
    indices = charts.tick_indices(n, most)
    assert len(indices) <= max(most, 0) or n <= most
    assert indices == sorted(set(indices))
    if n:
        assert indices[-1] == n - 1 and indices[0] >= 0
        gaps = {b - a for a, b in itertools.pairwise(indices)}
        assert len(gaps) <= 1


@given(
    st.floats(min_value=-5, max_value=5, allow_nan=False),
    st.floats(min_value=0.001, max_value=1000, allow_nan=False),
)
def test_its_ticks_cover_the_range_in_round_steps(low: float, span: float) -> None:
    ticks = charts.nice_ticks(low, low + span)
    # (a bound within a billionth of a step of a round value is that value)
    assert ticks[0] <= low + 1e-6 and ticks[-1] >= low + span - 1e-6
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    mantissa = steps.pop() / 10 ** math.floor(math.log10(ticks[1] - ticks[0]))
    assert round(mantissa, 6) in (1, 2, 5, 10)


def test_it_imports_nothing_from_django() -> None:
    # Until import-linter's contract lists the module, this keeps it pure.
    tree = ast.parse(Path(charts.__file__).read_text(encoding="utf-8"))
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules.append(node.module or "")
    assert not [name for name in modules if name.split(".")[0] in ("django", "annotations")]
