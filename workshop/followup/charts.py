"""The comparison as a chart: accumulated benefits and costs, estimate against outcome, as an
inline SVG (no script needed; the page gives the same figures as a table beside it)."""

from __future__ import annotations

from flask_babel import gettext
from markupsafe import Markup, escape

from ..calculation.outcome import Comparison
from ..formatting import money

DASH = ' stroke-dasharray="6 4"'
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 300, 96, 16, 16, 40


def accumulated(cmp: Comparison) -> Markup:
    est, out = cmp.estimate["undiscounted"], cmp.outcome["undiscounted"]
    series = [
        (gettext("Benefits, estimate"), est.accumulated_benefits, "chart-benefit", True),
        (gettext("Benefits, outcome"), out.accumulated_benefits, "chart-benefit", False),
        (gettext("Costs, estimate"), est.accumulated_costs, "chart-cost", True),
        (gettext("Costs, outcome"), out.accumulated_costs, "chart-cost", False),
    ]
    years = len(est.accumulated_benefits)
    top = max([0.0, *(v for _, vals, _, _ in series for v in vals)]) or 1.0

    def x(t: int) -> float:
        return PAD_L + (W - PAD_L - PAD_R) * (t / max(years - 1, 1))

    def y(v: float) -> float:
        return PAD_T + (H - PAD_T - PAD_B) * (1 - max(v, 0.0) / top)

    parts = [
        f'<svg class="followup-chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(gettext("Accumulated benefits and costs: estimate and outcome"))}</title>',
        f'<desc id="chart-desc">{escape(gettext("The same figures are in the table below the chart."))}</desc>',
    ]
    for frac in (0, 0.5, 1):
        yy = y(top * frac)
        parts.append(f'<line class="chart-grid" x1="{PAD_L}" x2="{W - PAD_R}" y1="{yy:.1f}" y2="{yy:.1f}"/>')
        parts.append(
            f'<text class="chart-axis" x="{PAD_L - 6}" y="{yy + 4:.1f}" text-anchor="end">{escape(money(top * frac))}</text>'
        )
    for t in range(years):
        parts.append(
            f'<text class="chart-axis" x="{x(t):.1f}" y="{H - PAD_B + 18}" text-anchor="middle">{t + 1}</text>'
        )
    if cmp.to_year:
        xx = x(cmp.to_year - 1)
        parts.append(f'<line class="chart-today" x1="{xx:.1f}" x2="{xx:.1f}" y1="{PAD_T}" y2="{H - PAD_B}"/>')
    for _label, vals, cls, dashed in series:
        pts = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in enumerate(vals))
        dash = DASH if dashed else ""
        parts.append(f'<polyline class="{cls}" fill="none" stroke-width="3"{dash} points="{pts}"/>')
    parts.append("</svg>")
    legend = "".join(
        f'<li><svg width="28" height="10" aria-hidden="true"><line class="{cls}" x1="0" x2="28" y1="5" y2="5" '
        f'stroke-width="3"{DASH if dashed else ""}/></svg> {escape(label)}</li>'
        for label, _, cls, dashed in series
    )
    return Markup("".join(parts) + f'<ul class="chart-legend">{legend}</ul>')
