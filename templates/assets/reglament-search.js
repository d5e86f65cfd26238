/* The site's search: Pagefind's index (built by reglament after the engine, the same on every engine),
 * a search box in the header, Russian UI. Only the index chunks a query needs are loaded.
 * Opened from file:// (`reglament build --offline`), browsers refuse ES modules and fetch: the
 * bundle then comes from pagefind/offline.js (window.__reglamentPagefind), served to Pagefind here. */
(function () {
  "use strict";
  var me = document.currentScript;
  var rootHref = new URL(me.getAttribute("data-reglament-search-root") || "./", location.href).href;
  var bundleHref = new URL("pagefind/", rootHref).href;
  var T = {
    placeholder: "Поиск",
    label: "Поиск по регламентам",
    loading: "Поиск…",
    none: "Ничего не найдено по запросу «%q»",
    found: function (n) {
      var m10 = n % 10, m100 = n % 100;
      var word = m10 === 1 && m100 !== 11 ? "страница" : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14) ? "страницы" : "страниц";
      return "Найдено: " + n + " " + word;
    },
    failed: "Поиск недоступен: индекс не загрузился",
  };
  var pagefind = null;

  function decode(b64) {
    var bin = atob(b64), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function load() {
    if (pagefind) return pagefind;
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
      var opts = { basePath: bundleHref, baseUrl: new URL(rootHref).pathname, excerptLength: 20 };
      if (files) opts.noWorker = true; /* a worker cannot start from file://, and it would not see the bundle */
      return Promise.resolve(pf.options(opts))
        .then(function () { return pf; });
    });
    return pagefind;
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
    function run() {
      var query = input.value.trim();
      var mine = ++seq;
      if (!query) { panel.hidden = true; panel.textContent = ""; return; }
      panel.hidden = false;
      panel.setAttribute("data-state", "loading");
      panel.textContent = T.loading;
      load().then(function (pf) { return pf.search(query); }).then(function (found) {
        return Promise.all(found.results.slice(0, 10).map(function (r) { return r.data(); })).then(function (items) {
          if (mine !== seq) return;
          panel.textContent = "";
          var head = document.createElement("div");
          head.className = "rg-search__meta";
          head.textContent = items.length ? T.found(found.results.length) : T.none.replace("%q", query);
          panel.appendChild(head);
          items.forEach(function (item) {
            var group = document.createElement("div");
            group.className = "rg-search__result";
            group.appendChild(link(item.url, (item.meta && item.meta.title) || item.url, item.excerpt, "rg-search__page"));
            (item.sub_results || []).forEach(function (sub) {
              if (sub.url === item.url || sub.url.indexOf("#") < 0) return;
              group.appendChild(link(sub.url, sub.title, sub.excerpt, "rg-search__section"));
            });
            panel.appendChild(group);
          });
          panel.setAttribute("data-state", "done");
        });
      }).catch(function (err) {
        if (mine !== seq) return;
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
      /* load Pagefind and its language index while the reader starts typing */
      load().then(function (pf) { return pf.init ? pf.init() : null; }).catch(function () { /* reported on search */ });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount); else mount();
})();
