"""Charts drawn on the server as SVG strings: no script, no CDN, nothing to load.

Pure functions (no Django): they take numbers and labels already translated and formatted by the
caller, and return the markup of one `<svg>` element to place in a page. Every label is escaped.
Each chart is an image for assistive technologies (`role="img"`, labelled by its `<title>` and
`<desc>`); the page puts the same numbers in a table beside it. There is no inline `style`
attribute (the Content-Security-Policy forbids inline styles): colours come from classes that the
page's stylesheet fills (`series-<key>`, `ref-<kind>`, `band-negative`...), sizes from
presentation attributes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

NumberFormat = Callable[[float], str]

WIDTH = 720
FONT_SIZE = 12
# Krippendorff's guidance for alpha (and how kappa is read the same way): from 0.8 the data are
# reliable; from 0.667 they allow tentative conclusions; below that they are unreliable.
RELIABLE = 0.8
TENTATIVE = 0.667
NO_FIGURE = "\N{EN DASH}"
# About how wide a character of the 12 px labels is, to place and size them without a browser.
CHAR_WIDTH = 7.0


@dataclass(frozen=True, slots=True)
class Series:
    """One series: `key` names its colour class (`series-<key>`), `label` is what readers see;
    `values` has one entry per x label (None: no figure there, for lines)."""

    key: str
    label: str
    values: Sequence[float | None]


@dataclass(frozen=True, slots=True)
class Reference:
    """A horizontal line across a chart, with its label (a threshold, the zero of chance)."""

    value: float
    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class Frame:
    """The plotting area inside the SVG's box."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def plain_number(value: float) -> str:
    """The default number format: integers without a decimal part, others to 3 places."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def agreement_band(value: float | None) -> str:
    """Where an alpha or kappa stands on Krippendorff's scale: `reliable`, `tentative`,
    `unreliable`, `negative` (worse than chance) or `none` (no figure)."""
    if value is None or math.isnan(value):
        return "none"
    if value >= RELIABLE:
        return "reliable"
    if value >= TENTATIVE:
        return "tentative"
    if value >= 0:
        return "unreliable"
    return "negative"


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` intervals over `span`."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, ticks)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover (the loop always returns)


def nice_ticks(low: float, high: float, ticks: int = 5, *, whole: bool = False) -> list[float]:
    """Round tick values covering [low, high] (low and high rounded outwards to the step);
    `whole`: steps of 1 at least, for counts."""
    if high <= low:
        high = low + 1
    step = nice_step(high - low, ticks)
    if whole:
        step = max(1.0, step)
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    count = round((stop - start) / step)
    return [round(start + i * step, 10) for i in range(count + 1)]


def tick_indices(n: int, most: int = 6) -> list[int]:
    """Which of n x positions get a label: at most `most`, evenly spaced, counted back from the
    last (the latest point is always labelled)."""
    if n <= 0:
        return []
    if n <= most:
        return list(range(n))
    stride = math.ceil((n - 1) / (most - 1))
    return list(range(n - 1, -1, -stride))[::-1]


# --- Markup helpers --------------------------------------------------------------------------------


def _text(value: str) -> str:
    return escape(value)


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _key(value: str) -> str:
    """A class or id fragment: letters, digits, dashes and underscores only."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", value) or "x"


