/* Geoportale: loads the registry's layers from our OGC API into a folium map,
   drives the layer panel (real checkboxes, keyboard usable) and builds the popups. */
(function () {
  "use strict";

  var esc = window.GeoportaleCommon.esc, t = window.GeoportaleCommon.t;
  var sources = {};  // the catalogue of cited documents (config.sources, app/fonti)
  var REF = /\b([\w.-]+\.txt) riga (\d+)/g;

  // A popup value, escaped, with each document reference ("<file> riga 695") as a linked
  // citation: the document's title and page, never its file name (as app/fonti does).
  function cite(value) {
    var text = String(value), out = "", last = 0, m;
    REF.lastIndex = 0;
    while ((m = REF.exec(text))) {
      var doc = sources[m[1]], n = parseInt(m[2], 10), span = null;
      out += esc(text.slice(last, m.index));
      if (doc) {
        for (var i = 0; i < doc.spans.length && doc.spans[i][0] <= n; i++) span = doc.spans[i];
        var where = span && span[2] ? span[1] : (span && span[1] ? span[1] + ", " : "") + t("riga {n}", {n: n});
        out += "<a class='fonte' href='" + esc(doc.url.split("__LINE__").join(String(n))) + "'>" +
          esc(doc.title + ", " + where) + "</a>";
      } else {
        out += esc(t("documento non in catalogo, riga {n}", {n: n}));
      }
      last = REF.lastIndex;
    }
    return out + esc(text.slice(last));
  }

  function colorFor(style, props) {
    if (style.property) {
      var v = props[style.property];
      for (var i = 0; i < style.categories.length; i++) {
        if (String(style.categories[i].value) === String(v)) return style.categories[i].color;
      }
    }
    return null;
  }

  // Features placed only as exactly as a whole area (the layer's `approximate` values of
  // `precisione`, e.g. quartiere) are drawn as a faint dashed outline, so that an area-wide
  // placement never looks like a site.
  function isCoarse(style, props) {
    return style.approximate.indexOf(props.precisione) !== -1;
  }

  function pointStyle(style, props) {
    return {radius: style.radius, color: "#ffffff", weight: 1.5, opacity: 1,
      fillColor: colorFor(style, props) || style.fillColor, fillOpacity: 0.9};
  }

  function pathStyle(style) {
    return function (feature) {
      var props = feature.properties || {};
      var kind = feature.geometry && feature.geometry.type;
      if (kind === "Point" || kind === "MultiPoint") return pointStyle(style, props);
      var c = colorFor(style, props);
      var coarse = isCoarse(style, props);
      return {
        color: c || style.color, fillColor: c || style.fillColor,
        weight: coarse ? 1.5 : style.weight, opacity: style.opacity,
        fillOpacity: coarse ? 0.04 : style.fillOpacity,
        dashArray: coarse ? "2 6" : style.dashArray
      };
    };
  }

  function popupHtml(cfg, feature) {
    var p = feature.properties || {};
    var title = cfg.titleField && p[cfg.titleField] != null ? p[cfg.titleField] : feature.id;
    var rows = cfg.popup.map(function (f) {
      var v = p[f.name];
      if (v === null || v === undefined || v === "") return "";
      if (f.values && Object.prototype.hasOwnProperty.call(f.values, v)) v = f.values[v];
      return "<tr><th scope='row'>" + esc(f.label) + "</th><td>" + cite(v) + "</td></tr>";
    }).join("");
    var href = cfg.itemUrl.replace("__ID__", encodeURIComponent(feature.id)) + "?f=html";
    return "<div class='popup'><h2>" + esc(title) + "</h2><p class='popup-layer'>" +
      esc(cfg.title) + "</p>" + (cfg.notice ? "<p class='notice'>" + esc(cfg.notice) + "</p>" : "") + yearNote(feature) +
      (isCoarse(cfg.style, p) ? "<p class='notice'>" +
        esc(t("Posizione indicativa: l'intero {area}", {area: p.precisione})) + "</p>" : "") +
      "<table>" + rows + "</table><a href='" + esc(href) + "'>" + esc(t("Scheda completa")) + "</a></div>";
  }

  function fetchAll(url, onPage) {
    return fetch(url, {headers: {"Accept": "application/geo+json"}}).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (doc) {
      onPage(doc);
      var next = (doc.links || []).filter(function (l) { return l.rel === "next"; })[0];
      return next ? fetchAll(next.href, onPage) : null;
    });
  }

  function setStatus(id, text) {
    var el = document.querySelector("[data-layer-status='" + id + "']");
    if (el) el.textContent = text;
  }

  // A layer above the size threshold comes as vector tiles (geoportale-tiles.js), drawn
  // with the same styles; its popups come from the tile's feature properties.
  function addTiles(map, cfg, pane) {
    var styleOf = pathStyle(cfg.style);
    var layer = new L.GeoportaleTiles({
      url: cfg.tilesUrl, layerName: cfg.id, pane: pane,
      style: function (props, kind) { return styleOf({properties: props, geometry: {type: kind}}); }
    });
    layer.config = cfg;
    layer.zIndex = Number(map.getPane(pane).style.zIndex);
    var box = document.querySelector("input[name='layer'][value='" + cfg.id + "']");
    setStatus(cfg.id, "");
    if (box) box.disabled = false;
    return layer;
  }

  // The topmost tiled feature under a click (SVG features answer their own clicks).
  function tiledFeatureAt(map, tiled, latlng) {
    var shown = tiled.filter(function (l) { return map.hasLayer(l); });
    shown.sort(function (a, b) { return b.zIndex - a.zIndex; });
    for (var i = 0; i < shown.length; i++) {
      var f = shown[i].featureAt(latlng);
      if (f) {
        f.id = f.properties[shown[i].config.idField];
        return {layer: shown[i], feature: f};
      }
    }
    return null;
  }

  function bindTiledPopups(map, tiled) {
    if (!tiled.length) return;
    map.on("click", function (e) {
      var target = e.originalEvent && e.originalEvent.target;
      if (target && L.DomUtil.hasClass(target, "leaflet-interactive")) return;
      var hit = tiledFeatureAt(map, tiled, e.latlng);
      if (hit) {
        L.popup({maxWidth: 360}).setLatLng(e.latlng)
          .setContent(popupHtml(hit.layer.config, hit.feature)).openOn(map);
      }
    });
    var last = 0;
    map.on("mousemove", function (e) {
      if (e.originalEvent.timeStamp - last < 60) return;
      last = e.originalEvent.timeStamp;
      map.getContainer().style.cursor = tiledFeatureAt(map, tiled, e.latlng) ? "pointer" : "";
    });
  }

  function addLayer(map, cfg, index) {
    var style = cfg.style;
    // One pane per layer, in registry order, point layers above areas and lines, so the
    // drawing order does not depend on which request answers first.
    var pane = "gp-" + cfg.id;
    var points = cfg.geometryType === "Point" || cfg.geometryType === "MultiPoint";
    map.createPane(pane).style.zIndex = String(400 + index + (points ? 100 : 0));
    if (cfg.mode === "tiles" && L.GeoportaleTiles) return toggled(map, cfg, addTiles(map, cfg, pane));
    var layer = L.geoJSON(null, {
      pane: pane,
      style: pathStyle(style),
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({pane: pane}, pointStyle(style, feature.properties || {})));
      },
      onEachFeature: function (feature, lyr) {
        lyr.bindPopup(popupHtml(cfg, feature), {maxWidth: 360});
      }
    });
    var unlocated = [], located = [];
    setStatus(cfg.id, t("caricamento…"));
    fetchAll(cfg.itemsUrl + "?f=json&limit=10000", function (doc) {
      doc.features.forEach(function (f) { if (!f.geometry) unlocated.push(f); });
      var page = doc.features.filter(function (f) { return f.geometry; });
      located = located.concat(page);
      layer.addData(cfg.time ? asOf(cfg.time, page, timeState.year) : page);
    }).then(function () {
      return zoneOutlines(cfg, unlocated);
    }).then(function (outlined) {
      // the quartiere's own outline, faint and dashed (pathStyle), for a feature placed
      // only in a whole quartiere: it has no geometry of its own
      located = located.concat(outlined);  // the year control redraws them too
      layer.addData(cfg.time ? asOf(cfg.time, outlined, timeState.year) : outlined);
      var n = unlocated.length - outlined.length;
      setStatus(cfg.id, n ? t("{n} senza posizione sulla mappa", {n: n}) : "");
      var box = document.querySelector("input[name='layer'][value='" + cfg.id + "']");
      if (box) box.disabled = false;
      if (cfg.time) timeLayerReady(cfg, layer, located);
    }).catch(function (err) {
      setStatus(cfg.id, t("non disponibile ({error})", {error: err.message}));
    });
    return toggled(map, cfg, layer);
  }

  // Zones (quartieri) by number, fetched once from the zones layer of this map, if it has it.
  var zonesConfig = null, zonesLoaded = null;

  function zones() {
    if (!zonesConfig) return Promise.resolve({});
    if (!zonesLoaded) {
      var byNumber = {};
      zonesLoaded = fetchAll(zonesConfig.itemsUrl + "?f=json&limit=10000", function (doc) {
        doc.features.forEach(function (f) {
          var n = (f.properties || {})[zonesConfig.numberField];
          if (f.geometry && n !== null && n !== undefined) byNumber[String(n)] = f.geometry;
        });
      }).then(function () { return byNumber; }, function () { return {}; });
    }
    return zonesLoaded;
  }

  // Features without geometry whose precisione is approximate (e.g. quartiere) and whose
  // quartiere is known: copies carrying that quartiere's outline, to draw faintly.
  function zoneOutlines(cfg, unlocated) {
    var field = zonesConfig && zonesConfig.featureField;
    var wanted = unlocated.filter(function (f) {
      var p = f.properties || {};
      return field && cfg.style.approximate.length && isCoarse(cfg.style, p) &&
        p[field] !== null && p[field] !== undefined;
    });
    if (!wanted.length) return Promise.resolve([]);
    return zones().then(function (byNumber) {
      return wanted.filter(function (f) { return byNumber[String(f.properties[field])]; })
        .map(function (f) {
          return {type: "Feature", id: f.id, properties: f.properties,
            geometry: byNumber[String(f.properties[field])]};
        });
    });
  }

  // -- the year control: each layer with a `time` section as it stood at the end of a year --
  // One rule, the programme page's (app/programma/tree.py, state_in); tests/viewer/test_time.py
  // runs both on every shipped intervention and on the odd cases.

  /* The entries of a state history (JSON text or an array): objects only; bad JSON gives none. */
  function historyEntries(raw) {
    if (!raw) return [];
    var entries = raw;
    if (typeof raw === "string") {
      try { entries = JSON.parse(raw); } catch (e) { return []; }
    }
    if (!Array.isArray(entries)) return [];
    return entries.filter(function (e) { return e !== null && typeof e === "object" && !Array.isArray(e); });
  }

  /* A feature's state at the end of `year` under its layer's `time` settings: the `stato` of
     the newest entry of its history with `anno` <= year (of two in one year, the later
     listed); without a history, its current state from the year in `yearField` on.
     null: no document had mentioned it yet (it is not shown). */
  function stateAt(time, props, year) {
    var history = historyEntries(props[time.historyField]);
    if (history.length) {
      var newest = null;
      history.forEach(function (e) {
        if (Number.isInteger(e.anno) && e.anno <= year && (newest === null || e.anno >= newest.anno)) newest = e;
      });
      return newest === null || newest.stato === undefined ? null : newest.stato;
    }
    var since = time.yearField ? props[time.yearField] : null;
    return Number.isInteger(since) && since <= year ? (props[time.stateField] || "sconosciuto") : null;
  }

  var timeState = {map: null, year: null, layers: []};  // year null: today, the data as published

  /* The features as they stood at the end of `year` (null: as published), each with its
     state then; those not yet documented are left out. */
  function asOf(time, features, year) {
    if (year === null) return features;
    var out = [];
    features.forEach(function (f) {
      var state = stateAt(time, f.properties || {}, year);
      if (state === null) return;
      var props = L.extend({}, f.properties);
      props[time.stateField] = state;
      out.push({type: "Feature", id: f.id, geometry: f.geometry, properties: props, asOfYear: year});
    });
    return out;
  }

  function yearNote(feature) {
    return feature.asOfYear ? "<p class='popup-year'>" +
      esc(t("Stato alla fine del {year}", {year: feature.asOfYear})) + "</p>" : "";
  }

  // The year lives in the address's hash (#anno=2016), beside what else a page keeps there.
  function yearFromUrl() {
    var v = new URLSearchParams(location.hash.slice(1)).get("anno");
    return v && /^\d{4}$/.test(v) ? Number(v) : null;
  }

  function yearToUrl(year) {
    var p = new URLSearchParams(location.hash.slice(1));
    if (year === null) p.delete("anno"); else p.set("anno", String(year));
    var hash = p.toString();
    history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
  }

  function yearInput() { return document.querySelector("[data-time-year]"); }

  /* `year` within the control's range; its last year is today (null). */
  function clampYear(year) {
    var input = yearInput();
    if (year === null || !input) return year;
    if (year >= Number(input.max)) return null;
    return Math.max(Number(input.min), year);
  }

  // The earliest year in which the rule shows one of `features` (the control's default start).
  function firstYearOf(time, features) {
    var first = null;
    features.forEach(function (f) {
      var p = f.properties || {}, history = historyEntries(p[time.historyField]);
      var years = history.length ? history.map(function (e) { return e.anno; }) : [time.yearField ? p[time.yearField] : null];
      years.forEach(function (y) { if (Number.isInteger(y) && (first === null || y < first)) first = y; });
    });
    return first;
  }

  // Each state's count beside its legend entry: what the map shows in the chosen year.
  function countLegend(tl) {
    var legend = document.querySelector("[data-layer-legend='" + tl.cfg.id + "']");
    if (!legend || !tl.cfg.style.property) return;
    var counts = {}, prop = tl.cfg.style.property;
    tl.layer.eachLayer(function (l) {
      var v = String(l.feature.properties[prop]);
      counts[v] = (counts[v] || 0) + 1;
    });
    Array.prototype.forEach.call(legend.querySelectorAll("li[data-value]"), function (li) {
      var span = li.querySelector("[data-legend-count]");
      if (!span) {
        span = document.createElement("span");
        span.className = "count";
        span.setAttribute("data-legend-count", "");
        li.appendChild(document.createTextNode(" "));
        li.appendChild(span);
      }
      span.textContent = "(" + (counts[li.getAttribute("data-value")] || 0) + ")";
    });
  }

  function redrawAsOf(tl) {
    tl.layer.clearLayers();
    tl.layer.addData(asOf(tl.cfg.time, tl.features, timeState.year));
    countLegend(tl);
  }

  // The control is shown while a layer with a history is on the map; it says the year and
  // how many of those layers' features the map shows then.
  function showYear() {
    var box = document.querySelector("[data-time-control]");
    if (!box) return;
    var map = timeState.map, year = timeState.year, input = yearInput(), n = 0;
    var shown = timeState.layers.filter(function (tl) { return map.hasLayer(tl.layer); });
    box.hidden = !shown.length;
    shown.forEach(function (tl) { n += tl.layer.getLayers().length; });
    input.value = String(year === null ? input.max : year);
    var label = year === null ? t("oggi") : String(year);
    input.setAttribute("aria-valuetext", label);
    box.querySelector("[data-time-value]").textContent = label;
    box.querySelector("[data-time-summary]").textContent = year === null ?
      t("Il programma oggi: {n} elementi sulla mappa", {n: n}) :
      t("Il programma alla fine del {year}: {n} elementi sulla mappa", {year: year, n: n});
  }

  /* Show every layer with a history as it stood at the end of `year` (null: today). */
  function setYear(year, fromUrl) {
    timeState.year = clampYear(year);
    timeState.layers.forEach(redrawAsOf);
    if (!fromUrl) yearToUrl(timeState.year);
    showYear();
    if (timeState.map) timeState.map.fire("gp:year", {year: timeState.year});
  }

  // A layer with a `time` section has all its features: the control now drives it.
  function timeLayerReady(cfg, layer, features) {
    var tl = {cfg: cfg, layer: layer, features: features}, input = yearInput();
    timeState.layers.push(tl);
    if (input && cfg.time.firstYear == null) {
      var first = firstYearOf(cfg.time, features);
      if (first !== null && first < Number(input.min)) input.min = String(first);
    }
    layer.on("add remove", showYear);
    var asked = timeState.year;
    timeState.year = clampYear(asked);
    if (timeState.year !== asked) yearToUrl(timeState.year);
    redrawAsOf(tl);
    showYear();
  }

  function setupYearControl(map) {
    timeState.map = map;
    var box = document.querySelector("[data-time-control]");
    if (!box) return;  // a page without the control shows the layers as published
    timeState.year = yearFromUrl();
    var input = yearInput();
    input.addEventListener("input", function () { setYear(Number(input.value)); });
    box.querySelector("[data-time-reset]").addEventListener("click", function () { setYear(null); });
    window.addEventListener("hashchange", function () {
      var year = clampYear(yearFromUrl());
      if (year !== timeState.year) setYear(year, true);
    });
  }

  // Shown at start if the layer says so; its checkbox adds and removes it.
  function toggled(map, cfg, layer) {
    var box = document.querySelector("input[name='layer'][value='" + cfg.id + "']");
    if (cfg.visible) layer.addTo(map);
    if (box) {
      box.addEventListener("change", function () {
        if (box.checked) layer.addTo(map); else map.removeLayer(layer);
      });
    }
    var swatch = document.querySelector("[data-layer-swatch='" + cfg.id + "']");
    if (swatch && !cfg.style.categories.length) {
      swatch.style.setProperty("--swatch", cfg.style.fillColor);
    }
    return layer;
  }

  // The layers' credits, each source once ("a; b" strings are split), instead of one long
  // string per layer repeating the same sources.
  function addAttributions(map, layers) {
    if (!map.attributionControl) return;
    var seen = {};
    layers.forEach(function (cfg) {
      String(cfg.attribution || "").split(";").forEach(function (part) {
        part = part.trim();
        if (part && !seen[part]) {
          seen[part] = true;
          map.attributionControl.addAttribution(esc(part));
        }
      });
    });
  }

  window.Geoportale = {
    layers: {},
    stateAt: stateAt,
    setYear: function (year) { setYear(year); },
    year: function () { return timeState.year; },
    popupHtml: popupHtml,  // what a feature's popup shows (tests read it)
    init: function (map, config) {
      var self = this;
      self.map = map;
      self.config = config;
      var z = config.zones;
      var zoneLayer = z && config.layers.filter(function (cfg) { return cfg.id === z.layer; })[0];
      zonesConfig = zoneLayer && z.featureField ? {itemsUrl: zoneLayer.itemsUrl,
        numberField: z.numberField, featureField: z.featureField} : null;
      sources = config.sources || {};
      setupYearControl(map);
      config.layers.forEach(function (cfg, i) { self.layers[cfg.id] = addLayer(map, cfg, i); });
      addAttributions(map, config.layers);
      bindTiledPopups(map, config.layers.map(function (cfg) { return self.layers[cfg.id]; })
        .filter(function (layer) { return layer.featureAt; }));
      document.documentElement.setAttribute("data-geoportale", "ready");
    }
  };
})();
