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

  window.GeoportaleCommon = {esc: esc, t: t};
})();