def _num(value: float) -> str:
    """A coordinate, short: 2 decimals at most."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open(chart_id: str, kind: str, size: tuple[float, float], title: str, desc: str) -> list[str]:
    ident = _key(chart_id)
    width, height = _num(size[0]), _num(size[1])
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" id="{ident}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{ident}-title">{_text(title)}</title>',
        f'<desc id="{ident}-desc">{_text(desc)}</desc>',
    ]


def _label(x: float, y: float, text: str, *, anchor: str = "middle", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{klass}>{_text(text)}</text>'


def _empty(parts: list[str], frame: Frame, message: str) -> str:
    parts.append(
        f'<rect class="frame" x="{_num(frame.left)}" y="{_num(frame.top)}" '
        f'width="{_num(frame.width)}" height="{_num(frame.height)}" fill="none"/>'
    )
    parts.append(
        _label(
            frame.left + frame.width / 2, frame.top + frame.height / 2, message, cls="empty-note"
        )
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(series: Sequence[Series], *, y: float, left: float, marker: str) -> list[str]:
    """A row of swatches and labels (widths estimated: about 7 px a character at 12 px)."""
    parts = ['<g class="legend">']
    x = left
    for one in series:
        key = _key(one.key)
        if marker == "line":
            parts.append(
                f'<line class="line series-{key}" x1="{_num(x)}" y1="{_num(y - 4)}" '
                f'x2="{_num(x + 18)}" y2="{_num(y - 4)}" stroke-width="2.5"/>'
            )
            parts.append(_marker(one.key, x + 9, y - 4))
            width = 24.0
        else:
            parts.append(
                f'<rect class="swatch series-{key}" x="{_num(x)}" y="{_num(y - 10)}" '
                f'width="12" height="12" rx="2"/>'
            )
            width = 17.0
        parts.append(_label(x + width, y, one.label, anchor="start"))
        x += width + CHAR_WIDTH * len(one.label) + 18
    parts.append("</g>")
    return parts


def _marker(key: str, x: float, y: float, *, extra: str = "") -> str:
    """A point marker; the shape alternates by series so that colour is not the only cue."""
    cls = f"marker series-{_key(key)}{extra}"
    if sum(map(ord, key)) % 2:
        return f'<rect class="{cls}" x="{_num(x - 4)}" y="{_num(y - 4)}" width="8" height="8"/>'
    return f'<circle class="{cls}" cx="{_num(x)}" cy="{_num(y)}" r="4.5"/>'


def _y_axis(
    ticks: Sequence[float], frame: Frame, scale: Callable[[float], float], fmt: NumberFormat
) -> list[str]:
    parts = ['<g class="axis axis-y">']
    for tick in ticks:
        y = scale(tick)
        parts.append(
            f'<line class="grid" x1="{_num(frame.left)}" y1="{_num(y)}" '
            f'x2="{_num(frame.right)}" y2="{_num(y)}"/>'
        )
        parts.append(_label(frame.left - 6, y + 4, fmt(tick), anchor="end"))
    parts.append("</g>")
    return parts


def _x_axis(labels: Sequence[str], xs: Sequence[float], frame: Frame, width: float) -> list[str]:
    """Ticks and labels under the frame: as many as fit (about 90 px each), a label near an edge
    of the picture aligned so that it stays inside."""
    parts = [
        '<g class="axis axis-x">',
        f'<line class="baseline" x1="{_num(frame.left)}" y1="{_num(frame.bottom)}" '
        f'x2="{_num(frame.right)}" y2="{_num(frame.bottom)}"/>',
    ]
    for i in tick_indices(len(labels), most=max(2, int(frame.width // 90))):
        half = CHAR_WIDTH * len(labels[i]) / 2
        anchor = "middle"
        if xs[i] - half < 2:
            anchor = "start"
        elif xs[i] + half > width - 2:
            anchor = "end"
        parts.append(
            f'<line class="tick" x1="{_num(xs[i])}" y1="{_num(frame.bottom)}" '
            f'x2="{_num(xs[i])}" y2="{_num(frame.bottom + 4)}"/>'
        )
        parts.append(_label(xs[i], frame.bottom + 17, labels[i], anchor=anchor))
    parts.append("</g>")
    return parts


def _x_positions(n: int, frame: Frame, *, inset: float = 0) -> list[float]:
    """x of n points spread over the frame; a single point sits in the middle."""
    if n == 1:
        return [frame.left + frame.width / 2]
    usable = frame.width - 2 * inset
    return [frame.left + inset + usable * i / (n - 1) for i in range(n)]


def _hover_columns(
    xs: Sequence[float], frame: Frame, titles: Sequence[str], *, full: bool = False
) -> list[str]:
    """Transparent columns, one per x, each with a tooltip naming every figure at that x."""
    parts = ['<g class="hover">']
    n = len(xs)
    for i, x in enumerate(xs):
        if full or n == 1:
            left, right = frame.left, frame.right
        else:
            left = frame.left if i == 0 else (xs[i - 1] + x) / 2
            right = frame.right if i == n - 1 else (x + xs[i + 1]) / 2
        parts.append(
            f'<rect x="{_num(left)}" y="{_num(frame.top)}" width="{_num(max(1.0, right - left))}" '
            f'height="{_num(frame.height)}" fill="transparent"><title>{_text(titles[i])}</title>'
            "</rect>"
        )
    parts.append("</g>")
    return parts


# --- Stacked areas -------------------------------------------------------------------------------


def stacked_area_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    empty_text: str = "No data",
    number_format: NumberFormat = plain_number,
    width: float = WIDTH,
    height: float = 280,
) -> str:
    """Series stacked one on the other over time (the first at the bottom), e.g. claims by
    status per day. Missing values count as 0. One point is drawn as a flat band across."""
    frame = Frame(left=48, top=38, right=width - 14, bottom=height - 30)
    parts = _open(chart_id, "area", (width, height), title, desc)
    n = len(x_labels)
    if n == 0 or not series:
        return _empty(parts, frame, empty_text)
    columns = [
        [float(one.values[i] or 0) if i < len(one.values) else 0.0 for i in range(n)]
        for one in series
    ]
    totals = [sum(column[i] for column in columns) for i in range(n)]
    ticks = nice_ticks(0, max(*totals, 1), 4, whole=True)
    top = ticks[-1]

    def y_of(value: float) -> float:
        return frame.bottom - value / top * frame.height

    # The legend reads top to bottom, as the bands are stacked.
    parts += _legend(list(reversed(series)), y=18, left=frame.left, marker="swatch")
    parts += _y_axis(ticks, frame, y_of, number_format)
    xs = [frame.left, frame.right] if n == 1 else _x_positions(n, frame)
    below = [0.0] * len(xs)
    parts.append('<g class="areas">')
    for one, column in zip(series, columns, strict=True):
        values = column * 2 if n == 1 else column
        above = [b + v for b, v in zip(below, values, strict=True)]
        upper = [f"{_num(x)},{_num(y_of(v))}" for x, v in zip(xs, above, strict=True)]
        lower = [f"{_num(x)},{_num(y_of(v))}" for x, v in zip(xs, below, strict=True)]
        key = _key(one.key)
        parts.append(
            f'<path class="area series-{key}" d="M{" L".join(upper)} L{" L".join(reversed(lower))} Z"/>'
        )
        parts.append(
            f'<polyline class="edge series-{key}" points="{" ".join(upper)}" fill="none"/>'
        )
        below = above
    parts.append("</g>")
    label_xs = [frame.left + frame.width / 2] if n == 1 else xs
    parts += _x_axis(x_labels, label_xs, frame, width)
    titles = [
        f"{x_labels[i]}: "
        + ", ".join(f"{one.label} {number_format(columns[k][i])}" for k, one in enumerate(series))
        for i in range(n)
    ]
    parts += _hover_columns(label_xs, frame, titles, full=n == 1)
    parts.append("</svg>")
    return "\n".join(parts)


# --- Lines ---------------------------------------------------------------------------------------


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    references: Sequence[Reference] = (),
    y_range: tuple[float, float] = (0.0, 1.0),
    negative_label: str = "",
    notes: Sequence[str] = (),
    empty_text: str = "No data",
    number_format: NumberFormat = plain_number,
    width: float = WIDTH,
    height: float = 260,
) -> str:
    """Lines over time with gaps where a value is None, e.g. alpha per month. The y range grows
    to take in every value; below zero the chart is shaded (`band-negative`, with
    `negative_label`) and negative points carry the class `negative`. `notes` (one per x) are
    added to each x's tooltip (how many claims a figure rests on)."""
    frame = Frame(left=48, top=38, right=width - 110, bottom=height - 30)
    parts = _open(chart_id, "line", (width, height), title, desc)
    n = len(x_labels)
    values = [v for one in series for v in one.values if v is not None and math.isfinite(v)]
    if n == 0 or not values:
        return _empty(parts, frame, empty_text)
    low = min(y_range[0], *values, *(r.value for r in references))
    high = max(y_range[1], *values, *(r.value for r in references))
    ticks = nice_ticks(low, high, 5)
    bottom, top = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return frame.bottom - (value - bottom) / (top - bottom) * frame.height

    parts += _legend(series, y=18, left=frame.left, marker="line")
    if bottom < 0:
        parts += _negative_band(frame, y_of(0), negative_label)
    parts += _y_axis(ticks, frame, y_of, number_format)
    parts += _references(references, frame, y_of)
    xs = _x_positions(n, frame, inset=12)
    parts.append('<g class="lines">')
    for one in series:
        parts += _line(one, [(x, _value_at(one, i)) for i, x in enumerate(xs)], y_of)
    parts.append("</g>")
    parts += _x_axis(x_labels, xs, frame, width)
    titles = []
    for i in range(n):
        figures = ", ".join(
            f"{one.label} {_shown(_value_at(one, i), number_format)}" for one in series
        )
        note = f" ({notes[i]})" if i < len(notes) and notes[i] else ""
        titles.append(f"{x_labels[i]}: {figures}{note}")
    parts += _hover_columns(xs, frame, titles)
    parts.append("</svg>")
    return "\n".join(parts)


