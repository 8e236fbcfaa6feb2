// Consultations: a live readability hint and character count for the summary, and a friendly check of the chosen
// PDF files before they are sent. Every form works without this script; the server checks everything again.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function setUpSummary(box) {
    if (box.dataset.ready) { return; }
    box.dataset.ready = "1";
    var field = box.querySelector("textarea");
    var counter = box.querySelector("[data-count-for]");
    var hint = box.querySelector("#lix-hint");
    if (!field) { return; }
    var asked = 0;
    // The hint stays the same element (a live region that screen readers follow); only its content changes. The
    // answer to the latest question wins, whatever order the answers arrive in.
    var refresh = debounce(function () {
      var question = ++asked;
      var url = box.dataset.lixUrl + "?summary=" + encodeURIComponent(field.value);
      fetch(url, { headers: { "HX-Request": "true", "HX-Target": "lix-hint" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || question !== asked || !hint) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("lix-hint");
          if (fresh) { hint.replaceChildren.apply(hint, Array.prototype.slice.call(fresh.childNodes)); }
        })
        .catch(function () { /* offline: the hint shows again after the next save */ });
    }, 400);
    field.addEventListener("input", function () {
      if (counter) { counter.textContent = String(field.value.trim().length); }
      refresh();
    });
  }

  function setUpFiles(form) {
    if (form.dataset.ready) { return; }
    form.dataset.ready = "1";
    var input = form.querySelector("input[type=file]");
    var problem = form.querySelector(".cs-file-problem");
    if (!input || !problem) { return; }
    var maxFiles = parseInt(form.dataset.maxFiles, 10);
    var maxBytes = parseInt(form.dataset.maxBytes, 10);
    function check() {
      var files = Array.prototype.slice.call(input.files || []);
      var message = "";
      if (files.length > maxFiles) {
        message = problem.dataset.tooMany || ("Max " + maxFiles);
      } else {
        files.forEach(function (file) {
          if (!message && file.size > maxBytes) { message = file.name + ": " + (problem.dataset.tooBig || "> 10 MB"); }
          if (!message && file.size === 0) { message = file.name + ": " + (problem.dataset.empty || "0 B"); }
        });
      }
      problem.textContent = message;
      problem.hidden = !message;
      return !message;
    }
    input.addEventListener("change", check);
    form.addEventListener("submit", function (event) {
      if (!check()) { event.preventDefault(); input.focus(); }
    });
  }

  window.yc.onLoad(function (root) {
    window.yc.within(root, "[data-lix-url]").forEach(setUpSummary);
    window.yc.within(root, "form[data-max-files]").forEach(setUpFiles);
  });
})();
