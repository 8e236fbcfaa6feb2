// The budget ballot: keep the running total in the sticky bar up to date and refuse a tick that would go over
// the budget. The server refuses too; without this script the total updates when the member presses "Save".
(function () {
  "use strict";

  function formatKroner(amount) {
    return "kr\u00a0" + String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  }

  function setUp(form) {
    if (form.dataset.budgetReady) { return; }
    form.dataset.budgetReady = "1";
    var available = parseInt(form.dataset.available, 10) || 0;
    var label = document.getElementById("budget-bar-label");
    var progress = document.getElementById("budget-progress");
    var message = document.getElementById("budget-bar-message");

    function ticked() {
      var sum = 0;
      form.querySelectorAll("input[name='event']:checked").forEach(function (box) {
        sum += parseInt(box.dataset.cost, 10) || 0;
      });
      return sum;
    }

    function show(sum) {
      if (label && label.dataset.template) {
        label.textContent = label.dataset.template.replace("{cost}", formatKroner(sum));
      }
      if (progress) { progress.value = Math.min(sum, available); }
    }

    // Capture phase: runs before htmx's change handler on the form, so a refused tick is never sent.
    form.addEventListener("change", function (event) {
      var box = event.target;
      if (!box || box.name !== "event") { return; }
      var sum = ticked();
      if (box.checked && sum > available) {
        box.checked = false;
        event.stopPropagation();
        if (message) { message.textContent = form.dataset.overMessage || ""; }
        show(ticked());
        return;
      }
      if (message) { message.textContent = ""; }
      show(sum);
    }, true);
  }

  function init() {
    var form = document.getElementById("ballot");
    if (form) { setUp(form); }
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:load", init);
})();
