// The reader's acknowledgement status (reglament ack) on a regulation page. The page carries only data —
// <div class="rg-ack" data-ack-service="https://…" data-company="ID" data-regulation="ID"> (the _ack.j2
// partial, when a profile names its service in `ack_url:`); this script is the site's own asset, so the
// content chooses no script. It shows «Вы ознакомлены с редакцией …» or a link «Ознакомиться» to the
// service; without the service (not configured, or down) the page stays as it is.
(function () {
  function safeUrl(value) {
    try {
      var url = new URL(value, document.baseURI);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }
  function show(holder) {
    var base = safeUrl(holder.getAttribute("data-ack-service") || "");
    var company = holder.getAttribute("data-company"), regulation = holder.getAttribute("data-regulation");
    if (!base || !company || !regulation) return;
    base = base.replace(/\/+$/, "");
    var box = document.createElement("div");
    box.className = "reglament-ack";
    holder.appendChild(box);
    fetch(base + "/api/status/" + encodeURIComponent(company) + "/" + encodeURIComponent(regulation),
          {credentials: "include"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (!s.identified || !s.registered) return;  // a stranger or an unknown regulation: the page as it is
        box.setAttribute("data-status", s.status);
        if (s.status === "done" || s.status === "current") {
          var when = s.acknowledged_at ? String(s.acknowledged_at).slice(0, 10).split("-").reverse().join(".") : "";
          box.textContent = "Вы ознакомлены с редакцией " + (s.status === "done" ? s.edition : s.since) +
            (when ? " — " + when : "");
        } else if (s.status === "pending") {
          var href = safeUrl(s.url);  // only a web address: never a javascript: link from an answer
          if (!href) return;
          var a = document.createElement("a");
          a.href = href;
          a.textContent = s.changes ? "Ознакомиться с изменениями (" + Number(s.changes) + ")" : "Ознакомиться";
          a.id = "reglament-ack-button";
          a.className = "md-button md-button--primary";
          box.appendChild(a);
        }
      })
      .catch(function () {});
  }
  function start() {
    document.querySelectorAll(".rg-ack[data-ack-service]").forEach(show);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
