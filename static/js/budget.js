// The budget ballot: keep the running total in the sticky bar up to date and refuse a tick that would go over
// the budget. The server refuses too; without this script the total updates when the member presses "Save".
(function () {
  "use strict";

  function formatKroner(form, amount) {
    var group = form.dataset.group || "\u00a0";
    var digits = String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, group);
    return (form.dataset.money || "kr\u00a0{n}").replace("{n}", digits);
  }

  function setUp(form) {
    if (form.dataset.budgetReady) { return; }
    form.dataset.budgetReady = "1";
    var available = parseInt(form.dataset.available, 10) || 0;
    var label = document.getElementById("budget-bar-label");
    var progress = document.getElementById("budget-progress");
    var message = document.getElementById("budget-bar-message");
    var bar = document.getElementById("budget-bar");
    var left = document.getElementById("budget-bar-left");

    function ticked() {
      var sum = 0;
      form.querySelectorAll("input[name='event']:checked").forEach(function (box) {
        sum += parseInt(box.dataset.cost, 10) || 0;
      });
      return sum;
    }

    function show(sum) {
      if (label && label.dataset.template) {
        label.textContent = label.dataset.template.replace("{cost}", formatKroner(form, sum));
      }
      if (left && left.dataset.template) {
        left.textContent = left.dataset.template.replace("{left}", formatKroner(form, Math.max(available - sum, 0)));
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
        // Name the event and what is left: "Klatrekurs costs kr 30 000, you have kr 2 000 left."
        var cost = parseInt(box.dataset.cost, 10) || 0;
        var title = box.closest("label").querySelector(".ballot-title");
        if (message) {
          message.textContent = (form.dataset.overMessage || "")
            .replace("{event}", title ? title.textContent.trim() : "")
            .replace("{cost}", formatKroner(form, cost))
            .replace("{left}", formatKroner(form, Math.max(available - (sum - cost), 0)));
        }
        if (bar) { bar.classList.add("is-over"); }
        show(ticked());
        return;
      }
      if (message) { message.textContent = ""; }
      if (bar) { bar.classList.remove("is-over"); }
      show(sum);
    }, true);
    show(ticked());
  }

  window.yc.onLoad(function (root) {
    window.yc.within(root, "form#ballot").forEach(setUp);
  });
})();
