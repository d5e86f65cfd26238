"""Who is asking: a trusted proxy's header, a personal signed link, or HR's token. No passwords are stored.

* **Proxy** (oauth2-proxy, Cloudflare Access, nginx ``auth_request``): the
  identity header (e-mail or personnel number) and the groups header are read
  only when the TCP peer is one of ``trusted_proxies``; from anyone else they
  are ignored, so a client cannot name itself.
* **Personal link**: ``/l/<token>``, an itsdangerous signature over (employee,
  company, regulation, edition) that expires after ``link_max_age_days``. It
  lets its holder acknowledge that one edition and see that one status.
* **HR**: the proxy's groups header holding ``hr_group``, or
  ``Authorization: Bearer <REGLAMENT_ACK_ADMIN_TOKEN>``.
* **CSRF**: every form carries a token signed for the identity that loaded it
  (expiring), and POSTs from another origin (``Origin``, ``Sec-Fetch-Site``)
  are refused.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

from itsdangerous import (
    BadSignature,
    SignatureExpired,
    TimestampSigner,
    URLSafeTimedSerializer,
)
from starlette.requests import Request

from .config import AckConfig

CSRF_MAX_AGE = 12 * 3600
LINK_SALT = "reglament-ack-link"
CSRF_SALT = "reglament-ack-csrf"


def client_addr(request: Request) -> str:
    return request.client.host if request.client else ""


def from_trusted_proxy(request: Request, cfg: AckConfig) -> bool:
    if not cfg.trusted_proxies:
        return False
    try:
        peer = ipaddress.ip_address(client_addr(request))
    except ValueError:
        return False
    return any(peer in net for net in cfg.networks())


def proxy_user(request: Request, cfg: AckConfig) -> str | None:
    """The identity the trusted proxy asserts (e-mail or personnel number), or None."""
    if not from_trusted_proxy(request, cfg):
        return None
    value = request.headers.get(cfg.identity_header, "").strip()
    return value or None


def proxy_groups(request: Request, cfg: AckConfig) -> set[str]:
    if not from_trusted_proxy(request, cfg):
        return set()
    raw = request.headers.get(cfg.groups_header, "")
    return {g.strip() for g in raw.replace(";", ",").split(",") if g.strip()}


def hr_user(request: Request, cfg: AckConfig) -> str | None:
    """Who HR is: ``admin`` (the token), the proxy user of the HR group, or None."""
    auth = request.headers.get("authorization", "")
    if (
        cfg.admin_token
        and auth.lower().startswith("bearer ")
        and hmac.compare_digest(auth[7:].strip().encode(), cfg.admin_token.encode())
    ):
        return "admin"
    user = proxy_user(request, cfg)
    if user and cfg.hr_group in proxy_groups(request, cfg):
        return user
    return None


def hr_by_token(request: Request, cfg: AckConfig) -> bool:
    """A bearer token is not sent by a browser on its own: such requests need no CSRF token."""
    return hr_user(request, cfg) == "admin"


# --------------------------------------------------------------------------
# Personal links


@dataclass(frozen=True)
class Link:
    employee_id: int
    company: str
    regulation: str
    edition: str


class BadLink(Exception):
    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class Links:
    def __init__(self, secret: str, max_age_days: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=LINK_SALT)
        self.max_age = max_age_days * 86400

    def make(self, link: Link) -> str:
        return str(self._serializer.dumps([link.employee_id, link.company, link.regulation, link.edition]))

    def read(self, token: str) -> Link:
        try:
            data = self._serializer.loads(token, max_age=self.max_age)
        except SignatureExpired as exc:
            raise BadLink(expired=True) from exc
        except BadSignature as exc:
            raise BadLink(expired=False) from exc
        if not (
            isinstance(data, list)
            and len(data) == 4
            and isinstance(data[0], int)
            and all(isinstance(x, str) for x in data[1:])
        ):
            raise BadLink(expired=False)
        return Link(data[0], data[1], data[2], data[3])


# --------------------------------------------------------------------------
# CSRF


class Csrf:
    def __init__(self, secret: str) -> None:
        self._signer = TimestampSigner(secret, salt=CSRF_SALT)

    def token(self, subject: str) -> str:
        return self._signer.sign(subject.encode("utf-8")).decode("ascii")

    def valid(self, token: str | None, subject: str) -> bool:
        if not token:
            return False
        try:
            value = self._signer.unsign(token.encode("ascii", "replace"), max_age=CSRF_MAX_AGE)
        except BadSignature:
            return False
        return hmac.compare_digest(value, subject.encode("utf-8"))


def origin_allowed(request: Request, cfg: AckConfig) -> bool:
    """A state-changing request must come from this service's own pages (or the configured site)."""
    fetch_site = request.headers.get("sec-fetch-site", "")
    if fetch_site in ("same-origin", "none"):  # the browser itself vouches for it (a page of ours, or typed)
        return True
    if fetch_site == "cross-site":
        origin = request.headers.get("origin")
        return bool(cfg.site_origin and origin == cfg.site_origin.rstrip("/"))
    origin = request.headers.get("origin")
    if origin is None:  # not sent by every browser on same-origin form posts; the CSRF token still applies
        return True
    own = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    allowed = {own, cfg.public_url.rstrip("/")}
    if cfg.site_origin:
        allowed.add(cfg.site_origin.rstrip("/"))
    return origin in allowed