def _value_at(series: Series, i: int) -> float | None:
    """The series' value at x index i, None when missing or not a number."""
    value = series.values[i] if i < len(series.values) else None
    return value if value is not None and math.isfinite(value) else None


def _shown(value: float | None, number_format: NumberFormat) -> str:
    return NO_FIGURE if value is None else number_format(value)


def _negative_band(frame: Frame, zero: float, label: str) -> list[str]:
    """The shaded zone below zero, where the figures say worse than chance."""
    parts = [
        f'<rect class="band-negative" x="{_num(frame.left)}" y="{_num(zero)}" '
        f'width="{_num(frame.width)}" height="{_num(frame.bottom - zero)}"/>'
    ]
    if label:
        parts.append(
            _label(frame.left + 6, frame.bottom - 6, label, anchor="start", cls="band-label")
        )
    return parts


def _references(
    references: Sequence[Reference], frame: Frame, y_of: Callable[[float], float]
) -> list[str]:
    parts = ['<g class="references">']
    for ref in references:
        y = y_of(ref.value)
        kind = _key(ref.kind)
        parts.append(
            f'<line class="ref ref-{kind}" x1="{_num(frame.left)}" y1="{_num(y)}" '
            f'x2="{_num(frame.right)}" y2="{_num(y)}"/>'
        )
        parts.append(
            _label(frame.right + 6, y + 4, ref.label, anchor="start", cls=f"ref-label ref-{kind}")
        )
    parts.append("</g>")
    return parts


