"""Benchmarks: national-scale data (``generate``) and page timings against it (``pages``).

Both run against their own SQLite file, ``var/bench.sqlite3``, unless ``DATABASE_URL``
names another database: a benchmark must never write into the instance people use.
"""

from __future__ import annotations

import os

from django.conf import settings


def bench_database_url() -> str:
    """The database the benchmarks use when ``DATABASE_URL`` is not set."""
    return f"sqlite:///{settings.DATA_DIR / 'bench.sqlite3'}"


def needs_own_database() -> bool:
    return not os.environ.get("DATABASE_URL")
