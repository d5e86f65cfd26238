/* The site's search: Pagefind's index (built by reglament after the engine, the same on every engine),
 * a search box in the header, Russian UI. Only the index chunks a query needs are loaded.
 * A result is a record: a page's title and introduction, or one of its sections (reglament/site/search.py);
 * its address (page/#section), heading and page title are Pagefind metadata (`url`, `title`, `page`), shown as
 * «Регламент — Раздел». RANKING: a word of the page's title (or of the address) adds nothing to a section's rank —
 * else every section of «Регламент обработки входящих заявок» would outrank the rest for «заявок» —, a glossary
 * entry's word forms (`forms`: «заявок» of «Заявка») count as its title.
 * Speed (benchmarks/bench_search.py): Pagefind (its script, worker, Russian wasm and index metadata) starts
 * once the page is idle or the pointer enters the header, so a query pays only for its index chunk, the wasm
 * search and the best result's excerpt; the next nine follow once typing pauses, ten more on «Показать ещё».
 * Opened from file:// (`reglament build --offline`), browsers refuse ES modules and fetch: the
 * bundle then comes from pagefind/offline.js (window.__reglamentPagefind), served to Pagefind here. */
(function () {
  "use strict";
  var me = document.currentScript;
  var rootHref = new URL(me.getAttribute("data-reglament-search-root") || "./", location.href).href;
  var bundleHref = new URL("pagefind/", rootHref).href;
  var basePath = new URL(rootHref).pathname;
  var T = {
    placeholder: "Поиск",
    label: "Поиск по регламентам",
    loading: "Поиск…",
    none: "Ничего не найдено по запросу «%q»",
    found: function (n) {
      var m10 = n % 10, m100 = n % 100;
      var word = m10 === 1 && m100 !== 11 ? "результат" : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14) ? "результата" : "результатов";
      return "Найдено: " + n + " " + word;
    },
    failed: "Поиск недоступен: индекс не загрузился",
    short: "Введите хотя бы две буквы",
    more: "Показать ещё",
  };
  var PAGE = 10;
  var RANKING = { metaWeights: { title: 5, forms: 5, page: 0, url: 0 } };
  var MIN_LENGTH = 2;
  var REST_MS = 200;
  var pagefind = null;

  function decode(b64) {
    var bin = atob(b64), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  /* Timings for the benchmark and DevTools (User Timing marks: "rg-search:…"). */
  function mark(name) { try { performance.mark("rg-search:" + name); } catch (e) { /* old browsers */ } }

  function load() {
    if (pagefind) return pagefind;
    mark("load");
    var files = window.__reglamentPagefind;
    var imported;
    if (files) {
      var realFetch = window.fetch.bind(window);
      window.fetch = function (input, init) {
        var url = new URL(typeof input === "string" ? input : String(input.url || input), location.href).href;
        if (url.indexOf(bundleHref) === 0) { /* Pagefind asks for paths ("/…/pagefind/x"): compared as full URLs */
          var name = url.slice(bundleHref.length).split(/[?#]/)[0];
          if (Object.prototype.hasOwnProperty.call(files, name)) {
            var type = /\.wasm$|wasm\./.test(name) ? "application/wasm" : /\.json$/.test(name) ? "application/json" : "application/octet-stream";
            return Promise.resolve(new Response(decode(files[name]), { status: 200, headers: { "Content-Type": type } }));
          }
        }
        return realFetch(input, init);
      };
      var code = new TextDecoder().decode(decode(files["pagefind.js"]));
      imported = import(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
    } else {
      imported = import(bundleHref + "pagefind.js");
    }
    pagefind = imported.then(function (pf) {
      mark("imported");
      var opts = { basePath: bundleHref, baseUrl: basePath, excerptLength: 20, ranking: RANKING };
      if (files) opts.noWorker = true; /* a worker cannot start from file://, and it would not see the bundle */
      return Promise.resolve(pf.options(opts))
        .then(function () { return pf; });
    });
    return pagefind;
  }

  /* Start Pagefind before the first query: its script, the Russian wasm and the index metadata.
   * An empty search returns at once, but only once Pagefind is ready. */
  var warming = null;
  function warm() {
    if (!warming) {
      warming = load().then(function (pf) { return pf.search(""); }).then(function () { mark("ready"); });
      warming.catch(function () { /* reported on search */ });
    }
    return warming;
  }

  /* A record's own address ("/page/#section", as Pagefind writes a page's) under the site's root, as Pagefind
   * does for the addresses it computes (its sub-results of a record with a `url` are not rebased) */
  function rebase(raw) {
    return /^(https?:)?\/\//.test(raw) ? raw : (basePath + "/" + raw).replace(/\/+/g, "/");
  }

  function link(href, title, excerpt, cls) {
    var a = document.createElement("a");
    a.className = "rg-search__link " + cls;
    var url = new URL(href, location.href);
    /* Pagefind drops "index.html" from page URLs; a folder opened from file:// is a directory listing */
    if (location.protocol === "file:" && /\/$/.test(url.pathname)) url.pathname += "index.html";
    a.href = url.href;
    var t = document.createElement("span");
    t.className = "rg-search__title";
    t.textContent = title;
    a.appendChild(t);
    if (excerpt) {
      var e = document.createElement("span");
      e.className = "rg-search__excerpt";
      e.innerHTML = excerpt; /* Pagefind's excerpt: text escaped by Pagefind, <mark> around hits */
      a.appendChild(e);
    }
    return a;
  }

  function mount() {
    var box = document.createElement("div");
    box.className = "rg-search";
    box.setAttribute("role", "search");
    var input = document.createElement("input");
    input.type = "search";
    input.className = "rg-search__input";
    input.placeholder = T.placeholder;
    input.setAttribute("aria-label", T.label);
    input.autocomplete = "off";
    var panel = document.createElement("div");
    panel.className = "rg-search__results";
    panel.hidden = true;
    box.appendChild(input);
    box.appendChild(panel);
    var header = document.querySelector(".md-header__inner");
    var place = header && header.querySelector(".md-header__source");
    if (header) header.insertBefore(box, place); else document.body.insertBefore(box, document.body.firstChild);

    var seq = 0;
    function show(item) {
      var group = document.createElement("div");
      group.className = "rg-search__result";
      var own = item.meta && item.meta.url; /* the record's address: its sub-results are computed from it */
      var href = own ? rebase(own) : item.url;
      var meta = item.meta || {};
      var title = meta.page && meta.title ? meta.page + " — " + meta.title : meta.title || href;
      group.appendChild(link(href, title, item.excerpt, "rg-search__page"));
      (item.sub_results || []).forEach(function (sub) {
        var url = own ? rebase(sub.url) : sub.url;
        if (url === href || url.indexOf("#") < 0) return;
        group.appendChild(link(url, sub.title, sub.excerpt, "rg-search__section"));
      });
      panel.appendChild(group);
    }
    /* One search at a time: keystrokes that come while Pagefind is busy are folded into the latest query, so a
     * fast typist never queues stale searches in its worker. The best result is shown as soon as its excerpt
     * arrives; the next nine follow if no key is pressed for REST_MS after it is shown, so a query typed letter by letter does not
     * fetch ten excerpts per letter. An excerpt is its record's whole text (a section's, not a whole long
     * regulation's), and the panel holds PAGE results and fetches PAGE more on «Показать ещё». */
    var busy = false;
    function more(results, from, mine) {
      if (results.length <= from) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rg-search__more";
      button.textContent = T.more;
      button.addEventListener("click", function () {
        button.disabled = true;
        Promise.all(results.slice(from, from + PAGE).map(function (r) { return r.data(); })).then(function (items) {
          if (mine !== seq) return;
          button.remove();
          items.forEach(show);
          more(results, from + PAGE, mine);
        });
      });
      panel.appendChild(button);
    }
    function run() {
      var query = input.value.trim();
      var mine = ++seq;
      if (!query) { panel.hidden = true; panel.textContent = ""; return; }
      panel.hidden = false;
      panel.setAttribute("data-state", "loading");
      panel.setAttribute("data-query", query);
      if (query.length < MIN_LENGTH) { panel.textContent = T.short; panel.setAttribute("data-state", "short"); return; }
      if (!panel.querySelector(".rg-search__result")) panel.textContent = T.loading;
      if (busy) return; /* the search under way calls run() again when it ends */
      busy = true;
      mark("search");
      function next() { busy = false; if (mine !== seq) run(); }
      load().then(function (pf) { return pf.search(query); }).then(function (found) {
        if (mine !== seq) { next(); return null; }
        mark("searched");
        var top = found.results.slice(0, PAGE);
        var first = top.length ? top[0].data() : Promise.resolve(null);
        return first.then(function (item) {
          next();
          if (mine !== seq) return null;
          panel.textContent = "";
          var head = document.createElement("div");
          head.className = "rg-search__meta";
          head.textContent = item ? T.found(found.results.length) : T.none.replace("%q", query);
          panel.appendChild(head);
          if (item) show(item);
          mark("first");
          return new Promise(function (resolve) {
            setTimeout(resolve, REST_MS); /* a pause after the best result is shown, however long it took */
          }).then(function () {
            if (mine !== seq) return null;
            return Promise.all(top.slice(1).map(function (r) { return r.data(); })).then(function (items) {
              if (mine !== seq) return;
              items.forEach(show);
              more(found.results, PAGE, mine);
              panel.setAttribute("data-state", "done");
              mark("done");
            });
          });
        });
      }).catch(function (err) {
        busy = false;
        if (mine !== seq) { run(); return; }
        panel.textContent = T.failed;
        panel.setAttribute("data-state", "failed");
        if (window.console) console.error(err);
      });
    }
    input.addEventListener("input", run);
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") { input.value = ""; run(); } });
    document.addEventListener("click", function (e) { if (!box.contains(e.target)) panel.hidden = true; });
    input.addEventListener("focus", function () {
      if (input.value.trim()) panel.hidden = false;
      warm();
    });
    /* The reader's pointer entering the header, or the page gone idle after loading: start Pagefind before the
     * first query (measured: on focus alone, its start-up was still running when a fast reader's query came) */
    (header || box).addEventListener("pointerenter", warm, { once: true });
    var idle = function () {
      if (window.requestIdleCallback) requestIdleCallback(warm, { timeout: 1000 }); else setTimeout(warm, 200);
    };
    if (document.readyState === "complete") idle(); else window.addEventListener("load", idle);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount); else mount();
})();
