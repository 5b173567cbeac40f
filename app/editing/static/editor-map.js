/* Geoportale editor: the map. The layer's features (GeoJSON in pages; a big layer as vector
   tiles, and by bounding box from a zoom level), the pending draft edits over them, the
   snapping targets, the quartieri, the comune boundary, and the geometry being edited
   (Leaflet-Geoman for drawing, vertex editing and snapping; points are plain draggable
   markers, movable with the arrow keys too). Used by editor.js as GeoportaleEditor.Map. */
(function () {
  "use strict";
  var GP = window.GeoportaleCommon, t = GP.t;
  var NS = window.GeoportaleEditor = window.GeoportaleEditor || {};

  var PAGE = 1000;

  var csrf = (document.querySelector("meta[name='csrf-token']") || {}).content || "";

  /* JSON from our server; the CSRF token goes along (the draft reads need the session's). */
  function getJSON(url) {
    return fetch(url, {headers: {Accept: "application/geo+json, application/json", "X-CSRF-Token": csrf}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  /* Every page of a collection (follows the `next` links). */
  function loadAll(itemsUrl, onPage) {
    function page(url) {
      return getJSON(url).then(function (doc) {
        onPage(doc.features || []);
        var next = (doc.links || []).filter(function (l) { return l.rel === "next"; })[0];
        return next ? page(next.href) : null;
      });
    }
    return page(itemsUrl + "?f=json&limit=" + PAGE);
  }

  // -- the comune boundary: is a geometry inside? --------------------------------------
  function ringContains(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function polygonsOf(geom) {
    if (!geom) return [];
    if (geom.type === "Polygon") return [geom.coordinates];
    if (geom.type === "MultiPolygon") return geom.coordinates;
    return [];
  }
  function inside(boundary, x, y) {
    return polygonsOf(boundary).some(function (rings) {  // even-odd over shell and holes
      return rings.reduce(function (acc, ring) { return ringContains(ring, x, y) ? !acc : acc; }, false);
    });
  }
  function vertices(geom, out) {
    out = out || [];
    if (!geom) return out;
    if (geom.type === "GeometryCollection") { geom.geometries.forEach(function (g) { vertices(g, out); }); return out; }
    (function walk(c) { if (typeof c[0] === "number") out.push(c); else c.forEach(walk); })(geom.coordinates);
    return out;
  }
  /* True when some vertex of `geom` lies outside the boundary (false without a boundary). */
  function outside(boundary, geom) {
    if (!boundary || !geom) return false;
    return vertices(geom).some(function (p) { return !inside(boundary, p[0], p[1]); });
  }

  // -- styles ---------------------------------------------------------------------------
  function colourOf(cfg, props) {
    var st = cfg.style || {};
    var cats = st.categories || [];
    var value = props && st.property ? props[st.property] : undefined;
    for (var i = 0; i < cats.length; i++) if (cats[i].value === value) return cats[i].color;
    return st.color || "#1f5fa8";
  }

  function EditorMap(element, config) {
    var self = this;
    this.config = config;
    this.cfg = config.layer;
    this.map = L.map(element, {preferCanvas: true, keyboard: true}).setView([config.map.lat, config.map.lon], config.map.zoom);
    this.geoman = !!this.map.pm;
    this.served = {};     // id -> GeoJSON feature as served
    this.pending = {};    // id -> change of the draft (from /edits)
    this.onSelect = function () {};
    this.onGeometry = function () {};
    this.features = L.geoJSON(null, {
      style: function (f) { return self.styleOf(f); },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, self.styleOf(f)); },
      onEachFeature: function (f, layer) {
        layer.on("click", function () {
          if (!self.drawing) self.onSelect(String(f.id));  // a click while drawing is a vertex
        });
        layer.options.snapIgnore = false;
      }
    }).addTo(this.map);
    this.edit = L.featureGroup().addTo(this.map);   // the geometry being edited
    this.snap = L.layerGroup().addTo(this.map);
    if (this.geoman) {
      this.map.pm.setGlobalOptions({snappable: true, snapDistance: 15, allowSelfIntersection: false});
      if (this.map.pm.setLang && document.documentElement.lang) {
        try { this.map.pm.setLang(document.documentElement.lang); } catch (e) { /* keep English */ }
      }
      this.map.on("pm:create", function (e) { self._created(e.layer, e.shape); });
    }
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && self.drawing) self.stopDrawing();
    });
  }

  EditorMap.prototype.styleOf = function (f) {
    var colour = colourOf(this.cfg, f.properties);
    var pending = Object.prototype.hasOwnProperty.call(this.pending, String(f.id));
    // Placed only as a whole area (precisione quartiere, comune): faint, as the public map.
    var rough = (this.cfg.style.approximate || []).indexOf((f.properties || {}).precisione) >= 0;
    return {
      color: pending ? "#b35900" : colour, fillColor: colour, weight: pending ? 3 : (rough ? 1 : 2),
      dashArray: pending ? "6 4" : (rough ? "2 4" : null), fillOpacity: rough ? 0.06 : 0.35,
      radius: 6, opacity: 0.9
    };
  };

  /* Load the layer (and snapping targets, quartieri); resolves when the first view is shown. */
  EditorMap.prototype.load = function () {
    var self = this, cfg = this.cfg;
    var jobs = [this.loadEdits()];
    if (cfg.bboxZoom) {
      if (L.GeoportaleTiles) {
        this.tiles = new L.GeoportaleTiles({
          url: cfg.tilesUrl, layerName: cfg.id, maxNativeZoom: 16,
          style: function (props) { return {color: colourOf(cfg, props), fillColor: colourOf(cfg, props), radius: 3, weight: 1, fillOpacity: 0.3}; }
        });
      }
      this.map.on("moveend", function () { self.loadView(); });
      jobs.push(this.loadView());
    } else {
      jobs.push(loadAll(cfg.itemsUrl, function (features) {
        features.forEach(function (f) { self.served[String(f.id)] = f; });
        self.render();
      }));
    }
    (this.config.snapLayers || []).forEach(function (s) {
      loadAll(s.itemsUrl, function (features) {
        L.geoJSON(features, {
          style: {color: "#555", weight: 1, opacity: 0.6, fillOpacity: 0.03, interactive: false},
          pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 3, color: "#555", weight: 1, interactive: false}); }
        }).eachLayer(function (l) { self.snap.addLayer(l); });
      });
    });
    return Promise.all(jobs).then(function () { self.fit(); });
  };

  /* A big layer: tiles below `bboxZoom`, the features of the view from it on. */
  EditorMap.prototype.loadView = function () {
    var self = this, cfg = this.cfg, zoom = this.map.getZoom();
    if (zoom < cfg.bboxZoom) {
      if (this.tiles && !this.map.hasLayer(this.tiles)) this.tiles.addTo(this.map);
      this.served = {};
      this.render();
      this.bboxHint = t("Avvicinati (zoom {z}) per modificare gli elementi.", {z: cfg.bboxZoom});
      return Promise.resolve();
    }
    if (this.tiles && this.map.hasLayer(this.tiles)) this.map.removeLayer(this.tiles);
    this.bboxHint = null;
    var b = this.map.getBounds();
    var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
    return getJSON(cfg.itemsUrl + "?f=json&limit=" + PAGE + "&bbox=" + box).then(function (doc) {
      self.served = {};
      (doc.features || []).forEach(function (f) { self.served[String(f.id)] = f; });
      self.render();
    });
  };

  /* The pending edits of the draft, drawn over the served features. */
  EditorMap.prototype.loadEdits = function () {
    var self = this;
    return getJSON(this.cfg.editsUrl).then(function (doc) {
      self.pending = {};
      (doc.changes || []).forEach(function (c) { self.pending[String(c.featureId)] = c; });
      self.render();
      return doc;
    });
  };

  /* The features as the draft holds them: served, with pending edits applied. */
  EditorMap.prototype.draftFeatures = function () {
    var out = [], self = this;
    Object.keys(this.served).forEach(function (id) { if (!self.pending[id]) out.push(self.served[id]); });
    Object.keys(this.pending).forEach(function (id) {
      var after = self.pending[id].after;
      if (after) out.push(L.extend({}, after, {id: after.id != null ? after.id : id}));
    });
    return out;
  };

  EditorMap.prototype.render = function () {
    this.features.clearLayers();
    var self = this;
    this.draftFeatures().forEach(function (f) {
      if (f.geometry && String(f.id) !== self.hidden) self.features.addData(f);
    });
    if (this.onRender) this.onRender();
  };

  EditorMap.prototype.fit = function () {
    var b = this.features.getBounds();
    if (b.isValid() && !this.cfg.bboxZoom) this.map.fitBounds(b, {padding: [20, 20], maxZoom: 17, animate: false});
  };

  // -- the geometry being edited -----------------------------------------------------
  function partsOf(geom, out) {
    out = out || [];
    if (!geom) return out;
    var c = geom.coordinates;
    switch (geom.type) {
      case "Point": out.push({kind: "point", c: c}); break;
      case "MultiPoint": c.forEach(function (p) { out.push({kind: "point", c: p}); }); break;
      case "LineString": out.push({kind: "line", c: c}); break;
      case "MultiLineString": c.forEach(function (p) { out.push({kind: "line", c: p}); }); break;
      case "Polygon": out.push({kind: "polygon", c: c}); break;
      case "MultiPolygon": c.forEach(function (p) { out.push({kind: "polygon", c: p}); }); break;
      case "GeometryCollection": geom.geometries.forEach(function (g) { partsOf(g, out); }); break;
    }
    return out;
  }
  function ll(p) { return [p[1], p[0]]; }

  EditorMap.prototype._changed = function (method) {
    this.dirty = true;
    this.onGeometry(method || null);
  };

  EditorMap.prototype._marker = function (latlng) {
    var self = this;
    var m = L.marker(latlng, {
      draggable: true, keyboard: true, autoPan: true,
      title: t("Punto da modificare: trascinalo o usa le frecce"),
      alt: t("Punto da modificare: trascinalo o usa le frecce"),
      icon: L.divIcon({className: "editor-handle", iconSize: [18, 18]})
    });
    m.on("dragend", function () { self._changed(); });
    m.on("add", function () {
      var el = m.getElement();
      if (!el) return;
      el.addEventListener("keydown", function (e) {
        var d = {ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0]}[e.key];
        if (!d) return;
        e.preventDefault();
        e.stopPropagation();
        var step = e.shiftKey ? 20 : 2;
        var px = self.map.latLngToContainerPoint(m.getLatLng()).add([d[0] * step, d[1] * step]);
        m.setLatLng(self.map.containerPointToLatLng(px));
        self._changed();
      });
    });
    return m;
  };

  EditorMap.prototype._enable = function (layer) {
    var self = this;
    if (layer.pm && !(layer instanceof L.Marker)) {
      layer.pm.enable({snappable: true, allowSelfIntersection: false});
      layer.on("pm:edit", function () { self._changed(); });
    }
  };

  /* Show `geometry` (GeoJSON) as the editable geometry; hide the feature `id` meanwhile. */
  EditorMap.prototype.setGeometry = function (geometry, id) {
    this.stopDrawing();
    this.clearEdit();
    this.dirty = false;
    this.hidden = id == null ? null : String(id);
    this.render();
    var self = this;
    partsOf(geometry).forEach(function (p) { self._addPart(p); });
    var b = this.edit.getBounds();
    if (b.isValid()) this.map.fitBounds(b, {padding: [40, 40], maxZoom: 18, animate: false});
  };

  EditorMap.prototype._addPart = function (p) {
    var layer;
    if (p.kind === "point") layer = this._marker(ll(p.c));
    else if (p.kind === "line") layer = L.polyline(p.c.map(ll), {color: "#c00", weight: 4});
    else layer = L.polygon(p.c.map(function (r) { return r.map(ll); }), {color: "#c00", weight: 3, fillOpacity: 0.2});
    this.edit.addLayer(layer);
    this._enable(layer);
    return layer;
  };

  EditorMap.prototype.clearEdit = function () {
    this.edit.eachLayer(function (l) { if (l.pm && l.pm.enabled && l.pm.enabled()) l.pm.disable(); });
    this.edit.clearLayers();
  };

  EditorMap.prototype.endEdit = function () {
    this.stopDrawing();
    this.clearEdit();
    this.hidden = null;
    this.dirty = false;
    this.render();
  };

  /* The edited geometry as GeoJSON: one part as itself, parts of one kind as Multi*,
     mixed kinds as a GeometryCollection; null when nothing is drawn. */
  EditorMap.prototype.geometry = function () {
    var parts = [];
    this.edit.eachLayer(function (l) { parts.push(l.toGeoJSON().geometry); });
    parts = parts.reduce(function (acc, g) {  // a polygon layer may give a MultiPolygon
      if (g.type.indexOf("Multi") === 0) {
        g.coordinates.forEach(function (c) { acc.push({type: g.type.slice(5), coordinates: c}); });
      } else acc.push(g);
      return acc;
    }, []);
    if (!parts.length) return null;
    if (parts.length === 1 && this.cfg.geometryType.indexOf("Multi") !== 0) return parts[0];
    var kinds = parts.map(function (g) { return g.type; });
    if (kinds.every(function (k) { return k === kinds[0]; })) {
      return {type: "Multi" + kinds[0], coordinates: parts.map(function (g) { return g.coordinates; })};
    }
    return {type: "GeometryCollection", geometries: parts};
  };

  EditorMap.prototype.hasGeometry = function () { return this.edit.getLayers().length > 0; };

  EditorMap.prototype._replace = function () {
    if (!this.addPart) this.clearEdit();
  };

  /* Tools. `kind`: punto (click the map), tratto (draw a line), area (draw a polygon). */
  EditorMap.prototype.startDrawing = function (kind, done) {
    var self = this;
    this.stopDrawing();
    this.drawing = kind;
    this.drawDone = done || function () {};
    if (kind === "punto") {
      this.map.getContainer().classList.add("editor-picking");
      this._click = function (e) {
        self._replace();
        self.edit.addLayer(self._marker(e.latlng));
        self.stopDrawing();
        self._changed("punto");
      };
      this.map.once("click", this._click);
      return true;
    }
    if (!this.geoman) return false;
    this.map.doubleClickZoom.disable();  // clicking the last vertex twice ends a line, no zoom
    this.map.pm.enableDraw(kind === "area" ? "Polygon" : "Line", {snappable: true, continueDrawing: false, finishOn: null});
    return true;
  };

  EditorMap.prototype._created = function (layer, shape) {
    this.map.removeLayer(layer);
    var method = shape === "Polygon" ? "area" : "tratto";
    this._replace();
    this.edit.addLayer(layer);
    layer.setStyle({color: "#c00"});
    this._enable(layer);
    this.stopDrawing();
    this._changed(method);
  };

  EditorMap.prototype.stopDrawing = function () {
    var was = this.drawing;
    this.drawing = null;
    this.map.getContainer().classList.remove("editor-picking");
    if (this._click) { this.map.off("click", this._click); this._click = null; }
    if (this.geoman && this.map.pm.globalDrawModeEnabled()) this.map.pm.disableDraw();
    this.map.doubleClickZoom.enable();
    if (was && this.drawDone) { var done = this.drawDone; this.drawDone = null; done(); }
  };

  /* A point at the map's centre (keyboard users pan with the arrows first). */
  EditorMap.prototype.placeAt = function (latlng, method) {
    this.stopDrawing();
    this._replace();
    this.edit.addLayer(this._marker(latlng || this.map.getCenter()));
    this.map.panTo(latlng || this.map.getCenter());
    this._changed(method || "punto");
  };

  /* A whole polygon (a quartiere) as the geometry. */
  EditorMap.prototype.placeGeometry = function (geometry, method) {
    this.stopDrawing();
    this._replace();
    var self = this;
    partsOf(geometry).forEach(function (p) { self._addPart(p); });
    var b = this.edit.getBounds();
    if (b.isValid()) this.map.fitBounds(b, {padding: [40, 40], animate: false});
    this._changed(method);
  };

  /* Show an area (a quartiere) without editing it: where an unplaced feature is said to be. */
  EditorMap.prototype.showArea = function (geometry) {
    var b = L.geoJSON(geometry).getBounds();
    if (b.isValid()) this.map.fitBounds(b, {padding: [20, 20], animate: false});
  };

  EditorMap.prototype.removeGeometry = function () {
    this.stopDrawing();
    this.clearEdit();
    this._changed(null);
  };

  NS.Map = EditorMap;
  NS.outside = outside;
  NS.getJSON = getJSON;
  NS.loadAll = loadAll;
})();
