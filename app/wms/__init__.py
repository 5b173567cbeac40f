"""A WMS 1.3.0 of the published layers at /wms, drawn by Mapnik from the layer styles.

`params.py` reads a request's parameters (CRS and the 1.3.0 axis order included);
`errors.py` the OGC exception report every WMS error is answered with; `capabilities.py`
writes GetCapabilities; `render.py` draws GetMap with Mapnik and caches the images per
layer version; `featureinfo.py` answers GetFeatureInfo; `legend.py` draws
GetLegendGraphic; `views.py` is the thin blueprint.
"""

from app.wms.views import bp

__all__ = ["bp"]
