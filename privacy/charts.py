"""Server-rendered SVG charts for the admin: no JavaScript, no chart library."""

from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colours that stay distinct for the common kinds of colour blindness (Okabe & Ito).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 36, 16, 48
GRID, INK, MUTED = "#c9d1dc", "#1c2430", "#4a5566"


def _nice_top(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above value: round gridlines."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def weekly_lines_svg(
    *, chart_id: str, title: str, weeks: list[date], series: list[tuple[str, list[int]]]
) -> SafeString:
    """A line per series over the weeks, with gridlines, week labels and a legend.

    Every text that comes from data is escaped; numbers are formatted here. The SVG
    has a title and description for screen readers, and the page shows the same
    numbers in a table. chart_id names the title and description (a page may show
    several charts).
    """
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_top(max([1, *(max(counts, default=0) for _, counts in series)]))
    step_x = plot_w / max(len(weeks) - 1, 1)
    legend_rows = (len(series) + 2) // 3

    def x(index: int) -> str:
        return f"{LEFT + index * step_x:.1f}"

    def y(value: int) -> str:
        return f"{TOP + plot_h - value / top * plot_h:.1f}"

    span = f"{weeks[0]:%d %b %Y} to {weeks[-1]:%d %b %Y}" if weeks else "no weeks"
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 24 * legend_rows}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">Weekly totals, weeks starting {span}, {len(series)} series. '
        "The table below gives the same numbers.</desc>",
    ]
    for tick in range(5):
        value = top * tick // 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y(value)}" x2="{WIDTH - RIGHT}" y2="{y(value)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{float(y(value)) + 4:.1f}" font-size="12" '
            f'text-anchor="end" fill="{MUTED}">{value}</text>'
        )
    label_every = max(1, len(weeks) // 8)
    for index, week in enumerate(weeks):
        if index % label_every == 0 or index == len(weeks) - 1:
            parts.append(
                f'<text x="{x(index)}" y="{TOP + plot_h + 18}" font-size="12" '
                f'text-anchor="middle" fill="{MUTED}">{week:%d %b}</text>'
            )
    for number, (name, counts) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(counts))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        parts += [
            f'<circle cx="{x(i)}" cy="{y(v)}" r="3" fill="{colour}">'
            f"<title>{escape(name)}, week of {weeks[i]:%d %b %Y}: {v}</title></circle>"
            for i, v in enumerate(counts)
        ]
        legend_x = LEFT + (number % 3) * (plot_w / 3)
        legend_y = HEIGHT + 24 * (number // 3)
        parts.append(
            f'<rect x="{legend_x:.1f}" y="{legend_y - 12}" width="14" height="14" '
            f'fill="{colour}"/><text x="{legend_x + 20:.1f}" y="{legend_y}" font-size="13" '
            f'fill="{INK}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - data texts are escaped above
