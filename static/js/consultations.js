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

  function setUpSummary(root) {
    var box = root.querySelector("[data-lix-url]");
    if (!box || box.dataset.ready) { return; }
    box.dataset.ready = "1";
    var field = box.querySelector("textarea");
    var counter = box.querySelector("[data-count-for]");
    if (!field) { return; }
    var refresh = debounce(function () {
      if (!window.htmx) { return; }
      var url = box.dataset.lixUrl + "?summary=" + encodeURIComponent(field.value);
      window.htmx.ajax("GET", url, { target: "#lix-hint", swap: "outerHTML" });
    }, 400);
    field.addEventListener("input", function () {
      if (counter) { counter.textContent = String(field.value.trim().length); }
      refresh();
    });
  }

  function setUpFiles(root) {
    var form = root.querySelector("form[data-max-files]");
    if (!form || form.dataset.ready) { return; }
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

  function setUp() {
    setUpSummary(document);
    setUpFiles(document);
  }

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:load", setUp);
})();
