"""The trend of the five scores across a candidate's assessments, as geometry for an SVG.

Drawn by the server (no script): ``trend_chart`` turns assessments into polylines, markers and
axis labels in a fixed viewBox; ``templates/assessment/_trend.html`` writes them out. Each line
has its own dash pattern and marker shape as well as its colour, so the chart still reads when
the dossier is printed in black and white.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.assessment.models import DIMENSIONS

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 14, 52
# (colour, dash pattern, marker shape) per dimension, in the order of DIMENSIONS.
STYLES = (
    ("#b01f24", "", "circle"),
    ("#1f5fbf", "6 3", "square"),
    ("#2e7d32", "2 3", "triangle"),
    ("#c26a00", "8 3 2 3", "diamond"),
    ("#6a3d9a", "12 4", "cross"),
)


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    dash: str
    points: str  # "x,y x,y …" for <polyline>
    markers: list[str]  # SVG path data, one marker per point
    values: list[int]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    top: int
    bottom: int  # y of the plot's bottom edge
    y_ticks: list[tuple[float, int]]  # (y, value)
    x_labels: list[tuple[float, str, str]]  # (x, period, grade)
    series: list[Series]
    legend: list[tuple[float, Series]]  # (x, series) along the bottom
    description: str


def _marker(shape: str, x: float, y: float, r: float = 3.5) -> str:
    if shape == "circle":
        return f"M{x - r:.1f},{y:.1f}a{r},{r} 0 1,0 {2 * r},0a{r},{r} 0 1,0 {-2 * r},0Z"
    if shape == "square":
        return f"M{x - r:.1f},{y - r:.1f}h{2 * r}v{2 * r}h{-2 * r}Z"
    if shape == "triangle":
        return f"M{x:.1f},{y - r - 0.5:.1f}L{x + r:.1f},{y + r:.1f}L{x - r:.1f},{y + r:.1f}Z"
    if shape == "diamond":
        top, low = y - r - 0.5, y + r + 0.5
        return f"M{x:.1f},{top:.1f}L{x + r:.1f},{y:.1f}L{x:.1f},{low:.1f}L{x - r:.1f},{y:.1f}Z"
    x0, x1, y0, y1 = x - r, x + r, y - r, y + r
    return f"M{x0:.1f},{y0:.1f}L{x1:.1f},{y1:.1f}M{x0:.1f},{y1:.1f}L{x1:.1f},{y0:.1f}"


def _short(period: str) -> str:
    """Axis labels stay short: 2025年第3季度 -> 25年Q3, 2025年度 -> 2025年度."""
    if "季度" in period:
        return f"{period[2:4]}年Q{period[-3]}"
    if period.endswith("月") and "半年" not in period:
        return period[2:]
    if "半年" in period:
        return period[2:]
    return period


def trend_chart(assessments) -> Chart | None:
    """Geometry for the chart of ``assessments`` (oldest first); None when there are none."""
    if not assessments:
        return None
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    lowest = min(getattr(a, column) for a in assessments for column, _ in DIMENSIONS)
    floor = max(0, min(60, (lowest - 5) // 10 * 10))
    step = 10 if 100 - floor <= 50 else 20

    def y_of(value: int) -> float:
        return bottom - (value - floor) / (100 - floor) * (bottom - TOP)

    count = len(assessments)
    span = right - LEFT - 30

    def x_of(index: int) -> float:
        return LEFT + 15 + (span * index / (count - 1) if count > 1 else span / 2)

    series = []
    for (column, label), (colour, dash, shape) in zip(DIMENSIONS, STYLES, strict=True):
        values = [getattr(a, column) for a in assessments]
        xy = [(x_of(i), y_of(v)) for i, v in enumerate(values)]
        series.append(
            Series(
                label=label,
                colour=colour,
                dash=dash,
                points=" ".join(f"{x:.1f},{y:.1f}" for x, y in xy),
                markers=[_marker(shape, x, y) for x, y in xy],
                values=values,
            )
        )
    legend_step = (right - LEFT) / len(series)
    latest = assessments[-1]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=right,
        top=TOP,
        bottom=bottom,
        y_ticks=[(y_of(v), v) for v in range(floor, 101, step)],
        x_labels=[(x_of(i), _short(a.period), a.grade_label) for i, a in enumerate(assessments)],
        series=series,
        legend=[(LEFT + legend_step * i + 10, s) for i, s in enumerate(series)],
        description=(
            f"共 {count} 次考核，"
            f"最近一次（{latest.period}{latest.kind_label}）："
            + "、".join(f"{label} {value}" for label, value in latest.scores)
            + f"，等次{latest.grade_label}"
        ),
    )
