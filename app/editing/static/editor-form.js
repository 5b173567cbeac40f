/* Geoportale editor: the attribute form (generated from the layer file's fields, which the
   page carries as JSON), the placement form (precisione, fonte_posizione, the street from
   the official list) and the errors shown next to the field a 400 problem names.
   Used by editor.js as GeoportaleEditor.Form. */
(function () {
  "use strict";
  var GP = window.GeoportaleCommon, t = GP.t;
  var NS = window.GeoportaleEditor = window.GeoportaleEditor || {};

  function blank(v) { return v === null || v === undefined || v === ""; }

  function Form(root, config) {
    this.root = root;
    this.config = config;
    this.fields = config.fields;
    this.box = root.querySelector("[data-fields]");
    this.inputs = {};
    this.build();
  }

  Form.prototype.build = function () {
    var self = this;
    this.fields.forEach(function (f) {
      if (f.managed === "placement") return;  // the placement form edits it
      var id = "field-" + f.name;
      var wrap = document.createElement("div");
      wrap.className = "editor-field editor-field-" + f.input;
      var input;
      if (f.input === "select") {
        input = document.createElement("select");
        var none = document.createElement("option");
        none.value = "";
        none.textContent = "–";
        input.appendChild(none);
        f.choices.forEach(function (c) {
          var o = document.createElement("option");
          o.value = String(c.value);
          o.textContent = c.label;
          input.appendChild(o);
        });
      } else if (f.input === "textarea") {
        input = document.createElement("textarea");
        input.rows = 2;
      } else {
        input = document.createElement("input");
        input.type = f.input;
        if (f.step) input.step = f.step;
      }
      input.id = id;
      input.name = f.name;
      if (f.required) { input.required = true; input.setAttribute("aria-required", "true"); }
      if (f.managed) {
        input.readOnly = true;
        if (f.input === "checkbox" || f.input === "select") input.disabled = true;
      }
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = f.label + (f.required ? " *" : "");
      var note = null;
      if (f.managed) {
        note = document.createElement("small");
        note.id = id + "-note";
        note.textContent = t("assegnato dal sistema");
        input.setAttribute("aria-describedby", note.id);
      }
      var error = document.createElement("p");
      error.className = "field-error";
      error.id = "error-" + f.name;
      error.hidden = true;
      if (f.input === "checkbox") { label.insertBefore(input, label.firstChild); wrap.appendChild(label); }
      else { wrap.appendChild(label); wrap.appendChild(input); }
      if (note) wrap.appendChild(note);
      wrap.appendChild(error);
      self.box.appendChild(wrap);
      self.inputs[f.name] = input;
    });
  };

  Form.prototype.fill = function (props) {
    var self = this;
    this.fields.forEach(function (f) {
      var input = self.inputs[f.name], v = props ? props[f.name] : null;
      if (!input) return;
      if (f.input === "checkbox") input.checked = v === true;
      else input.value = blank(v) ? "" : String(v);
    });
  };

  Form.prototype.value = function (f) {
    var input = this.inputs[f.name];
    if (f.input === "checkbox") return input.checked;
    var raw = input.value.trim();
    if (raw === "") return null;
    if (f.type === "integer" || f.type === "number") {
      var n = Number(raw);
      return isNaN(n) ? raw : n;  // the server names the field of a bad number
    }
    if (f.input === "select") {
      var choice = f.choices.filter(function (c) { return String(c.value) === raw; })[0];
      return choice ? choice.value : raw;
    }
    return raw;
  };

  /* The properties the form changes against `original` (all non-empty ones for a new feature). */
  Form.prototype.changes = function (original) {
    var out = {}, self = this;
    this.fields.forEach(function (f) {
      if (f.managed) return;
      var v = self.value(f), was = original ? original[f.name] : undefined;
      if (!original) { if (!blank(v) && v !== false) out[f.name] = v; return; }
      if (blank(v) && blank(was)) return;
      if (f.input === "checkbox" && !v && blank(was)) return;
      if (v !== was) out[f.name] = v;
    });
    return out;
  };

  /* Client-side check of required fields; returns the first input in error or null. */
  Form.prototype.check = function (isNew, original) {
    var first = null, self = this;
    this.fields.forEach(function (f) {
      if (!f.required || f.managed) return;
      var v = self.value(f);
      if (blank(v) && (isNew || !blank(original && original[f.name]))) {
        self.showError(f.name, t("Campo obbligatorio."));
        first = first || self.inputs[f.name];
      }
    });
    return first;
  };

  Form.prototype.clearErrors = function () {
    document.querySelectorAll("[data-editor] .field-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    document.querySelectorAll("[data-editor] [aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      var d = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x.indexOf("error-") !== 0; });
      if (d.length) el.setAttribute("aria-describedby", d.join(" ")); else el.removeAttribute("aria-describedby");
    });
  };

  /* Show `message` next to the field `name` (a layer field, "geometry" or "placement.x");
     returns the element to focus, or null when no such field is on the page. */
  Form.prototype.showError = function (name, message) {
    var p = document.getElementById("error-" + name);
    if (!p) return null;
    p.textContent = message;
    p.hidden = false;
    var input = this.inputs[name] ||
      document.querySelector("[data-editor] [data-placement-field='" + name.replace("placement.", "") + "']");
    if (name === "geometry") input = document.querySelector("[data-editor] [data-tool]:not([hidden])");
    if (input && (name.indexOf("placement.") === 0 || this.inputs[name])) {
      input.setAttribute("aria-invalid", "true");
      var d = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", (d ? d + " " : "") + p.id);
    }
    return input || p;
  };

  // -- the placement ---------------------------------------------------------------------
  function Placement(root, config) {
    var self = this;
    this.root = root;
    this.config = config;
    this.el = {};
    root.querySelectorAll("[data-placement-field]").forEach(function (el) {
      self.el[el.getAttribute("data-placement-field")] = el;
    });
    this.el.precisione.addEventListener("change", function () { self.chosen = true; });
    if (config.streets) this.streets(config.streets);
  }

  Placement.prototype.reset = function (props) {
    var cfg = this.config.layer;
    this.chosen = false;
    this.method = null;
    this.el.precisione.value = (props && cfg.precisionField && props[cfg.precisionField]) || "";
    this.el.fonte_posizione.value = (props && cfg.sourceField && props[cfg.sourceField]) || "";
    // The official street the feature records (codice_via, via_ufficiale: found in its
    // text by the data build), offered as the street it is placed on.
    var named = props && props.codice_via && props.via_ufficiale;
    if (this.el.via) this.el.via.value = named ? props.via_ufficiale : "";
    if (this.el.codice_via) this.el.codice_via.value = named ? props.codice_via : "";
    this.touched = false;
  };

  /* A new way of placing: its default precisione, unless the user chose one. */
  Placement.prototype.placedBy = function (method) {
    if (method) this.method = method;
    var precision = method && this.config.methods[method];
    if (precision && !this.chosen) this.el.precisione.value = precision;
  };

  Placement.prototype.setStreet = function (name, code) {
    if (!this.el.via) return;
    this.el.via.value = name || "";
    this.el.codice_via.value = code || "";
  };

  Placement.prototype.value = function () {
    var out = {}, el = this.el;
    ["precisione", "fonte_posizione", "via", "codice_via"].forEach(function (k) {
      if (el[k] && el[k].value.trim()) out[k] = el[k].value.trim();
    });
    if (this.method) out.metodo = this.method;
    return out;
  };

  Placement.prototype.filled = function () {
    var v = this.value();
    return !!(v.precisione || v.fonte_posizione || v.via);
  };

  /* Street names from the official list as the user types (a datalist keeps it native). */
  Placement.prototype.streets = function (url) {
    var self = this, input = this.el.via, list = document.getElementById("street-options");
    var codes = {}, timer = null;
    this.root.querySelector("[data-street-tool]").hidden = false;
    input.addEventListener("input", function () {
      self.el.codice_via.value = codes[input.value] || "";
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || codes[input.value]) return;
      timer = setTimeout(function () {
        NS.getJSON(url + "?limit=10&q=" + encodeURIComponent(q)).then(function (doc) {
          list.textContent = "";
          (doc.streets || []).forEach(function (s) {
            var name = s.nome || ((s.dug ? s.dug + " " : "") + s.denominazione);  // "Via Dante"
            codes[name] = s.codice;
            var o = document.createElement("option");
            o.value = name;
            list.appendChild(o);
          });
          var attribution = self.root.querySelector("[data-street-attribution]");
          if (attribution) attribution.textContent = doc.attribution || "";
        }).catch(function () { /* no street list: the text stays free */ });
      }, 200);
    });
  };

  NS.Form = Form;
  NS.Placement = Placement;
  NS.blank = blank;
})();
