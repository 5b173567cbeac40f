"""Print the workspace view to PDF or PNG, server-side, with no basemap needed (offline).

The page has a title, the map (our vector layers, the highlighted selection or query result,
an optional choropleth), a legend, a scale bar with the scale, a north arrow, the
attributions and the date. The map is drawn in EPSG:7791 (metres), so the scale bar is true.
"""

from __future__ import annotations

import datetime as dt
import io
import math

import geopandas as gpd
import shapely

from app.analysis.layers import METRIC_CRS, LayerLookup, load_frame, located
from app.errors import InvalidParameter
from app.organisation import organisation
from app.registry.spec import LayerSpec
from app.stores.base import FeatureStore
from app.workspace.print_request import (  # noqa: F401 (parse_print_request: for the view)
    PAPER_MM,
    PrintRequest,
    parse_print_request,
    print_limit,
    print_size,
)

HIGHLIGHT = "#00e5ff"


def _fit(bbox, width: float, height: float) -> tuple[float, float, float, float]:
    """The view in EPSG:7791, widened to the aspect of the map frame."""
    box = gpd.GeoSeries([shapely.box(*bbox)], crs="OGC:CRS84").to_crs(METRIC_CRS).total_bounds
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    w, h = box[2] - box[0], box[3] - box[1]
    if w / h > width / height:
        h = w * height / width
    else:
        w = h * width / height
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _nice(length: float) -> float:
    """A round length (1, 2 or 5 × 10^n) at most `length`."""
    power = 10 ** math.floor(math.log10(length))
    for step in (5, 2, 1):
        if step * power <= length:
            return step * power
    return power


def _draw_layer(ax, spec: LayerSpec, frame: gpd.GeoDataFrame, opacity: float) -> list[tuple]:
    """Draw one layer in its style; the legend entries (label, colour, kind) it used."""
    st = spec.style
    frame = frame[located(frame)].to_crs(METRIC_CRS)
    if frame.empty:
        return []
    colors = {str(c.value): c.color for c in st.categories}
    fill = st.fill_color or st.color
    if st.property:
        col = frame[st.property].astype(str).map(colors).fillna(fill)
    else:
        col = [fill] * len(frame)
    frame = frame.assign(_c=list(col))
    if "precisione" in frame.columns and st.approximate:
        # placed only as exactly as a whole area: a faint dashed outline, as on the map
        coarse = frame["precisione"].isin(st.approximate).to_numpy()
        frame[coarse].boundary.plot(
            ax=ax,
            color=frame[coarse]["_c"],
            linewidth=0.8,
            linestyle=(0, (2, 3)),
            alpha=opacity,
            zorder=3,
        )
        frame = frame[~coarse]
    kinds = frame.geometry.geom_type.str.replace("Multi", "")
    for kind, part in frame.groupby(kinds):
        if kind == "Point":
            part.plot(
                ax=ax,
                color=part["_c"],
                markersize=(st.radius * 1.6) ** 2 / 4,
                edgecolor="white",
                linewidth=0.6,
                alpha=opacity,
                zorder=5,
            )
        elif kind == "LineString":
            part.plot(ax=ax, color=part["_c"], linewidth=st.weight * 0.8, alpha=opacity, zorder=4)
        else:
            part.plot(
                ax=ax,
                facecolor=part["_c"],
                edgecolor=st.color,
                linewidth=st.weight * 0.5,
                alpha=max(0.05, st.fill_opacity * opacity),
                zorder=3,
            )
            part.boundary.plot(
                ax=ax, color=st.color, linewidth=st.weight * 0.5, alpha=opacity, zorder=3
            )
    kind = "point" if spec.geometry_type in ("Point", "MultiPoint") else "area"
    if st.categories:
        used = set(frame[st.property].astype(str)) if st.property else set()
        return [
            (f"{spec.title.it}: {c.label.it}", c.color, kind)
            for c in st.categories
            if str(c.value) in used
        ]
    return [(spec.title.it, fill, kind)]


