/* The small map on the API's HTML pages: the GeoJSON of the page, over the basemap. */
(function () {
  "use strict";
  var el = document.getElementById("api-map");
  if (!el) return;
  var basemap = JSON.parse(el.getAttribute("data-basemap"));
  var map = L.map(el);
  if (basemap.kind === "xyz") {
    L.tileLayer(basemap.url, {attribution: basemap.attribution, maxZoom: 19}).addTo(map);
  } else if (basemap.kind === "wms") {
    L.tileLayer.wms(basemap.url, {layers: basemap.wms_layers, format: "image/png",
      attribution: basemap.attribution}).addTo(map);
  }
  var view = JSON.parse(el.getAttribute("data-view"));  // [lat, lon, zoom]: the organisation's
  map.setView([view[0], view[1]], view[2]);
  window.GeoportaleCommon.contributionPoint(map);  // a feature page's contribution form
  fetch(el.getAttribute("data-geojson"), {headers: {"Accept": "application/geo+json"}})
    .then(function (r) { return r.json(); })
    .then(function (doc) {
      var layer = L.geoJSON(doc, {pointToLayer: function (f, ll) {
        return L.circleMarker(ll, {radius: 6, color: "#fff", weight: 1.5, fillColor: "#b1003a",
          fillOpacity: 0.9});
      }}).addTo(map);
      if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), {maxZoom: 17});
    });
})();