def _line(
    series: Series, points: Sequence[tuple[float, float | None]], y_of: Callable[[float], float]
) -> list[str]:
    """One series: a polyline per run of consecutive values, and a marker on every value."""
    key = _key(series.key)
    parts: list[str] = []
    run: list[str] = []
    for x, value in [*points, (0.0, None)]:
        if value is not None:
            run.append(f"{_num(x)},{_num(y_of(value))}")
            continue
        if len(run) > 1:
            parts.append(
                f'<polyline class="line series-{key}" points="{" ".join(run)}" '
                'fill="none" stroke-width="2.5"/>'
            )
        run = []
    for x, value in points:
        if value is not None:
            extra = " negative" if value < 0 else ""
            parts.append(_marker(series.key, x, y_of(value), extra=extra))
    return parts


# --- Horizontal bars -----------------------------------------------------------------------------


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    values: Sequence[float],
    key: str = "bar",
    empty_text: str = "No data",
    number_format: NumberFormat = plain_number,
    row_height: float = 26,
    whole: bool = True,
    width: float = WIDTH,
) -> str:
    """One horizontal bar per label (e.g. verdicts per reviewer), longest scale first as given,
    with its value at the end of the bar. Labels longer than 28 characters are shortened."""
    shown = [label if len(label) <= 28 else label[:27] + "…" for label in labels]
    label_width = min(220.0, max(60.0, CHAR_WIDTH * max((len(s) for s in shown), default=0) + 12))
    n = len(labels)
    height = 30 + max(1, n) * row_height + 26
    frame = Frame(left=label_width, top=12, right=width - 56, bottom=height - 26)
    parts = _open(chart_id, "bar", (width, height), title, desc)
    if n == 0:
        return _empty(parts, frame, empty_text)
    ticks = nice_ticks(0, max(max(values, default=0), 1), 5, whole=whole)
    top = ticks[-1]

    def x_of(value: float) -> float:
        return frame.left + max(0.0, value) / top * frame.width

    parts.append('<g class="axis axis-x">')
    for tick in ticks:
        x = x_of(tick)
        parts.append(
            f'<line class="grid" x1="{_num(x)}" y1="{_num(frame.top)}" x2="{_num(x)}" '
            f'y2="{_num(frame.bottom)}"/>'
        )
        parts.append(_label(x, frame.bottom + 16, number_format(tick)))
    parts.append("</g>")
    parts.append('<g class="bars">')
    bar = row_height * 0.62
    for i, (label, value) in enumerate(zip(shown, values, strict=True)):
        y = frame.top + i * row_height + (row_height - bar) / 2
        middle = y + bar / 2 + 4
        parts.append(_label(frame.left - 8, middle, label, anchor="end", cls="bar-label"))
        width = x_of(value) - frame.left
        parts.append(
            f'<rect class="bar series-{_key(key)}" x="{_num(frame.left)}" y="{_num(y)}" '
            f'width="{_num(max(width, 0 if value <= 0 else 1.5))}" height="{_num(bar)}" rx="2">'
            f"<title>{_text(labels[i])}: {_text(number_format(value))}</title></rect>"
        )
        parts.append(
            _label(
                frame.left + width + 6,
                middle,
                number_format(value),
                anchor="start",
                cls="bar-value",
            )
        )
    parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)
