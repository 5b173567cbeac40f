/* Standalone maps: fetch("inline:<layer>?…") answers from the JSON carried in #gp-data,
   so static/geoportale.js loads the layers from the file itself (no network, file://). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gp-data").textContent);
  var realFetch = window.fetch;
  window.fetch = function (url) {
    if (typeof url === "string" && url.indexOf("inline:") === 0) {
      var doc = data[url.slice(7).split("?")[0]];
      if (!doc) return Promise.reject(new Error("no data"));
      return Promise.resolve({ok: true, status: 200, json: function () { return Promise.resolve(doc); }});
    }
    return realFetch.apply(this, arguments);
  };
})();