def _geojson_frame(doc: dict, parameter: str) -> gpd.GeoDataFrame | None:
    """The client's GeoJSON (highlight or choropleth) in the print's metric CRS; None if empty."""
    feats = [f for f in doc.get("features", []) if isinstance(f, dict) and f.get("geometry")]
    if not feats:
        return None
    try:
        frame = gpd.GeoDataFrame.from_features(feats, crs="OGC:CRS84").to_crs(METRIC_CRS)
    except Exception:  # noqa: BLE001 (a client's GeoJSON: refuse it clearly)
        raise InvalidParameter(f"{parameter}: invalid GeoJSON features", parameter) from None
    return frame


def render(
    store: FeatureStore, layer_of: LayerLookup, req: PrintRequest, max_features: int | None = None
) -> bytes:
    """The printed page as PDF or PNG bytes; LimitExceeded past `max_features` features."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    w_mm, h_mm = PAPER_MM[req.paper]
    if req.orientation == "landscape":
        w_mm, h_mm = h_mm, w_mm
    inch = 25.4
    fig = Figure(figsize=(w_mm / inch, h_mm / inch))
    margin, head, foot = 10 / w_mm, 16 / h_mm, 16 / h_mm
    legend_w = 0.26 if req.orientation == "landscape" else 0.0
    legend_h = 0.0 if req.orientation == "landscape" else 0.22
    map_rect = [margin, foot + legend_h, 1 - 2 * margin - legend_w, 1 - head - foot - legend_h]
    ax = fig.add_axes(map_rect)
    frame_w, frame_h = map_rect[2] * w_mm, map_rect[3] * h_mm
    view = _fit(req.bbox, frame_w, frame_h)
    view_box = (view[0], view[1], view[2], view[3])
    lonlat = gpd.GeoSeries([shapely.box(*view_box)], crs=METRIC_CRS).to_crs("OGC:CRS84")
    query_box = tuple(lonlat.total_bounds)
    specs = [layer_of(layer_id) for layer_id, _ in req.layers]
    if max_features is not None:  # counted before anything is read or drawn
        count = print_size(store, specs, query_box, req)
        if count > max_features:
            raise print_limit(count, max_features)

    entries, attributions = _draw_content(ax, store, specs, query_box, req)

    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.add_patch(
        Rectangle(
            (view[0], view[1]),
            view[2] - view[0],
            view[3] - view[1],
            fill=False,
            edgecolor="black",
            linewidth=0.8,
            zorder=12,
        )
    )

    scale = _draw_scale_and_north(ax, view, frame_w)

    org = organisation()
    fig.text(margin, 1 - 10 / h_mm, req.title, fontsize=15, fontweight="bold", va="baseline")
    today = dt.date.today()
    fig.text(
        1 - margin,
        1 - 10 / h_mm,
        f"{org.name.it} · {today:%d/%m/%Y}",
        fontsize=8,
        ha="right",
        va="baseline",
    )
    sources = "; ".join(dict.fromkeys(attributions)) or org.name.it
    fig.text(
        margin,
        9 / h_mm,
        f"Scala 1:{_round_scale(scale):,} (su carta {req.paper})".replace(",", ".")
        + " · EPSG:7791 (RDN2008 / UTM 32N) · senza mappa di base / no basemap",
        fontsize=6.5,
    )
    fig.text(margin, 5 / h_mm, f"Dati / Data: {sources}"[:260], fontsize=6, color="#333333")
    fig.text(
        1 - margin,
        5 / h_mm,
        f"Stampato il / Printed on {today.isoformat()}",
        fontsize=6,
        ha="right",
        color="#333333",
    )
    _legend(fig, entries, req.orientation, map_rect, legend_h)
    buf = io.BytesIO()
    meta = {"Title": req.title, "Creator": org.title.it}
    if req.format == "pdf":
        fig.savefig(buf, format="pdf", metadata=meta)
    else:
        fig.savefig(buf, format="png", dpi=150, metadata={"Title": req.title})
    return buf.getvalue()


def _draw_content(ax, store, specs, query_box, req: PrintRequest) -> tuple[list, list]:
    """Choropleth, layers and highlight on the map axes: (legend entries, attributions)."""
    entries, attributions = [], []
    if req.choropleth:
        chor = _geojson_frame(req.choropleth, "choropleth")
        if chor is not None:
            chor.plot(
                ax=ax,
                color=chor.get("colore", "#cccccc"),
                edgecolor="#555555",
                linewidth=0.6,
                alpha=0.85,
                zorder=2,
            )
        for item in (req.choropleth.get("legend") or {}).get("classes", []):
            entries.append((str(item.get("label")), item.get("color", "#cccccc"), "area"))
    for spec, (_, opacity) in zip(specs, req.layers, strict=True):
        frame = load_frame(store, spec, bbox=query_box)
        entries.extend(_draw_layer(ax, spec, frame, opacity))
        if spec.metadata.attribution and opacity > 0:
            attributions.append(spec.metadata.attribution)
    if req.highlight:
        hl = _geojson_frame(req.highlight, "highlight")
        if hl is not None:
            hl.plot(
                ax=ax, facecolor="none", edgecolor=HIGHLIGHT, linewidth=2.2, markersize=90, zorder=8
            )
            hl[hl.geom_type.str.contains("Point")].plot(
                ax=ax, color="none", edgecolor="#003b46", markersize=140, linewidth=1.6, zorder=9
            )
            entries.append((f"Selezione / risultato ({len(hl)})", HIGHLIGHT, "outline"))
    return entries, attributions


def _draw_scale_and_north(ax, view, frame_w: float) -> float:
    """A scale bar (bottom left, on a white box) and a north arrow; the page's scale."""
    from matplotlib.patches import FancyArrow, Rectangle

    span = view[2] - view[0]
    length = _nice(span / 4)
    x0, y0 = view[0] + span * 0.04, view[1] + (view[3] - view[1]) * 0.04
    ax.add_patch(
        Rectangle(
            (x0 - span * 0.015, y0 - span * 0.012),
            length + span * 0.09,
            span * 0.05,
            facecolor="white",
            edgecolor="none",
            alpha=0.85,
            zorder=10,
        )
    )
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (x0 + i * length / 4, y0),
                length / 4,
                span * 0.006,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.5,
                zorder=11,
            )
        )
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x0, y0 + span * 0.012, "0", fontsize=6, zorder=11)
    ax.text(x0 + length, y0 + span * 0.012, label, fontsize=6, ha="center", zorder=11)
    scale = span / (frame_w / 1000)
    # north arrow (grid north of EPSG:7791, within a few degrees of true north in Italy)
    nx, ny = view[2] - span * 0.05, view[3] - (view[3] - view[1]) * 0.16
    arrow_len = (view[3] - view[1]) * 0.08
    ax.add_patch(
        FancyArrow(
            nx,
            ny,
            0,
            arrow_len,
            width=span * 0.008,
            head_width=span * 0.025,
            head_length=arrow_len * 0.4,
            length_includes_head=True,
            color="black",
            zorder=11,
        )
    )
    ax.text(
        nx,
        ny + arrow_len * 1.08,
        "N",
        ha="center",
        va="bottom",
        fontsize=10,
        fontweight="bold",
        zorder=11,
    )
    return scale


