"""The dashboard's plots, drawn on the server as SVG with matplotlib.

Only matplotlib's object API is used (``Figure`` and the SVG canvas, never ``pyplot``), so no
global figure state is shared between threads; a lock keeps drawings one at a time all the
same (matplotlib's text layout caches are not documented as thread-safe). Text is drawn in
DejaVu Sans with Noto Sans CJK JP as the fallback for Japanese (Debian's fonts-noto-cjk), and
written into the SVG as paths: the browser and WeasyPrint need no font to show it. Labels come
from the ``figures.Figure`` in the reader's language; a count shown as "<3" is drawn as 0 with
"<3" written on it (heat maps: a cross, explained in the legend).
"""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure as PlotFigure

from matchmaker.services.outcomes.figures import Figure

CJK_FONT = "Noto Sans CJK JP"
CJK_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",)


def _know_cjk_font() -> None:
    """Register Debian's Noto CJK file when matplotlib's font cache predates its install.

    matplotlib keeps the font list it found on first import (~/.cache/matplotlib); a cache built
    before ``fonts-noto-cjk`` was installed would leave Japanese labels without glyphs.
    """
    if any(entry.name == CJK_FONT for entry in font_manager.fontManager.ttflist):
        return
    for path in CJK_FILES:
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError):
            continue


_know_cjk_font()
matplotlib.rcParams.update({
    "font.family": ["DejaVu Sans", CJK_FONT],
    "svg.fonttype": "path",
    "svg.hashsalt": "matchmaker-dashboard",  # the same data gives the same SVG
    "font.size": 9,
})
_LOCK = threading.Lock()
COLOURS = ("#1b6e8f", "#c0562b", "#4f7f3a", "#7a5195", "#8c6d1f", "#555555")
SMALL = "<3"
MIN_SPAN = timedelta(days=6)  # the narrowest span of days a line chart shows


def _number(cell) -> float:
    return 0.0 if isinstance(cell, str) or cell is None else float(cell)


def _label_small(axes, bars, cells) -> None:
    for bar, cell in zip(bars, cells):
        if cell == SMALL:
            axes.annotate(SMALL, (bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2),
                          ha="center", va="center", fontsize=7)


def _line(axes, figure: Figure) -> None:
    rows = figure.table.rows
    days = [row[0] for row in rows if isinstance(row[0], date)]
    for index, name in enumerate(figure.table.header[1:], start=1):
        axes.plot(days, [_number(row[index]) for row in rows], marker="o", markersize=3, label=name,
                  color=COLOURS[index % len(COLOURS)])
    axes.legend(loc="upper left")
    axes.set_ylabel(figure.value_label)
    if days and max(days) - min(days) < MIN_SPAN:  # one day or a few: a week around them, not years of empty axis
        pad = (MIN_SPAN - (max(days) - min(days))) / 2
        axes.set_xlim(min(days) - pad, max(days) + pad)
    axes.figure.autofmt_xdate()


def _heatmap(axes, figure: Figure) -> None:
    rows = figure.table.rows
    values = [[_number(cell) for cell in row[1:]] for row in rows]
    top = max((max(row, default=0) for row in values), default=0)
    image = axes.imshow(values, cmap="Blues", aspect="auto", vmin=0, vmax=max(top, 1))
    axes.set_xticks(range(len(figure.table.header) - 1), figure.table.header[1:], rotation=30, ha="right")
    axes.set_yticks(range(len(rows)), [row[0] for row in rows])
    # the numbers are in the table beside the plot; here only the cells shown as "<3" get a mark
    small = [(x, y) for y, row in enumerate(rows) for x, cell in enumerate(row[1:]) if cell == SMALL]
    if small:
        axes.scatter([x for x, _ in small], [y for _, y in small], marker="x", s=14, color="#c0562b", label=SMALL)
        axes.legend(loc="upper left", bbox_to_anchor=(1.25, 1.0), frameon=False)
    axes.figure.colorbar(image, ax=axes, label=figure.value_label)


def _hbar(axes, figure: Figure) -> None:
    rows = figure.table.rows[::-1]
    bars = axes.barh([row[0] for row in rows], [_number(row[1]) for row in rows], color=COLOURS[0])
    _label_small(axes, bars, [row[1] for row in rows])
    axes.set_xlabel(figure.value_label)


def _bars(axes, figure: Figure, stacked: bool = False) -> None:
    rows, columns = figure.table.rows, figure.table.header[1:]
    if figure.table.shares:  # only the share columns are drawn, as percentages
        columns = [figure.table.header[i] for i in sorted(figure.table.shares)]
    indexes = [figure.table.header.index(name) for name in columns]
    width = 0.8 if stacked else 0.8 / max(len(indexes), 1)
    bottoms = [0.0] * len(rows)
    for n, index in enumerate(indexes):
        heights = [_number(row[index]) * (100 if figure.table.shares else 1) for row in rows]
        xs = [x if stacked else x - 0.4 + width * (n + 0.5) for x in range(len(rows))]
        bars = axes.bar(xs, heights, width, bottom=bottoms if stacked else None, label=figure.table.header[index],
                        color=COLOURS[n % len(COLOURS)])
        _label_small(axes, bars, [row[index] for row in rows])
        if stacked:
            bottoms = [b + h for b, h in zip(bottoms, heights)]
    axes.set_xticks(range(len(rows)), [str(row[0]) for row in rows])
    axes.set_ylabel(f"{figure.value_label} (%)" if figure.table.shares else figure.value_label)
    if len(indexes) > 1:
        axes.legend()


def _draw(figure: Figure) -> PlotFigure:
    rows = len(figure.table.rows)
    height = 3.2 if figure.kind != "heatmap" else max(3.2, 0.28 * rows + 1.6)
    plot = PlotFigure(figsize=(7.5, height), layout="constrained")
    axes = plot.add_subplot()
    axes.set_title(figure.title)
    if not rows:
        axes.set_axis_off()
    elif figure.kind == "line":
        _line(axes, figure)
    elif figure.kind == "heatmap":
        _heatmap(axes, figure)
    elif figure.kind == "hbar":
        _hbar(axes, figure)
    else:
        _bars(axes, figure, stacked=figure.kind == "stacked")
    return plot


def svg(figure: Figure) -> str:
    """The plot of *figure* as an SVG document (text drawn as paths), for the page."""
    plot = _draw(figure)
    FigureCanvasSVG(plot)
    buffer = io.StringIO()
    with _LOCK:
        plot.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def png(figure: Figure, dpi: int = 150) -> bytes:
    """The plot of *figure* as PNG bytes, for the PDF report (WeasyPrint lays out a bitmap far
    faster than an SVG made of text paths; the report's text is in its tables)."""
    plot = _draw(figure)
    FigureCanvasAgg(plot)
    buffer = io.BytesIO()
    with _LOCK:
        plot.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
