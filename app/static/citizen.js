/* Geoportale, citizen flow: search suggestions (ARIA 1.2 combobox), the small maps
   of the quartiere and intervention pages, "use my location" and "pick a point".
   Everything here enhances pages that already work without JavaScript. */
(function () {
  "use strict";

  var esc = window.GeoportaleCommon.esc, t = window.GeoportaleCommon.t;
  var LANG = document.documentElement.lang || "it";

  function withLang(url) {
    if (LANG === "it") return url;
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(LANG);
  }

  function pointUrl(base, lon, lat) {
    return withLang(base + "?lon=" + lon.toFixed(6) + "&lat=" + lat.toFixed(6));
  }

  // -- search box ------------------------------------------------------------------------

  function setupSearch(form) {
    var input = form.querySelector("[role=combobox]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[data-suggest-status]");
    var endpoint = form.getAttribute("data-suggest");
    var timer = null, seq = 0, results = [], active = -1;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      results = [];
      active = -1;
    }

    function highlight(n) {
      var options = list.querySelectorAll("[role=option]");
      active = n;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === n ? "true" : "false");
      }
      if (n >= 0 && options[n]) {
        input.setAttribute("aria-activedescendant", options[n].id);
        options[n].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function go(result) { window.location.href = withLang(result.link); }

    function render(items) {
      results = items;
      list.innerHTML = "";
      items.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = "cerca-opzione-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var main = document.createElement("span");
        main.className = "opt-label";
        main.textContent = r.label;
        var meta = document.createElement("span");
        meta.className = "opt-meta";
        meta.textContent = r.layer_title + (r.quartiere ? " · " + r.quartiere.label : "");
        li.appendChild(main);
        li.appendChild(meta);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
        li.addEventListener("click", function () { go(r); });
        list.appendChild(li);
      });
      var open = items.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      status.textContent = t("{n} suggerimenti", {n: items.length});
      active = -1;
    }

    function suggest() {
      var q = input.value.trim();
      if (q.length < 2 || q.length > 200) { close(); return; }
      var mine = ++seq;
      fetch(endpoint + "?limit=8&lang=" + LANG + "&q=" + encodeURIComponent(q),
        {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (doc) { if (mine === seq) render(doc.results || []); })
        .catch(function () { if (mine === seq) close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 120);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") {
        if (list.hidden) { suggest(); return; }
        ev.preventDefault();
        highlight(Math.min(active + 1, results.length - 1));
      } else if (ev.key === "ArrowUp") {
        ev.preventDefault();
        highlight(Math.max(active - 1, -1));
      } else if (ev.key === "Enter" && active >= 0 && results[active]) {
        ev.preventDefault();
        go(results[active]);
      } else if (ev.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // -- maps ------------------------------------------------------------------------------

  var STATUS_COLORS = {pianificato: "#1f78b4", in_corso: "#b35900", concluso: "#2b7a26",
    sospeso: "#c0141a", sconosciuto: "#666666"};

  function addBasemap(map, cfg) {
    if (!cfg || cfg.kind === "none") return;
    if (cfg.kind === "wms") {
      L.tileLayer.wms(cfg.url, {layers: cfg.wms_layers, format: "image/png",
        attribution: cfg.attribution}).addTo(map);
    } else {
      L.tileLayer(cfg.url, {maxZoom: 19, attribution: cfg.attribution}).addTo(map);
    }
  }

  function drawMap(el) {
    if (!window.L) return;
    var data = JSON.parse(document.getElementById(el.getAttribute("data-map")).textContent);
    var map = L.map(el, {scrollWheelZoom: false});
    addBasemap(map, JSON.parse(el.getAttribute("data-basemap") || "null"));
    var layer = L.geoJSON(data, {
      style: function (f) {
        var role = f.properties.role;
        if (role === "area" || role === "quartiere") {
          return {color: "#6a3d9a", weight: 2, dashArray: "4 4", fillOpacity: 0.08};
        }
        var c = STATUS_COLORS[f.properties.status] || "#333";
        return {color: c, weight: 2, fillColor: c, fillOpacity: 0.35};
      },
      pointToLayer: function (f, latlng) {
        if (f.properties.role === "point") {
          return L.circleMarker(latlng, {radius: 9, color: "#000", weight: 3, fillColor: "#fff",
            fillOpacity: 1});
        }
        return L.circleMarker(latlng, {radius: 8, color: "#fff", weight: 2,
          fillColor: STATUS_COLORS[f.properties.status] || "#333", fillOpacity: 0.95});
      },
      onEachFeature: function (f, lyr) {
        var p = f.properties;
        var html = "<strong>" + (p.n ? esc(p.n) + ". " : "") + esc(p.label) + "</strong>";
        if (p.link) html += "<br><a href='" + esc(withLang(p.link)) + "'>" + esc(t("Apri la scheda")) + "</a>";
        if (p.role === "item" && p.n) lyr.bindTooltip(String(p.n), {permanent: false});
        if (el.getAttribute("data-mode") !== "pick") lyr.bindPopup(html);
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, {padding: [16, 16], maxZoom: 16});
    else {
      var view = JSON.parse(el.getAttribute("data-view"));  // [lat, lon, zoom]: the organisation's
      map.setView([view[0], view[1]], view[2]);
    }
    if (el.getAttribute("data-mode") !== "pick") window.GeoportaleCommon.contributionPoint(map);
    if (el.getAttribute("data-mode") === "pick") {
      map.on("click", function (ev) {
        window.location.href = pointUrl(el.getAttribute("data-pick"), ev.latlng.lng, ev.latlng.lat);
      });
    }
    return map;
  }

  // -- my position, a point on the viewer map ---------------------------------------------

  // The device's position on a button's click, said in the button's status line; then
  // found(lon, lat, status).
  function onLocate(button, found) {
    var status = button.parentNode.querySelector("[data-locate-status]");
    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        if (status) status.textContent = t("Posizione non disponibile");
        return;
      }
      if (status) status.textContent = t("Ricerca della posizione…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        found(pos.coords.longitude, pos.coords.latitude, status);
      }, function () {
        if (status) status.textContent = t("Posizione non disponibile");
      }, {enableHighAccuracy: true, timeout: 10000});
    });
  }

  function setupLocate(button) {
    onLocate(button, function (lon, lat) {
      window.location.href = pointUrl(button.getAttribute("data-locate"), lon, lat);
    });
  }

  // -- the contribution form's point (app/templates/contributions/_panel.html) -----------

  function fillPoint(form, lon, lat) {
    form.querySelector("[name=lon]").value = lon.toFixed(6);
    form.querySelector("[name=lat]").value = lat.toFixed(6);
  }

  function setupContributeLocate(button) {
    onLocate(button, function (lon, lat, status) {
      fillPoint(button.form, lon, lat);
      if (status) status.textContent = "";
    });
  }

  // The photo is a segnalazione's only: shown (and sent) for that kind alone. Without
  // JavaScript the field stays visible and the server refuses a photo on another kind.
  function setupPhotoField(form) {
    var field = form.querySelector("[data-photo-field]");
    if (!field) return;
    var input = field.querySelector("input[type=file]");
    function sync() {
      var kind = form.querySelector("[name=kind]:checked");
      var wanted = !!kind && kind.value === "segnalazione";
      field.hidden = !wanted;
      input.disabled = !wanted;
      if (!wanted) input.value = "";
    }
    Array.prototype.forEach.call(form.querySelectorAll("[name=kind]"), function (radio) {
      radio.addEventListener("change", sync);
    });
    sync();
  }

  function setupPick(button) {
    var status = button.parentNode.querySelector("[data-locate-status]");
    button.addEventListener("click", function () {
      var map = window.Geoportale && window.Geoportale.map;
      if (!map) return;
      button.setAttribute("aria-pressed", "true");
      if (status) status.textContent = t("Clicca o tocca la mappa nel punto che ti interessa.");
      map.getContainer().style.cursor = "crosshair";
      map.once("click", function (ev) {
        window.location.href = pointUrl(button.getAttribute("data-pick"), ev.latlng.lng, ev.latlng.lat);
      });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-suggest]"), setupSearch);
    Array.prototype.forEach.call(document.querySelectorAll(".citizen-map"), drawMap);
    Array.prototype.forEach.call(document.querySelectorAll("[data-locate]"), setupLocate);
    Array.prototype.forEach.call(document.querySelectorAll("[data-pick-button]"), setupPick);
    Array.prototype.forEach.call(document.querySelectorAll("[data-contribute-locate]"),
      setupContributeLocate);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-contribute]"),
      setupPhotoField);
    document.documentElement.setAttribute("data-citizen", "ready");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
