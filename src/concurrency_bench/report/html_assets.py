"""The page's inline CSS and its one script (sorting tables by a click on a heading).

Inline so the page needs nothing from anywhere: no CDN, no font, no network at all.
"""

from __future__ import annotations

CSS = """
:root { --ink: #1d1d1f; --muted: #555; --rule: #d0d0d4; --band: #f5f5f7; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 1200px; padding: 1.2rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.4rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 0.4rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 0.3rem; }
.muted, figcaption, .facts { color: var(--muted); }
.partial { background: #fde8e8; border-left: 4px solid #D55E00; padding: 0.4rem 0.8rem; }
.warning { background: #fff6db; border-left: 4px solid #E69F00; padding: 0.4rem 0.8rem; }
nav ul { columns: 2; padding-left: 1.2rem; margin: 0.3rem 0; }
table { border-collapse: collapse; margin: 0.5rem 0; font-variant-numeric: tabular-nums; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { background: var(--band); text-align: left; font-weight: 600; }
table.results td.num { text-align: right; white-space: nowrap; }
table.results td.notes { font-size: 0.85rem; color: var(--muted); max-width: 28rem; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \\2195"; color: #aaa; font-size: 0.8em; }
table.sortable th[aria-sort=ascending]::after { content: " \\2191"; color: var(--ink); }
table.sortable th[aria-sort=descending]::after { content: " \\2193"; color: var(--ink); }
tr.unranked td { color: var(--muted); }
td.model { white-space: nowrap; }
.swatch { display: inline-block; width: 1.1em; margin-right: 0.3em; text-align: center;
  -webkit-text-stroke: 0.5px #333; }
.verdict { background: var(--band); padding: 0.5rem 0.9rem; border-radius: 4px; }
.verdict ul { margin: 0.2rem 0; padding-left: 1.2rem; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
figure svg text { font-family: system-ui, "DejaVu Sans", sans-serif; }
table.env td:first-child { font-weight: 600; white-space: nowrap; }
.legend { font-size: 0.9rem; }
"""

SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var body = table.tBodies[0];
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var key = function (row) {
        var cell = row.cells[column];
        var v = cell.getAttribute("data-v");
        if (v === null) { return cell.textContent.trim().toLowerCase(); }
        return v === "" ? Infinity : parseFloat(v);
      };
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === y) { return 0; }
        if (x === Infinity) { return 1; }
        if (y === Infinity) { return -1; }
        return (x < y ? -1 : 1) * (ascending ? 1 : -1);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""
