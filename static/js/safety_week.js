// Tap-to-rank for the safety-week ballot. Without this script the ballot is a number field per theme (its place),
// and it works the same; this script only hides the fields and lets the member tap the themes in order.
(function () {
  "use strict";

  function setUp(form) {
    if (form.dataset.swReady || form.dataset.method !== "irv") {
      return;
    }
    form.dataset.swReady = "1";
    var selects = Array.prototype.slice.call(form.querySelectorAll(".sw-rank-select"));
    var taps = Array.prototype.slice.call(form.querySelectorAll(".sw-tap"));
    var live = form.querySelector(".sw-live");
    var list = form.querySelector(".sw-themes");
    var notRanked = list ? list.dataset.notRanked : "";
    var places = list ? JSON.parse(list.dataset.places || "[]") : [];
    var order = [];

    function selectFor(theme) {
      return form.querySelector('.sw-rank-select[data-theme="' + theme + '"]');
    }
    function titleOf(theme) {
      var tap = form.querySelector('.sw-tap[data-theme="' + theme + '"] .sw-title');
      return tap ? tap.textContent.trim() : theme;
    }
    function placeLabel(n) {
      return places[n - 1] || String(n);
    }

    // Start from what the fields hold (the member's current vote, or what they sent back with an error).
    selects
      .filter(function (s) { return s.value.trim() !== ""; })
      .sort(function (a, b) { return Number(a.value) - Number(b.value); })
      .forEach(function (s) { order.push(s.dataset.theme); });

    function render(announce) {
      selects.forEach(function (s) { s.value = ""; });
      order.forEach(function (theme, i) { selectFor(theme).value = String(i + 1); });
      taps.forEach(function (tap) {
        var at = order.indexOf(tap.dataset.theme);
        var place = tap.querySelector(".sw-place");
        var state = tap.querySelector(".sw-state");
        tap.setAttribute("aria-pressed", at >= 0 ? "true" : "false");
        place.textContent = at >= 0 ? placeLabel(at + 1).split(" ")[0] : "";
        state.textContent = at >= 0 ? placeLabel(at + 1) : notRanked;
      });
      if (live && announce) {
        live.textContent = order.length
          ? live.dataset.template.replace("{order}", order.map(function (t, i) {
              return placeLabel(i + 1) + ": " + titleOf(t);
            }).join(", "))
          : live.dataset.empty;
      }
    }

    taps.forEach(function (tap) {
      tap.hidden = false;
      tap.addEventListener("click", function () {
        var theme = tap.dataset.theme;
        var at = order.indexOf(theme);
        if (at >= 0) {
          order.splice(at, 1);
        } else {
          order.push(theme);
        }
        render(true);
      });
    });
    form.querySelectorAll("[data-sw]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (button.dataset.sw === "undo") {
          order.pop();
        } else {
          order = [];
        }
        render(true);
      });
    });
    form.querySelectorAll(".sw-tools, .sw-help-js").forEach(function (el) { el.hidden = false; });
    form.querySelectorAll(".sw-help-nojs").forEach(function (el) { el.hidden = true; });
    form.classList.add("sw-js");
    render(false);
  }

  window.yc.onLoad(function (root) {
    window.yc.within(root, "form.sw-ballot").forEach(setUp);
  });
})();
