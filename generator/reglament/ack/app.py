"""The Starlette application: the reader's pages, the status API for the site, HR's dashboard and files.

Stateless apart from the database: several instances can serve one
PostgreSQL behind a load balancer (the rate limits are per instance).
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from . import registry
from .config import AckConfig
from .dashboard import STATUS_RU, Filters, reviews, rows, summary, to_csv, to_xlsx
from .db import ensure_current, make_engine, secret_key
from .errors import AckError, NotRegistered
from .identity import (
    BadLink,
    Csrf,
    Link,
    Links,
    client_addr,
    hr_by_token,
    hr_user,
    origin_allowed,
    proxy_user,
)
from .pages import render
from .service import Status, acknowledge, document, status_of
from .writer import GroupCommit

MAX_FORM_BYTES = 16 * 1024
WIDGET_JS = Path(__file__).with_name("widget.js")


class RateLimiter:
    """At most ``limit`` events per key in any 60 seconds (a sliding window, per instance)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            window = self._events.setdefault(key, deque())
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= self.limit:
                return False
            window.append(now)
            if len(self._events) > 100_000:  # forget idle clients
                for k in [k for k, w in self._events.items() if not w or now - w[-1] > 60]:
                    del self._events[k]
            return True


SITE_PREFIX = "/site"


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if request.url.path == SITE_PREFIX or request.url.path.startswith(SITE_PREFIX + "/"):
            # the published site (its own scripts and styles): no framing, no sniffing, but its own policy
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("X-Frame-Options", "DENY")
            return response
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # personal links must not leak to other sites; same-origin keeps the Origin header on our own form posts
        # (with no-referrer, Chromium sends `Origin: null` and the origin check would refuse them)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def _html(name: str, code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(name, **context), status_code=code)


def _message(title: str, text: str, status: int) -> HTMLResponse:
    return _html("message", status, title=title, text=text)


def _status_text(st: Status) -> str:
    ob = st.obligation
    if ob.status == "done":
        return "ознакомлены"
    if ob.status == "current":
        return f"ознакомлены с редакцией {ob.since}, изменения вашей роли не касаются"
    if ob.status == "pending":
        return "нужно ознакомиться" if ob.whole else f"нужно подтвердить изменения ({len(ob.changes)})"
    return "не требуется"


