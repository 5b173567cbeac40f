"""Thin views: process list, process description, synchronous execution."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request, url_for

from app.analysis.layers import plain
from app.errors import InvalidParameter, NotAcceptable
from app.heavy import heavy_slot
from app.limits import limits_doc, limits_text
from app.processes.definitions import (
    EXECUTION_LIMITS,
    PROCESSES,
    RunLimits,
    encode,
    get_process,
)
from app.processes.inputs import execution_request
from app.services import services

bp = Blueprint("processes", __name__)
JSON = "application/json"
#: ?f= shortcuts for the raw form of one output.
SHORT_FORMATS = {"csv": "text/csv", "geojson": "application/geo+json", "svg": "image/svg+xml"}


def _fmt() -> str:
    fmt = request.args.get("f")
    if fmt is None:
        best = request.accept_mimetypes.best_match([JSON, "text/html"], default=JSON)
        return "html" if best == "text/html" else "json"
    if fmt not in ("json", "html"):
        raise InvalidParameter(f"f={fmt!r} is not available; use f=json or f=html", "f")
    return fmt


def _links(process_id: str | None = None) -> list[dict]:
    if process_id is None:
        return [
            {"href": url_for("processes.index", _external=True), "rel": "self", "type": JSON},
            {
                "href": url_for("processes.index", f="html", _external=True),
                "rel": "alternate",
                "type": "text/html",
            },
        ]
    return [
        {
            "href": url_for("processes.describe", process_id=process_id, _external=True),
            "rel": "self",
            "type": JSON,
            "title": "Process description",
        },
        {
            "href": url_for("processes.execute", process_id=process_id, _external=True),
            "rel": "http://www.opengis.net/def/rel/ogc/1.0/execute",
            "type": JSON,
            "title": "Execute (POST, synchronous)",
        },
    ]


def _render(doc: dict, template: str, **context) -> Response:
    if _fmt() == "html":
        return Response(render_template(template, doc=doc, **context), mimetype="text/html")
    return Response(json.dumps(doc), mimetype=JSON)


@bp.get("", strict_slashes=False)
def index():
    processes = [{**p.summary(), "links": _links(p.id)[:1]} for p in PROCESSES.values()]
    return _render({"processes": processes, "links": _links()}, "processes/list.html")


@bp.get("/<process_id>")
def describe(process_id: str):
    p = get_process(process_id)
    settings = services().settings
    names = EXECUTION_LIMITS + p.limit_settings
    summary = p.summary()
    summary["description"] += " " + limits_text(settings, names)
    doc = {
        **summary,
        "limits": limits_doc(settings, names),
        "inputs": p.inputs,
        "outputs": p.outputs,
        "example": p.example,
        "links": _links(p.id),
    }
    execute_url = url_for("processes.execute", process_id=p.id, _external=True)
    return _render(doc, "processes/process.html", execute_url=execute_url)


def _wanted(outputs: dict | None, response: str, declared: dict) -> tuple[str, str] | None:
    """(output id, media type) when one output is asked for raw; None for the document."""
    short = request.args.get("f")
    if short is not None:
        media = SHORT_FORMATS.get(short)
        if media is None:
            raise InvalidParameter(f"f={short!r}: use one of {', '.join(SHORT_FORMATS)}", "f")
        wanted = request.args.get("output") or next(
            (name for name, d in declared.items() if media in d["formats"]), None
        )
        if wanted not in declared or media not in declared[wanted]["formats"]:
            raise NotAcceptable(f"no output of this process is available as {media}")
        return wanted, media
    if not outputs:
        return None
    unknown = sorted(set(outputs) - set(declared))
    if unknown:
        raise InvalidParameter(f"unknown output {unknown[0]!r}", "outputs")
    if len(outputs) > 1 and response != "raw":
        return None
    name = next(iter(outputs))
    spec = outputs[name] if isinstance(outputs[name], dict) else {}
    media = (spec.get("format") or {}).get("mediaType") or declared[name]["formats"][0]
    if media not in declared[name]["formats"]:
        raise NotAcceptable(
            f"output {name!r} is available as {', '.join(declared[name]['formats'])}"
        )
    return name, media


@bp.post("/<process_id>/execution")
def execute(process_id: str):
    p = get_process(process_id)
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidParameter('send a JSON body: {"inputs": {...}}', "body")
    values, outputs, response = execution_request(body, p.inputs)
    wanted = _wanted(outputs, response, p.outputs)
    svc = services()
    names = [wanted[0]] if wanted else list(outputs or p.outputs)
    # A slot is taken only once the request is valid: bad input never waits or holds one.
    with heavy_slot():
        result = p.run(svc.store, svc.layer, values, RunLimits.of(svc.settings, names))
        return _response(p.id, result, wanted, outputs)


def _response(process_id: str, result: dict, wanted, outputs: dict | None) -> Response:
    """One output raw (`wanted`: name, media type), or the document of the outputs."""
    if wanted is not None:
        name, media = wanted
        out = Response(encode(result, name, media), mimetype=media)
        if media == "text/csv":
            out.headers["Content-Disposition"] = f'attachment; filename="{process_id}-{name}.csv"'
        return out
    doc = {
        k: v for k, v in result.items() if not k.startswith("_") and (not outputs or k in outputs)
    }
    return Response(json.dumps(doc, default=plain, ensure_ascii=False), mimetype=JSON)
