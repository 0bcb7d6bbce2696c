// The dashboard's only script, all optional: pages work without it.
// 1. Sortable tables: a header button sorts its column (numbers by data-value), toggling order.
// 2. The controls form submits itself when the measure or the date changes.
(function () {
  "use strict";
  function sortBy(table, index, kind, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index], y = b.cells[index], order;
      if (kind === "num") {
        order = parseFloat(x.getAttribute("data-value")) - parseFloat(y.getAttribute("data-value"));
      } else {
        order = x.textContent.trim().localeCompare(y.textContent.trim(), document.documentElement.lang);
      }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.querySelectorAll("table").forEach(function (table) {
    if (!table.tHead) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = th.querySelector("button[data-sort]");
      if (!button) return;
      button.addEventListener("click", function () { sortBy(table, index, button.getAttribute("data-sort"), th); });
    });
  });
  var controls = document.getElementById("controls");
  if (controls) {
    controls.querySelectorAll("select, input").forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.type === "date" && !input.value) return;
        controls.submit();
      });
    });
  }
  // The Berita Acara's print button (the desk); without script the browser's own print works.
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
