"""Electronic acknowledgement («ознакомление») of the regulations: who read which edition.

A subsystem beside the static site (which stays static and works without it)::

    edition (tag) ─sources─▶ snapshot ─materiality(diff's roles affected)─▶ documents + requirements
    employees (profiles, HR import) ─▶ employees
    reader (proxy header | signed link) ─app─▶ records (append-only, hash-chained) ─▶ dashboard, CSV/XLSX, PDF sheet

* :mod:`.config` — settings (``ack.yml``, environment, command line);
* :mod:`.db` — the engine (SQLite WAL by default, PostgreSQL by URL) and the Alembic migrations;
* :mod:`.tables` — the schema; :mod:`.records` — the hash chain and ``verify``;
* :mod:`.sources` — the one module that reads the project (editions, variants, diff, profiles);
* :mod:`.materiality` — who must (re)acknowledge what; :mod:`.registry` — documents and employees in the database;
* :mod:`.employees` — HR import from CSV/XLSX with positioned diagnostics;
* :mod:`.identity` — the proxy header, signed links, CSRF tokens, HR access;
* :mod:`.app` — the Starlette application; :mod:`.pages` — its HTML;
* :mod:`.dashboard` — HR's view and the CSV/XLSX export; :mod:`.sheet` — the PDF лист ознакомления;
* :mod:`.reminders` — e-mail reminders over SMTP; :mod:`.cli` — ``reglament ack …``.
"""
