// Our own small script. Every action works without it; it only makes htmx requests nicer.
(function () {
  "use strict";
  // After an htmx swap, move focus to the new main content so screen readers announce the page change.
  document.addEventListener("htmx:afterSettle", function (event) {
    var main = document.getElementById("main");
    if (event.detail && event.detail.boosted && main) {
      main.focus({ preventScroll: true });
    }
  });
})();
