"""Lay out charts as SVG shapes; templates/analysis/svg/*.svg draw them.

Geometry is computed here and the markup is written by templates, so every
label goes through Django's autoescaping. Only presentation attributes are
used (fill, stroke): the site's Content Security Policy forbids inline styles.
"""

import csv
import io
from dataclasses import dataclass

from django.template.loader import render_to_string

from casebase.analysis.aggregates import Chart, Matrix

LABEL_WIDTH = 320
HEADER_HEIGHT = 130
CELL_W = 58
CELL_H = 28
MAX_LABEL = 42
SWATCH_W = 44
LEGEND_H = 60  # two lines of key under the grid: the shading, then zero and gap

INK = "#1b2430"
MUTED = "#5b6573"
ACCENT = "#005f8f"
GAP = "#b35c00"
WASH = "#f5f6f8"
# Cells are shaded in four steps of one blue, darker for more cases. Each step's fill and
# text colour contrast at least 4.5:1 (WCAG AA): the two light steps take dark text, the
# two dark ones white. A fill between them (as a graded opacity gave) suits neither.
SHADES = [("#e6f0f7", INK), ("#9cc3df", INK), ("#2a6a98", "#ffffff"), ("#08395a", "#ffffff")]
GAP_LABEL = "0 gap"
STATUS_COLOURS = {
    "implemented": "#005f8f",
    "partial": "#8a5a00",
    "considered": "#7a3d6b",
    "not_applicable": "#5b6573",
}


