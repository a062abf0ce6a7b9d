/* Site search over the static index that portal/searchindex.py writes (its docstring describes the files).
   Index files are scripts calling siteSearchData(key, data), loaded with <script> elements: that works on any
   static host and from file://, where fetch() is refused. Index text is untrusted: it only ever reaches the page
   through textContent. No library, no inline script, no eval. */
(function () {
  "use strict";

  var box = document.getElementById("site-search");
  if (!box) { return; }
  var siteRoot = box.getAttribute("data-root") || "";
  var indexBase = box.getAttribute("data-index") || siteRoot + "search/";

  var BATCH_PAGES = 8;      // pages verified and shown at a time
  var RECORDS_SHOWN = 5;    // matching records listed under a page
  var SEGMENT_LOADS = 16;   // record segments one step (a query, a click on 显示更多) may load to verify pages
  var MAX_GRAMS = 4;        // posting lists loaded for a query: a cover of it, not every bigram
  var NUMBER_GRAM = 5;
  var DEPARTMENT_FILES = 8; // department-name files loaded for the department filter
  var KIND_NAMES = { department: "部门", document: "文件", table: "表格", row: "行", text: "正文", term: "名词解释",
                     evaluation: "绩效自评", page: "页面" };

  /* ------------------------------------------------------------ normalise: the same as searchindex.normalise */

  var DROPPED = /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff\u201c\u201d\u2018\u2019"'\u300c\u300d\u300e\u300f]+/g;
  var DIGIT_COMMA = /([0-9]),(?=[0-9])/g;

  function normalise(text) {
    text = String(text || "").normalize("NFKC").toLowerCase().replace(DROPPED, "");
    return text.indexOf(",") === -1 ? text : text.replace(DIGIT_COMMA, "$1");
  }

  function hash(text) {  /* FNV-1a over code points, high bits mixed into the low ones (string_hash) */
    var h = 2166136261;
    Array.from(text).forEach(function (ch) { h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0; });
    return (h ^ (h >>> 16)) >>> 0;
  }

  /* ------------------------------------------------------------------------------------------ loading */

  var loaded = {};
  var arrived = {};
  /* a records segment (beside its page) says "" for its key: the script element that loads it knows it */
  window.siteSearchData = function (key, data) {
    arrived[key || document.currentScript.getAttribute("data-key")] = data;
  };

  function load(key, src) {
    if (!loaded[key]) {
      loaded[key] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src || indexBase + key + ".js";
        script.setAttribute("data-key", key);
        script.onload = function () {
          script.remove();
          if (arrived.hasOwnProperty(key)) { resolve(arrived[key]); delete arrived[key]; } else { reject(new Error(key)); }
        };
        script.onerror = function () { script.remove(); delete loaded[key]; reject(new Error(key)); };
        document.head.appendChild(script);
      });
    }
    return loaded[key];
  }

  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  var DIGIT = {};
  for (var d = 0; d < 64; d += 1) { DIGIT[B64.charAt(d)] = d; }

  function Reader(text) { this.text = text; this.at = 0; }
  Reader.prototype.more = function () { return this.at < this.text.length; };
  Reader.prototype.char = function () { return DIGIT[this.text.charAt(this.at++)]; };
  Reader.prototype.vlq = function () {
    var value = 0, shift = 0, digit;
    do { digit = this.char(); value += (digit & 31) * Math.pow(2, shift); shift += 5; } while (digit & 32);
    return value;
  };

  var manifest = null;
  function loadManifest() {
    return load("manifest").then(function (m) {
      if (manifest) { return manifest; }
      var r = new Reader(m.facets), dept = 0, n = m.pages;
      m.dept = new Int32Array(n); m.year = new Int32Array(n); m.kind = new Int32Array(n); m.segments = new Int32Array(n);
      for (var i = 0; i < n; i += 1) {
        var step = r.vlq();
        dept += step % 2 ? -(step + 1) / 2 : step / 2;
        m.dept[i] = dept; m.year[i] = r.vlq(); m.kind[i] = r.vlq(); m.segments[i] = r.vlq();
      }
      m.names = {};
      manifest = m;
      return m;
    });
  }

  function shardKey(folder, text, count) { return folder + "/" + ((hash(text) & (count - 1)) >>> 0).toString(16); }

  /* pid → {count, start, mask} of one bigram (format: searchindex._postings) */
  function decodePostings(text) {
    var out = new Map(), r = new Reader(text), block = -1;
    while (r.more()) {
      block += r.vlq() + 1;
      for (var n = r.char() + 1; n > 0; n -= 1) {
        var pid = block * 64 + r.char(), value = r.vlq(), full = Math.pow(2, manifest.segments[pid]) - 1;
        out.set(pid, { count: value >> 1, start: value & 1, mask: full > 1 ? r.vlq() ^ full : full });
      }
    }
    return out;
  }

  /* ---------------------------------------------------------------------------------------- searching */

  function bigramsToLoad(chars) {
    var positions = [];
    for (var i = 0; i < chars.length - 1; i += 2) { positions.push(i); }
    if (positions[positions.length - 1] !== chars.length - 2) { positions.push(chars.length - 2); }
    if (positions.length > MAX_GRAMS) {
      var picked = [];
      for (var k = 0; k < MAX_GRAMS; k += 1) { picked.push(positions[Math.round(k * (positions.length - 1) / (MAX_GRAMS - 1))]); }
      positions = picked;
    }
    var grams = positions.map(function (p) { return chars[p] + chars[p + 1]; });
    /* a code or an amount: its first and last 5-grams (searchindex._NUMBER) are far more selective */
    var runs = (chars.join("").match(/[0-9.]{5,}/g) || []).sort(function (a, b) { return b.length - a.length; });
    if (runs.length) {
      grams = grams.filter(function (g) { return !/^[0-9.]+$/.test(g); });
      grams.unshift(" " + runs[0].slice(0, NUMBER_GRAM), " " + runs[0].slice(-NUMBER_GRAM));
    }
    return grams.filter(function (g, i) { return grams.indexOf(g) === i; });
  }

  /* Candidate pages: every page whose postings hold all the loaded bigrams in one segment (a superset of the
     matching pages), ranked: the query is a name on it, a name on it starts with it, more occurrences. */
  function candidates(q) {
    return loadManifest().then(function (m) {
      var chars = Array.from(q), grams = bigramsToLoad(chars), startList = grams.indexOf(chars[0] + chars[1]);
      var loads = grams.map(function (g) { return load(shardKey("p", g, m.shards)); });
      loads.push(load(shardKey("t", q, m.nameShards)));
      return Promise.all(loads).then(function (shards) {
        var names = shards.pop()[q] || "";
        var lists = grams.map(function (g, i) { return decodePostings(shards[i][g] || ""); });
        var exact = new Map(), r = new Reader(names), pid = 0;
        while (r.more()) { pid += r.vlq(); exact.set(pid, r.vlq()); }  // the first step is from page 0
        var smallest = lists.reduce(function (a, b) { return b.size < a.size ? b : a; });
        // the postings (sig) of candidates found to match and not to: pages with the same are alike (groupsOf, show)
        var out = [], alike = { matched: new Set(), missed: new Set() };
        smallest.forEach(function (_, id) {
          var count = Infinity, mask = -1;
          for (var i = 0; i < lists.length; i += 1) {
            var e = lists[i].get(id);
            if (!e) { return; }
            count = Math.min(count, e.count); mask &= e.mask;
          }
          if (!mask) { return; }  // no one segment holds them all: no record can
          var tier = exact.has(id) ? 0 : startList !== -1 && lists[startList].get(id).start ? 1 : 2;
          var sig = lists.map(function (l) { return l.get(id).count; }).join(",") + ":" + mask;
          out.push({ id: id, tier: tier, count: count, mask: mask, sig: sig, alike: alike, exactSegment: exact.get(id),
                     state: "unknown" });
        });
        out.sort(function (a, b) { return a.tier - b.tier || b.count - a.count || a.id - b.id; });
        return out;
      });
    });
  }

  function occurrences(text, q) {
    var n = 0;
    for (var at = text.indexOf(q); at !== -1; at = text.indexOf(q, at + 1)) { n += 1; }
    return n;
  }

  /* Load the page's candidate segments, the one with its exact name first, until one holds a match (or
     budget.left, the segment loads this step of the user may still make, runs out: then it resumes later). */
  function verify(page, q, budget) {
    if (!page.order) {
      page.order = [];
      for (var s = 0; s < 31 && page.mask >= Math.pow(2, s); s += 1) { if (page.mask & (1 << s)) { page.order.push(s); } }
      if (page.order.indexOf(page.exactSegment) !== -1) {
        page.order.splice(page.order.indexOf(page.exactSegment), 1);
        page.order.unshift(page.exactSegment);
      }
      page.next = 0;
      page.matches = [];
    }
    function next() {
      var i = page.next, segment = page.order[i];
      if (i === page.order.length || page.matches.length) {
        page.more = i < page.order.length || page.matches.length > RECORDS_SHOWN;
        page.state = page.matches.length ? "match" : "none";
        (page.matches.length ? page.alike.matched : page.alike.missed).add(page.sig);
        return page;
      }
      if (budget.left <= 0) { return page; }
      budget.left -= 1;
      var file = Math.floor(page.id / manifest.pagesPerFile);
      return load("u/" + file).then(function (folders) {
        var folder = folders[page.id - file * manifest.pagesPerFile];
        return load("r" + page.id + "-" + segment, siteRoot + folder + manifest.segmentFile.replace("{}", segment));
      }).then(function (seg) {
        page.meta = seg;
        seg.r.forEach(function (item, index) {
          var rec = { anchor: item[0], kind: manifest.recordKinds[item[1]], title: item[2], text: item[3] || "",
                      amount: item[4] || "", unit: item[5] || "", order: segment * 1e6 + index };
          var all = normalise(rec.title + " " + rec.text + " " + rec.amount);
          if (all.indexOf(q) === -1) { return; }
          var title = normalise(rec.title);
          var name = rec.kind === "department" || rec.kind === "table" || rec.kind === "term";
          rec.rank = name && title === q ? 0 : title.indexOf(q) === 0 ? 1 : 2;
          rec.count = occurrences(all, q);
          page.matches.push(rec);
        });
        page.next = i + 1;
        return next();
      });
    }
    return Promise.resolve(next());
  }

  /* ------------------------------------------------------------------------------------- highlighting */

  /* The [start, end) of the query's first match in text, in text's own characters, or null. Each character
     is normalised alone, which is the whole text's normalisation for budget text (checked: else null). */
  function matchRange(text, q) {
    var pieces = [];
    for (var i = 0; i < text.length;) {
      var ch = String.fromCodePoint(text.codePointAt(i));
      pieces.push({ start: i, end: i + ch.length, norm: ch.normalize("NFKC").toLowerCase().replace(DROPPED, "") });
      i += ch.length;
    }
    var kept = pieces.filter(function (p) { return p.norm; });
    kept.forEach(function (p, k) {
      if (p.norm === "," && k > 0 && k < kept.length - 1 && /[0-9]$/.test(kept[k - 1].norm) && /^[0-9]/.test(kept[k + 1].norm)) {
        p.norm = "";
      }
    });
    var joined = "", owner = [];
    kept.forEach(function (p) { for (var c = 0; c < p.norm.length; c += 1) { owner.push(p); } joined += p.norm; });
    if (joined !== normalise(text)) { return null; }
    var at = joined.indexOf(q);
    return at === -1 ? null : [owner[at].start, owner[at + q.length - 1].end];
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  /* text[from, to) into parent, the part inside range marked */
  function appendMarked(parent, text, from, to, range) {
    var start = range ? Math.max(from, Math.min(to, range[0])) : to;
    var end = range ? Math.max(start, Math.min(to, range[1])) : to;
    if (start > from) { parent.appendChild(document.createTextNode(text.slice(from, start))); }
    if (end > start) { parent.appendChild(element("mark", "", text.slice(start, end))); }
    if (to > end) { parent.appendChild(document.createTextNode(text.slice(end, to))); }
  }

  function recordItem(rec, href, q) {
    var li = element("li", "search-record");
    li.setAttribute("data-kind", rec.kind);
    var whole = rec.title + " " + rec.text + " " + rec.amount;
    var range = matchRange(whole, q);
    var link = element("a", "search-record-title");
    link.href = href + rec.anchor;
    appendMarked(link, whole, 0, rec.title.length, range);
    li.appendChild(element("span", "search-record-kind", KIND_NAMES[rec.kind] || rec.kind));
    li.appendChild(link);
    if (rec.amount) {
      var amount = element("span", "search-amount");
      var at = rec.title.length + 1 + rec.text.length + 1;
      appendMarked(amount, whole, at, at + rec.amount.length, range);
      if (rec.unit) { amount.appendChild(document.createTextNode(" " + rec.unit)); }
      li.appendChild(amount);
    }
    if (rec.text) {
      var from = rec.title.length + 1, to = from + rec.text.length;
      var centre = range && range[1] > from && range[0] < to ? Math.max(range[0], from) : from;
      var first = Math.max(from, centre - 30), last = Math.min(to, Math.max(centre, first) + 60);
      var snippet = element("p", "search-snippet");
      if (first > from) { snippet.appendChild(document.createTextNode("…")); }
      appendMarked(snippet, whole, first, last, range);
      if (last < to) { snippet.appendChild(document.createTextNode("…")); }
      li.appendChild(snippet);
    }
    return li;
  }

  /* ------------------------------------------------------------------------------------------------ UI */

  var params = new URLSearchParams(window.location.search);
  box.textContent = "";
  var form = element("form", "search-form");
  form.setAttribute("role", "search");
  var label = element("label", "", "搜索全站");
  label.htmlFor = "site-search-input";
  var input = element("input");
  input.type = "search"; input.id = "site-search-input"; input.autocomplete = "off";
  input.placeholder = "部门、表格、科目编码、金额或名词，如 三公经费、2010301";
  form.appendChild(label); form.appendChild(input);
  var filters = element("div", "search-filters");
  var selects = {};
  [["dept", "部门"], ["year", "年度"], ["kind", "类型"]].forEach(function (f) {
    var wrap = element("label", "search-filter", f[1] + " ");
    var select = element("select");
    select.name = f[0];
    wrap.appendChild(select);
    filters.appendChild(wrap);
    selects[f[0]] = select;
    select.addEventListener("change", function () { setParams(); show(); });
  });
  form.appendChild(filters);
  var status = element("p", "search-status");
  status.setAttribute("role", "status"); status.setAttribute("aria-live", "polite");
  var results = element("ol", "search-results");
  var moreButton = element("button", "search-more", "显示更多");
  moreButton.type = "button"; moreButton.hidden = true;
  box.appendChild(form); box.appendChild(status); box.appendChild(results); box.appendChild(moreButton);

  var state = null;  // the current query: {q, raw, pages (ranked candidates), shown (count of pages shown)}
  var generation = 0;

  function setParams() {
    var out = new URLSearchParams();
    if (input.value.trim()) { out.set("q", input.value.trim()); }
    Object.keys(selects).forEach(function (name) { if (selects[name].value) { out.set(name, selects[name].value); } });
    var query = out.toString();
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

  function fillSelect(select, values, wanted) {
    select.textContent = "";
    select.appendChild(new Option("全部", ""));
    values.forEach(function (v) { select.appendChild(new Option(v[1], v[0])); });
    select.value = values.some(function (v) { return v[0] === wanted; }) ? wanted : "";
    select.disabled = !values.length;
  }

  /* The filters' choices: the years, kinds and departments of the candidate pages. */
  function fillFilters(pages, wanted) {
    var m = manifest, years = {}, kinds = {}, depts = [], seen = {};
    pages.forEach(function (p) {
      years[m.year[p.id]] = true; kinds[m.kind[p.id]] = true;
      if (!seen[m.dept[p.id]]) { seen[m.dept[p.id]] = true; depts.push(m.dept[p.id]); }
    });
    fillSelect(selects.year, Object.keys(years).map(Number).filter(function (y) { return m.years[y] !== null; })
      .map(function (y) { return String(m.years[y]); }).sort().reverse().map(function (y) { return [y, y]; }), wanted.year);
    fillSelect(selects.kind, Object.keys(kinds).map(Number).filter(function (k) { return m.kinds[k]; }).sort()
      .map(function (k) { return [m.kinds[k], m.kinds[k]]; }), wanted.kind);
    var files = [];
    depts.forEach(function (id) {
      var file = Math.floor(id / m.departmentsPerFile);
      if (files.indexOf(file) === -1 && (files.length < DEPARTMENT_FILES || wanted.dept)) { files.push(file); }
    });
    return Promise.all(files.map(function (f) {
      return load("d/" + f).then(function (names) { names.forEach(function (n, i) { m.names[f * m.departmentsPerFile + i] = n; }); });
    })).then(function () {
      var known = depts.filter(function (id) { return m.names[id] !== undefined && m.names[id] !== ""; });
      fillSelect(selects.dept, known.map(function (id) { return [m.names[id], m.names[id]]; }), wanted.dept);
      selects.dept.title = known.length < depts.length ? "列出 " + known.length + " / " + depts.length + " 个部门" : "";
    });
  }

  function filtered() {
    var m = manifest, year = selects.year.value, kind = selects.kind.value, dept = selects.dept.value;
    return state.pages.filter(function (p) {
      return p.state !== "none" && (!year || String(m.years[m.year[p.id]]) === year) &&
        (!kind || m.kinds[m.kind[p.id]] === kind) && (!dept || m.names[m.dept[p.id]] === dept);
    });
  }

  /* A page not verified yet whose postings are those of a page found not to match (each bigram as often, in the
     same segments) is unlikely to match: departments print the same template text, and bigrams it holds apart in
     one it holds apart in all. */
  function unlikely(p) { return p.state === "unknown" && p.alike.missed.has(p.sig); }

  /* Groups (departments, in the order of their best page) of the pages; the unlikely ones come last, in groups
     of their own, so that they do not hold back the pages that can match. */
  function groupsOf(pages) {
    return grouped(pages.filter(function (p) { return !unlikely(p); })).concat(grouped(pages.filter(unlikely)));
  }

  function grouped(pages) {
    var groups = [], byDept = new Map();
    pages.forEach(function (p) {
      var dept = manifest.dept[p.id];
      if (!byDept.has(dept)) { byDept.set(dept, []); groups.push(byDept.get(dept)); }
      byDept.get(dept).push(p);
    });
    return groups;
  }

  /* Verify groups until BATCH_PAGES more pages are confirmed, none are left, or this step's budget of segment
     loads is spent (many candidates that turn out not to match), then draw what is confirmed. Of pages alike
     (the same postings) one is verified before the others, unless one of them matched already: a template's
     look-alikes would otherwise share out the budget and each be left unresolved. */
  /* While results load, the list says so (aria-busy, for screen readers and the tests) and 显示更多 cannot be
     pressed twice. */
  function busy(loading) {
    results.setAttribute("aria-busy", loading ? "true" : "false");
    moreButton.disabled = loading;
  }

  function show(extra) {
    if (!state) { return; }
    busy(true);
    var mine = generation, budget = { left: SEGMENT_LOADS };
    var target = (extra ? state.shown : 0) + BATCH_PAGES;
    function step() {
      var groups = groupsOf(filtered()), taken = 0, todo = [], trying = new Set();
      for (var g = 0; g < groups.length && taken < target; g += 1) {
        groups[g].forEach(function (p) {
          if (p.state !== "unknown" || (!p.alike.matched.has(p.sig) && trying.has(p.sig))) { return; }
          trying.add(p.sig);
          todo.push(p);
        });
        taken += groups[g].length;
      }
      if (!todo.length || budget.left <= 0) { draw(groups, target); return; }
      Promise.all(todo.map(function (p) { return verify(p, state.q, budget); })).then(function () {
        if (mine === generation) { step(); }
      }, failed);
    }
    step();
  }

  function draw(groups, target) {
    results.textContent = "";
    var shown = 0, g;
    for (g = 0; g < groups.length && shown < target; g += 1) {
      // a department's pages found to match, while the others are still being verified; not the next ones
      var group = groups[g].filter(function (p) { return p.state === "match"; });
      if (!group.length) { break; }
      var li = element("li", "search-group");
      li.appendChild(element("h2", "", group[0].meta.d || "其他页面"));
      var list = element("ol", "search-pages");
      group.forEach(function (page) {
        var item = element("li", "search-page");
        var href = siteRoot + page.meta.u;
        var heading = element("h3");
        var link = element("a", "", [page.meta.y, page.meta.k, page.meta.t].filter(Boolean).join(" · "));
        link.href = href;
        heading.appendChild(link);
        item.appendChild(heading);
        var records = element("ul", "search-records");
        page.matches.slice().sort(function (a, b) { return a.rank - b.rank || b.count - a.count || a.order - b.order; })
          .slice(0, RECORDS_SHOWN).forEach(function (rec) { records.appendChild(recordItem(rec, href, state.q)); });
        item.appendChild(records);
        if (page.more) {
          var all = element("a", "search-in-page", "在该页筛选全部匹配");
          all.href = href + "?q=" + encodeURIComponent(state.raw);
          item.appendChild(all);
        }
        list.appendChild(item);
        shown += 1;
      });
      li.appendChild(list);
      results.appendChild(li);
      if (group.length < groups[g].length) { break; }
    }
    state.shown = shown;
    var pages = [].concat.apply([], groups), total = pages.length, pending = total - shown;
    var departments = new Set(pages.map(function (p) { return manifest.dept[p.id]; })).size;
    var exact = pages.every(function (p) { return p.state === "match"; });
    // what is left may be only pages unlikely to match: say so, or 显示更多 would show nothing new
    var onlyAlike = pending > 0 && pages.filter(unlikely).length === pending;
    status.textContent = total ? "找到" + (exact ? " " : "约 ") + total + " 个页面（" + (exact ? "" : "约 ") + departments +
      " 个部门）" + (pending ? "，已显示 " + shown + " 个" : "") +
      (onlyAlike ? "；其余 " + pending + " 个页面与已核对不含该词的页面相似，多半也不含" : "")
      : "没有找到包含“" + state.raw + "”的页面";
    moreButton.hidden = !pending;
    busy(false);
    /* candidates whose bigrams all occur, but not the query itself, can take a whole step's loads */
    moreButton.textContent = onlyAlike ? "逐一核对其余页面" : shown ? "显示更多" : "继续查找";
  }

  function failed() {
    status.textContent = "无法载入搜索索引，请稍后再试。";
    busy(false);
  }

  function chosen() {
    return { dept: selects.dept.value, year: selects.year.value, kind: selects.kind.value };
  }

  var timer = null;
  function search(wanted) {
    generation += 1;
    var mine = generation, raw = input.value.trim(), q = normalise(raw);
    results.textContent = ""; moreButton.hidden = true;
    if (Array.from(q).length < 2) {
      state = null;
      setParams();
      status.textContent = q ? "请至少输入 2 个字。" : "";
      busy(false);
      return;
    }
    busy(true);
    status.textContent = "正在搜索…";
    candidates(q).then(function (pages) {
      if (mine !== generation) { return; }
      state = { q: q, raw: raw, pages: pages, shown: 0 };
      return fillFilters(pages, wanted).then(function () {
        if (mine === generation) { setParams(); show(false); }
      });
    }).catch(failed);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(chosen()); }, 250);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search(chosen());
  });
  moreButton.addEventListener("click", function () { show(true); });

  input.value = params.get("q") || "";
  if (input.value) {
    search({ dept: params.get("dept") || "", year: params.get("year") || "", kind: params.get("kind") || "" });
  }
  window.siteSearchNormalise = normalise;  // for the tests, which compare it with the Python one
}());
