/* Geoportale editor: the page. Picks a feature (map, searchable list or the georeferencing
   queue), reads it from the draft with its ETag, and saves through the OGC API Features
   Part 4 endpoints with If-Match: a 412 shows who-changed-what and offers a reload (never
   an overwrite), a 400 is shown next to the field it names. Builds on editor-map.js and
   editor-form.js; the page's settings are the JSON block #editor-config. */
(function () {
  "use strict";
  var GP = window.GeoportaleCommon, t = GP.t, esc = GP.esc;
  var NS = window.GeoportaleEditor;
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var root = document.querySelector("[data-editor]");
  var csrf = document.querySelector("meta[name='csrf-token']").content;
  var status = document.getElementById("editor-status");
  var section = root.querySelector("[data-feature]");
  var heading = root.querySelector("[data-feature-heading]");
  var conflictBox = root.querySelector("[data-conflict]");
  var gtype = config.layer.geometryType;
  var accepts = {
    point: /Point|^Geometry$/.test(gtype),
    line: /LineString|^Geometry$/.test(gtype),
    polygon: /Polygon|^Geometry$/.test(gtype)
  };

  var emap = new NS.Map(document.getElementById("editor-map"), config);
  var form = new NS.Form(root.querySelector("[data-form]"), config);
  var placement = new NS.Placement(root, config);
  var state = null;      // {fid, original: GeoJSON feature, etag, queue: bool}
  var queue = [];
  var skipped = [];
  var zones = [];
  window.geoportaleEditor = {map: emap, state: function () { return state; }};  // tests, console

  function say(message, focus) {
    status.textContent = message;
    if (focus) status.focus();
  }
  function itemUrl(fid) { return config.layer.itemUrl.replace("__ID__", encodeURIComponent(fid)); }
  function titleOf(f) {
    var p = f.properties || {}, tf = config.layer.titleField;
    return (tf && !NS.blank(p[tf])) ? String(p[tf]) : String(f.id);
  }

  /* A write to the API with the session's CSRF token: {response, body}. */
  function send(method, url, body, etag) {
    var headers = {"X-CSRF-Token": csrf, Accept: "application/geo+json, application/problem+json"};
    if (body !== undefined) headers["Content-Type"] = method === "PATCH" ? "application/merge-patch+json" : "application/geo+json";
    if (etag) headers["If-Match"] = etag;
    return fetch(url, {method: method, headers: headers, credentials: "same-origin",
                       body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (r) {
        return r.text().then(function (text) {
          var doc = null;
          try { doc = text ? JSON.parse(text) : null; } catch (e) { doc = null; }
          return {response: r, body: doc};
        });
      });
  }

  function readDraft(fid) {
    return fetch(itemUrl(fid) + "?draft=true", {headers: {Accept: "application/geo+json", "X-CSRF-Token": csrf}, credentials: "same-origin"})
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        var etag = r.headers.get("ETag");
        return r.json().then(function (f) { return {feature: f, etag: etag}; });
      });
  }

  // -- tabs ------------------------------------------------------------------------------
  var tabs = Array.prototype.slice.call(root.querySelectorAll("[role=tab]"));
  function showTab(tab, focus) {
    tabs.forEach(function (x) {
      var on = x === tab;
      x.setAttribute("aria-selected", on ? "true" : "false");
      x.tabIndex = on ? 0 : -1;
      document.getElementById(x.getAttribute("aria-controls")).hidden = !on;
    });
    if (focus) tab.focus();
  }
  tabs.forEach(function (tab, i) {
    tab.addEventListener("click", function () { showTab(tab); });
    tab.addEventListener("keydown", function (e) {
      var d = {ArrowRight: 1, ArrowLeft: -1}[e.key];
      if (d) { e.preventDefault(); showTab(tabs[(i + d + tabs.length) % tabs.length], true); }
    });
  });

  // -- the searchable list ---------------------------------------------------------------
  var search = document.getElementById("feature-search");
  var list = root.querySelector("[data-feature-list]");
  var listHint = root.querySelector("[data-list-hint]");
  function renderList() {
    var q = search.value.trim().toLowerCase();
    var all = emap.draftFeatures().filter(function (f) {
      return !q || titleOf(f).toLowerCase().indexOf(q) >= 0 || String(f.id).toLowerCase() === q;
    });
    all.sort(function (a, b) { return titleOf(a).localeCompare(titleOf(b)); });
    list.textContent = "";
    all.slice(0, 50).forEach(function (f) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.setAttribute("data-feature-id", String(f.id));
      b.textContent = titleOf(f) + (f.geometry ? "" : " — " + t("senza geometria"));
      b.addEventListener("click", function () { select(String(f.id), false); });
      if (state && state.fid === String(f.id)) b.setAttribute("aria-current", "true");
      li.appendChild(b);
      list.appendChild(li);
    });
    listHint.textContent = emap.bboxHint ||
      (all.length > 50 ? t("{n} elementi: ne mostro 50, affina la ricerca.", {n: all.length}) : t("{n} elementi.", {n: all.length}));
  }
  search.addEventListener("input", renderList);
  emap.onRender = renderList;
  emap.onSelect = function (fid) { select(fid, false); };

  // -- the queue -------------------------------------------------------------------------
  var queueList = root.querySelector("[data-queue]");
  function zoneLabel(n) {
    var z = zones.filter(function (f) { return f.properties[config.zones.numberField] === n; })[0];
    return z ? z.properties[config.zones.labelField] : n;
  }
  function euro(v) {
    return v == null ? null : new Intl.NumberFormat(document.documentElement.lang || "it", {style: "currency", currency: "EUR", maximumFractionDigits: 0}).format(v);
  }
  function loadQueue() {
    return NS.getJSON(config.queueUrl).then(function (doc) {
      // Skipped features go to the end (for this visit of the page), the rest keep the order.
      queue = doc.features.filter(function (q) { return skipped.indexOf(q.id) < 0; })
        .concat(doc.features.filter(function (q) { return skipped.indexOf(q.id) >= 0; }));
      root.querySelector("[data-queue-count]").textContent = "(" + queue.length + ")";
      queueList.textContent = "";
      queue.forEach(function (q) {
        var li = document.createElement("li");
        var facts = [
          [t("Stato"), q.stato_label], [t("Importo"), euro(q.importo)],
          [t("Quartiere"), q.quartiere == null ? null : zoneLabel(q.quartiere)],
          [t("Luogo"), q.place], [t("Via (stradario)"), q.street], [t("Fonte"), q.source_citation || q.source]
        ].filter(function (x) { return !NS.blank(x[1]); });
        li.innerHTML = "<button type='button' data-queue-id='" + esc(q.id) + "'>" + esc(q.title) + "</button>" +
          "<dl>" + facts.map(function (x) { return "<dt>" + esc(x[0]) + "</dt><dd>" + esc(x[1]) + "</dd>"; }).join("") + "</dl>";
        li.querySelector("button").addEventListener("click", function () { select(q.id, true); });
        if (state && state.fid === q.id) li.querySelector("button").setAttribute("aria-current", "true");
        queueList.appendChild(li);
      });
      if (!queue.length) queueList.innerHTML = "<li>" + esc(t("Tutti gli elementi hanno una geometria.")) + "</li>";
    });
  }
  function nextInQueue() {
    var after = state && state.fid;
    var next = queue.filter(function (q) { return q.id !== after; })[0];
    if (next) return select(next.id, true);
    closeFeature();
    say(t("La coda è vuota: tutti gli elementi hanno una geometria."), true);
    return Promise.resolve();
  }

  // -- opening a feature -----------------------------------------------------------------
  function dirty() {
    return !!state && (emap.dirty || placement.touched ||
      Object.keys(form.changes(state.fid ? state.original.properties : null)).length > 0);
  }

  function select(fid, fromQueue) {
    if (dirty() && !window.confirm(t("Ci sono modifiche non salvate. Abbandonarle?"))) return Promise.resolve();
    say(t("Carico l’elemento…"));
    return readDraft(fid).then(function (got) {
      open({fid: String(fid), original: got.feature, etag: got.etag, queue: !!fromQueue});
      say("");
    }).catch(function (e) { say(t("Impossibile leggere l’elemento ({status}).", {status: e.message})); });
  }

  function markCurrent() {
    root.querySelectorAll("[data-queue-id], [data-feature-id]").forEach(function (b) {
      var id = b.getAttribute("data-queue-id") || b.getAttribute("data-feature-id");
      if (state && state.fid === id) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
  }

  function open(s) {
    state = s;
    conflictBox.hidden = true;
    form.clearErrors();
    section.hidden = false;
    heading.textContent = s.fid ? titleOf(s.original) : t("Nuovo elemento");
    form.fill(s.original.properties);
    placement.reset(s.original.properties);
    emap.setGeometry(s.original.geometry, s.fid);
    root.querySelector("[data-save-next]").hidden = !s.queue;
    root.querySelector("[data-skip]").hidden = !s.queue;
    root.querySelector("[data-delete]").hidden = !s.fid;
    var zq = (s.original.properties || {}).quartiere;
    var zs = root.querySelector("[data-zone-select]");
    if (zq != null && zs.querySelector("option[value='" + zq + "']")) zs.value = String(zq);
    if (!s.original.geometry && zq != null && config.zones) {  // unplaced: go to its quartiere
      var zone = zones.filter(function (f) { return f.properties[config.zones.numberField] === zq && f.geometry; })[0];
      if (zone) emap.showArea(zone.geometry);
    }
    geometryState();
    markCurrent();
    heading.focus();
  }

  function closeFeature() {
    state = null;
    section.hidden = true;
    emap.endEdit();
    markCurrent();
  }

  function geometryState() {
    var text = emap.hasGeometry()
      ? t("Geometria: {type}.", {type: (emap.geometry() || {}).type}) + (emap.dirty ? " " + t("(modificata, da salvare)") : "")
      : t("Nessuna geometria: scegli come posizionare l’elemento.");
    root.querySelector("[data-geometry-state]").textContent = text;
    root.querySelector("[data-required-mark]").hidden = !(emap.dirty && emap.hasGeometry());
  }
  emap.onGeometry = function (method) {
    placement.placedBy(method);
    geometryState();
  };

  // -- tools -----------------------------------------------------------------------------
  function pressed(tool, on) {
    root.querySelectorAll("[data-tool][aria-pressed]").forEach(function (b) {
      b.setAttribute("aria-pressed", on && b.getAttribute("data-tool") === tool ? "true" : "false");
    });
  }
  var hints = {
    punto: t("Clicca sulla mappa dove si trova l’elemento (Esc per annullare)."),
    tratto: t("Clicca i punti del tratto di via; clicca l’ultimo punto di nuovo per finire (Esc per annullare)."),
    area: t("Clicca i vertici dell’area; clicca il primo vertice per chiuderla (Esc per annullare).")
  };
  root.querySelectorAll("[data-tool]").forEach(function (b) {
    var tool = b.getAttribute("data-tool");
    var show = {punto: accepts.point, centro: accepts.point, tratto: accepts.line, area: accepts.polygon}[tool];
    if (show === false) b.hidden = true;
    b.addEventListener("click", function () {
      emap.addPart = !!root.querySelector("[data-add-part]").checked;
      if (tool === "centro") return emap.placeAt(null, "punto");
      if (tool === "rimuovi") return emap.removeGeometry();
      if (tool === "quartiere") return placeZone();
      if (emap.drawing === tool) return emap.stopDrawing();
      if (!emap.startDrawing(tool, function () { pressed(tool, false); })) {
        return say(t("Gli strumenti di disegno (Leaflet-Geoman) non sono disponibili."));
      }
      pressed(tool, true);
      say(hints[tool]);
    });
  });
  root.querySelector("[data-multi]").hidden = !/^Multi|^Geometry$/.test(gtype);

  // The whole quartiere: the feature gets no geometry of its own (a copy of the cell would
  // say it covers all of it), its quartiere's number in the layer's zone field and precisione
  // "quartiere"; the public map draws that quartiere's faint outline for it.
  function placeZone() {
    var n = root.querySelector("[data-zone-select]").value;
    var z = zones.filter(function (f) { return String(f.properties[config.zones.numberField]) === n; })[0];
    var field = config.zones.featureField && form.inputs[config.zones.featureField];
    if (!z || !field) return say(t("Questo quartiere non ha una geometria."));
    emap.removeGeometry();
    if (z.geometry) emap.showArea(z.geometry);
    field.value = n;
    placement.placedBy("quartiere");
    placement.touched = true;
    say(t("Nell'intero quartiere: nessuna geometria propria, la mappa pubblica ne mostra il contorno."));
  }
  if (config.zones) {  // the quartieri: labels in the queue, where to look, the whole-quartiere tool
    NS.loadAll(config.zones.itemsUrl, function (features) {
      zones = zones.concat(features);
      var select = root.querySelector("[data-zone-select]");
      features.filter(function (f) { return f.geometry; }).forEach(function (f) {
        var o = document.createElement("option");
        o.value = String(f.properties[config.zones.numberField]);
        o.textContent = f.properties[config.zones.labelField] || o.value;
        select.appendChild(o);
      });
      root.querySelector("[data-zone-tool]").hidden =
        !(config.zones.featureField && form.inputs[config.zones.featureField]);
    }).then(loadQueue);
  }

  // Typing an address places the point (the citizen search's house numbers).
  if (config.addressSearch && accepts.point) {
    var addrTool = root.querySelector("[data-address-tool]");
    var addrInput = document.getElementById("address-input");
    var addrResults = root.querySelector("[data-address-results]");
    addrTool.hidden = false;
    var findAddress = function () {
      var q = addrInput.value.trim();
      if (q.length < 2) return;
      NS.getJSON(config.addressSearch + "?limit=8&q=" + encodeURIComponent(q)).then(function (doc) {
        var found = (doc.results || []).filter(function (r) { return (r.kind === "address" || r.kind === "street") && r.location; });
        addrResults.textContent = "";
        if (!found.length) { addrResults.innerHTML = "<li>" + esc(t("Nessun indirizzo trovato.")) + "</li>"; return; }
        found.forEach(function (r) {
          var li = document.createElement("li"), b = document.createElement("button");
          b.type = "button";
          b.textContent = r.label;
          b.addEventListener("click", function () {
            emap.addPart = false;
            emap.placeAt(L.latLng(r.location.lat, r.location.lon), "indirizzo");
            if (!placement.chosen) placement.el.precisione.value = r.precisione || "indirizzo";
            addrResults.textContent = "";
            say(t("Punto posto su {label}.", {label: r.label}));
          });
          li.appendChild(b);
          addrResults.appendChild(li);
        });
      });
    };
    root.querySelector("[data-address-find]").addEventListener("click", findAddress);
    addrInput.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); findAddress(); } });
  }

  // -- saving ----------------------------------------------------------------------------
  function problemShown(problem) {
    var name = problem && problem.parameter;
    var message = (problem && (problem.detail || problem.title)) || t("Richiesta non valida.");
    var target = name ? form.showError(name, message) : null;
    if (target) { target.focus(); say(t("Non salvato: correggi il campo segnalato.")); }
    else say(t("Non salvato: {detail}", {detail: message}), true);
  }

  function saved(result, next) {
    var r = result.response, f = result.body;
    var fid = String(f.id);
    var warning = r.headers.get("Geoportale-Warning");
    open({fid: fid, original: f, etag: r.headers.get("ETag"), queue: state.queue});
    emap.loadEdits();
    var done = loadQueue();
    var message = t("Salvato nella bozza: {title}.", {title: titleOf(f)});
    if (warning === "outside-comune") message += " " + t("Attenzione: è fuori dal confine del comune.");
    return done.then(function () {
      if (next) return nextInQueue().then(function () { say(message); });
      say(message, true);
    });
  }

  function save(next) {
    if (!state) return;
    form.clearErrors();
    conflictBox.hidden = true;
    emap.stopDrawing();
    var isNew = !state.fid;
    var original = isNew ? null : state.original.properties;
    var bad = form.check(isNew, original);
    var geometry = emap.geometry();
    var plc = placement.value();
    if (emap.dirty && geometry && !plc.fonte_posizione) {
      bad = bad || form.showError("placement.fonte_posizione", t("Indica la fonte della posizione (documento, rilievo, sopralluogo)."));
    }
    if (bad) { bad.focus(); say(t("Non salvato: correggi i campi segnalati.")); return Promise.resolve(); }
    if (emap.dirty && NS.outside(config.boundary, geometry) &&
        !window.confirm(t("La geometria è fuori dal confine del comune. Salvarla comunque?"))) {
      say(t("Non salvato."));
      return Promise.resolve();
    }
    var props = form.changes(original), call;
    var withPlacement = (emap.dirty && geometry) || placement.touched;
    if (isNew) {
      var doc = {type: "Feature", geometry: geometry, properties: props};
      if (withPlacement && Object.keys(plc).length) doc.placement = plc;
      call = send("POST", config.layer.createUrl, doc);
    } else {
      var patch = {};
      if (Object.keys(props).length) patch.properties = props;
      if (emap.dirty) patch.geometry = geometry;
      if (withPlacement && Object.keys(plc).length) patch.placement = plc;
      if (!Object.keys(patch).length) {
        say(t("Nessuna modifica da salvare."));
        return next ? nextInQueue() : Promise.resolve();
      }
      call = send("PATCH", itemUrl(state.fid), patch, state.etag);
    }
    say(t("Salvataggio…"));
    return call.then(function (result) {
      var code = result.response.status;
      if (code === 200 || code === 201) return saved(result, next);
      if (code === 412) return conflict(result.body);
      if (code === 400 || code === 422) return problemShown(result.body);
      if (code === 401) return say(t("La sessione è scaduta: accedi di nuovo. Le modifiche non sono state salvate."), true);
      say(t("Non salvato: errore {status}.", {status: code}) + (result.body && result.body.detail ? " " + result.body.detail : ""), true);
    }).catch(function () { say(t("Non salvato: il server non risponde."), true); });
  }

  function show(v) {
    if (NS.blank(v)) return "–";
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  }

  /* Someone else changed the feature since it was read: show their version, offer a reload. */
  function conflict(problem) {
    conflictBox.hidden = false;
    conflictBox.innerHTML = "<p><strong>" + esc(t("Qualcun altro ha modificato questo elemento mentre lo stavi modificando.")) +
      "</strong> " + esc(t("Le tue modifiche non sono state salvate e nulla è stato sovrascritto.")) + "</p>" +
      "<div data-current><p>" + esc(t("Carico la versione attuale…")) + "</p></div>" +
      "<button type='button' data-reload>" + esc(t("Ricarica la versione attuale")) + "</button>";
    say(t("Conflitto: l’elemento è stato modificato da un’altra persona."));
    var reload = conflictBox.querySelector("[data-reload]");
    reload.addEventListener("click", function () {
      emap.dirty = false; placement.touched = false; form.fill(state.original.properties);
      select(state.fid, state.queue).then(function () { say(t("Versione attuale ricaricata."), true); });
    });
    reload.focus();
    return readDraft(state.fid).then(function (got) {
      var before = state.original.properties || {}, now = got.feature.properties || {};
      var rows = config.fields.filter(function (f) { return show(before[f.name]) !== show(now[f.name]); }).map(function (f) {
        return "<tr><th scope='row'>" + esc(f.label) + "</th><td>" + esc(show(before[f.name])) + "</td><td>" + esc(show(now[f.name])) + "</td></tr>";
      });
      if (JSON.stringify(state.original.geometry) !== JSON.stringify(got.feature.geometry)) {
        rows.push("<tr><th scope='row'>" + esc(t("Geometria")) + "</th><td>" + esc(t("come l’avevi letta")) + "</td><td>" + esc(t("spostata o ridisegnata")) + "</td></tr>");
      }
      conflictBox.querySelector("[data-current]").innerHTML = "<table><caption>" + esc(t("Versione attuale")) + "</caption>" +
        "<thead><tr><th scope='col'>" + esc(t("Campo")) + "</th><th scope='col'>" + esc(t("Quando l’hai letto")) + "</th><th scope='col'>" + esc(t("Ora")) + "</th></tr></thead>" +
        "<tbody>" + rows.join("") + "</tbody></table>";
    }).catch(function () {
      conflictBox.querySelector("[data-current]").innerHTML = "<p>" + esc(t("L’elemento non è più nella bozza (forse è stato eliminato).")) + "</p>";
    });
  }

  function remove() {
    if (!state || !state.fid) return;
    if (!window.confirm(t("Eliminare «{title}»? L’eliminazione resta in bozza finché non viene pubblicata.", {title: titleOf(state.original)}))) return;
    send("DELETE", itemUrl(state.fid), undefined, state.etag).then(function (result) {
      var code = result.response.status;
      if (code === 204 || code === 200) {
        var title = titleOf(state.original);
        emap.dirty = false;
        closeFeature();
        emap.loadEdits();
        loadQueue();
        return say(t("Eliminato nella bozza: {title}.", {title: title}), true);
      }
      if (code === 412) return conflict(result.body);
      problemShown(result.body);
    });
  }

  root.querySelector("[data-form]").addEventListener("submit", function (e) { e.preventDefault(); save(false); });
  root.querySelector("[data-save-next]").addEventListener("click", function () { save(true); });
  root.querySelector("[data-skip]").addEventListener("click", function () {
    emap.dirty = false; placement.touched = false;
    form.fill(state.original.properties);
    var here = state.fid;
    skipped = skipped.filter(function (id) { return id !== here; }).concat([here]);
    loadQueue().then(nextInQueue);
  });
  root.querySelector("[data-cancel]").addEventListener("click", function () {
    if (dirty() && !window.confirm(t("Ci sono modifiche non salvate. Abbandonarle?"))) return;
    closeFeature();
    say(t("Modifiche annullate."));
  });
  root.querySelector("[data-delete]").addEventListener("click", remove);
  root.querySelector("[data-new]").addEventListener("click", function () {
    if (dirty() && !window.confirm(t("Ci sono modifiche non salvate. Abbandonarle?"))) return;
    open({fid: null, original: {type: "Feature", geometry: null, properties: {}}, etag: null, queue: false});
  });
  root.querySelectorAll("[data-placement-field]").forEach(function (el) {
    el.addEventListener("input", function () { placement.touched = true; });
  });
  // An error goes once its field is changed.
  root.addEventListener("input", function (e) {
    var el = e.target;
    if (el.getAttribute("aria-invalid") !== "true") return;
    el.removeAttribute("aria-invalid");
    (el.getAttribute("aria-describedby") || "").split(" ").forEach(function (id) {
      var p = id.indexOf("error-") === 0 && document.getElementById(id);
      if (p) { p.hidden = true; p.textContent = ""; }
    });
    if (!root.querySelector(".field-error:not([hidden])")) say("");
  });

  emap.load().then(function () {
    root.setAttribute("data-ready", "true");
  }).catch(function () { say(t("Impossibile caricare il layer.")); });
  if (!config.zones) loadQueue();
  if (!emap.geoman) say(t("Gli strumenti di disegno (Leaflet-Geoman) non sono disponibili."));
})();