def _round_scale(scale: float) -> int:
    digits = max(0, int(math.log10(scale)) - 1)
    return int(round(scale / 10**digits) * 10**digits)


def _legend(fig, entries: list[tuple], orientation: str, map_rect, legend_h: float) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = []
    for label, color, kind in dict.fromkeys(entries):
        if kind == "point":
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor=color,
                    markeredgecolor="white",
                    markersize=7,
                    label=label[:48],
                )
            )
        elif kind == "outline":
            handles.append(Patch(facecolor="none", edgecolor=color, linewidth=2, label=label[:48]))
        else:
            handles.append(Patch(facecolor=color, edgecolor="#555555", label=label[:48]))
    if not handles:
        return
    if orientation == "landscape":
        anchor = (map_rect[0] + map_rect[2] + 0.01, map_rect[1] + map_rect[3])
        fig.legend(
            handles=handles[:40],
            loc="upper left",
            bbox_to_anchor=anchor,
            fontsize=6.5,
            frameon=False,
            title="Legenda / Legend",
            title_fontsize=8,
            alignment="left",
        )
    else:
        anchor = (map_rect[0], map_rect[1] - 0.01)
        fig.legend(
            handles=handles[:40],
            loc="upper left",
            bbox_to_anchor=anchor,
            fontsize=6.5,
            ncol=2,
            frameon=False,
            title="Legenda / Legend",
            title_fontsize=8,
            alignment="left",
        )
