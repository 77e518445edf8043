"""Charts: the directory graph -> the home page's small bar charts, as SVG files and tables.

Each chart is a view model (its bars, a caption, the numbers for a table) and an SVG document
written beside the pages as output/charts/<slug>.svg and shown with <img>. Drawn here by hand,
not by a chart library: three bar charts are a few rectangles and labels, a library would bring
JavaScript or a heavy dependency for them, and hand-written SVG lets the build stay
byte-for-byte reproducible (fixed ordering, fixed number formatting, no ids or dates).

An SVG shown with <img> cannot read the page's stylesheet, so it carries its own colours:
presentation attributes for the light theme (they work even where a host's policy were to block
the file's own <style>), and a <style> with @media (prefers-color-scheme: dark) that overrides
them in the dark theme. Every colour pair meets WCAG contrast: text 4.5:1, bars 3:1.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from .relations import Directory, sort_key

SECTOR_BARS = 10  # the largest sectors; the table and /sectors/ have the rest
LABEL_CHARS = 18  # longer labels are cut with an ellipsis in the image (the table has them whole)

# (light, dark): surface, text, muted text, bars, grid lines; the dark values are the theme's.
PALETTE = {
    "bg": ("#ffffff", "#171e26"),
    "text": ("#18212b", "#e7ecf1"),
    "muted": ("#4a5664", "#a8b4c1"),
    "bar": ("#0a58a8", "#7db9ff"),
    "grid": ("#d4dbe3", "#2f3b48"),
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str | None = None  # a page of the site, relative to its root

    @property
    def value_text(self) -> str:
        return f"{self.value:,}"


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    summary: str  # one sentence that says what the chart shows, for the caption and alt text
    label_heading: str  # the table's first column
    value_heading: str
    bars: tuple[Bar, ...]
    columns: bool = False  # vertical columns (years) instead of horizontal bars

    @property
    def file(self) -> str:
        return f"charts/{self.slug}.svg"

    @property
    def alt(self) -> str:
        return f"{self.title} (bar chart). {self.summary} The numbers are in the table below."

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def height(self) -> int:
        return COLUMNS_HEIGHT if self.columns else BAR_TOP * 2 + BAR_ROW * len(self.bars) - BAR_GAP

    @property
    def svg(self) -> str:
        return draw_columns(self) if self.columns else draw_bars(self)


def home_charts(directory: Directory, format_labels: dict[str, str]) -> list[Chart]:
    """The home page's charts, in the order they are shown; charts without data are left out."""
    charts = [sectors_chart(directory), founding_chart(directory),
              formats_chart(directory, format_labels)]
    return [chart for chart in charts if chart.bars]


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def sectors_chart(directory: Directory) -> Chart:
    largest = sorted(directory.sectors, key=lambda f: (-len(f.profiles), sort_key(f.name)))
    bars = tuple(Bar(f.name, len(f.profiles), f.url) for f in largest[:SECTOR_BARS])
    if not bars:
        return Chart("sectors", "Profiles per sector", "", "Sector", "Profiles", ())
    shown = (f"The {len(bars)} largest of {plural(len(largest), 'sector')}"
             if len(largest) > len(bars) else f"All {plural(len(largest), 'sector')}")
    summary = f"{shown}; {bars[0].label} has the most, {plural(bars[0].value, 'profile')}."
    return Chart("sectors", "Profiles per sector", summary, "Sector", "Profiles", bars)


def founding_chart(directory: Directory) -> Chart:
    years = Counter(p.founded for p in directory.of_kind("startup") if p.founded is not None)
    if not years:
        return Chart("founded", "Startups per founding year", "", "Year", "Startups", ())
    first, last = min(years), max(years)
    # Every year of the span, with or without a startup, so the columns are a true timeline.
    bars = tuple(Bar(str(year), years[year]) for year in range(first, last + 1))
    peak = max(bars, key=lambda bar: (bar.value, -int(bar.label)))
    summary = (f"{plural(sum(years.values()), 'startup')} give a founding year, from {first} "
               f"to {last}; the most, {peak.value:,}, in {peak.label}.")
    return Chart("founded", "Startups per founding year", summary, "Year", "Startups", bars,
                 columns=True)


def formats_chart(directory: Directory, format_labels: dict[str, str]) -> Chart:
    programs = directory.of_kind("program")
    counts = Counter(p.format for p in programs)
    bars = [Bar(label, counts[key]) for key, label in format_labels.items()]
    if counts[None]:
        bars.append(Bar("Not given", counts[None]))
    if not programs:
        return Chart("formats", "Programs per format", "", "Format", "Programs", ())
    top = max(bars, key=lambda bar: bar.value)  # first of the largest, in the fixed order
    summary = (f"{plural(len(programs), 'program')}; the most common format is "
               f"{top.label.lower()}, with {top.value:,}.")
    return Chart("formats", "Programs per format", summary, "Format", "Programs", tuple(bars))


# --- drawing ------------------------------------------------------------------------------

