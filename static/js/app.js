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
    if (form && form.closest(".site-header")) { form = null; }  // the log-out button: not inside the menu
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

  // Nothing a member writes is lost when a send is refused: the session had ended (12 hours, or logged out on
  // another device) and the server answered with the login page or "the form had expired", or the server failed. Before htmx sends a form,
  // its text boxes are kept in this tab (sessionStorage: gone when the tab closes), under the form's address and
  // the writer's id; an answer that took the text (2xx, to the same person) or sent it back to be fixed (422, the
  // page keeps it) forgets them. The next time the same person opens that form with the boxes empty, the text comes back.
  var DRAFTS = "yc-drafts";
  var DRAFT_HOURS = 24;
  function drafts() {
    try { return JSON.parse(window.sessionStorage.getItem(DRAFTS) || "{}"); } catch (e) { return {}; }
  }
  function keepDrafts(all) {
    try { window.sessionStorage.setItem(DRAFTS, JSON.stringify(all)); } catch (e) { /* storage off or full */ }
  }
  function writer() {
    var main = document.getElementById("main");
    return main ? main.dataset.writer || "" : "";
  }
  function textFields(form) {
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") { return []; }
    return Array.prototype.slice.call(form.querySelectorAll("textarea[name], input[type=text][name]"));
  }
  function formKey(form) {
    return form.getAttribute("action") || "";
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (!form || form.tagName !== "FORM") { return; }
    var all = drafts();
    if (formKey(form) === "/logout") {
      keepDrafts({});
      return;
    }
    var who = writer();
    if (!who) { return; }
    textFields(form).forEach(function (field) {
      if (field.value.trim()) {
        all[formKey(form) + "|" + field.name] = { who: who, text: field.value, at: Date.now() };
      }
    });
    keepDrafts(all);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    if (!form || form.tagName !== "FORM" || !(status < 400 || status === 422)) { return; }
    // A page for someone else, or for nobody (the login page the server sends a logged-out form to), did not take it.
    var by = /data-writer="([^"]*)"/.exec(event.detail.serverResponse || "");
    if (by && by[1] !== writer()) { return; }
    var all = drafts();
    textFields(form).forEach(function (field) { delete all[formKey(form) + "|" + field.name]; });
    keepDrafts(all);
  });
  onLoad(function (root) {
    var who = writer();
    if (!who) { return; }
    var all = drafts();
    var main = document.getElementById("main");
    within(root, "form[action]").forEach(function (form) {
      var given = false;
      textFields(form).forEach(function (field) {
        var kept = all[formKey(form) + "|" + field.name];
        if (!kept || field.value.trim()) { return; }
        if (kept.who !== who || Date.now() - kept.at > DRAFT_HOURS * 3600 * 1000) { return; }
        field.value = kept.text;
        field.dispatchEvent(new Event("input", { bubbles: true }));
        given = true;
      });
      if (given && main && !form.querySelector(".kept-note")) {
        var note = document.createElement("p");
        note.className = "flash flash-info kept-note";
        note.textContent = main.dataset.keptNote;
        form.insertBefore(note, form.firstChild);
      }
    });
  });

  // The language switch loads the page again (a full POST and back): the choices made but not yet sent in a form
  // marked data-keep-unsent (the ballot's taps and ticks) come back once, in this tab, for the same person and page.
  var UNSENT = "yc-unsent";
  var UNSENT_MINUTES = 10;
  function choiceFields(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[name]")).filter(function (field) {
      return field.type === "checkbox" || field.type === "radio" || field.type === "number";
    });
  }
  function choiceKey(field) {
    return field.type === "number" ? field.name : field.name + "=" + field.value;
  }
  document.addEventListener("submit", function (event) {
    if (!event.target.matches || !event.target.matches("form.lang-switch")) { return; }
    var forms = {};
    document.querySelectorAll("form[data-keep-unsent][action]").forEach(function (form) {
      var state = {};
      choiceFields(form).forEach(function (field) {
        state[choiceKey(field)] = field.type === "number" ? field.value : field.checked;
      });
      forms[formKey(form)] = state;
    });
    var kept = { who: writer(), page: window.location.pathname, at: Date.now(), forms: forms };
    try { window.sessionStorage.setItem(UNSENT, JSON.stringify(kept)); } catch (e) { /* storage off or full */ }
  });
  onLoad(function (root) {
    var kept = null;
    try {
      kept = JSON.parse(window.sessionStorage.getItem(UNSENT) || "null");
      window.sessionStorage.removeItem(UNSENT);
    } catch (e) { return; }
    if (!kept || !kept.who || kept.who !== writer() || kept.page !== window.location.pathname) { return; }
    if (Date.now() - kept.at > UNSENT_MINUTES * 60 * 1000) { return; }
    within(root, "form[data-keep-unsent][action]").forEach(function (form) {
      var state = kept.forms[formKey(form)];
      if (!state) { return; }
      choiceFields(form).forEach(function (field) {
        var value = state[choiceKey(field)];
        if (value === undefined) { return; }
        if (field.type === "number") { field.value = value; } else { field.checked = value; }
      });
      var folded = form.closest("details");  // changing a vote: open, as it was
      if (folded) { folded.open = true; }
    });
  });

  // After a boosted navigation, move focus to the new main content so screen readers announce the page change,
  // or to what the page asks to be read first (a vote's receipt, a confirmation's question: [autofocus]).
  document.addEventListener("htmx:afterSettle", function (event) {
    var main = document.getElementById("main");
    if (event.detail && event.detail.boosted && main) {
      var first = main.querySelector("[autofocus]");
      // A form sent back to be fixed: its first message (a summary, or the first field with an error), in view.
      // htmx has scrolled to the top, where a form at the bottom of a long page has no message to see.
      var problem = first ? null : main.querySelector('.form-summary[role="alert"], [aria-invalid="true"]');
      if (problem) {
        if (!problem.matches("input, select, textarea, button")) { problem.setAttribute("tabindex", "-1"); }
        problem.focus({ preventScroll: true });
        var block = problem.closest(".field") || problem;
        // After htmx's own scroll to the top, which comes after this event.
        window.setTimeout(function () { block.scrollIntoView({ block: "center" }); }, 0);
        return;
      }
      (first || main).focus({ preventScroll: !first });
    }
  });
})();
