/* Geoportale: Mapbox Vector Tiles in Leaflet, with no third-party code.

   L.GeoportaleTiles is a GridLayer that fetches our /api/.../tiles/WebMercatorQuad/{z}/{x}/{y},
   decodes the protobuf (a minimal reader for the MVT 2.1 schema) and draws each tile on a
   canvas with the caller's style function, so tiles look like the GeoJSON layers.
   `featureAt(latlng)` hit-tests the drawn tile under a point and returns the feature's
   properties (every layer attribute travels in the tile), for the same popups. */
(function () {
  "use strict";

  // -- protobuf: varints, length-delimited fields, 32/64-bit numbers ----------------------
  function Reader(buf) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = 0;
  }
  Reader.prototype.varint = function () {
    var b = this.buf, result = 0, shift = 1, byte;
    do {  // multiplication, not bit shifts: values may exceed 32 bits (up to 2^53 exactly)
      byte = b[this.pos++];
      result += (byte & 0x7f) * shift;
      shift *= 128;
    } while (byte >= 0x80);
    return result;
  };
  Reader.prototype.int64 = function () {  // two's complement: negatives take 10 bytes
    var result = BigInt(0), shift = BigInt(0), byte;
    do {
      byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      shift += BigInt(7);
    } while (byte >= 0x80);
    return Number(BigInt.asIntN(64, result));
  };
  Reader.prototype.svarint = function () {
    var n = this.varint();
    return n % 2 === 1 ? (n + 1) / -2 : n / 2;
  };
  Reader.prototype.bytes = function () {
    var end = this.varint() + this.pos, out = this.buf.subarray(this.pos, end);
    this.pos = end;
    return out;
  };
  Reader.prototype.string = function () { return decoder.decode(this.bytes()); };
  Reader.prototype.skip = function (wire) {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.pos += this.varint();
    else if (wire === 5) this.pos += 4;
    else throw new Error("unsupported protobuf wire type " + wire);
  };
  Reader.prototype.fields = function (onField) {  // calls onField(number, wire) per field
    while (this.pos < this.buf.length) {
      var key = this.varint(), start = this.pos;
      onField(key >> 3, key & 7);
      if (this.pos === start) this.skip(key & 7);
    }
  };
  Reader.prototype.packed = function () {
    var end = this.varint() + this.pos, out = [];
    while (this.pos < end) out.push(this.varint());
    return out;
  };
  var decoder = new TextDecoder("utf-8");

  // -- MVT: tile > layers > features (tags into keys/values; geometry commands) ----------
  function readValue(r) {
    var value = null;
    r.fields(function (n) {
      if (n === 1) value = r.string();
      else if (n === 2) { value = r.view.getFloat32(r.pos, true); r.pos += 4; }
      else if (n === 3) { value = r.view.getFloat64(r.pos, true); r.pos += 8; }
      else if (n === 4) value = r.int64();
      else if (n === 5) value = r.varint();
      else if (n === 6) value = r.svarint();
      else if (n === 7) value = r.varint() !== 0;
    });
    return value;
  }

  function readLayer(r) {
    var layer = {name: "", extent: 4096, keys: [], values: [], raw: []};
    r.fields(function (n) {
      if (n === 1) layer.name = r.string();
      else if (n === 2) layer.raw.push(r.bytes());
      else if (n === 3) layer.keys.push(r.string());
      else if (n === 4) layer.values.push(readValue(new Reader(r.bytes())));
      else if (n === 5) layer.extent = r.varint();
    });
    layer.features = layer.raw.map(function (bytes) { return readFeature(new Reader(bytes), layer); });
    delete layer.raw;
    return layer;
  }

  function readFeature(r, layer) {
    var f = {id: null, type: 0, properties: {}, geometry: []};
    r.fields(function (n) {
      if (n === 1) f.id = r.varint();
      else if (n === 2) {
        var tags = r.packed();
        for (var i = 0; i + 1 < tags.length; i += 2) {
          f.properties[layer.keys[tags[i]]] = layer.values[tags[i + 1]];
        }
      } else if (n === 3) f.type = r.varint();
      else if (n === 4) f.geometry = decodeGeometry(r.packed());
    });
    return f;
  }

  // Geometry commands to parts: arrays of [x, y] (points: one part per point; rings closed).
  function decodeGeometry(cmds) {
    var parts = [], part = null, x = 0, y = 0, i = 0;
    while (i < cmds.length) {
      var op = cmds[i] & 7, count = cmds[i] >> 3;
      i += 1;
      if (op === 7) { if (part && part.length) part.push(part[0]); continue; }
      for (var k = 0; k < count; k++) {
        x += (cmds[i] >> 1) ^ -(cmds[i] & 1);
        y += (cmds[i + 1] >> 1) ^ -(cmds[i + 1] & 1);
        i += 2;
        if (op === 1) { part = [[x, y]]; parts.push(part); } else part.push([x, y]);
      }
    }
    return parts;
  }

  function decodeTile(buffer) {
    var r = new Reader(new Uint8Array(buffer)), layers = {};
    r.fields(function (n) {
      if (n === 3) { var l = readLayer(new Reader(r.bytes())); layers[l.name] = l; }
    });
    return layers;
  }

  // -- drawing ------------------------------------------------------------------------------
  var KIND = {1: "Point", 2: "LineString", 3: "Polygon"};

  function dash(ctx, s) {
    ctx.setLineDash(s.dashArray ? String(s.dashArray).split(/[ ,]+/).map(Number) : []);
  }

  function draw(ctx, layer, styleFn, scale) {
    layer.features.forEach(function (f) {
      var s = f.style = styleFn(f.properties, KIND[f.type]);
      ctx.beginPath();
      f.geometry.forEach(function (part) {
        if (f.type === 1) {
          ctx.moveTo(part[0][0] * scale + s.radius, part[0][1] * scale);
          ctx.arc(part[0][0] * scale, part[0][1] * scale, s.radius, 0, 2 * Math.PI);
          return;
        }
        part.forEach(function (p, j) {
          if (j === 0) ctx.moveTo(p[0] * scale, p[1] * scale); else ctx.lineTo(p[0] * scale, p[1] * scale);
        });
      });
      if (f.type !== 2 && s.fill !== false && s.fillOpacity > 0) {
        ctx.globalAlpha = s.fillOpacity;
        ctx.fillStyle = s.fillColor || s.color;
        ctx.fill("evenodd");
      }
      if (s.stroke !== false && s.weight > 0) {
        ctx.globalAlpha = s.opacity;
        ctx.strokeStyle = s.color;
        ctx.lineWidth = s.weight;
        dash(ctx, s);
        ctx.stroke();
      }
    });
    ctx.globalAlpha = 1;
  }

  // -- hit testing (tile pixels) --------------------------------------------------------------
  function segDist(p, a, b) {
    var dx = b[0] - a[0], dy = b[1] - a[1], len = dx * dx + dy * dy;
    var t = len ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len)) : 0;
    var ex = a[0] + t * dx - p[0], ey = a[1] + t * dy - p[1];
    return Math.sqrt(ex * ex + ey * ey);
  }

  function hits(f, p, scale) {
    var s = f.style || {}, slack = 3, inside = false, near = false;
    f.geometry.forEach(function (part) {
      var pts = part.map(function (q) { return [q[0] * scale, q[1] * scale]; });
      if (f.type === 1) {
        var dx = pts[0][0] - p[0], dy = pts[0][1] - p[1];
        near = near || Math.sqrt(dx * dx + dy * dy) <= (s.radius || 6) + slack;
        return;
      }
      for (var i = 1; i < pts.length; i++) {
        if (segDist(p, pts[i - 1], pts[i]) <= (s.weight || 1) / 2 + slack) near = true;
        var a = pts[i - 1], b = pts[i];  // even-odd crossing test (holes are rings too)
        if ((a[1] > p[1]) !== (b[1] > p[1]) &&
            p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]) inside = !inside;
      }
    });
    return near || (f.type === 3 && inside);
  }

  L.GeoportaleTiles = L.GridLayer.extend({
    options: {url: "", layerName: "", style: null, maxNativeZoom: 22},

    initialize: function (options) {
      L.GridLayer.prototype.initialize.call(this, options);
      this._data = {};  // decoded features of the tiles on screen, by tile key (hit tests)
      this.on("tileunload", function (e) { delete this._data[this._tileCoordsToKey(e.coords)]; });
    },

    createTile: function (coords, done) {
      var size = this.getTileSize(), ratio = window.devicePixelRatio || 1;
      var canvas = L.DomUtil.create("canvas", "gp-vector-tile");
      canvas.width = size.x * ratio;
      canvas.height = size.y * ratio;
      canvas.style.width = size.x + "px";
      canvas.style.height = size.y + "px";
      var self = this, key = this._tileCoordsToKey(coords);
      var url = L.Util.template(this.options.url, {z: coords.z, x: coords.x, y: coords.y});
      fetch(url).then(function (r) {
        if (r.status === 204) return null;
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.arrayBuffer();
      }).then(function (buffer) {
        var layer = buffer && decodeTile(buffer)[self.options.layerName];
        if (layer) {
          var scale = size.x / layer.extent, ctx = canvas.getContext("2d");
          ctx.scale(ratio, ratio);
          draw(ctx, layer, self.options.style, scale);
          self._data[key] = {layer: layer, scale: scale};
        }
        done(null, canvas);
        self.fire("tiledrawn", {coords: coords, features: layer ? layer.features.length : 0});
      }).catch(function (err) { done(err, canvas); });
      return canvas;
    },

    /* The topmost feature drawn under `latlng` at the current zoom, or null. */
    featureAt: function (latlng) {
      var map = this._map;
      if (!map) return null;
      var zoom = Math.min(Math.round(map.getZoom()), this.options.maxNativeZoom);
      var size = this.getTileSize();
      var px = map.project(latlng, zoom), coords = px.unscaleBy(size).floor();
      coords.z = zoom;
      var entry = this._data[this._tileCoordsToKey(coords)];
      if (!entry) return null;
      var p = [px.x - coords.x * size.x, px.y - coords.y * size.y];
      for (var i = entry.layer.features.length - 1; i >= 0; i--) {
        var f = entry.layer.features[i];
        if (hits(f, p, entry.scale)) return {type: "Feature", id: f.id, properties: f.properties};
      }
      return null;
    }
  });

  L.GeoportaleTiles.decode = decodeTile;
})();