WIDTH = 400
COLUMNS_HEIGHT = 200
BAR_ROW, BAR_HEIGHT, BAR_TOP = 30, 20, 8
BAR_GAP = BAR_ROW - BAR_HEIGHT
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"'


def number(value: float) -> str:
    """Coordinates with at most one decimal and no trailing zeros: stable, short output."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def shorten(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1].rstrip() + "…"


def nice_step(largest: int, ticks: int = 4) -> int:
    """A round grid step (1, 2, 5 times a power of ten) giving at most ``ticks`` lines."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if largest <= step * factor * ticks:
                return step * factor
        step *= 10


def document(chart: Chart, height: float, body: list[str]) -> str:
    dark = "\n".join(f"    .{name} {{ fill: {colours[1]}; }}" for name, colours in PALETTE.items()
                     if name != "grid")
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {number(height)}" '
        f'width="{WIDTH}" height="{number(height)}" role="img">',
        f"  <title>{escape(chart.title)}</title>",
        f"  <desc>{escape(chart.summary)}</desc>",
        "  <style>",
        "  @media (prefers-color-scheme: dark) {",
        dark,
        f"    .grid {{ stroke: {PALETTE['grid'][1]}; }}",
        "  }",
        "  </style>",
        f'  <rect class="bg" width="{WIDTH}" height="{number(height)}" '
        f'fill="{PALETTE["bg"][0]}"/>',
        f'  <g {FONT} font-size="14">',
        *body,
        "  </g>",
        "</svg>",
        "",
    ])


def text(x: float, y: float, content: str, css: str, anchor: str = "start",
         title: str | None = None) -> str:
    tip = f"<title>{escape(title)}</title>" if title and title != content else ""
    return (f'    <text class="{css}" x="{number(x)}" y="{number(y)}" text-anchor="{anchor}" '
            f'fill="{PALETTE[css][0]}">{tip}{escape(content)}</text>')


def draw_bars(chart: Chart) -> str:
    """Horizontal bars, a label on the left and the value at the end of each bar."""
    row, bar_height, top, label_width, value_room = BAR_ROW, BAR_HEIGHT, BAR_TOP, 164, 36
    largest = max(bar.value for bar in chart.bars) or 1
    span = WIDTH - label_width - value_room
    body = []
    for index, bar in enumerate(chart.bars):
        y = top + index * row
        length = span * bar.value / largest
        # Left-aligned from the edge: a wide label can never be cut off by the image's edge.
        body.append(text(0, y + 15, shorten(bar.label), "text", "start", bar.label))
        if bar.value:
            body.append(f'    <rect class="bar" x="{label_width}" y="{number(y)}" '
                        f'width="{number(length)}" height="{bar_height}" rx="2" '
                        f'fill="{PALETTE["bar"][0]}"/>')
        body.append(text(label_width + length + 6, y + 15, f"{bar.value:,}", "muted"))
    return document(chart, chart.height, body)


def draw_columns(chart: Chart) -> str:
    """Vertical columns over a timeline, with round grid lines and a few year labels."""
    height, left, right, top, bottom = COLUMNS_HEIGHT, 36, 20, 12, 28
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    largest = max(bar.value for bar in chart.bars) or 1
    step = nice_step(largest)
    ceiling = -(-largest // step) * step
    slot = plot_width / len(chart.bars)
    gap = min(4.0, slot * 0.2)
    base = top + plot_height
    body = []
    for tick in range(0, ceiling + 1, step):
        y = base - plot_height * tick / ceiling
        body.append(f'    <line class="grid" x1="{left}" x2="{WIDTH - right}" y1="{number(y)}" '
                    f'y2="{number(y)}" stroke="{PALETTE["grid"][0]}" stroke-width="1"/>')
        body.append(text(left - 6, y + 5, f"{tick:,}", "muted", "end"))
    # Label the first and last years and enough in between to stay legible (every 1, 2, 5...).
    every = nice_step(len(chart.bars), ticks=8)
    for index, bar in enumerate(chart.bars):
        x = left + index * slot
        if bar.value:
            length = plot_height * bar.value / ceiling
            body.append(f'    <rect class="bar" x="{number(x + gap / 2)}" '
                        f'y="{number(base - length)}" width="{number(slot - gap)}" '
                        f'height="{number(length)}" fill="{PALETTE["bar"][0]}">'
                        f'<title>{escape(bar.label)}: {bar.value:,}</title></rect>')
        if index % every == 0 or index == len(chart.bars) - 1:
            if index == len(chart.bars) - 1 or len(chart.bars) - 1 - index >= every / 2:
                body.append(text(x + slot / 2, height - 8, bar.label, "muted", "middle"))
    return document(chart, height, body)


def write_charts(charts: list[Chart], output: Path) -> None:
    """Write each chart's SVG file under the output folder."""
    (output / "charts").mkdir(parents=True, exist_ok=True)
    for chart in charts:
        (output / chart.file).write_text(chart.svg, encoding="utf-8")

