/* reglament — small, dependency-free scripts for the reader's site:
 *  1. a "copy link" button on every numbered clause (shown on hover);
 *  2. the bonus calculator of a motivation section: it reads the tiers from the
 *     JSON in its data-rg-calc attribute (written by the generator from the model)
 *     and repeats the generator's arithmetic: tier by plan fulfilment in [from, to),
 *     bonus = base × tier %, reductions (capped at 100 %) cut the bonus,
 *     money rounded to whole units, halves up.
 */
(function () {
  "use strict";

  var NBSP = "\u00a0";

  /* «60 000», «87,5» — the generator's Russian number style */
  function formatNumber(value) {
    var rounded = Math.round(value * 100) / 100;
    var parts = Math.abs(rounded).toFixed(2).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
    var frac = parts[1].replace(/0+$/, "");
    return (rounded < 0 ? "−" : "") + whole + (frac ? "," + frac : "");
  }

  function money(value) {
    return Math.round(value + 1e-9);
  }

  /* ---------------------------------------------------------------- copy links */

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function addCopyButtons(root) {
    var items = root.querySelectorAll(".rg-clause, .rg-timeline__item");
    Array.prototype.forEach.call(items, function (item) {
      var num = item.querySelector(".rg-num");
      if (!num || item.querySelector(":scope > .rg-copy")) { return; }
      var label = num.textContent.replace(/\.$/, "").trim();
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rg-copy";
      button.title = "Скопировать ссылку на п. " + label;
      button.setAttribute("aria-label", button.title);
      button.innerHTML = "<span>ссылка</span>";
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var url = new URL(num.getAttribute("href"), window.location.href).href;
        copyText(url).then(function () {
          button.classList.add("rg-copy--done");
          button.firstChild.textContent = "скопировано";
          setTimeout(function () {
            button.classList.remove("rg-copy--done");
            button.firstChild.textContent = "ссылка";
          }, 1800);
        }, function () {
          window.prompt("Ссылка на п. " + label + ":", url);
        });
      });
      item.appendChild(button);
    });
  }

  /* ---------------------------------------------------------------- calculator */

  function tierFor(tiers, percent) {
    for (var i = 0; i < tiers.length; i++) {
      var t = tiers[i];
      if (percent >= t.from && (t.to === null || percent < t.to)) { return t; }
    }
    return null;
  }

  function compute(data, percent, reductionIds) {
    var tier = tierFor(data.tiers, percent);
    var bonusPercent = tier ? tier.bonus : 0;
    var gross = money(data.base * bonusPercent / 100);
    var cut = 0;
    data.reductions.forEach(function (r) {
      if (reductionIds.indexOf(r.id) >= 0) { cut += r.percent; }
    });
    cut = Math.min(100, cut);
    var bonus = money(gross * (100 - cut) / 100);
    var fixed = money(data.fixed);
    return { tier: tier, bonusPercent: bonusPercent, gross: gross, cut: cut, bonus: bonus, total: fixed + bonus };
  }

  function setupCalculator(box) {
    var data;
    try { data = JSON.parse(box.getAttribute("data-rg-calc")); } catch (e) { return; }
    var input = box.querySelector("input[name=percent]");
    var checks = box.querySelectorAll("input[name=reduction]");
    var out = function (name) { return box.querySelector('[data-rg-out="' + name + '"]'); };
    var tierLabels = {};
    Array.prototype.forEach.call(box.querySelectorAll("[data-tier]"), function (el) {
      tierLabels[el.getAttribute("data-tier")] = el;
    });
    var numbers = {};
    Array.prototype.forEach.call(document.querySelectorAll("span[id]"), function (span) {
      var link = span.parentElement && span.parentElement.querySelector('a[href="#' + span.id + '"]');
      if (link) { numbers[span.id] = link.textContent.trim(); }
    });

    function update() {
      var raw = String(input.value).replace(",", ".").trim();
      var percent = parseFloat(raw);
      var valid = raw !== "" && isFinite(percent) && percent >= 0;
      input.setAttribute("aria-invalid", valid ? "false" : "true");
      if (!valid) {
        ["tier", "bonus-percent", "reduction", "bonus", "total"].forEach(function (name) {
          if (out(name)) { out(name).textContent = "—"; }
        });
        return;
      }
      var chosen = Array.prototype.filter.call(checks, function (c) { return c.checked; })
        .map(function (c) { return c.value; });
      var r = compute(data, percent, chosen);
      var cur = NBSP + data.currency;
      out("tier").textContent = r.tier ? "п. " + (numbers[r.tier.id] || r.tier.id) : "ниже шкалы";
      out("bonus-percent").textContent = formatNumber(r.bonusPercent) + NBSP + "%";
      if (out("reduction")) {
        out("reduction").textContent = r.cut ? "−" + formatNumber(r.cut) + NBSP + "% (−" +
          formatNumber(r.gross - r.bonus) + cur + ")" : "0" + NBSP + "%";
      }
      out("bonus").textContent = formatNumber(r.bonus) + cur;
      if (out("total")) { out("total").textContent = formatNumber(r.total) + cur; }
      Object.keys(tierLabels).forEach(function (id) {
        tierLabels[id].classList.toggle("rg-calc__tier--active", !!r.tier && r.tier.id === id);
      });
    }

    input.addEventListener("input", update);
    Array.prototype.forEach.call(checks, function (c) { c.addEventListener("change", update); });
    update();
  }

  /* ---------------------------------------------------------------- Russian search
   *
   * Material's search worker stems the index with lunr's Russian Snowball
   * stemmer, but turns every query term into a prefix query (`заявкам*`), and
   * lunr skips the stemmer for prefix queries: `заявкам*` never matches the
   * indexed stem `заявк`. So the query is stemmed here, with the very same
   * stemmer file the worker uses (assets/javascripts/lunr/min/, loaded from
   * this site), before it is posted to the worker: `заявкам` → `заявк*`
   * finds «заявка», «заявки», «заявку»… Without the stemmer (it failed to
   * load) queries go through unchanged.
   */

  var QUERY = 2;  /* Material's SearchMessageType.QUERY */
  var stemRussian = null;

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function loadRussianStemmer() {
    var holder = document.getElementById("__config");
    if (!holder || stemRussian) { return; }
    var config;
    try { config = JSON.parse(holder.textContent); } catch (e) { return; }
    if (!config.search) { return; }
    var worker = new URL(config.search, window.location.href);
    /* the lunr-languages files register themselves on a global `lunr`: lend them a minimal one */
    var host = {
      Pipeline: { registerFunction: function () {} },
      generateStopWordFilter: function () { return function (token) { return token; }; }
    };
    var previous = window.lunr;
    window.lunr = host;
    loadScript(new URL("../lunr/min/lunr.stemmer.support.min.js", worker).href)
      .then(function () { return loadScript(new URL("../lunr/min/lunr.ru.min.js", worker).href); })
      .then(function () { if (host.ru && host.ru.stemmer) { stemRussian = host.ru.stemmer; } })
      .catch(function () { /* search keeps working, without stemming the query */ })
      .then(function () {
        if (previous === undefined) { delete window.lunr; } else { window.lunr = previous; }
      });
  }

  /* Snowball keeps a fleeting vowel in the stem: «заявка» → `заявк`, but «заявок» → `заявок`;
   * «звонок» → `звонок`, «звонка» → `звонк`; «продавец» / «продавца». A stem is searched together
   * with its other-vowel twin, so «заявкам» also finds the title «…входящих заявок». */
  var CONSONANT = "бвгджзклмнпрстфхцчшщ";
  var WITH_VOWEL = new RegExp("([" + CONSONANT + "])([кц])$");
  var WITHOUT_VOWEL = new RegExp("([" + CONSONANT + "])[оеё]([кц])$");

  function stemVariants(stem) {
    var variants = [stem];
    if (WITH_VOWEL.test(stem)) {
      variants.push(stem.replace(WITH_VOWEL, "$1о$2"), stem.replace(WITH_VOWEL, "$1е$2"));
    } else if (WITHOUT_VOWEL.test(stem)) {
      variants.push(stem.replace(WITHOUT_VOWEL, "$1$2"));
    }
    return variants;
  }

  /* every run of Cyrillic letters → its stem (and its twin); operators, Latin words and digits stay */
  function stemQuery(query) {
    return query.replace(/(^|\s)([+\-]?)([^\s]+)/g, function (all, space, sign, term) {
      var words = term.match(/[а-яё]+/gi);
      if (!words || sign || words.length > 1 || words[0].length !== term.length) {
        return space + sign + term.replace(/[а-яё]+/gi, function (w) { return stemRussian(w.toLowerCase()); });
      }
      return space + stemVariants(stemRussian(term.toLowerCase())).join(" ");
    });
  }

  (function hookSearchWorker() {
    var post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message) {
      if (stemRussian && message && message.type === QUERY && typeof message.data === "string") {
        var args = Array.prototype.slice.call(arguments);
        args[0] = { type: QUERY, data: stemQuery(message.data) };
        return post.apply(this, args);
      }
      return post.apply(this, arguments);
    };
  })();

  function init() {
    loadRussianStemmer();
    addCopyButtons(document);
    Array.prototype.forEach.call(document.querySelectorAll("[data-rg-calc]"), setupCalculator);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
