"""Charts for the reports as inline SVG, each with a text alternative.

Every chart is built with `xml.etree.ElementTree`, so any text in it (bid names, pillar titles)
is escaped by construction and a name can never become markup. Each SVG has `role="img"`, a
`<title>` (the PDF's alternative text for the figure) and a `<desc>` giving every figure in
words. Colour is never the only cue: each series also has its own pattern, drawn in the legend
too, and values are written on or beside the bars.

Geometry is worked out exactly (fractions) and rounded once, to hundredths of a unit, at the
bar ends; segment widths are differences of those rounded ends, so a bar's segments add up to
its rounded total exactly.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from criteria.result import fmt

__all__ = [
    "CHART_WIDTH",
    "PATTERNS",
    "SERIES_COLOURS",
    "RatePoint",
    "StackedBar",
    "rate_chart",
    "segment_geometry",
    "stacked_bar_chart",
]

CHART_WIDTH = 680
"""The width of every chart in SVG units; the page scales it to the text column."""

LABEL_WIDTH = 200  # the bid names' column
VALUE_WIDTH = 110  # the totals' column, right of the bars
PLOT_WIDTH = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
RATE_VALUE_WIDTH = 130  # the rate chart's rates and differences, right of the plot
ROW = 32  # one bar's row
BAR = 18  # a bar's thickness
FONT = 12.5  # about 9pt once the chart is scaled to the page
SMALL = 10.5
CHAR_WIDTH = 0.58  # DejaVu Sans's average advance, in ems, to wrap labels
INK = "#0b0c0c"
MUTED = "#505a5f"
RULE = "#b1b4b6"
MINUS = "\u2212"  # a true minus sign reads better than a hyphen beside a number

SERIES_COLOURS = ("#1d70b8", "#00703c", "#912b88", "#505a5f", "#003078", "#28a197")
"""GOV.UK palette colours, each dark enough for white text on it (4.5:1 or more)."""

PATTERNS = ("solid", "stripes", "dots", "crosshatch", "solid", "stripes")
"""The pattern over each series' colour, so a series is told apart without colour."""


@dataclass(frozen=True, slots=True)
class StackedBar:
    """One bar: a label, the value of each series in order, and a note after the total."""

    label: str
    values: tuple[Fraction, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class RatePoint:
    """One bid's rate on the rate chart."""

    label: str
    rate: Decimal
    note: str = ""


def _hundredths(value: Fraction) -> Decimal:
    return Decimal(fmt(value, 2))


def _number(value: Decimal | float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def segment_geometry(
    values: Sequence[Fraction], scale_max: Fraction, width: int = PLOT_WIDTH
) -> list[tuple[Decimal, Decimal]]:
    """(x, width) of each segment of a stacked bar, in units, for a scale of 0..`scale_max`.

    Ends are rounded to hundredths and widths are the differences of the ends, so the widths
    add up exactly to the rounded end of the bar. Negative values count as 0.
    """
    unit = Fraction(width) / scale_max if scale_max > 0 else Fraction(0)
    ends = [Decimal(0)]
    running = Fraction(0)
    for value in values:
        running += max(value, Fraction(0))
        ends.append(_hundredths(running * unit))
    return [(ends[i], ends[i + 1] - ends[i]) for i in range(len(values))]


def _wrap(text: str, width: float, size: float, lines: int = 2) -> list[str]:
    """`text` in at most `lines` lines of about `width` units; an ellipsis ends a cut line."""
    most = max(4, int(width / (size * CHAR_WIDTH)))
    out: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= most or not current:
            current = candidate
        else:
            out.append(current)
            current = word
    out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return [line if len(line) <= most else line[: most - 1].rstrip() + "…" for line in out]


def _svg(chart_id: str, height: int, title: str, description: str, described_by: str) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "role": "img",
            "viewBox": f"0 0 {CHART_WIDTH} {height}",
            "width": "100%",
            "font-family": "DejaVu Sans, Liberation Sans, sans-serif",
            "aria-labelledby": f"{chart_id}-title",
            "aria-describedby": " ".join(
                part for part in (f"{chart_id}-desc", described_by) if part
            ),
            "class": "chart",
            "id": chart_id,
        },
    )
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = description
    return svg


def _text(
    parent: ET.Element, x: float | Decimal, y: float, text: str, **attributes: str
) -> ET.Element:
    element = ET.SubElement(
        parent,
        "text",
        {"x": _number(x), "y": _number(y), "font-size": str(FONT), "fill": INK, **attributes},
    )
    element.text = text
    return element


def _label(parent: ET.Element, y: float, text: str) -> None:
    """A row's label in the left column, wrapped to two lines, centred on `y`."""
    lines = _wrap(text, LABEL_WIDTH - 10, FONT)
    first = y - (len(lines) - 1) * FONT * 0.55 + FONT * 0.35
    for index, line in enumerate(lines):
        _text(parent, 0, first + index * FONT * 1.1, line)


