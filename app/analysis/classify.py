"""Choropleth classes (mapclassify), their colours and legend, and a bar chart (matplotlib)."""

from __future__ import annotations

import io
import warnings

import numpy as np

from app.errors import InvalidParameter

SCHEMES = {
    "quantiles": "Quantiles",
    "jenks": "FisherJenks",  # the exact (Fisher) form of Jenks natural breaks
    "equal_interval": "EqualInterval",
}
#: ColorBrewer YlOrRd, light to dark (k = 2..7 take evenly spread entries).
PALETTE = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026", "#800026"]
NO_DATA = "#d9d9d9"


def _colors(k: int) -> list[str]:
    if k <= 1:
        return [PALETTE[3]]
    idx = np.linspace(0, len(PALETTE) - 1, k).round().astype(int)
    return [PALETTE[i] for i in idx]


def classify(values: list, scheme: str = "quantiles", k: int = 5) -> dict:
    """Classes of `values` (None = no data): bins, a colour per value, a legend.

    Fewer distinct values than `k` give fewer classes (never empty ones).
    """
    if scheme not in SCHEMES:
        raise InvalidParameter(f"scheme {scheme!r} is not one of {', '.join(SCHEMES)}", "scheme")
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= 7:
        raise InvalidParameter("k must be an integer between 2 and 7", "k")
    present = np.array([float(v) for v in values if v is not None], dtype=float)
    if present.size == 0:
        return {
            "scheme": scheme,
            "k": 0,
            "bins": [],
            "classes": [None] * len(values),
            "colors": [NO_DATA] * len(values),
            "legend": [],
        }
    distinct = np.unique(present)
    k = int(min(k, distinct.size))
    if k < 2:
        bins = [float(distinct[0])]
        yb = np.zeros(present.size, dtype=int)
    else:
        import mapclassify

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            c = getattr(mapclassify, SCHEMES[scheme])(present, k=k)
        bins, yb = [float(b) for b in c.bins], np.asarray(c.yb, dtype=int)
    # quantiles on tied values can yield duplicate bins: renumber the classes actually used
    used = sorted(set(yb.tolist()))
    renumber = {old: new for new, old in enumerate(used)}
    bins = [bins[i] for i in used]
    colors = _colors(len(bins))
    classes, out_colors, it = [], [], iter(yb.tolist())
    for v in values:
        if v is None:
            classes.append(None)
            out_colors.append(NO_DATA)
        else:
            c_ = renumber[next(it)]
            classes.append(c_)
            out_colors.append(colors[c_])
    low = float(present.min())
    legend = []
    for i, upper in enumerate(bins):
        lower = low if i == 0 else bins[i - 1]
        count = sum(1 for c_ in classes if c_ == i)
        legend.append(
            {
                "lower": lower,
                "upper": upper,
                "color": colors[i],
                "count": count,
                "label": f"{_fmt(lower)} – {_fmt(upper)}",
            }
        )
    if any(v is None for v in values):
        legend.append(
            {
                "lower": None,
                "upper": None,
                "color": NO_DATA,
                "count": sum(v is None for v in values),
                "label": "n.d. / no data",
            }
        )
    return {
        "scheme": scheme,
        "k": len(bins),
        "bins": bins,
        "classes": classes,
        "colors": out_colors,
        "legend": legend,
    }


def _fmt(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}".replace(",", ".")
    return f"{x:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def bar_chart(labels: list[str], values: list, colors: list[str], title: str, fmt: str = "svg"):
    """A horizontal bar chart (SVG text or PNG bytes), drawn without a display."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    height = max(2.5, 0.32 * len(labels) + 1.2)
    fig = Figure(figsize=(7.5, height))
    ax = fig.add_subplot()
    y = np.arange(len(labels))
    ax.barh(y, [v or 0 for v in values], color=colors, edgecolor="#555555", linewidth=0.5)
    ax.set_yticks(y, [str(lbl)[:38] for lbl in labels], fontsize=8)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue().decode("utf-8") if fmt == "svg" else buf.getvalue()
