/* Planner workspace on top of geoportale.js: layer order and opacity, basemaps, coordinates,
   go-to, measure, draw-to-select, identify, cross-layer queries and statistics (our OGC API
   - Processes), print, and the whole state in the URL hash. No third-party code but Leaflet. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("workspace-config").textContent);
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var map, base = null, highlight = null, choropleth = null, sketch = null;
  var state = {b: cfg.basemap, q: null, s: null, sel: null};
  var last = {result: null, stats: null, chart: null};

  var esc = window.GeoportaleCommon.esc, t = window.GeoportaleCommon.t;
  function order() { return $$("[data-ws-layer]").map(function (el) { return el.getAttribute("data-ws-layer"); }); }
  function box(id) { return $("input[name='layer'][value='" + id + "']"); }
  function visible() { return order().filter(function (id) { return box(id).checked; }); }
  function opacity(id) { return Number($("[data-opacity='" + id + "']").value) / 100; }

  // -- layer order and opacity: each layer has its own pane (geoportale.js) --------------
  function applyOrder() {
    var ids = order(), n = ids.length;
    ids.forEach(function (id, i) {
      var pane = map.getPane("gp-" + id);
      if (pane) pane.style.zIndex = String(400 + (n - i));  // first in the list is on top
    });
  }
  function setOpacity(id, value) {
    var pane = map.getPane("gp-" + id);
    if (pane) pane.style.opacity = String(value);
  }
  function move(id, dir) {
    var el = $("[data-ws-layer='" + id + "']"), group = el.parentNode;
    if (dir === "up" && el.previousElementSibling && el.previousElementSibling.hasAttribute("data-ws-layer")) {
      group.insertBefore(el, el.previousElementSibling);
    } else if (dir === "down" && el.nextElementSibling) {
      group.insertBefore(el.nextElementSibling, el);
    }
    applyOrder(); save();
  }

  // -- basemaps ----------------------------------------------------------------------------
  function setBasemap(id) {
    var b = cfg.basemaps.filter(function (x) { return x.id === id; })[0] || {kind: "none", id: "none"};
    if (base) { map.removeLayer(base); base = null; }
    if (b.kind === "xyz") base = L.tileLayer(b.url, {attribution: b.attribution, maxZoom: 19});
    if (b.kind === "wms") base = L.tileLayer.wms(b.url, {layers: b.layers, format: "image/png", transparent: false, attribution: b.attribution});
    if (base) base.addTo(map).bringToBack();
    state.b = b.id;
    var radio = $("input[name='basemap'][value='" + b.id + "']");
    if (radio) radio.checked = true;
  }

  // -- coordinates under the cursor and go-to ------------------------------------------------
  var coordTimer = null, coordSeq = 0;
  function showCoords(latlng) {
    var el = $("[data-coords]");
    el.textContent = "WGS84 " + latlng.lng.toFixed(6) + ", " + latlng.lat.toFixed(6);
    el.removeAttribute("data-projected");
    clearTimeout(coordTimer);
    coordTimer = setTimeout(function () {
      var seq = ++coordSeq;
      fetch(cfg.transform + "?x=" + latlng.lng + "&y=" + latlng.lat + "&crs=EPSG:4326").then(function (r) { return r.json(); })
        .then(function (doc) {
          if (seq !== coordSeq || !doc.coordinates) return;
          var c = doc.coordinates;
          el.innerHTML = "WGS84 " + latlng.lng.toFixed(6) + ", " + latlng.lat.toFixed(6) +
            "<br>EPSG:7791 " + c["EPSG:7791"][0].toFixed(1) + " E, " + c["EPSG:7791"][1].toFixed(1) + " N" +
            "<br>EPSG:3003 " + c["EPSG:3003"][0].toFixed(1) + " E, " + c["EPSG:3003"][1].toFixed(1) + " N";
          el.setAttribute("data-projected", "1");
        });
    }, 150);
  }
  function goTo(ev) {
    ev.preventDefault();
    var f = ev.target, x = f.x.value.replace(",", "."), y = f.y.value.replace(",", ".");
    fetch(cfg.transform + "?x=" + encodeURIComponent(x) + "&y=" + encodeURIComponent(y) + "&crs=" + encodeURIComponent(f.crs.value))
      .then(function (r) { return r.json(); }).then(function (doc) {
        if (!doc.coordinates) { hint(doc.detail || t("Coordinate non valide")); return; }
        var ll = L.latLng(doc.coordinates["EPSG:4326"][1], doc.coordinates["EPSG:4326"][0]);
        map.setView(ll, Math.max(map.getZoom(), 16));
        clearSketch(); sketch = L.layerGroup([L.circleMarker(ll, {radius: 8, color: "#d00"})]).addTo(map);
        hint(t("Posizione: {lat}, {lon}", {lat: ll.lat.toFixed(6), lon: ll.lng.toFixed(6)}));
      });
  }

  // -- tools: measure, draw-to-select, identify ---------------------------------------------
  var tool = null, points = [];
  function hint(text) { $("[data-hint]").textContent = text || ""; }
  function clearSketch() { if (sketch) { map.removeLayer(sketch); sketch = null; } }
  function setTool(name) {
    tool = tool === name ? null : name; points = [];
    $$("[data-tool]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-tool") === tool)); });
    map.getContainer().classList.toggle("ws-drawing", !!tool);
    if (tool) map.doubleClickZoom.disable(); else map.doubleClickZoom.enable();
    hint({identify: t("Clicca sulla mappa per identificare gli elementi dei layer visibili."),
      distance: t("Clicca i punti della linea, poi Fine."), area: t("Clicca i vertici, poi Fine."),
      polygon: t("Clicca i vertici del poligono, poi Fine."), circle: t("Clicca il centro, poi un punto del bordo.")}[tool] || "");
  }
  function geodesicArea(lls) {  // spherical excess on the WGS84 mean radius, m²
    var R = 6371008.8, area = 0, rad = Math.PI / 180;
    for (var i = 0; i < lls.length; i++) {
      var a = lls[i], b = lls[(i + 1) % lls.length];
      area += (b.lng - a.lng) * rad * (2 + Math.sin(a.lat * rad) + Math.sin(b.lat * rad));
    }
    return Math.abs(area * R * R / 2);
  }
  function length(lls) { var d = 0; for (var i = 1; i < lls.length; i++) d += map.distance(lls[i - 1], lls[i]); return d; }
  function fmtM(m) { return m >= 1000 ? (m / 1000).toFixed(3) + " km" : m.toFixed(1) + " m"; }
  function drawSketch() {
    clearSketch();
    var g = [];
    if (tool === "circle" && points.length === 2) g.push(L.circle(points[0], {radius: map.distance(points[0], points[1]), color: "#d00", fill: false}));
    else if ((tool === "area" || tool === "polygon") && points.length > 2) g.push(L.polygon(points, {color: "#d00", fillOpacity: 0.08}));
    else if (points.length > 1) g.push(L.polyline(points, {color: "#d00"}));
    points.forEach(function (p) { g.push(L.circleMarker(p, {radius: 3, color: "#d00"})); });
    sketch = L.layerGroup(g).addTo(map);
    var out = "";
    if (tool === "distance" && points.length > 1) out = t("Distanza: {distance}", {distance: fmtM(length(points))});
    if (tool === "area" && points.length > 2) {
      var a = geodesicArea(points);
      out = t("Area: {area} · perimetro {perimeter}", {area: a >= 1e6 ? (a / 1e6).toFixed(3) + " km²" : a.toFixed(0) + " m²",
        perimeter: fmtM(length(points.concat([points[0]])))});
    }
    $("[data-measure]").textContent = out;
  }
  function onClick(e) {
    if (!tool) return;
    if (tool === "identify") { identify(e.latlng); return; }
    points.push(e.latlng);
    if (tool === "circle" && points.length > 2) points = [e.latlng];
    drawSketch();
    if (tool === "circle" && points.length === 2) finish();
  }
  function wkt(lls) {
    var ring = lls.concat([lls[0]]).map(function (p) { return p.lng.toFixed(7) + " " + p.lat.toFixed(7); });
    return "POLYGON((" + ring.join(", ") + "))";
  }
  function finish() {
    if (tool === "polygon" && points.length > 2) {
      state.sel = {polygon: points.map(function (p) { return [+p.lng.toFixed(7), +p.lat.toFixed(7)]; })};
    } else if (tool === "circle" && points.length === 2) {
      state.sel = {circle: [+points[0].lng.toFixed(7), +points[0].lat.toFixed(7), Math.round(map.distance(points[0], points[1]))]};
    } else { return; }
    selectBy(state.sel); save();
  }
  function selectionFilter(sel) {
    if (sel.polygon) return "S_INTERSECTS(geometry, " + wkt(sel.polygon.map(function (c) { return L.latLng(c[1], c[0]); })) + ")";
    return "S_DWITHIN(geometry, POINT(" + sel.circle[0] + " " + sel.circle[1] + "), " + sel.circle[2] + ")";
  }
  function queryVisible(filter, label) {
    var ids = visible();
    return Promise.all(ids.map(function (id) {
      var url = cfgOf(id).itemsUrl + "?f=json&limit=1000&filter=" + encodeURIComponent(filter);
      return fetch(url, {headers: {Accept: "application/geo+json"}}).then(function (r) { return r.json(); })
        .then(function (doc) { return (doc.features || []).map(function (f) { f.properties._layer = id; return f; }); });
    })).then(function (lists) {
      var feats = [].concat.apply([], lists);
      showResult({type: "FeatureCollection", features: feats}, t("{label}: {n} elementi nei layer visibili ({layers})", {label: label, n: feats.length, layers: ids.join(", ")}), null);
      return feats;
    });
  }
  function cfgOf(id) { return cfg.layers.filter(function (l) { return l.id === id; })[0]; }
  function selectBy(sel) {
    clearSketch();
    sketch = L.layerGroup([sel.polygon ? L.polygon(sel.polygon.map(function (c) { return [c[1], c[0]]; }), {color: "#d00", fillOpacity: 0.05})
      : L.circle([sel.circle[1], sel.circle[0]], {radius: sel.circle[2], color: "#d00", fill: false})]).addTo(map);
    return queryVisible(selectionFilter(sel), t("Selezione"));
  }
  function identify(latlng) {
    var tolerance = Math.max(1, 8 * 40075016.7 * Math.cos(latlng.lat * Math.PI / 180) / Math.pow(2, map.getZoom() + 8));
    queryVisible("S_DWITHIN(geometry, POINT(" + latlng.lng.toFixed(7) + " " + latlng.lat.toFixed(7) + "), " + tolerance.toFixed(1) + ")", t("Identifica"))
      .then(function (feats) {
        var html = feats.slice(0, 20).map(function (f) {
          var c = cfgOf(f.properties._layer), t = c.titleField ? f.properties[c.titleField] : f.id;
          return "<li><strong>" + esc(c.title) + "</strong>: " + esc(t) + "</li>";
        }).join("");
        L.popup({maxWidth: 360}).setLatLng(latlng).setContent("<div class='popup ws-identify'><h2>" + esc(t("Identifica")) + "</h2>" +
          (html ? "<ul>" + html + "</ul>" : "<p>" + esc(t("Nessun elemento qui.")) + "</p>") + "</div>").openOn(map);
      });
  }

  // -- results: table, highlight, downloads ----------------------------------------------------
  function download(name, type, text) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], {type: type}));
    a.download = name; a.textContent = name; a.className = "button";
    return a;
  }
  function showResult(fc, summary, csv) {
    last.result = fc;
    if (highlight) map.removeLayer(highlight);
    highlight = L.geoJSON(fc.features.filter(function (f) { return f.geometry; }), {
      style: {color: "#00e5ff", weight: 4, fillOpacity: 0.15},
      pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 10, color: "#003b46", weight: 3, fillColor: "#00e5ff", fillOpacity: 0.7}); },
      onEachFeature: function (f, lyr) { lyr.bindTooltip(esc(f.properties.titolo || f.properties.nome || f.id)); }
    }).addTo(map);
    $("[data-result-summary]").textContent = summary;
    var keys = fc.features.length ? Object.keys(fc.features[0].properties).filter(function (k) {
      return ["_layer", "id", "titolo", "nome", "stato", "tipo", "quartiere", "importo_euro", "distanza_m"].indexOf(k) !== -1;
    }) : [];
    var rows = fc.features.map(function (f, i) {
      return "<tr class='ws-hit' data-index='" + i + "'>" + keys.map(function (k) { return "<td>" + esc(f.properties[k]) + "</td>"; }).join("") + "</tr>";
    }).join("");
    $("[data-result-table]").innerHTML = keys.length ? "<table data-results><thead><tr>" + keys.map(function (k) {
      return "<th scope='col'>" + esc(k) + "</th>"; }).join("") + "</tr></thead><tbody>" + rows + "</tbody></table>" : "";
    var dl = $("[data-downloads]"); dl.innerHTML = "";
    dl.appendChild(download(t("risultato") + ".geojson", "application/geo+json", JSON.stringify(fc)));
    dl.appendChild(document.createTextNode(" "));
    if (csv) dl.appendChild(download(t("risultato") + ".csv", "text/csv", csv));
    var bounds = highlight.getBounds();
    if (bounds.isValid() && fc.features.length) map.fitBounds(bounds.pad(0.3), {maxZoom: 16});
  }
  function execute(id, inputs, extra) {
    return fetch(cfg.processes + "/" + id + "/execution" + (extra || ""), {method: "POST",
      headers: {"Content-Type": "application/json", Accept: "application/json"}, body: JSON.stringify({inputs: inputs})})
      .then(function (r) { return (extra ? r.text() : r.json()).then(function (b) { if (!r.ok) throw new Error(extra ? JSON.parse(b).detail : b.detail); return b; }); });
  }
  function runQuery(inputs) {
    state.q = inputs; save();
    $("[data-result-summary]").textContent = t("Interrogazione in corso…");
    return Promise.all([execute("cross-layer-query", inputs), execute("cross-layer-query", inputs, "?f=csv")])
      .then(function (out) {
        var s = out[0].summary;
        var groups = s.groups ? " · " + s.groups.map(function (g) { return g.value + ": " + g.count; }).join(", ") : "";
        var predicate = s.predicate + (s.distance_m != null ? " " + s.distance_m + " m" : "");
        showResult(out[0].result, t("{n} elementi di {layer} ({predicate} da {reference}); {unlocated} senza geometria esclusi",
          {n: s.matched, layer: s.layer, predicate: predicate, reference: s.reference, unlocated: s.unlocated}) + groups, out[1]);
      }).catch(function (err) { $("[data-result-summary]").textContent = t("Errore: {error}", {error: err.message}); });
  }
  function formInputs(form, names) {
    var out = {};
    names.forEach(function (n) { var v = form[n].value.trim(); if (v !== "") out[n] = v; });
    return out;
  }
  function onQuery(ev) {
    ev.preventDefault();
    var f = ev.target, inputs = formInputs(f, ["layer", "reference", "predicate", "filter", "reference_filter", "group_by"]);
    if (inputs.predicate === "dwithin" || inputs.predicate === "beyond") inputs.distance = Number(f.distance.value);
    runQuery(inputs);
  }

  // -- statistics and choropleth ------------------------------------------------------------------
  function runStats(inputs) {
    state.s = inputs; save();
    $("[data-result-summary]").textContent = t("Calcolo in corso…");
    return Promise.all([execute("zone-statistics", inputs), execute("zone-statistics", inputs, "?f=csv")]).then(function (out) {
      var doc = out[0];
      if (choropleth) map.removeLayer(choropleth);
      choropleth = L.geoJSON(doc.choropleth, {style: function (f) { return {color: "#555", weight: 1, fillColor: f.properties.colore, fillOpacity: 0.75}; },
        onEachFeature: function (f, l) { l.bindTooltip(esc(f.properties.nome) + ": " + esc(f.properties.valore)); }}).addTo(map);
      choropleth.bringToBack();
      last.stats = doc;
      $("[data-choropleth-legend]").innerHTML = "<h3>" + esc(doc.legend.column) + " (" + esc(doc.legend.scheme) + ")</h3><ul>" +
        doc.legend.classes.map(function (c) { return "<li><span class='swatch' style='--swatch:" + esc(c.color) + "'></span>" + esc(c.label) + " (" + c.count + ")</li>"; }).join("") + "</ul>" +
        "<p>" + doc.notes.map(esc).join("<br>") + "</p>";
      $("[data-chart]").innerHTML = "<img alt='" + esc(t("Grafico: {column} per zona", {column: doc.legend.column})) + "' src='data:image/svg+xml;charset=utf-8," + encodeURIComponent(doc.chart) + "'>";
      var cols = doc.table.columns;
      $("[data-result-table]").innerHTML = "<table data-stats-table><thead><tr>" + cols.map(function (c) { return "<th scope='col'>" + esc(c.label) + "</th>"; }).join("") +
        "</tr></thead><tbody>" + doc.table.rows.map(function (r) { return "<tr>" + cols.map(function (c) { return "<td>" + esc(r[c.name]) + "</td>"; }).join("") + "</tr>"; }).join("") + "</tbody></table>";
      var dl = $("[data-downloads]"); dl.innerHTML = "";
      dl.appendChild(download(t("statistiche") + ".csv", "text/csv", out[1]));
      $("[data-result-summary]").textContent = t("Statistiche per {zones}: {column}", {zones: inputs.zones, column: doc.legend.column});
    }).catch(function (err) { $("[data-result-summary]").textContent = t("Errore: {error}", {error: err.message}); });
  }
  function onStats(ev) {
    ev.preventDefault();
    var f = ev.target, v = formInputs(f, ["zones", "zone_key", "zone_label", "layer", "category", "sum", "measure", "scheme"]);
    var layer = {layer: v.layer, measure: v.measure || "count"};
    if (v.category) layer.category = v.category;
    if (v.sum) layer.sum = v.sum;
    runStats({zones: v.zones, zone_key: v.zone_key, zone_label: v.zone_label || null, layers: [layer], scheme: v.scheme, k: Number(f.k.value)});
  }

  // -- print ------------------------------------------------------------------------------------
  function onPrint(ev) {
    ev.preventDefault();
    var f = ev.target, b = map.getBounds();
    var body = {title: f.title.value, paper: f.paper.value, orientation: f.orientation.value, format: f.format.value,
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
      layers: visible().reverse().map(function (id) { return {id: id, opacity: opacity(id)}; })};
    if (last.result) body.highlight = last.result;
    if (last.stats && choropleth && map.hasLayer(choropleth)) body.choropleth = {type: "FeatureCollection", features: last.stats.choropleth.features, legend: last.stats.legend};
    hint(t("Stampa in preparazione…"));
    fetch(cfg.print, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (r) { if (!r.ok) return r.json().then(function (p) { throw new Error(p.detail); }); return r.blob(); })
      .then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob); a.download = cfg.printName + "." + body.format;
        document.body.appendChild(a); a.click(); a.remove(); hint(t("Stampa pronta."));
      }).catch(function (err) { hint(t("Errore di stampa: {error}", {error: err.message})); });
  }

  // -- state in the URL hash ----------------------------------------------------------------------
  function save() {
    if (!map) return;
    var c = map.getCenter(), p = new URLSearchParams();
    p.set("c", c.lat.toFixed(5) + "," + c.lng.toFixed(5)); p.set("z", String(map.getZoom()));
    p.set("b", state.b); p.set("l", visible().join(","));
    p.set("o", order().join(","));
    var ops = order().filter(function (id) { return opacity(id) < 1; }).map(function (id) { return id + ":" + opacity(id); });
    if (ops.length) p.set("op", ops.join(","));
    if (state.q) p.set("q", JSON.stringify(state.q));
    if (state.s) p.set("s", JSON.stringify(state.s));
    if (state.sel) p.set("sel", JSON.stringify(state.sel));
    if (Geoportale.year() !== null) p.set("anno", String(Geoportale.year()));  // the year control (geoportale.js)
    history.replaceState(null, "", "#" + p.toString());
  }
  function restore() {
    var p = new URLSearchParams(location.hash.slice(1));
    if (p.get("o")) p.get("o").split(",").reverse().forEach(function (id) {
      var el = $("[data-ws-layer='" + id + "']"); if (el) el.parentNode.insertBefore(el, el.parentNode.querySelector("[data-ws-layer]"));
    });
    if (p.has("l")) {
      var on = p.get("l").split(",");
      order().forEach(function (id) { var b = box(id); if (b.checked !== (on.indexOf(id) !== -1)) { b.checked = !b.checked; b.dispatchEvent(new Event("change")); } });
    }
    (p.get("op") || "").split(",").filter(Boolean).forEach(function (pair) {
      var kv = pair.split(":"), input = $("[data-opacity='" + kv[0] + "']");
      if (input) { input.value = String(Math.round(Number(kv[1]) * 100)); setOpacity(kv[0], Number(kv[1])); }
    });
    setBasemap(p.get("b") || cfg.basemap);
    if (p.get("c")) { var c = p.get("c").split(",").map(Number); map.setView(c, Number(p.get("z") || map.getZoom())); }
    try {
      if (p.get("sel")) { state.sel = JSON.parse(p.get("sel")); selectBy(state.sel); }
      if (p.get("q")) { runQuery(JSON.parse(p.get("q"))); }
      if (p.get("s")) { runStats(JSON.parse(p.get("s"))); }
    } catch (err) { hint(t("Stato nell'indirizzo non leggibile: {error}", {error: err.message})); }
  }

  function start() {
    map = Geoportale.map;
    if (!$(".leaflet-control-scale")) L.control.scale({imperial: false}).addTo(map);
    map.on("mousemove", function (e) { showCoords(e.latlng); });
    map.on("click", onClick);
    map.on("dblclick", function () { if (tool) finish(); });
    map.on("moveend gp:year", save);
    $$("[data-opacity]").forEach(function (input) {
      input.addEventListener("input", function () { setOpacity(input.getAttribute("data-opacity"), Number(input.value) / 100); save(); });
    });
    $$("[data-move]").forEach(function (b) { b.addEventListener("click", function () { move(b.getAttribute("data-id"), b.getAttribute("data-move")); }); });
    $$("input[name='layer']").forEach(function (b) { b.addEventListener("change", save); });
    $$("input[name='basemap']").forEach(function (r) { r.addEventListener("change", function () { setBasemap(r.value); save(); }); });
    $$("[data-tool]").forEach(function (b) { b.addEventListener("click", function () { setTool(b.getAttribute("data-tool")); }); });
    $("[data-finish]").addEventListener("click", finish);
    $("[data-clear]").addEventListener("click", function () {
      clearSketch(); points = []; state.sel = state.q = state.s = null; last.result = last.stats = null;
      [highlight, choropleth].forEach(function (l) { if (l) map.removeLayer(l); });
      $("[data-measure]").textContent = ""; $("[data-result-table]").innerHTML = ""; $("[data-chart]").innerHTML = "";
      $("[data-choropleth-legend]").innerHTML = ""; $("[data-downloads]").innerHTML = ""; save();
    });
    $("[data-goto]").addEventListener("submit", goTo);
    $("[data-query]").addEventListener("submit", onQuery);
    $("[data-stats]").addEventListener("submit", onStats);
    $("[data-print]").addEventListener("submit", onPrint);
    applyOrder(); restore(); save();
    document.documentElement.setAttribute("data-workspace", "ready");
  }
  window.GeoportaleWorkspace = {state: state, last: last, save: save};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
