"""The SVG charts: well-formed, described in words, one mark per bid, drawn to scale."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from reports.charts import (
    PATTERNS,
    PLOT_WIDTH,
    RatePoint,
    StackedBar,
    rate_chart,
    segment_geometry,
    stacked_bar_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
PILLARS = ["Quality", "Fair work and ownership", "Social value", "Price"]
BARS = [
    StackedBar(
        "Hollin Brook Care Co-operative", (Fraction(63, 2), Fraction(29), Fraction(8), Fraction(10))
    ),
    StackedBar(
        "Birchall <b>Home</b> & Co", (Fraction(20), Fraction(10), Fraction(4), Fraction(15))
    ),
    StackedBar(
        "Northgate Horizon Care Ltd",
        (Fraction(9), Fraction(4), Fraction(5), Fraction(20)),
        "excluded",
    ),
]


def _pillar_chart(bars: list[StackedBar] = BARS) -> ET.Element:
    svg = stacked_bar_chart(
        bars,
        PILLARS,
        chart_id="pillars",
        title="Points by pillar for three bids.",
        description="Hollin Brook 78.5; Birchall 49; Northgate 38.",
        described_by="ranking-table",
    )
    return ET.fromstring(svg)


def _segments(bar: ET.Element) -> list[ET.Element]:
    return [r for r in bar.iter(f"{SVG}rect") if "data-series" in r.attrib]


def test_pillar_chart_is_an_image_with_a_title_and_a_description() -> None:
    svg = _pillar_chart()
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Points by pillar for three bids."
    assert desc is not None
    assert desc.text == "Hollin Brook 78.5; Birchall 49; Northgate 38."
    assert svg.get("aria-labelledby") == title.get("id")
    assert svg.get("aria-describedby") == f"{desc.get('id')} ranking-table"


def test_pillar_chart_draws_one_bar_per_bid_with_a_segment_per_pillar() -> None:
    bars = [g for g in _pillar_chart().iter(f"{SVG}g") if g.get("class") == "bar"]
    assert len(bars) == len(BARS)
    assert all(len(_segments(bar)) == len(PILLARS) for bar in bars)


def test_segment_widths_are_proportional_to_the_points() -> None:
    bars = [g for g in _pillar_chart().iter(f"{SVG}g") if g.get("class") == "bar"]
    unit = Decimal(PLOT_WIDTH) / 100
    for bar, data in zip(bars, BARS, strict=True):
        widths = [Decimal(r.get("width", "0")) for r in _segments(bar)]
        for width, value in zip(widths, data.values, strict=True):
            assert abs(width - Decimal(value.numerator) / value.denominator * unit) <= Decimal(
                "0.01"
            )
    first, second = (_segments(b)[0] for b in bars[:2])
    assert Decimal(first.get("width", "0")) > Decimal(second.get("width", "0"))


def test_bid_names_are_text_never_markup() -> None:
    svg = stacked_bar_chart(BARS, PILLARS, chart_id="c", title="t", description="d")
    assert "<b>" not in svg
    assert "Birchall &lt;b&gt;Home&lt;/b&gt; &amp; Co" in svg
    texts = [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "Birchall <b>Home</b> & Co" in texts


def test_every_pillar_has_a_legend_entry_and_patterns_tell_pillars_apart() -> None:
    svg = _pillar_chart()
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert all(pillar in texts for pillar in PILLARS)
    patterns = svg.findall(f".//{SVG}pattern")
    assert len(patterns) == sum(1 for kind in PATTERNS[: len(PILLARS)] if kind != "solid")


def test_each_total_and_note_is_written_after_its_bar() -> None:
    texts = [t.text for t in _pillar_chart().iter(f"{SVG}text")]
    assert "78.5" in texts
    assert "38 · excluded" in texts


@given(
    st.lists(st.fractions(min_value=0, max_value=40, max_denominator=1000), min_size=1, max_size=6)
)
def test_segment_widths_add_up_to_the_bar_for_the_total(values: list[Fraction]) -> None:
    total = sum(values, Fraction(0))
    scale = max(total, Fraction(1))
    geometry = segment_geometry(values, scale)
    widths = [width for _, width in geometry]
    assert all(width >= 0 for width in widths)
    assert sum(widths) == geometry[-1][0] + geometry[-1][1]
    exact = total / scale * PLOT_WIDTH
    assert abs(sum(widths) - Decimal(exact.numerator) / exact.denominator) <= Decimal("0.005")
    for (x, width), (next_x, _) in itertools.pairwise(geometry):
        assert x + width == next_x


def test_rate_chart_marks_each_bid_and_draws_the_minimum_rate() -> None:
    svg = ET.fromstring(
        rate_chart(
            [
                RatePoint("Hollin Brook Care Co-operative", Decimal("35.90")),
                RatePoint("Meridian Crest Homecare Ltd", Decimal("24.50")),
            ],
            reference=Decimal("32.14"),
            reference_label="Minimum sustainable rate",
            chart_id="rates",
            title="Hourly rates against the minimum sustainable rate.",
            description="Hollin Brook £35.90; Meridian Crest £24.50.",
        )
    )
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title") is not None
    marks = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "rate"]
    assert len(marks) == 2
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Minimum sustainable rate £32.14" in texts
    assert "£35.90 (+£3.76)" in texts
    assert "£24.50 (\u2212£7.64)" in texts
    # the rate below the minimum is a diamond, the other a circle
    assert len(marks[0].findall(f"{SVG}circle")) == 1
    assert len(marks[1].findall(f"{SVG}path")) == 1
