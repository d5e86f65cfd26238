"""E-mail reminders over SMTP: each employee who still has to acknowledge gets one letter with personal links."""

from __future__ import annotations

import datetime as dt
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import Engine

from .config import AckConfig
from .dashboard import Filters, Row, rows
from .errors import AckError
from .identity import Link, Links
from .pages import date_ru


@dataclass(frozen=True)
class Sent:
    to: str
    regulations: tuple[str, ...]


def letters(table: list[Row], links: Links, cfg: AckConfig, company: str) -> list[EmailMessage]:
    """One letter per employee (with an e-mail) listing every regulation they still have to acknowledge."""
    assert cfg.smtp is not None
    by_person: dict[int, list[Row]] = {}
    for row in table:
        if row.email:
            by_person.setdefault(row.employee_id, []).append(row)
    base = cfg.public_url.rstrip("/")
    out = []
    for person_rows in by_person.values():
        first = person_rows[0]
        lines = [
            f"Здравствуйте, {first.employee}!",
            "",
            "Просим ознакомиться с регламентами (ссылки персональные, не пересылайте их):",
            "",
        ]
        for r in person_rows:
            token = links.make(Link(r.employee_id, company, r.regulation, r.edition))
            due = f", срок — {date_ru(r.due)}" if r.due else ""
            overdue = " (срок истёк)" if r.status == "overdue" else ""
            lines += [f"• «{r.title}», редакция {r.edition}{due}{overdue}", f"  {base}/l/{token}", ""]
        lines += ["Отдел кадров"]
        msg = EmailMessage()
        msg["From"] = cfg.smtp.sender
        msg["To"] = first.email
        msg["Subject"] = "Ознакомление с регламентами"
        msg.set_content("\n".join(lines))
        out.append(msg)
    return out


def send_reminders(
    engine: Engine, cfg: AckConfig, secret: str, company: str, *, today: dt.date | None = None, dry_run: bool = False
) -> list[Sent]:
    if cfg.smtp is None:
        raise AckError("no `smtp:` in ack.yml: reminders need an SMTP server")
    with engine.connect() as conn:
        table = rows(conn, cfg, company, filters=Filters(status="pending"), today=today)
    messages = letters(table, Links(secret, cfg.link_max_age_days), cfg, company)
    sent = [
        Sent(str(m["To"]), tuple(line for line in m.get_content().splitlines() if line.startswith("•")))
        for m in messages
    ]
    if dry_run or not messages:
        return sent
    try:
        with smtplib.SMTP(cfg.smtp.host, cfg.smtp.port, timeout=30) as smtp:
            if cfg.smtp.starttls:
                smtp.starttls()
            if cfg.smtp.username:
                smtp.login(cfg.smtp.username, os.environ.get("REGLAMENT_ACK_SMTP_PASSWORD", ""))
            for msg in messages:
                smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise AckError(f"SMTP {cfg.smtp.host}:{cfg.smtp.port}: {exc}") from exc
    return sent
