// Our own small scripts, bundled into one file after this one (youthcouncil/assets.py). Every action works without
// them; they only make pages nicer. A behaviour is attached with yc.onLoad(fn): fn(root) runs for the page when it
// loads and again for every piece of content htmx swaps in later (a boosted link swaps the whole body), so it must
// look for its elements inside root and set each one up only once.
(function () {
  "use strict";

  function onLoad(fn) {
    if (window.htmx) {
      // htmx calls it for the body once it has started, then for each swapped-in element.
      window.htmx.onLoad(fn);
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { fn(document.body); });
    } else {
      fn(document.body);
    }
  }

  // Elements matching selector inside root, root itself included.
  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll(selector) : []);
    if (root.matches && root.matches(selector)) { found.unshift(root); }
    return found;
  }

  window.yc = { onLoad: onLoad, within: within };

  // On a phone the menu is one row that scrolls sideways: show the current page's item.
  onLoad(function (root) {
    within(root, "nav.main-nav ul").forEach(function (list) {
      var current = list.querySelector("a[aria-current='page']");
      if (current && list.scrollWidth > list.clientWidth) {
        var left = current.getBoundingClientRect().left - list.getBoundingClientRect().left + list.scrollLeft;
        list.scrollLeft = left - (list.clientWidth - current.offsetWidth) / 2;
      }
    });
  });

  // A dropped connection (or one too slow to answer): htmx sent nothing and swaps nothing, so the tap seemed to do
  // nothing at all. Say so next to the form that was sent (what was typed in it stays), or at the top for a link.
  function connectionLost(event) {
    var flash = document.getElementById("flash");
    if (!flash) { return; }
    var elt = event.detail && event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    var note = document.createElement("p");
    note.className = "flash flash-error offline-note";
    note.setAttribute("role", "alert");
    note.textContent = form ? flash.dataset.offlineForm : flash.dataset.offlinePage;
    clearConnectionNotes();
    if (form) {
      form.appendChild(note);
    } else {
      flash.appendChild(note);
    }
    note.scrollIntoView({ block: "nearest" });
  }
  function clearConnectionNotes() {
    document.querySelectorAll(".offline-note").forEach(function (note) { note.remove(); });
  }
  document.addEventListener("htmx:sendError", connectionLost);
  document.addEventListener("htmx:timeout", connectionLost);
  document.addEventListener("htmx:beforeRequest", clearConnectionNotes);

  // After a boosted navigation, move focus to the new main content so screen readers announce the page change,
  // or to what the page asks to be read first (a vote's receipt, a confirmation's question: [autofocus]).
  document.addEventListener("htmx:afterSettle", function (event) {
    var main = document.getElementById("main");
    if (event.detail && event.detail.boosted && main) {
      var first = main.querySelector("[autofocus]");
      (first || main).focus({ preventScroll: !first });
    }
  });
})();
