/* Progressive enhancement for the budget portal: table and glossary filters, sorting, glossary tooltips
   (the site search is search.js).
   Everything is readable without this file; it only adds controls. No inline script, no third party. */
(function () {
  "use strict";

  var params = new URLSearchParams(window.location.search);

  function normalise(text) {
    return (text || "").replace(/\s+/g, "").toLowerCase();
  }

  function setParam(name, value) {
    if (value) { params.set(name, value); } else { params.delete(name); }
    var query = params.toString();
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

  function element(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { el.setAttribute(key, attrs[key]); });
    if (text) { el.textContent = text; }
    return el;
  }

  /* ---------------------------------------------------------------- filtering */

  var tables = [];

  function makeFilter(labelText, id) {
    var wrap = element("div", { "class": "filter" });
    var label = element("label", { "for": id }, labelText);
    var input = element("input", { type: "search", id: id, autocomplete: "off", placeholder: "输入文字或科目编码，如 住房公积金、2010301" });
    var count = element("output", { "for": id, "class": "match-count", "aria-live": "polite" });
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(count);
    return { wrap: wrap, input: input, count: count };
  }

  /* Show the rows containing the query, and the 类/款 rows above a match (data-parents, from the build). */
  function applyFilter(entry, query) {
    var q = normalise(query);
    var rows = entry.rows;
    var shown = 0;
    var keep = {};
    rows.forEach(function (row) {
      var match = !q || normalise(row.textContent).indexOf(q) !== -1;
      row.dataset.match = match ? "1" : "";
      if (match && q && row.dataset.parents) {
        row.dataset.parents.split(" ").forEach(function (code) { keep[code] = true; });
      }
    });
    rows.forEach(function (row) {
      var visible = row.dataset.match === "1" || (q && row.dataset.code && keep[row.dataset.code]);
      row.hidden = !visible;
      row.classList.toggle("context-row", Boolean(visible && row.dataset.match !== "1"));
      if (row.dataset.match === "1") { shown += 1; }
    });
    entry.count.textContent = q ? "匹配 " + shown + " / " + rows.length + " 行" : "共 " + rows.length + " 行";
    entry.shown = shown;
    return shown;
  }

  function setupTables() {
    document.querySelectorAll("table[data-filterable]").forEach(function (table, index) {
      var section = table.closest("section[id]");
      var key = section ? section.id : "table" + (index + 1);
      var filter = makeFilter("筛选本表", "filter-" + key);
      var scroll = table.closest(".table-scroll") || table;
      scroll.parentNode.insertBefore(filter.wrap, scroll);
      var entry = { table: table, key: key, input: filter.input, count: filter.count,
                    rows: Array.prototype.slice.call(table.tBodies[0] ? table.tBodies[0].rows : []) };
      tables.push(entry);
      filter.input.addEventListener("input", function () {
        applyFilter(entry, filter.input.value);
        setParam(key, filter.input.value);
      });
      var initial = params.get(key) || "";
      filter.input.value = initial;
      applyFilter(entry, initial);
      setupSorting(table);
    });
  }

  function setupPageFilter() {
    var main = document.getElementById("main");
    if (tables.length < 2 || !main) { return; }
    var filter = makeFilter("筛选本页所有表格", "filter-page");
    filter.wrap.classList.add("page-filter");
    var anchor = main.querySelector(".doc-layout") || main.querySelector(".toc");
    if (anchor) { anchor.parentNode.insertBefore(filter.wrap, anchor); } else { main.insertBefore(filter.wrap, main.firstChild); }
    function run(value) {
      var total = 0;
      tables.forEach(function (entry) {
        entry.input.value = value;
        total += applyFilter(entry, value);
        setParam(entry.key, "");
        var box = entry.table.closest("section[id]");
        if (box) { box.hidden = Boolean(value) && entry.shown === 0; }
      });
      filter.count.textContent = value ? "共匹配 " + total + " 行" : "";
      setParam("q", value);
    }
    filter.input.addEventListener("input", function () { run(filter.input.value); });
    if (params.get("q")) { filter.input.value = params.get("q"); run(params.get("q")); }
  }

  /* ---------------------------------------------------------------- sorting */

  function cellValue(row, column, numeric) {
    var cell = row.cells[column];
    if (!cell) { return null; }
    if (numeric) {
      var raw = cell.getAttribute("data-value");
      return raw === null || raw === "" ? null : parseFloat(raw);
    }
    var text = cell.textContent.trim();
    return text === "" ? null : text;
  }

  function setupSorting(table) {
    var body = table.tBodies[0];
    if (!body) { return; }
    table.querySelectorAll("thead th[data-column]").forEach(function (th) {
      var button = element("button", { type: "button", "class": "sort" });
      while (th.firstChild) { button.appendChild(th.firstChild); }
      button.appendChild(element("span", { "class": "sort-mark", "aria-hidden": "true" }));
      th.appendChild(button);
      button.title = "按此列排序";
      button.addEventListener("click", function () {
        var column = parseInt(th.getAttribute("data-column"), 10);
        var numeric = th.hasAttribute("data-numeric");
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th[aria-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        var totals = rows.filter(function (r) { return r.classList.contains("total"); });
        var others = rows.filter(function (r) { return !r.classList.contains("total"); });
        others.sort(function (a, b) {
          var x = cellValue(a, column, numeric), y = cellValue(b, column, numeric);
          if (x === null || y === null) { return x === y ? 0 : (x === null ? 1 : -1); }
          var order = numeric ? x - y : String(x).localeCompare(String(y), "zh-CN");
          return ascending ? order : -order;
        });
        totals.concat(others).forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  /* ---------------------------------------------------------------- glossary tooltips */

  function setupTooltips() {
    var tip = element("div", { id: "term-tip", role: "tooltip", "class": "term-tip", hidden: "" });
    document.body.appendChild(tip);
    function show(link) {
      var text = link.getAttribute("data-definition");
      if (!text) { return; }
      tip.textContent = text;
      tip.hidden = false;
      var box = link.getBoundingClientRect();
      var left = Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
      tip.style.left = Math.max(window.scrollX + 8, left) + "px";
      tip.style.top = (window.scrollY + box.bottom + 6) + "px";
      link.setAttribute("aria-describedby", "term-tip");
    }
    function hide(link) {
      tip.hidden = true;
      if (link) { link.removeAttribute("aria-describedby"); }
    }
    document.querySelectorAll("a.term[title]").forEach(function (link) {
      link.setAttribute("data-definition", link.getAttribute("title"));
      link.removeAttribute("title");
      link.addEventListener("mouseenter", function () { show(link); });
      link.addEventListener("focus", function () { show(link); });
      link.addEventListener("mouseleave", function () { hide(link); });
      link.addEventListener("blur", function () { hide(link); });
    });
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") { hide(null); } });
  }

  /* ---------------------------------------------------------------- list filter (the merged glossary) */

  function setupListFilters() {
    document.querySelectorAll("[data-filter-list]").forEach(function (list, index) {
      var filter = makeFilter("筛选词条", "filter-list-" + (index + 1));
      filter.input.placeholder = "输入词条、释义或科目编码";
      list.parentNode.insertBefore(filter.wrap, list);
      var items = Array.prototype.slice.call(list.querySelectorAll("[data-filter-item]"));
      function run(value) {
        var q = normalise(value);
        var shown = 0;
        items.forEach(function (item) {
          var match = !q || normalise(item.textContent).indexOf(q) !== -1;
          item.hidden = !match;
          if (match) { shown += 1; }
        });
        list.querySelectorAll("section").forEach(function (group) {
          group.hidden = Boolean(q) && !group.querySelector("[data-filter-item]:not([hidden])");
        });
        filter.count.textContent = q ? "匹配 " + shown + " / " + items.length + " 条" : "共 " + items.length + " 条";
        setParam("q", value);
      }
      filter.input.addEventListener("input", function () { run(filter.input.value); });
      filter.input.value = params.get("q") || "";
      run(filter.input.value);
    });
  }

  function start() {
    document.documentElement.classList.add("js");
    setupTables();
    setupPageFilter();
    setupTooltips();
    setupListFilters();
  }

  /* deferred scripts run before DOMContentLoaded */
  if (document.readyState === "complete") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