def _patterns(defs: ET.Element, chart_id: str, count: int) -> list[str]:
    """A fill for each series: its colour, with its pattern drawn faintly in white over it."""
    fills = []
    for index in range(count):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        kind = PATTERNS[index % len(PATTERNS)]
        if kind == "solid":
            fills.append(colour)
            continue
        pattern_id = f"{chart_id}-p{index}"
        pattern = ET.SubElement(
            defs,
            "pattern",
            {"id": pattern_id, "patternUnits": "userSpaceOnUse", "width": "8", "height": "8"},
        )
        ET.SubElement(pattern, "rect", {"width": "8", "height": "8", "fill": colour})
        mark = {"stroke": "#ffffff", "stroke-width": "1.2", "stroke-opacity": "0.45"}
        if kind == "stripes":
            ET.SubElement(pattern, "path", {"d": "M-2 10 L10 -2 M-2 2 L2 -2 M6 10 L10 6", **mark})
        elif kind == "dots":
            ET.SubElement(
                pattern,
                "circle",
                {"cx": "4", "cy": "4", "r": "1.4", "fill": "#ffffff", "fill-opacity": "0.5"},
            )
        else:
            ET.SubElement(pattern, "path", {"d": "M0 4 L8 4 M4 0 L4 8", **mark})
        fills.append(f"url(#{pattern_id})")
    return fills


def _axis(
    parent: ET.Element, top: float, bottom: float, ticks: Sequence[tuple[Decimal, str]]
) -> None:
    """Vertical grid lines with their labels under the plot."""
    for x, text in ticks:
        ET.SubElement(
            parent,
            "line",
            {
                "x1": _number(x),
                "x2": _number(x),
                "y1": _number(top),
                "y2": _number(bottom),
                "stroke": RULE,
                "stroke-width": "0.6",
            },
        )
        _text(parent, x, bottom + FONT + 2, text, **{"text-anchor": "middle", "fill": MUTED})


def _legend(parent: ET.Element, y: float, series: Sequence[str], fills: Sequence[str]) -> float:
    """Swatches and names left to right across the chart, wrapping; returns the height used."""
    x, line = 0.0, 0
    for name, fill in zip(series, fills, strict=True):
        width = 30 + len(name) * FONT * CHAR_WIDTH + 18
        if x and x + width > CHART_WIDTH:
            x, line = 0.0, line + 1
        top = y + line * (FONT + 8)
        ET.SubElement(
            parent,
            "rect",
            {"x": _number(x), "y": _number(top), "width": "24", "height": "14", "fill": fill},
        )
        _text(parent, x + 30, top + 11.5, name)
        x += width
    return (line + 1) * (FONT + 8)


def _legend_height(series: Sequence[str]) -> float:
    scratch = ET.Element("g")
    return _legend(scratch, 0, series, ["none"] * len(series))


def _value_on_bar(
    parent: ET.Element, x: Decimal, width: Decimal, centre: float, text: str, colour: str
) -> None:
    """A segment's value in white on a solid patch of its colour, so patterns never blur it."""
    patch = Decimal(str(len(text) * SMALL * 0.62 + 6))
    if width < patch + 4:
        return
    middle = x + width / 2
    ET.SubElement(
        parent,
        "rect",
        {
            "x": _number(middle - patch / 2),
            "y": _number(centre - SMALL / 2 - 2),
            "width": _number(patch),
            "height": _number(SMALL + 4),
            "fill": colour,
        },
    )
    _text(
        parent,
        middle,
        centre + SMALL * 0.36,
        text,
        **{
            "text-anchor": "middle",
            "font-size": str(SMALL),
            "fill": "#ffffff",
            "font-weight": "bold",
        },
    )


