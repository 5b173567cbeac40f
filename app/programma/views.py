"""Thin views of the programme: /programma (HTML), /api/programma (JSON) and its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from app.csvsafe import safe_cell
from app.errors import InvalidParameter, NotFound
from app.i18n import current_language
from app.i18n import gettext as _
from app.organisation import organisation
from app.programma import timeline, tree
from app.programma.config import Programme, load_programme
from app.quartieri import params
from app.quartieri.service import Interventi, load_interventi
from app.services import services

bp = Blueprint("programma", __name__)


def _programme() -> Programme:
    org = organisation()
    if org.programme is None or org.interventions_layer is None:
        raise NotFound(_("Questo geoportale non pubblica un programma."))
    return load_programme(str(org.programme.location(services().settings["ORGANISATION"])))


def parse_filters(args, programme: Programme) -> tree.ProgrammeFilters:
    """The filters of /programma, each checked (400 naming the parameter if bad)."""
    quartiere = args.get("quartiere") or None
    if quartiere is not None and not quartiere.isdigit():
        raise InvalidParameter(f"quartiere must be a number, got {quartiere[:20]!r}", "quartiere")
    funding = args.get("finanziamento") or None
    known = [f.key for f in programme.funding] + ["nd"]
    if funding is not None and funding not in known:
        raise InvalidParameter(f"finanziamento must be one of {', '.join(known)}", "finanziamento")
    al = args.get("al") or None
    if al is not None and (not al.isdigit() or not 1900 <= int(al) <= 2100):
        raise InvalidParameter(f"al must be a year such as 2016, got {al[:20]!r}", "al")
    mission = args.get("missione") or None
    if mission is not None and not tree.MISSION_CODE.match(mission):
        raise InvalidParameter(
            f"missione must be a DUP mission code such as 8, got {mission[:20]!r}", "missione"
        )
    return tree.ProgrammeFilters(
        missione=mission,
        stato=params.parse_text(args, "stato"),
        anno=params.parse_year(args),
        quartiere=int(quartiere) if quartiere else None,
        finanziamento=funding,
        al=int(al) if al else None,
    )


def _state(data: Interventi, programme: Programme):
    """Everything the three views need, computed once per request."""
    filters = parse_filters(request.args, programme)
    today = dt.date.today().year
    ctx = tree.Context(programme, filters.al if filters.al is not None else today)
    items = tree.select(data.items, filters, ctx)
    root, loose = tree.dup_tree(items, ctx)
    chapters, outside = tree.chapters(items, ctx, current_language())
    svc = services()
    info = svc.store.describe(data.spec.id)
    updated = {
        "layer": data.spec.id,
        "version": info.version,
        "published_at": info.published_at,
        "data_updated": data.spec.metadata.updated.isoformat(),
    }
    return filters, ctx, items, root, loose, chapters, outside, updated


def _stats_json(stats: tree.Stats) -> dict:
    return {
        "interventi": stats.count,
        "per_stato": dict(stats.states),
        "importo_noto_euro": round(stats.amount, 2),
        "senza_importo": stats.unknown_amount,
        "in_ritardo": stats.late,
        "finanziamento": dict(sorted(stats.funding.items())),
        "quartieri": dict(stats.quartieri_sorted),
    }


def _node_json(node: tree.Node, root_url: str) -> dict:
    out = {"livello": node.level, "codice": node.code, "nome": node.name}
    out |= _stats_json(node.stats)
    if node.children:
        out["figli"] = [_node_json(c, root_url) for c in node.children]
    if node.items:
        out["interventi_elenco"] = [
            {
                "id": i.id,
                "titolo": i.title,
                "stato": i.status,
                "importo_euro": i.amount,
                "link": root_url + url_for("quartieri.intervento", item_id=i.id),
            }  # fmt: skip
            for i in node.items
        ]
    return out


#: The first year of the timeline (the oldest of the council's documents covers 2014-2016).
FIRST_YEAR = 2014


def _colours(data: Interventi) -> dict[str, str]:
    return {str(c.value): c.color for c in data.spec.style.categories} if data.spec else {}


def _years(ctx: tree.Context) -> tuple[int, int]:
    """From FIRST_YEAR to this year, whichever year `al` chose."""
    return FIRST_YEAR, max(FIRST_YEAR, dt.date.today().year)


@bp.get("/programma")
def page():
    programme = _programme()
    data = load_interventi(services())
    filters, ctx, items, root, loose, chapters, outside, updated = _state(data, programme)
    lang = current_language()
    labels = data.status_labels(lang)
    return render_template(
        "programma/index.html",
        filters=filters,
        ctx=ctx,
        total=tree.totals(items, ctx),
        root=root,
        loose=loose,
        chapters=chapters,
        outside=outside,
        updated=updated,
        funding={f.key: f.label.get(lang) for f in programme.funding} | {"nd": _("n.d.")},
        status_label=lambda s: labels.get(s) or _(s),
        options=data.options(data.items),
        quartieri=data.areas.items,
        missions=tree.dup_tree(data.items, ctx)[0].children,
        everything=len(data.items),
        years=timeline.timeline(_unfiltered_by_year(data, filters, ctx), *_years(ctx)),
        colours=_colours(data),
        money=timeline.funding(items, ctx),
        money_by_mission=timeline.funding_matrix(items, ctx, _mission_label),
        money_by_quartiere=timeline.funding_matrix(items, ctx, _quartiere_label),
        shares=[
            (i, timeline.stated_shares(i["finanziamento"]))
            for i in items
            if timeline.stated_shares(i["finanziamento"])
        ],  # fmt: skip
    )


def _mission_label(item) -> str | None:
    return item["missione"] or None


def _quartiere_label(item) -> str | None:
    return item.quartiere.label if item.quartiere else None


def _unfiltered_by_year(data: Interventi, filters: tree.ProgrammeFilters, ctx: tree.Context):
    """The timeline shows every year, so it takes the filters but not the year ones (`al`,
    `anno`): the states over time of the chosen interventions."""
    from dataclasses import replace

    return tree.select(data.items, replace(filters, al=None, anno=None), ctx)


@bp.get("/api/programma/andamento")
def api_timeline():
    """JSON (or CSV with f=csv): per year, the interventions in each state at its end."""
    programme = _programme()
    data = load_interventi(services())
    filters, ctx, *_rest = _state(data, programme)
    rows = timeline.timeline(_unfiltered_by_year(data, filters, ctx), *_years(ctx))
    states = timeline.states_of(rows)
    if request.args.get("f") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["anno", *states, "totale"])
        for r in rows:
            writer.writerow([r.year, *(r.by_state.get(s, 0) for s in states), r.total])
        return _csv(out.getvalue(), "andamento")
    return jsonify(
        {
            "filtri": {
                k: v for k, v in vars(filters).items() if v is not None and k not in ("al", "anno")
            },
            "stati": states,
            "anni": [
                {
                    "anno": r.year,
                    "per_stato": {s: r.by_state.get(s, 0) for s in states},
                    "totale": r.total,
                }
                for r in rows
            ],  # fmt: skip
        }
    )


@bp.get("/api/programma/finanziamento")
def api_funding():
    """JSON (or CSV with f=csv): per funding category, interventions and known amounts."""
    programme = _programme()
    data = load_interventi(services())
    filters, ctx, items, *_rest = _state(data, programme)
    rows = timeline.funding(items, ctx)
    if request.args.get("f") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["finanziamento", "interventi", "importo_noto_euro", "senza_importo",
                         "cofinanziati"])  # fmt: skip
        for r in rows:
            writer.writerow([r.key, r.count, f"{r.amount:.2f}", r.unknown_amount, r.cofunded])
        return _csv(out.getvalue(), "finanziamento")
    return jsonify(
        {
            "filtri": {k: v for k, v in vars(filters).items() if v is not None},
            "nota": "a co-funded intervention counts in each of its categories: the sums overlap",
            "categorie": [vars(r) | {"amount": round(r.amount, 2)} for r in rows],
            "per_missione": timeline.funding_matrix(items, ctx, _mission_label),
            "per_quartiere": timeline.funding_matrix(items, ctx, _quartiere_label),
            "quote_dichiarate": [
                {
                    "id": i.id,
                    "titolo": i.title,
                    "quote": dict(timeline.stated_shares(i["finanziamento"])),
                }
                for i in items
                if timeline.stated_shares(i["finanziamento"])
            ],
        }
    )


def _csv(body: str, what: str) -> Response:
    name = f"programma-{what}-{organisation().slug}.csv"
    return Response(
        body,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/api/programma")
def api():
    programme = _programme()
    data = load_interventi(services())
    filters, ctx, items, root, loose, chapters, outside, updated = _state(data, programme)
    root_url = request.script_root
    return jsonify(
        {
            "aggiornato_al": updated,
            "filtri": {k: v for k, v in vars(filters).items() if v is not None},
            "anno_di_riferimento_ritardi": ctx.today_year,
            "totali": _stats_json(tree.totals(items, ctx)),
            "missioni": [_node_json(c, root_url) for c in root.children],
            "senza_missione": _node_json(loose, root_url),
            "capitoli_programma_di_mandato": [_node_json(c, root_url) for c in chapters],
            "non_citati_dal_programma_di_mandato": _node_json(outside, root_url),
        }
    )


CSV_COLUMNS = ("livello", "codice", "nome", "interventi", "importo_noto_euro", "senza_importo",
               "in_ritardo")  # fmt: skip


@bp.get("/api/programma.csv")
def api_csv():
    """The tree's rows (each DUP node, then each chapter) with their figures, one per line."""
    programme = _programme()
    data = load_interventi(services())
    filters, ctx, items, root, loose, chapters, outside, updated = _state(data, programme)
    states = [s for s, _n in tree.totals(items, ctx).states]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, *(f"stato_{s}" for s in states)])
    rows = [n for c in root.children for n in c.walk()] + [loose, *chapters, outside]
    for node in rows:
        s = node.stats
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    node.level,
                    node.code or "",
                    node.name,
                    s.count,
                    f"{s.amount:.2f}",
                    s.unknown_amount,
                    s.late,
                )
            ]  # fmt: skip
            + [s.by_state.get(st, 0) for st in states]
        )
    return _csv(out.getvalue(), "albero")
