"""Settings of the acknowledgement service: ``ack.yml`` beside ``content/``, then environment, then options.

Everything has a default, so ``reglament ack serve`` on a fresh clone needs no
setup: a SQLite file under ``.reglament/`` and personal links as the only way
in (no proxy is trusted until one is configured)::

    # ack.yml (optional)
    db: postgresql+psycopg://ack@db.internal/ack
    public_url: https://ack.example.ru        # where personal links point
    site_origin: https://docs.example.ru      # the published site (CORS for the status widget)
    identity_header: X-Forwarded-Email        # set by oauth2-proxy / Cloudflare Access / nginx auth_request
    groups_header: X-Forwarded-Groups
    hr_group: hr
    trusted_proxies: [10.0.0.5, 10.0.1.0/24]  # only these peers may set the headers above
    deadline_working_days: 3
    holidays: [2026-01-01, 2026-01-02]
    link_max_age_days: 30
    rate_limit_per_minute: 30
    smtp: {host: smtp.example.ru, port: 25, sender: hr@example.ru}

Secrets never live in the file: ``REGLAMENT_ACK_ADMIN_TOKEN`` (HR's token for
scripts) and ``REGLAMENT_ACK_SECRET`` (the signing key; when unset, one is
generated once and kept in the database, so every instance shares it).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..diagnostics import Diagnostic
from .errors import ConfigError

CONFIG_FILE = "ack.yml"
DEFAULT_DB_DIR = ".reglament"
DEFAULT_DB_FILE = "ack.sqlite3"


class Smtp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "localhost"
    port: int = 25
    sender: str = Field(min_length=3)
    starttls: bool = False
    username: str | None = None
    """The password comes from ``REGLAMENT_ACK_SMTP_PASSWORD``."""


class AckConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    db: str | None = None
    """SQLAlchemy URL; default: ``sqlite:///<root>/.reglament/ack.sqlite3`` (created on first start)."""
    public_url: str = "http://127.0.0.1:8100"
    site_origin: str | None = None
    identity_header: str = "X-Forwarded-Email"
    groups_header: str = "X-Forwarded-Groups"
    hr_group: str = "hr"
    trusted_proxies: list[str] = Field(default_factory=list)
    deadline_working_days: int = Field(default=3, ge=0, le=365)
    holidays: list[dt.date] = Field(default_factory=list)
    link_max_age_days: int = Field(default=30, ge=1, le=366)
    rate_limit_per_minute: int = Field(default=30, ge=1)
    smtp: Smtp | None = None
    admin_token: str | None = Field(default=None, exclude=True)
    secret: str | None = Field(default=None, exclude=True)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # raises ValueError: reported with the field's place
        return value

    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(item, strict=False) for item in self.trusted_proxies]

    def url(self, root: Path) -> str:
        return self.db or default_db_url(root)


def default_db_url(root: Path) -> str:
    return f"sqlite:///{(root / DEFAULT_DB_DIR / DEFAULT_DB_FILE).resolve()}"


def load_config(root: Path, *, db: str | None = None, path: Path | None = None) -> AckConfig:
    """``ack.yml`` (when present) with the environment's secrets and ``db`` from the command line on top."""
    file = path or root / CONFIG_FILE
    data: dict = {}
    if file.is_file():
        try:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            raise ConfigError(
                f"{file}: not valid YAML",
                diagnostics=[Diagnostic(str(file), line, column, "error", "ack-config", f"YAML syntax: {exc}")],
            ) from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{file}: expected a mapping of settings")
        data = loaded or {}
    data.setdefault("admin_token", os.environ.get("REGLAMENT_ACK_ADMIN_TOKEN") or None)
    data.setdefault("secret", os.environ.get("REGLAMENT_ACK_SECRET") or None)
    if os.environ.get("REGLAMENT_ACK_DB"):
        data["db"] = os.environ["REGLAMENT_ACK_DB"]
    if db:
        data["db"] = db
    try:
        return AckConfig.model_validate(data)
    except ValidationError as exc:
        diagnostics = [
            Diagnostic(
                str(file),
                _line_of(file, err["loc"]),
                1,
                "error",
                "ack-config",
                f"`{'.'.join(str(x) for x in err['loc'])}`: {err['msg']}",
            )
            for err in exc.errors()
        ]
        raise ConfigError(f"{file}: invalid settings ({len(diagnostics)} problem(s))", diagnostics=diagnostics) from exc


def _line_of(file: Path, loc: tuple) -> int:
    """The line of the top-level key ``loc[0]`` in ``file`` (1 when unknown)."""
    if not loc or not file.is_file():
        return 1
    try:
        node = yaml.compose(file.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return 1
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if key.value == loc[0]:
                return key.start_mark.line + 1
    return 1


def working_days_after(start: dt.date, days: int, holidays: frozenset[dt.date] | set[dt.date] = frozenset()) -> dt.date:
    """The date ``days`` working days (Mon–Fri, not a holiday) after ``start``."""
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            left -= 1
    return current
