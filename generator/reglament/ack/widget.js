// reglament ack: the acknowledgement status on a regulation page of the published site.
// reglament renders it into every regulation page when the profile names the service (`ack_url:`, the
// templates/pages/_ack.j2 partial): <script src="https://ack.example.ru/widget.js" data-company="ID"
// data-regulation="ID" defer></script>
// (the service must list the site in `site_origin` for CORS). It shows «Вы ознакомлены с редакцией …»
// or a link «Ознакомиться» to the service's page; it never reads anyone else's record.
(function () {
  var me = document.currentScript;
  if (!me) return;
  var base = me.src.replace(/\/widget\.js.*$/, "");
  var company = me.getAttribute("data-company"), regulation = me.getAttribute("data-regulation");
  var box = document.createElement("div");
  box.className = "reglament-ack";
  me.parentNode.insertBefore(box, me);
  fetch(base + "/api/status/" + encodeURIComponent(company) + "/" + encodeURIComponent(regulation),
        {credentials: "include"})
    .then(function (r) { return r.json(); })
    .then(function (s) {
      if (!s.identified || !s.registered) return;  // a stranger or an unknown regulation: the page as it is
      box.setAttribute("data-status", s.status);
      if (s.status === "done" || s.status === "current") {
        var when = s.acknowledged_at ? s.acknowledged_at.slice(0, 10).split("-").reverse().join(".") : "";
        box.textContent = "Вы ознакомлены с редакцией " + (s.status === "done" ? s.edition : s.since) +
          (when ? " — " + when : "");
      } else if (s.status === "pending") {
        var a = document.createElement("a");
        a.href = s.url;
        a.textContent = s.changes ? "Ознакомиться с изменениями (" + s.changes + ")" : "Ознакомиться";
        a.id = "reglament-ack-button";
        a.className = "md-button md-button--primary";
        box.appendChild(a);
      }
    })
    .catch(function () {});
})();
