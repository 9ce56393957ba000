"""The pictures of the exports, drawn with matplotlib (Agg, no system binaries): the effect
chain, accumulated benefits and costs per year, and the tornado (sensitivity) chart.

The effect chain is drawn from the same layout as the browser (``workshop.draft.layout.
chain_layout``, used by ``static/js/chain_svg.js``): same boxes, same Bézier arrows, same
colours, dashes and stroke widths per kind of node as ``static/css/kinds-analysis.css``. One
layout unit is drawn as one point (a figure 1 000 units wide is 1 000/72 inches), so the
sizes in the CSS carry over as they are.

Matplotlib is used through its object API only (``Figure`` + ``FigureCanvasAgg``, never
pyplot): no global state, safe in a server. Participant text is never parsed as mathtext
(``text.parse_math`` off), so a title such as "$x$" is drawn as typed.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib import rc_context  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch, PathPatch, Polygon  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter  # noqa: E402

from .common import clean, kr_short, word, year_text

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# --- the look, from the stylesheets -------------------------------------------------------

INK = "#1a1f2b"
EDGE = "#5b6475"
ASIDE_LINE = "#8a93a6"
# kind -> (stroke, fill, stroke width, dashes or None); static/css/kinds-analysis.css
NODE_STYLE: dict[str, tuple[str, str, float, tuple[float, float] | None]] = {
    "forandring": ("#3730a3", "#e0e7ff", 3, None),
    "effekt": ("#92400e", "#fef3c7", 2, None),
    "nytta": ("#166534", "#dcfce7", 3, None),
    "konsekvenskostnad": ("#991b1b", "#fee2e2", 3, (9, 5)),
    "genomforandekostnad": ("#374151", "#eef0f3", 2, (3, 4)),
    "risk": ("#9a3412", "#ffedd5", 2, (6, 4)),
    "hinder": ("#9d174d", "#fce7f3", 2, (6, 4)),
    "mojlighet": ("#075985", "#e0f2fe", 2, (2, 3)),
    "verksamhetsmal": ("#5b21b6", "#ede9fe", 4, None),
}
DEFAULT_STYLE = (INK, "#ffffff", 2, None)
POSITIVE = "#166534"
NEGATIVE = "#b42318"
# static/css/kinds-calc.css
C_BENEFIT = "#1d4f91"
C_COST = "#c2410c"
C_EVEN = "#0f766e"
C_GRID = "#d5dae3"
C_AXIS = "#4d5566"

FONT = "DejaVu Sans"  # ships with matplotlib: the same on every machine
TITLE_PX = 20
MIN_TITLE_PX = 13
TEXT_X = 14

RC: dict[RcKeyType, Any] = {
    "text.parse_math": False,
    "text.usetex": False,
    "lines.scale_dashes": False,
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "svg.hashsalt": "nyttoverkstad",
    "svg.fonttype": "path",
    "axes.unicode_minus": True,
}
MAX_SIDE_PX = 8000
MAX_PIXELS = 36_000_000

_measure = TextToPath()


def _text_width(text: str, size: float, weight: str = "normal") -> float:
    prop = FontProperties(family=FONT, size=size, weight=weight)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing", category=UserWarning)
        width, _h, _d = _measure.get_text_width_height_descent(text, prop, ismath=False)
    return width


def _save(fig: Figure, fmt: str, dpi: float) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    with warnings.catch_warnings():
        # A character the bundled font lacks is drawn as a box; that is no reason to fail an export.
        warnings.filterwarnings("ignore", message="Glyph .* missing", category=UserWarning)
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()


def _check_fmt(fmt: str) -> None:
    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown figure format {fmt!r}")


# --- the effect chain ---------------------------------------------------------------------


def chain_data(analysis: Any) -> tuple[dict[str, Any], dict[Any, str | None], dict[Any, str]]:
    """Layout, polarity per node and kind labels: what the presenter's diagram is drawn from."""
    from ..activities.effect_chain import chain_links, chain_nodes, column_labels
    from ..draft.layout import chain_layout
    from ..draft.vocabulary import NODE_TYPE_LABELS

    standing = chain_nodes(analysis)
    ids = {n.id for n in standing}
    nodes = [{"id": n.id, "node_type": n.node_type, "title": clean(n.title)} for n in standing]
    layout = chain_layout(nodes, chain_links(analysis, ids), labels=column_labels())
    polarity = {n.id: n.polarity for n in standing}
    kinds = {key: str(label) for key, label in NODE_TYPE_LABELS.items()}
    return layout, polarity, kinds


