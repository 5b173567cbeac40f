/* The draft review map: every pending change from the page's JSON blob (#draft-geometries),
   before in grey and dashed, after in colour (green added, blue changed); a row's
   "Mostra sulla mappa" button zooms to its feature. */
(function () {
  "use strict";
  var el = document.getElementById("draft-map");
  var blob = document.getElementById("draft-geometries");
  if (!el || !blob || typeof L === "undefined") return;
  var t = window.GeoportaleCommon.t;
  var data = JSON.parse(blob.textContent);
  var map = L.map(el);
  var b = data.basemap || {};
  if (b.kind === "xyz") {
    L.tileLayer(b.url, {attribution: b.attribution, maxZoom: 19}).addTo(map);
  } else if (b.kind === "wms") {
    L.tileLayer.wms(b.url, {layers: b.wms_layers, format: "image/png",
      attribution: b.attribution}).addTo(map);
  }
  var BEFORE = {color: "#6b6b6b", weight: 2, dashArray: "5 4", fillOpacity: 0.1, opacity: 0.9};
  var COLOURS = {added: "#1b7a2e", changed: "#1f5fa8"};

  function draw(geometry, style, label) {
    return L.geoJSON({type: "Feature", geometry: geometry, properties: {}}, {
      style: function () { return style; },
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, L.extend({radius: 7, fillColor: style.color}, style));
      }
    }).bindTooltip(label);
  }

  var byId = {};
  var all = L.featureGroup().addTo(map);
  data.features.forEach(function (f) {
    var group = L.featureGroup();
    var name = f.id + " " + f.title;
    if (f.before) {
      draw(f.before, BEFORE, t("{name}: prima", {name: name})).addTo(group);
    }
    if (f.after) {
      var style = {color: COLOURS[f.kind] || COLOURS.changed, weight: 3, fillOpacity: 0.35, opacity: 1};
      draw(f.after, style, t("{name}: dopo", {name: name})).addTo(group);
    }
    group.addTo(all);
    byId[f.id] = group;
  });
  el.setAttribute("data-drawn", String(data.features.length));
  var bounds = all.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, {maxZoom: 17, padding: [20, 20]});
  else map.setView([data.view[0], data.view[1]], data.view[2]);

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-zoom]");
    var row = ev.target.closest("tr[data-fid]");
    if (!button && (!row || ev.target.closest("form, a, button"))) return;
    var fid = button ? button.getAttribute("data-zoom") : row.getAttribute("data-fid");
    var group = byId[fid];
    if (!group || !group.getBounds().isValid()) return;
    map.fitBounds(group.getBounds(), {maxZoom: 18, padding: [30, 30]});
    el.setAttribute("data-zoomed", fid);
    document.querySelectorAll("tr.selected").forEach(function (tr) { tr.classList.remove("selected"); });
    row = row || document.querySelector('tr[data-fid="' + CSS.escape(fid) + '"]');
    if (row) row.classList.add("selected");
  });
})();
