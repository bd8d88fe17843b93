"""The ``tequio`` console script: a thin front to Django's management commands.

    tequio demo            migrate, load the demo, print sign-in accounts, serve
    tequio serve           gunicorn (WSGI) on $TEQUIO_BIND, plus the task worker
    tequio backup FILE     whole instance to one JSON file (SQLite or PostgreSQL)
    tequio restore FILE    load a backup into an empty database
    tequio import ...      organizations and people from CSV/XLSX; a community JSON export
    tequio export ...      CSV/XLSX registry, or a full community JSON export
    tequio bench ...       generate national-scale data; time pages
    tequio <anything else> any Django management command (migrate, createsuperuser, ...)
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "demo": "demo",
    "serve": "serve",
    "backup": "backup",
    "restore": "restore",
    "import": "import_data",
    "export": "export_data",
    "bench": "bench",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tequio.settings")
    from django.core.management import execute_from_command_line

    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    if not argv:
        print(__doc__)
        return
    execute_from_command_line(["tequio", *argv])


if __name__ == "__main__":
    main()