def stacked_bar_chart(
    bars: Sequence[StackedBar],
    series: Sequence[str],
    *,
    chart_id: str,
    title: str,
    description: str,
    scale_max: Fraction = Fraction(100),
    described_by: str = "",
) -> str:
    """Horizontal stacked bars, one per item, with a legend naming each series.

    `bars[i].values` has one value per `series`, in order. The total is written after each
    bar, followed by the bar's note. `described_by` names the id of a table holding the same
    figures, for assistive technology.
    """
    plot_top = 6
    plot_bottom = plot_top + ROW * len(bars)
    legend_top = plot_bottom + FONT * 2 + 12
    height = int(legend_top + _legend_height(series) + 2)
    svg = _svg(chart_id, height, title, description, described_by)
    fills = _patterns(ET.SubElement(svg, "defs"), chart_id, len(series))
    plot = ET.SubElement(svg, "g", {"transform": f"translate({LABEL_WIDTH} 0)"})
    step = 10 if scale_max <= 100 else 20
    ticks = [
        (segment_geometry([Fraction(v)], scale_max)[0][1], str(v))
        for v in range(0, int(scale_max) + 1, step)
    ]
    _axis(plot, plot_top - 2, plot_bottom, ticks)
    for index, bar in enumerate(bars):
        centre = plot_top + index * ROW + ROW / 2
        _label(svg, centre, bar.label)
        group = ET.SubElement(plot, "g", {"class": "bar"})
        geometry = segment_geometry(bar.values, scale_max)
        for s_index, (x, width) in enumerate(geometry):
            if width <= 0:
                continue
            ET.SubElement(
                group,
                "rect",
                {
                    "x": _number(x),
                    "y": _number(centre - BAR / 2),
                    "width": _number(width),
                    "height": str(BAR),
                    "fill": fills[s_index],
                    "data-series": str(s_index),
                },
            )
        for s_index, (x, width) in enumerate(geometry):
            colour = SERIES_COLOURS[s_index % len(SERIES_COLOURS)]
            text = _number(_hundredths(bar.values[s_index]))
            _value_on_bar(group, x, width, centre, text, colour)
        end = geometry[-1][0] + geometry[-1][1] if geometry else Decimal(0)
        total = sum(bar.values, Fraction(0))
        label = _number(_hundredths(total)) + (f" · {bar.note}" if bar.note else "")
        _text(group, end + 5, centre + FONT * 0.36, label, **{"font-weight": "bold"})
    _legend(svg, legend_top, series, fills)
    return ET.tostring(svg, encoding="unicode")


def rate_chart(
    points: Sequence[RatePoint],
    *,
    reference: Decimal,
    reference_label: str,
    chart_id: str,
    title: str,
    description: str,
    described_by: str = "",
) -> str:
    """Each rate as a mark on a line from the reference rate, with the reference drawn across.

    Rates below the reference are red diamonds, the others blue circles; each rate and its
    difference from the reference are also written in the right-hand column.
    """
    values = [p.rate for p in points] + [reference]
    low = Decimal(int(min(values)) - 1)
    high = Decimal(int(max(values)) + 2)
    span = high - low
    plot_width = CHART_WIDTH - LABEL_WIDTH - RATE_VALUE_WIDTH

    def x_of(value: Decimal) -> Decimal:
        return (value - low) / span * plot_width

    plot_top = FONT * 2 + 4
    plot_bottom = plot_top + ROW * len(points)
    height = int(plot_bottom + FONT * 2 + 6)
    svg = _svg(chart_id, height, title, description, described_by)
    plot = ET.SubElement(svg, "g", {"transform": f"translate({LABEL_WIDTH} 0)"})
    step = 2 if span <= 20 else 5
    first = int(low) + (-int(low)) % step
    ticks = [(x_of(Decimal(v)), f"£{v}") for v in range(first, int(high) + 1, step)]
    _axis(plot, plot_top - 2, plot_bottom, ticks)
    ref_x = x_of(reference)
    ET.SubElement(
        plot,
        "line",
        {
            "x1": _number(ref_x),
            "x2": _number(ref_x),
            "y1": _number(plot_top - 8),
            "y2": _number(plot_bottom),
            "stroke": INK,
            "stroke-width": "1.6",
            "stroke-dasharray": "5 3",
        },
    )
    _text(
        plot,
        ref_x,
        FONT,
        f"{reference_label} £{reference:.2f}",
        **{"text-anchor": "middle", "font-weight": "bold"},
    )
    _text(
        svg,
        LABEL_WIDTH + plot_width + 10,
        FONT,
        "Rate (difference)",
        **{"fill": MUTED},
    )
    for index, point in enumerate(points):
        centre = plot_top + index * ROW + ROW / 2
        _label(svg, centre, point.label)
        x = x_of(point.rate)
        below = point.rate < reference
        colour = "#d4351c" if below else "#1d70b8"
        group = ET.SubElement(plot, "g", {"class": "rate"})
        ET.SubElement(
            group,
            "line",
            {
                "x1": _number(ref_x),
                "x2": _number(x),
                "y1": _number(centre),
                "y2": _number(centre),
                "stroke": colour,
                "stroke-width": "3",
            },
        )
        if below:
            ET.SubElement(
                group,
                "path",
                {"d": f"M{_number(x)} {_number(centre - 7)} l7 7 l-7 7 l-7 -7 z", "fill": colour},
            )
        else:
            ET.SubElement(
                group, "circle", {"cx": _number(x), "cy": _number(centre), "r": "6", "fill": colour}
            )
        difference = point.rate - reference
        sign = "+" if difference >= 0 else MINUS
        _text(
            svg,
            LABEL_WIDTH + plot_width + 10,
            centre + FONT * 0.36,
            f"£{point.rate:.2f} ({sign}£{abs(difference):.2f})",
            **({"font-weight": "bold"} if below else {}),
        )
    return ET.tostring(svg, encoding="unicode")
