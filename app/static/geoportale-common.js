/* Geoportale: the helpers every page script shares. Loaded before them (not deferred);
   each script uses `var GP = window.GeoportaleCommon`.

   Interface text comes from the one catalogue (app/i18n.py): the page carries its script
   messages, already in its language, in the JSON data block with the id gp-i18n.
   The Italian text is the key, so `GeoportaleCommon.t("Fine")` reads well and falls back to Italian. */
(function () {
  "use strict";

  var messages = null;

  /* `value` as text safe inside HTML (element content or a quoted attribute). */
  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  /* The interface text `key` in the page's language; `{name}` slots filled from `params`. */
  function t(key, params) {
    if (messages === null) {
      var block = document.getElementById("gp-i18n");
      try { messages = block ? JSON.parse(block.textContent) : {}; } catch (e) { messages = {}; }
    }
    var text = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, function (slot, name) {
      return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : slot;
    });
  }

  /* The point of the page's contribution form (app/templates/contributions/_panel.html),
     if it has one, from any tap on `map`: also a tap on a drawn feature, whose popup stops
     Leaflet's own map click ("here, on this path"). Not a tap on a control or a popup, nor
     the end of a pan. A ring marks the point. */
  function contributionPoint(map) {
    var marker = null;
    map.getContainer().addEventListener("click", function (ev) {
      // Looked up at the tap: a page may draw its map before the form is parsed.
      var form = document.querySelector("form[data-contribute]");
      if (!form || !form.querySelector("[name=lat]")) return;
      if (ev.target.closest && ev.target.closest(".leaflet-control-container, .leaflet-popup")) return;
      if (map.dragging && map.dragging.moved()) return;
      var at = map.mouseEventToLatLng(ev);
      form.querySelector("[name=lon]").value = at.lng.toFixed(6);
      form.querySelector("[name=lat]").value = at.lat.toFixed(6);
      if (marker) marker.setLatLng(at);
      else marker = L.circleMarker(at, {radius: 9, color: "#000", weight: 3, interactive: false}).addTo(map);
    }, true);
  }

  window.GeoportaleCommon = {esc: esc, t: t, contributionPoint: contributionPoint};
})();