def _arrow_head(points: list[list[float]]) -> list[tuple[float, float]]:
    (x2, y2), (x3, y3) = points[-2], points[-1]
    dx, dy = x3 - x2, y3 - y2
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    dx, dy = dx / length, dy / length
    size = 13
    bx, by = x3 - dx * size, y3 - dy * size
    px, py = -dy * size * 0.5, dx * size * 0.5
    return [(x3, y3), (bx + px, by + py), (bx - px, by - py)]


def _edge_path(points: list[list[float]]) -> Path:
    pts = [list(p) for p in points]
    (x2, y2), (x3, y3) = pts[-2], pts[-1]
    length = ((x3 - x2) ** 2 + (y3 - y2) ** 2) ** 0.5 or 1.0
    pts[-1] = [x3 - (x3 - x2) / length * 8, y3 - (y3 - y2) / length * 8]
    codes = [Path.MOVETO] + [Path.CURVE4] * (len(pts) - 1)
    usable = 1 + 3 * ((len(pts) - 1) // 3)
    return Path(pts[:usable], codes[:usable])


def _add(ax: Any, patch: Any) -> None:
    """``ax.add_patch`` without its data-limit update: the chain's limits are set, and that update
    (a Bézier extrema search per patch) was a fifth of drawing a 300-node chain."""
    ax.add_artist(patch)


def draw_chain(
    layout: Mapping[str, Any],
    polarity: Mapping[Any, str | None] | None = None,
    kind_labels: Mapping[str, str] | None = None,
    fmt: str = "png",
    scale: float = 2.0,
) -> bytes:
    """The chain as PNG or SVG; ``scale`` is pixels per layout unit for PNG (capped for huge chains)."""
    _check_fmt(fmt)
    polarity = polarity or {}
    kind_labels = kind_labels or {}
    width, height = float(layout["width"]), float(layout["height"])
    m = layout.get("metrics") or {"margin": 24, "pad_y": 9, "tag_h": 20, "line_h": 25, "header_line_h": 26}
    with rc_context(RC):
        fig = Figure(figsize=(width / 72, height / 72), dpi=72)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.set_axis_off()

        for col in layout["columns"]:
            for i, line in enumerate(col["label_lines"]):
                ax.text(
                    col["x"],
                    m["margin"] + (i + 1) * m["header_line_h"] - 6,
                    clean(line),
                    fontsize=22,
                    fontweight="bold",
                    color=INK,
                    va="baseline",
                    ha="left",
                    parse_math=False,
                )
            if col.get("aside"):
                x = col["x"] - 75
                ax.plot(
                    [x, x],
                    [m["margin"], height - m["margin"]],
                    color=ASIDE_LINE,
                    linewidth=2,
                    linestyle=(0, (8, 8)),
                    solid_capstyle="butt",
                )

        for e in layout["edges"]:
            pts = e["points"]
            if len(pts) < 4:
                continue
            _add(
                ax,
                PathPatch(
                    _edge_path(pts),
                    fill=False,
                    edgecolor=EDGE,
                    linewidth=3,
                    capstyle="butt",
                    joinstyle="round",
                    zorder=1,
                ),
            )
            _add(ax, Polygon(_arrow_head(pts), closed=True, facecolor=EDGE, edgecolor="none", zorder=1))

        for b in layout["nodes"]:
            stroke, fill, lw, dashes = NODE_STYLE.get(b["node_type"], DEFAULT_STYLE)
            x, y, w, h = b["x"], b["y"], b["w"], b["h"]
            box = FancyBboxPatch(
                (x, y),
                w,
                h,
                boxstyle="round,pad=0,rounding_size=10",
                facecolor=fill,
                edgecolor=stroke,
                linewidth=lw,
                zorder=2,
                linestyle=(0, dashes) if dashes else "solid",
            )
            _add(ax, box)
            tag_h = m["tag_h"] if b.get("tag") else 0
            if b.get("tag"):
                ax.text(
                    x + TEXT_X,
                    y + m["pad_y"] + 14,
                    clean(kind_labels.get(b["node_type"], b["node_type"])).upper(),
                    fontsize=13,
                    fontweight="bold",
                    color=stroke,
                    va="baseline",
                    ha="left",
                    zorder=3,
                    parse_math=False,
                )
            lines = [clean(s) for s in b["title_lines"]]
            size = float(TITLE_PX)
            room = w - TEXT_X - 8
            widest = max((_text_width(s, size) for s in lines), default=0.0)
            if widest > room:
                size = max(MIN_TITLE_PX, size * room / widest)
            for i, line in enumerate(lines):
                ax.text(
                    x + TEXT_X,
                    y + m["pad_y"] + tag_h + (i + 1) * m["line_h"] - 7,
                    line,
                    fontsize=size,
                    color=INK,
                    va="baseline",
                    ha="left",
                    zorder=3,
                    parse_math=False,
                )
            pol = polarity.get(b["id"]) if b["node_type"] == "effekt" else None
            if pol in ("positive", "negative"):
                _add(
                    ax,
                    Circle(
                        (x + w - 4, y + 4),
                        13,
                        facecolor=POSITIVE if pol == "positive" else NEGATIVE,
                        edgecolor="white",
                        linewidth=2,
                        zorder=4,
                    ),
                )
                ax.text(
                    x + w - 4,
                    y + 11,
                    "+" if pol == "positive" else "\u2212",
                    fontsize=20,
                    fontweight="bold",
                    color="white",
                    ha="center",
                    va="baseline",
                    zorder=5,
                    parse_math=False,
                )

        dpi = 72.0
        if fmt == "png":
            scale = min(scale, MAX_SIDE_PX / max(width, height, 1), (MAX_PIXELS / max(width * height, 1)) ** 0.5)
            dpi = 72.0 * max(scale, 0.25)
        return _save(fig, fmt, dpi)


def chain_image(analysis: Any, fmt: str = "png", scale: float = 2.0) -> bytes:
    layout, polarity, kinds = chain_data(analysis)
    return draw_chain(layout, polarity, kinds, fmt=fmt, scale=scale)


def chain_aspect(analysis: Any) -> float:
    """Width / height of the chain picture."""
    layout, _p, _k = chain_data(analysis)
    return float(layout["width"]) / max(1.0, float(layout["height"]))


# --- accumulated benefits and costs -------------------------------------------------------


def accumulated_chart(
    result: Mapping[str, Any],
    discounted: bool = False,
    start_year: int | None = None,
    fmt: str = "png",
    size: tuple[float, float] = (9.0, 4.6),
    font: float = 12,
    dpi: float = 200,
) -> bytes:
    """Accumulated benefits and costs for year 1..H (two lines) with the break-even year marked."""
    _check_fmt(fmt)
    m = result["discounted" if discounted else "undiscounted"]
    benefits = list(m["accumulated_benefits"])
    costs = list(m["accumulated_costs"])
    horizon = len(benefits)
    years = list(range(1, horizon + 1))
    with rc_context({**RC, "font.size": font}):
        fig = Figure(figsize=size, dpi=dpi)
        ax = fig.add_axes((0.13, 0.15, 0.84, 0.68))
        ax.plot(
            years,
            benefits,
            color=C_BENEFIT,
            linewidth=3.2,
            marker="o",
            markersize=font * 0.5,
            label=word("acc_benefits"),
            solid_capstyle="round",
            zorder=3,
        )
        ax.plot(
            years,
            costs,
            color=C_COST,
            linewidth=3.2,
            linestyle=(0, (5, 3)),
            marker="o",
            markersize=font * 0.5,
            label=word("acc_costs"),
            zorder=3,
        )
        lo = min([0.0, *benefits, *costs])
        hi = max([0.0, *benefits, *costs]) or 1.0
        pad = (hi - lo) * 0.08
        ax.set_ylim(lo - (pad if lo < 0 else 0), hi + pad)
        ax.set_xlim(0.7 if horizon > 1 else 0, horizon + 0.3 if horizon > 1 else 2)
        every = 5 if horizon > 20 else 2 if horizon > 10 else 1
        ticks = [y for y in years if y == 1 or y % every == 0 or y == horizon]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: kr_short(v)))
        ax.grid(axis="y", color=C_GRID, linewidth=1)
        ax.axhline(0, color=C_AXIS, linewidth=1.2)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.spines["left"].set_color(C_AXIS)
        ax.spines["bottom"].set_color(C_AXIS)
        ax.tick_params(colors=C_AXIS)
        label = word("year")
        if start_year:
            label = f"{label} ({word('year_n', n=1)} = {start_year})"
        ax.set_xlabel(label, color=C_AXIS)
        be = m.get("break_even_year")
        if be:
            ax.axvline(be, color=C_EVEN, linewidth=2.2, linestyle=(0, (4, 3)), zorder=2)
            ax.annotate(
                year_text(be),
                (be, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                color=C_EVEN,
                fontweight="bold",
                annotation_clip=False,
            )
        fig.legend(loc="upper left", bbox_to_anchor=(0.12, 0.995), ncols=2, frameon=False)
        return _save(fig, fmt, dpi)


# --- tornado ------------------------------------------------------------------------------


def tornado_entries(result: Mapping[str, Any], top: int = 8) -> list[dict[str, Any]]:
    titles = {i["id"]: i["title"] for i in result.get("items", [])}
    out = []
    for e in (result.get("sensitivity") or [])[:top]:
        item = titles.get(e.get("item_id")) if e.get("item_id") else None
        label = clean(e.get("label") or e.get("name"))
        out.append({**e, "display": f"{label} · {clean(item)}" if item and item != label else label})
    return out


def tornado_chart(
    result: Mapping[str, Any],
    top: int = 8,
    discounted: bool = False,
    fmt: str = "png",
    width: float = 9.0,
    font: float = 11,
    dpi: float = 200,
) -> bytes | None:
    """Nettonytta with one input at its lowest and highest value (all others likely); None if none vary."""
    _check_fmt(fmt)
    entries = tornado_entries(result, top)
    if not entries:
        return None
    likely = result["uncertainty"]["likely"]["discounted" if discounted else "undiscounted"]["nettonytta"]
    low_key = "discounted_nettonytta_low" if discounted else "nettonytta_low"
    high_key = "discounted_nettonytta_high" if discounted else "nettonytta_high"
    n = len(entries)
    height = 1.05 + 0.55 * n
    with rc_context({**RC, "font.size": font}):
        fig = Figure(figsize=(width, height), dpi=dpi)
        ax = fig.add_axes((0.37, 0.5 / height, 0.42, 1 - 1.1 / height))
        ys = list(range(n))
        for y, e in zip(ys, entries):
            for value, colour in ((e[low_key], C_COST), (e[high_key], C_BENEFIT)):
                a, b = sorted((value, likely))
                ax.barh(y, max(b - a, 0.0), left=a, height=0.62, color=colour, zorder=2)
            ax.text(
                1.02,
                y,
                f"{kr_short(e[low_key])} – {kr_short(e[high_key])}",
                transform=ax.get_yaxis_transform(),
                va="center",
                ha="left",
                color=INK,
                fontsize=font * 0.9,
                parse_math=False,
            )
        ax.axvline(likely, color=INK, linewidth=2.4, zorder=3)
        ax.set_yticks(ys)
        ax.set_yticklabels(
            ["\n".join(textwrap.wrap(e["display"], 38, max_lines=2, placeholder=" …")) or "–" for e in entries]
        )
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: kr_short(v)))
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color=C_GRID, linewidth=1, zorder=0)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        handles = [
            Patch(color=C_COST, label=word("at_lowest")),
            Patch(color=C_BENEFIT, label=word("at_highest")),
            Line2D([0], [0], color=INK, linewidth=2.4, label=word("tornado_likely", v=kr_short(likely))),
        ]
        fig.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(0.01, 0.995), ncols=3, frameon=False, fontsize=font * 0.9
        )
        return _save(fig, fmt, dpi)


# --- one entry point for routes and the CLI -----------------------------------------------

FIGURES = ("chain", "result", "tornado")


def figure(analysis: Any, name: str, fmt: str = "png") -> bytes | None:
    from ..draft.compute import compute

    if name == "chain":
        return chain_image(analysis, fmt)
    result = compute(analysis).to_dict()
    if name == "result":
        return accumulated_chart(result, start_year=analysis.start_year, fmt=fmt)
    if name == "tornado":
        return tornado_chart(result, fmt=fmt)
    raise LookupError(f"unknown figure {name!r}")


def _iter_png_chunks(data: bytes) -> Iterable[tuple[bytes, bytes]]:
    pos = 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        yield kind, data[pos + 8 : pos + 8 + length]
        pos += 12 + length


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG made here."""
    for kind, body in _iter_png_chunks(data):
        if kind == b"IHDR":
            return int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
    raise ValueError("not a PNG")
