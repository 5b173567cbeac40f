"""WMS exceptions: every error of a /wms request is an OGC ServiceExceptionReport (XML).

WMS clients (OWSLib, QGIS, the regional portal's harvester) read the exception codes of
WMS 1.3.0 (annex E), not the problem+json the rest of the API speaks. The view module
maps every `GeoportaleError` through `report()` once; errors raised here carry their code.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from flask import Response

from app.errors import GeoportaleError, InvalidParameter, LayerNotFound, NotFound

MEDIA_TYPE = "text/xml"  # the 1.3.0 exception format "XML"


class WmsError(InvalidParameter):
    """A request WMS refuses, with its exception `wms_code` (400)."""

    wms_code = "InvalidParameterValue"

    def __init__(self, detail: str, parameter: str | None = None, wms_code: str | None = None):
        super().__init__(detail, parameter)
        if wms_code:
            self.wms_code = wms_code


def invalid_format(detail: str, parameter: str = "FORMAT") -> WmsError:
    return WmsError(detail, parameter, "InvalidFormat")


def invalid_crs(detail: str, parameter: str = "CRS") -> WmsError:
    return WmsError(detail, parameter, "InvalidCRS")


def layer_not_defined(detail: str, parameter: str = "LAYERS") -> WmsError:
    return WmsError(detail, parameter, "LayerNotDefined")


def style_not_defined(detail: str) -> WmsError:
    return WmsError(detail, "STYLES", "StyleNotDefined")


def layer_not_queryable(detail: str) -> WmsError:
    return WmsError(detail, "QUERY_LAYERS", "LayerNotQueryable")


def invalid_point(detail: str, parameter: str) -> WmsError:
    return WmsError(detail, parameter, "InvalidPoint")


def missing(parameter: str) -> WmsError:
    return WmsError(f"parameter {parameter} is required", parameter, "MissingParameterValue")


def not_supported(detail: str, parameter: str = "REQUEST") -> WmsError:
    return WmsError(detail, parameter, "OperationNotSupported")


def _code(exc: GeoportaleError) -> str | None:
    if isinstance(exc, WmsError):
        return exc.wms_code
    if isinstance(exc, LayerNotFound):
        return "LayerNotDefined"
    if isinstance(exc, InvalidParameter):
        return "InvalidParameterValue"
    return None  # server side: no code (the 1.3.0 codes are all about the request)


def report(exc: GeoportaleError) -> Response:
    """The ServiceExceptionReport of `exc`; 400 for a wrong request, else its own status."""
    if exc.status >= 500:
        detail = exc.detail if exc.public_detail else "The server hit an error."
        status = exc.status
    else:
        detail = exc.detail
        status = 400 if isinstance(exc, (InvalidParameter, NotFound)) else exc.status
    code = _code(exc)
    attrs = ""
    if code:
        attrs += f" code={quoteattr(code)}"
    if exc.parameter:
        attrs += f" locator={quoteattr(exc.parameter)}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.opengis.net/ogc '
        'http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd">\n'
        f"<ServiceException{attrs}>{escape(detail)}</ServiceException>\n"
        "</ServiceExceptionReport>\n"
    )
    response = Response(body, status=status, content_type=f"{MEDIA_TYPE}; charset=utf-8")
    response.headers.update(exc.headers())
    response.headers["Cache-Control"] = "no-store"
    return response
