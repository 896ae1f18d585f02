"""Geometry for the server-rendered SVG bar chart of a result (no JavaScript)."""

from dataclasses import dataclass

from assessments.selectors import ScaleScore

WIDTH = 360
LABEL_WIDTH = 120
VALUE_WIDTH = 40
ROW_HEIGHT = 44
BAR_HEIGHT = 26
TOP = 10


@dataclass(frozen=True)
class Bar:
    row: ScaleScore
    y: int
    text_y: int
    width: int
    value_x: int
    top_three: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_space: int
    bars: list[Bar]


def bar_chart(scores: list[ScaleScore]) -> BarChart:
    bar_space = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, row in enumerate(scores):
        y = TOP + index * ROW_HEIGHT
        width = round(bar_space * row.score / row.maximum) if row.maximum else 0
        bars.append(
            Bar(
                row=row,
                y=y,
                text_y=y + BAR_HEIGHT // 2 + 6,
                width=width,
                value_x=LABEL_WIDTH + width + 8,
                top_three=row.rank <= 3,
            )
        )
    return BarChart(
        width=WIDTH,
        height=TOP * 2 + ROW_HEIGHT * len(scores),
        label_width=LABEL_WIDTH,
        bar_space=bar_space,
        bars=bars,
    )