class AckApp:
    def __init__(self, cfg: AckConfig, engine: Engine, *, company_names: dict[str, str] | None = None) -> None:
        self.cfg = cfg
        self.engine = engine
        ensure_current(engine)
        secret = secret_key(engine, cfg.secret)
        self.links = Links(secret, cfg.link_max_age_days)
        self.csrf = Csrf(secret)
        self.limiter = RateLimiter(cfg.rate_limit_per_minute)
        self.writer = GroupCommit(engine)
        #: the registered documents, parsed once per instance (read again when one is registered)
        self.documents = registry.DocCache()
        self.company_names = company_names or {}

    # ------------------------------------------------------------ helpers

    def _limited(self, request: Request, what: str) -> bool:
        return not self.limiter.allow(f"{what}:{client_addr(request)}")

    def _proxy_person(self, request: Request, company: str) -> dict | None:
        user = proxy_user(request, self.cfg)
        if user is None:
            return None
        with self.engine.connect() as conn:
            return registry.employee_by_identity(conn, company, user)

    async def _form(self, request: Request) -> dict[str, str] | None:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_FORM_BYTES):
            return None
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return None
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}

    def _regulation_page(
        self, person: dict, regulation: str, *, action: str, csrf_subject: str, just_done: bool = False
    ) -> Response:
        with self.engine.connect() as conn:
            statuses = [
                s
                for s in status_of(conn, self.cfg, person, regulation, documents=self.documents)
                if s.doc.regulation == regulation
            ]
        if not statuses:
            return _message("Регламент не найден", "Для этого регламента нет зарегистрированной редакции.", 404)
        st = statuses[0]
        return _html(
            "regulation",
            doc=st.doc,
            status=st,
            action=action,
            csrf=self.csrf.token(csrf_subject),
            just_done=just_done,
            company_name=self.company_names.get(person["company"], person["company"]),
        )

    # ------------------------------------------------------------ reader (proxy identity)

    def home(self, request: Request) -> Response:
        user = proxy_user(request, self.cfg)
        if user is None:
            return _message(
                "Вход не выполнен",
                "Откройте персональную ссылку из письма отдела кадров или войдите через корпоративную учётную запись.",
                401,
            )
        items = []
        with self.engine.connect() as conn:
            for company in registry.companies(conn):
                person = registry.employee_by_identity(conn, company, user)
                if person is None:
                    continue
                for st in status_of(conn, self.cfg, person, documents=self.documents):
                    if st.obligation.status != "not_required":
                        items.append(
                            {
                                "status": st,
                                "text": _status_text(st),
                                "url": f"/c/{quote(company)}/{quote(st.doc.regulation)}",
                            }
                        )
        return _html("home", statuses=items)

    def regulation(self, request: Request) -> Response:
        company, regulation = request.path_params["company"], request.path_params["regulation"]
        person = self._proxy_person(request, company)
        if person is None:
            return _message(
                "Вход не выполнен",
                "Войдите через корпоративную учётную запись или откройте персональную ссылку из письма.",
                401,
            )
        return self._regulation_page(
            person,
            regulation,
            csrf_subject=f"proxy:{person['id']}",
            action=f"/c/{quote(company)}/{quote(regulation)}",
            just_done=request.query_params.get("done") == "1",
        )

    async def acknowledge_proxy(self, request: Request) -> Response:
        company, regulation = request.path_params["company"], request.path_params["regulation"]
        if self._limited(request, "ack"):
            return _message("Слишком много запросов", "Повторите через минуту.", 429)
        if not origin_allowed(request, self.cfg):
            return _message("Запрос отклонён", "Запрос пришёл с другого сайта.", 403)
        person = await run_in_threadpool(self._proxy_person, request, company)
        if person is None:
            return _message("Вход не выполнен", "Войдите через корпоративную учётную запись.", 401)
        form = await self._form(request)
        if form is None:
            return _message("Запрос отклонён", "Слишком большой запрос.", 413)
        if not self.csrf.valid(form.get("csrf"), f"proxy:{person['id']}"):
            return _message("Запрос отклонён", "Страница устарела: откройте её заново.", 403)
        return await run_in_threadpool(
            self._record,
            request,
            person,
            regulation,
            form.get("edition", ""),
            "proxy",
            f"/c/{quote(company)}/{quote(regulation)}?done=1",
        )

    def _record(
        self, request: Request, person: dict, regulation: str, edition: str, method: str, back: str
    ) -> Response:
        try:
            acknowledge(
                self.engine,
                self.cfg,
                person,
                regulation,
                edition,
                method=method,
                client_addr=client_addr(request),
                user_agent=request.headers.get("user-agent", ""),
                writer=self.writer.append,
                documents=self.documents,
            )
        except NotRegistered:
            return _message("Регламент не найден", "Для этого регламента нет зарегистрированной редакции.", 404)
        except AckError:
            return _message(
                "Ознакомление не требуется", "Эта редакция не текущая или не требует вашего ознакомления.", 409
            )
        return RedirectResponse(back, status_code=303)

    def api_status(self, request: Request) -> Response:
        company, regulation = request.path_params["company"], request.path_params["regulation"]
        person = self._proxy_person(request, company)
        headers = self._cors(request)
        if person is None:
            return JSONResponse({"identified": False}, status_code=401, headers=headers)
        with self.engine.connect() as conn:
            statuses = [
                s
                for s in status_of(conn, self.cfg, person, regulation, documents=self.documents)
                if s.doc.regulation == regulation
            ]
        if not statuses:
            return JSONResponse({"identified": True, "registered": False}, status_code=404, headers=headers)
        st = statuses[0]
        base = self.cfg.public_url.rstrip("/")
        return JSONResponse(
            {
                "identified": True,
                "registered": True,
                "edition": st.doc.edition,
                "status": st.obligation.status,
                "since": st.obligation.since,
                "acknowledged_at": st.record["acked_at"] if st.record else None,
                "due": st.due.isoformat() if st.due else None,
                "changes": len(st.obligation.changes),
                "url": f"{base}/c/{quote(company)}/{quote(regulation)}",
            },
            headers=headers,
        )

    def _cors(self, request: Request) -> dict[str, str]:
        origin = request.headers.get("origin")
        if origin and self.cfg.site_origin and origin == self.cfg.site_origin.rstrip("/"):
            return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}
        return {"Vary": "Origin"}

    def widget(self, request: Request) -> Response:
        return Response(WIDGET_JS.read_text(encoding="utf-8"), media_type="text/javascript")

    # ------------------------------------------------------------ reader (personal link)

    def _link(self, request: Request) -> tuple[Link | None, dict | None, Response | None]:
        try:
            link = self.links.read(request.path_params["token"])
        except BadLink as exc:
            text = (
                "Срок действия ссылки истёк: попросите отдел кадров прислать новую."
                if exc.expired
                else "Ссылка недействительна."
            )
            return None, None, _message("Ссылка недействительна", text, 403)
        with self.engine.connect() as conn:
            person = registry.employee(conn, link.employee_id)
        if person is None or not person["active"] or person["company"] != link.company:
            return None, None, _message("Ссылка недействительна", "Сотрудник не найден.", 403)
        return link, person, None

    def link_page(self, request: Request) -> Response:
        if self._limited(request, "link"):
            return _message("Слишком много запросов", "Повторите через минуту.", 429)
        link, person, error = self._link(request)
        if error is not None:
            return error
        assert link is not None and person is not None
        token = request.path_params["token"]
        return self._regulation_page(
            person,
            link.regulation,
            action=f"/l/{token}",
            csrf_subject=f"link:{token}",
            just_done=request.query_params.get("done") == "1",
        )

    async def acknowledge_link(self, request: Request) -> Response:
        if self._limited(request, "ack"):
            return _message("Слишком много запросов", "Повторите через минуту.", 429)
        if not origin_allowed(request, self.cfg):
            return _message("Запрос отклонён", "Запрос пришёл с другого сайта.", 403)
        link, person, error = await run_in_threadpool(self._link, request)
        if error is not None:
            return error
        assert link is not None and person is not None
        token = request.path_params["token"]
        form = await self._form(request)
        if form is None:
            return _message("Запрос отклонён", "Слишком большой запрос.", 413)
        if not self.csrf.valid(form.get("csrf"), f"link:{token}"):
            return _message("Запрос отклонён", "Страница устарела: откройте ссылку заново.", 403)
        edition = form.get("edition", "")
        if edition != link.edition:  # the link is for one edition only
            return _message("Ссылка устарела", "Вышла новая редакция: попросите новую ссылку.", 409)
        return await run_in_threadpool(
            self._record, request, person, link.regulation, edition, "link", f"/l/{token}?done=1"
        )

    # ------------------------------------------------------------ HR

    def _hr(self, request: Request) -> str | None:
        return hr_user(request, self.cfg)

    def _filters(self, request: Request) -> Filters:
        q = request.query_params
        return Filters(
            q.get("department") or None,
            q.get("role") or None,
            q.get("regulation") or None,
            q.get("edition") or None,
            q.get("status") or None,
        )

    def dashboard(self, request: Request) -> Response:
        hr = self._hr(request)
        if hr is None:
            return _message("Нет доступа", "Панель доступна отделу кадров.", 403)
        company = request.path_params["company"]
        filters = self._filters(request)
        with self.engine.connect() as conn:
            everything = rows(conn, self.cfg, company)
            table = [r for r in everything if filters.keep(r)]
            all_docs = self.documents.docs(conn, company)
            due_reviews = reviews(conn, company)
        selects = [
            ("department", "Подразделение", sorted({r.department for r in everything if r.department})),
            ("role", "Роль", sorted({x for r in everything for x in r.role.split(", ") if x})),
            ("regulation", "Регламент", sorted({d.regulation for d in all_docs})),
            ("edition", "Редакция", sorted({d.edition for d in all_docs})),
            ("status", "Статус", ["done", "current", "pending", "overdue"]),
        ]
        query = request.url.query
        base = f"/hr/{quote(company)}"
        sheets = [
            {
                "title": d.title,
                "edition": d.edition,
                "url": f"{base}/sheet/{quote(d.regulation)}/{quote(d.edition)}.pdf",
            }
            for d in all_docs
        ]
        return _html(
            "dashboard",
            company=self.company_names.get(company, company),
            rows=table,
            counts=summary(table),
            filters=filters.__dict__,
            selects=selects,
            status_ru=STATUS_RU,
            export_csv=f"{base}/export.csv" + (f"?{query}" if query else ""),
            export_xlsx=f"{base}/export.xlsx" + (f"?{query}" if query else ""),
            sheets=sheets,
            reviews=due_reviews,
            links_action=f"{base}/links",
            csrf=self.csrf.token(f"hr:{hr}"),
        )

    def export(self, request: Request) -> Response:
        if self._hr(request) is None:
            return PlainTextResponse("forbidden", status_code=403)
        company, fmt = request.path_params["company"], request.path_params["fmt"]
        with self.engine.connect() as conn:
            table = rows(conn, self.cfg, company, filters=self._filters(request))
        name = f"ack-{company}.{fmt}"
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "csv":
            return Response(to_csv(table), media_type="text/csv; charset=utf-8", headers=disposition)
        if fmt == "xlsx":
            return Response(
                to_xlsx(table),
                headers=disposition,
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        return PlainTextResponse("unknown format", status_code=404)

    def sheet(self, request: Request) -> Response:
        from .sheet import render_sheet

        if self._hr(request) is None:
            return PlainTextResponse("forbidden", status_code=403)
        p = request.path_params
        with self.engine.connect() as conn:
            try:
                doc = document(conn, p["company"], p["regulation"], p["edition"])
            except NotRegistered:
                return PlainTextResponse("not found", status_code=404)
            pdf = render_sheet(conn, doc, company=self.company_names.get(p["company"], p["company"]))
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="ack-{doc.regulation}-{doc.edition}.pdf"'},
        )

    async def make_links(self, request: Request) -> Response:
        """Personal links for everyone who still has to acknowledge (CSV: name, e-mail, regulation, link)."""
        user = self._hr(request)
        if user is None:
            return PlainTextResponse("forbidden", status_code=403)
        if not hr_by_token(request, self.cfg):
            form = await self._form(request)
            if (
                form is None
                or not origin_allowed(request, self.cfg)
                or not self.csrf.valid(form.get("csrf"), f"hr:{user}")
            ):
                return PlainTextResponse("csrf", status_code=403)
        company = request.path_params["company"]
        with self.engine.connect() as conn:
            table = rows(conn, self.cfg, company, filters=Filters(status="pending"))
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        writer.writerow(["ФИО", "E-mail", "Регламент", "Редакция", "Срок", "Ссылка"])
        base = self.cfg.public_url.rstrip("/")
        for r in table:
            token = self.links.make(Link(r.employee_id, company, r.regulation, r.edition))
            writer.writerow(
                [r.employee, r.email, r.title, r.edition, r.due.isoformat() if r.due else "", f"{base}/l/{token}"]
            )
        return Response(
            ("\ufeff" + buf.getvalue()).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="ack-links-{company}.csv"'},
        )

    def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    def routes(self) -> list[Route]:
        return [
            Route("/", self.home),
            Route("/healthz", self.health),
            Route("/widget.js", self.widget),
            Route("/c/{company}/{regulation}", self.regulation, methods=["GET"]),
            Route("/c/{company}/{regulation}", self.acknowledge_proxy, methods=["POST"]),
            Route("/l/{token}", self.link_page, methods=["GET"]),
            Route("/l/{token}", self.acknowledge_link, methods=["POST"]),
            Route("/api/status/{company}/{regulation}", self.api_status),
            Route("/hr/{company}", self.dashboard),
            Route("/hr/{company}/export.{fmt}", self.export),
            Route("/hr/{company}/sheet/{regulation}/{edition}.pdf", self.sheet),
            Route("/hr/{company}/links", self.make_links, methods=["POST"]),
        ]


def create_app(
    cfg: AckConfig,
    engine: Engine | None = None,
    *,
    root: Path | None = None,
    company_names: dict[str, str] | None = None,
    site_dir: Path | None = None,
) -> Starlette:
    """The ASGI application over an already migrated database (``reglament ack serve`` migrates first).

    ``site_dir``: a built site served under ``/site/``, so that its pages and the status widget share
    the service's origin (no CORS, the proxy's identity reaches both).
    """
    engine = engine or make_engine(cfg.url(root or Path(".")))
    ack = AckApp(cfg, engine, company_names=company_names)
    routes: list[BaseRoute] = list(ack.routes())
    if site_dir is not None:
        routes.append(Mount(SITE_PREFIX, app=StaticFiles(directory=site_dir, html=True), name="site"))
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.ack = ack
    return app
