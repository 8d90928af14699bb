// Keeps what is typed into a form marked data-draft-key in the browser until the server has
// it, so that a lost connection or a reload at the facility loses nothing. The key names the
// record and the version of the draft the page was made from: once a save succeeds the page
// comes back with a new version, and older copies are dropped. Without JavaScript the form
// works as before; this only adds the safety net.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form || !window.localStorage) { return; }
  var key = "kc-draft:" + form.getAttribute("data-draft-key");
  var prefix = key.replace(/-v\d+$/, "-v");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "version" && el.type !== "file" && el.type !== "submit";
    });
  }

  function snapshot() {
    var values = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox") { values[el.name] = el.checked ? "on" : ""; }
      else if (el.type === "radio") { if (el.checked) { values[el.name] = el.value; } else if (!(el.name in values)) { values[el.name] = null; } }
      else { values[el.name] = el.value; }
    });
    return values;
  }

  function restore(values) {
    fields().forEach(function (el) {
      if (!(el.name in values)) { return; }
      var v = values[el.name];
      if (el.type === "checkbox") { el.checked = v === "on"; }
      else if (el.type === "radio") { el.checked = v !== null && el.value === v; }
      else { el.value = v; }
    });
  }

  try {
    // Copies made from an older version of this draft are stale: the server has newer text.
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var k = localStorage.key(i);
      if (k && k.indexOf(prefix) === 0 && k !== key) { localStorage.removeItem(k); }
    }
    var saved = localStorage.getItem(key);
    if (saved) {
      var values = JSON.parse(saved);
      var current = JSON.stringify(snapshot());
      restore(values);
      if (JSON.stringify(snapshot()) !== current) {
        var notice = document.querySelector("[data-draft-restored]");
        if (notice) { notice.hidden = false; }
      }
    }
  } catch (e) { /* storage unavailable or corrupt: the form still works */ }

  function keep() {
    try { localStorage.setItem(key, JSON.stringify(snapshot())); } catch (e) { /* full or blocked */ }
  }
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
})();
