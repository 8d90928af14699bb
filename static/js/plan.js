// The plan's totals as lines change: what the picked lines add up to and what is left of
// the envelope. Without this script the "Recalculate" button asks the server for the same.
(function () {
  "use strict";
  var form = document.getElementById("plan-form");
  if (!form) { return; }
  var remaining = Number(form.getAttribute("data-remaining")) || 0;
  var selected = document.getElementById("selected-total");
  var left = document.getElementById("left-after");
  var warning = document.getElementById("over-live");
  var grouping = new Intl.NumberFormat("vi-VN");
  function money(amount) { return grouping.format(amount) + " ₫"; }
  // As domain::input::money reads it: separators and the currency sign are ignored.
  function amountOf(text) {
    var digits = text.replace(/[.,\s\u00a0₫đd]/g, "");
    return /^\d+$/.test(digits) ? Number(digits) : 0;
  }
  function update() {
    var total = 0;
    form.querySelectorAll("tr[data-line]").forEach(function (row) {
      var pick = row.querySelector("input[type=checkbox]");
      var amount = row.querySelector("input.money");
      if (pick && amount && pick.checked) { total += amountOf(amount.value); }
    });
    selected.textContent = money(total);
    left.textContent = money(Math.max(remaining - total, 0));
    var over = total > remaining;
    left.classList.toggle("over", over);
    warning.hidden = !over;
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