def shade_step(count: int, peak: int) -> int:
    """Which of the SHADES a count above zero takes, out of the chart's largest count."""
    return min(len(SHADES), max(1, -(-count * len(SHADES) // max(peak, 1)))) - 1


def shade_legend(peak: int) -> list[dict]:
    """The shading's key: each step used at this peak, with the counts it stands for."""
    ranges: dict[int, list[int]] = {}
    for count in range(1, peak + 1):
        ranges.setdefault(shade_step(count, peak), []).append(count)
    legend = []
    for step, counts in sorted(ranges.items()):
        low, high = counts[0], counts[-1]
        fill, text = SHADES[step]
        label = str(low) if low == high else f"{low}–{high}"
        legend.append({"step": step + 1, "fill": fill, "text_fill": text, "label": label})
    return legend


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class SvgCell:
    x: int
    y: int
    count: int
    href: str
    fill: str
    opacity: float
    text_fill: str
    gap: bool
    label: str
    title: str


def chart_layout(chart: Chart) -> dict:
    cols = list(chart.cols)
    has_totals = bool(chart.row_totals)
    n_cols = len(cols) + (1 if has_totals else 0)
    width = LABEL_WIDTH + n_cols * CELL_W + 110  # room for the last rotated column label
    height = HEADER_HEIGHT + len(chart.rows) * CELL_H + 40 + LEGEND_H
    peak = max(chart.max_count, 1)
    cells: list[SvgCell] = []
    for r, (row, row_cells, total) in enumerate(chart.grid()):
        y = HEADER_HEIGHT + r * CELL_H
        for c, cell in enumerate(row_cells):
            x = LABEL_WIDTH + c * CELL_W
            col = cols[c]
            title = f"{row.label} × {col.label}: {cell.count} case{'s' if cell.count != 1 else ''}"
            if cell.is_gap:
                cells.append(
                    SvgCell(
                        x,
                        y,
                        0,
                        cell.gap_href,
                        "#fff4e0",
                        1,
                        "#6b4100",
                        True,
                        GAP_LABEL,
                        title + " (gap: submit a case)",
                    )  # fmt: skip
                )
                continue
            if cell.count == 0:
                fill, opacity, text = WASH, 1.0, MUTED
            else:
                (fill, text), opacity = SHADES[shade_step(cell.count, peak)], 1.0
            cells.append(
                SvgCell(x, y, cell.count, cell.href, fill, opacity, text, False, str(cell.count), title)
            )
        if has_totals and total is not None:
            x = LABEL_WIDTH + len(cols) * CELL_W
            cells.append(
                SvgCell(
                    x,
                    y,
                    total.count,
                    total.href,
                    "#ffffff",
                    1,
                    INK,
                    False,
                    str(total.count),
                    f"{row.label}, {chart.total_label}: {total.count}",
                )  # fmt: skip
            )
    col_labels = [
        {"x": LABEL_WIDTH + i * CELL_W + CELL_W // 2, "label": shorten(c.label, 26), "title": c.label}
        for i, c in enumerate(cols)
    ]
    if has_totals:
        col_labels.append(
            {
                "x": LABEL_WIDTH + len(cols) * CELL_W + CELL_W // 2,
                "label": chart.total_label,
                "title": chart.total_label,
            }
        )
    row_labels = [
        {
            "y": HEADER_HEIGHT + i * CELL_H + CELL_H // 2 + 4,
            "label": shorten(r.label),
            "title": r.label,
            "href": r.href,
        }
        for i, r in enumerate(chart.rows)
    ]
    return {
        "chart": chart,
        "width": width,
        "height": height,
        "cells": cells,
        "col_labels": col_labels,
        "row_labels": row_labels,
        "header_y": HEADER_HEIGHT - 8,
        "label_x": LABEL_WIDTH - 8,
        "cell_w": CELL_W,
        "cell_h": CELL_H,
        "half_w": CELL_W // 2,
        "text_dy": CELL_H // 2 + 5,
        "legend_y": HEADER_HEIGHT + len(chart.rows) * CELL_H + 24,
        "legend_x": 8,
        "gap_colour": GAP,
        "has_gaps": any(c.gap for c in cells),
        "has_zeros": any(c.count == 0 and not c.gap for c in cells),
        "shades": [
            shade | {"x": 56 + i * SWATCH_W, "mid": 56 + i * SWATCH_W + SWATCH_W // 2}
            for i, shade in enumerate(shade_legend(chart.max_count))
        ],
        "shades_end": 64 + len(shade_legend(chart.max_count)) * SWATCH_W,
        "swatch_w": SWATCH_W,
    }


def render_chart_svg(chart: Chart, *, standalone: bool = False) -> str:
    return render_to_string(
        "analysis/svg/chart.svg", chart_layout(chart) | {"standalone": standalone, "uid": chart.slug}
    )


def chart_csv(chart: Chart) -> str:
    """The chart's numbers as CSV: one row per chart row, one column per chart column."""
    out = io.StringIO()
    writer = csv.writer(out)
    # Column headers are read by people: labels. Machines find the keys in the row key column.
    header = [chart.row_label or "row", f"{chart.row_label or 'row'} key"] + [c.label for c in chart.cols]
    if chart.row_totals:
        header.append("total")
    writer.writerow(header)
    for row, cells, total in chart.grid():
        line = [row.label, row.key] + [c.count if c else 0 for c in cells]
        if chart.row_totals:
            line.append(total.count if total else 0)
        writer.writerow(line)
    return out.getvalue()


def matrix_layout(m: Matrix) -> dict:
    width = LABEL_WIDTH + len(m.cases) * 34 + 80
    height = HEADER_HEIGHT + len(m.rows) * CELL_H + 70
    marks = []
    for r, (row, cells, _total) in enumerate(m.grid()):
        y = HEADER_HEIGHT + r * CELL_H + CELL_H // 2
        for c, (case, app) in enumerate(cells):
            if not app:
                continue
            x = LABEL_WIDTH + c * 34 + 17
            marks.append({"x": x, "y": y, "status": app.status, "colour": STATUS_COLOURS[app.status],
                          "flag": app.flag,
                          "title": f"{case.organization.name}, {row.title or row.key}: {app.status}"
                          + (f" ({app.flag})" if app.flag else "")})  # fmt: skip
    return {
        "m": m,
        "width": width,
        "height": height,
        "marks": marks,
        "col_labels": [
            {"x": LABEL_WIDTH + i * 34 + 17, "label": shorten(c.organization.name, 24), "title": c.title}
            for i, c in enumerate(m.cases)
        ],
        "row_labels": [
            {"y": HEADER_HEIGHT + i * CELL_H + CELL_H // 2 + 4, "label": shorten(r.label), "title": r.label}
            for i, r in enumerate(m.rows)
        ],
        "header_y": HEADER_HEIGHT - 8,
        "label_x": LABEL_WIDTH - 8,
        "legend_y": HEADER_HEIGHT + len(m.rows) * CELL_H + 30,
        "colours": STATUS_COLOURS,
    }


def render_matrix_svg(m: Matrix, *, standalone: bool = False) -> str:
    return render_to_string("analysis/svg/matrix.svg", matrix_layout(m) | {"standalone": standalone})
