"""The whole instance to one JSON file and back, on SQLite and PostgreSQL alike.

Why not plain ``dumpdata``/``loaddata``: ``dumpdata`` rounds times to milliseconds,
and loading row by row takes minutes at national scale. Here every table of every
installed app (accounts, allauth, MFA, sessions, tasks, core and capabilities) is
written with Django's serializers at full precision, and read back with raw
multi-row inserts, primary keys kept, in one transaction. Content types and
permissions travel too, so generic references (admin log, permissions) keep
pointing at the same rows.

The file records the migrations applied when it was made. A restore runs
``migrate`` first, refuses a backup made by a newer Tequio, refuses a database
that already holds data unless forced, and then replaces everything atomically:
if anything fails, the database is as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import IO, Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal, sql_flush
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from tequio import __version__ as tequio_version

FORMAT = "tequio.backup"
VERSION = 1
BATCH = 2000
# Created by ``migrate`` in every database; their presence does not make it "in use".
MIGRATE_CREATES = (ContentType, Permission)


class RestoreRefused(Exception):
    """The backup cannot be restored here; the message says why, translated."""


class _Encoder(DjangoJSONEncoder):
    # DjangoJSONEncoder cuts microseconds; a backup must not.
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | date | time):
            return o.isoformat()
        return super().default(o)


def backup_models(*, include_sessions: bool = True, using: str = DEFAULT_DB_ALIAS) -> list[type]:
    """Every concrete model stored in this database, in a stable order."""
    models = [
        model for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
        and router.allow_migrate_model(using, model)
        and (include_sessions or model._meta.app_label != "sessions")
    ]
    return sorted(models, key=lambda model: model._meta.label)


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _serialized(model, using: str) -> Iterable[dict[str, Any]]:
    queryset = model._base_manager.using(using).order_by("pk")
    many = [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    if many:
        queryset = queryset.prefetch_related(*many)
    batch = []
    for instance in queryset.iterator(chunk_size=BATCH):
        batch.append(instance)
        if len(batch) == BATCH:
            yield from serializers.serialize("python", batch)
            batch = []
    if batch:
        yield from serializers.serialize("python", batch)


def instance_backup(stream: IO[str], *, include_sessions: bool = True, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Write the whole instance to ``stream`` as JSON; returns the row count per model."""
    header = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "tequio": tequio_version,
        "database": connections[using].vendor,
        "migrations": _applied_migrations(using),
    }
    counts: dict[str, int] = {}
    # Written object by object: memory stays flat however big the instance is.
    stream.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "objects": [\n')
    first = True
    connection = connections[using]
    outermost = not connection.in_atomic_block
    # One snapshot for every table: a backup taken while people work is still consistent.
    # (SQLite's write lock gives that; PostgreSQL needs REPEATABLE READ, settable only first.)
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # An app installed but not yet migrated has no table, and so nothing to back up.
        existing = set(connection.introspection.table_names())
        for model in backup_models(include_sessions=include_sessions, using=using):
            if model._meta.db_table not in existing:
                continue
            count = 0
            for row in _serialized(model, using):
                stream.write(("" if first else ",\n") + json.dumps(row, cls=_Encoder, ensure_ascii=False))
                first = False
                count += 1
            counts[model._meta.label] = count
    stream.write("\n]}\n")
    return counts


def read_backup(stream: IO[str]) -> dict[str, Any]:
    try:
        data = json.load(stream)
    except (ValueError, UnicodeDecodeError):
        raise RestoreRefused(_("This is not a Tequio backup (it is not JSON).")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("objects"), list):
        raise RestoreRefused(_("This is not a Tequio backup."))
    if data.get("version") != VERSION:
        raise RestoreRefused(_("Unsupported backup version: %(version)s") % {"version": data.get("version")})
    return data


def database_in_use(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True when any table holds rows other than what ``migrate`` creates by itself."""
    return any(
        model._base_manager.using(using).exists()
        for model in backup_models(using=using)
        if model not in MIGRATE_CREATES
    )


def _check_migrations(data: dict[str, Any], using: str) -> None:
    known = set(MigrationLoader(connections[using], ignore_no_migrations=True).disk_migrations)
    # Migrations of an app no longer installed do not matter: its rows cannot load anyway.
    installed = {config.label for config in apps.get_app_configs()}
    newer = sorted(
        f"{app_label}.{name}"
        for app_label, names in (data.get("migrations") or {}).items()
        for name in names
        if app_label in installed and (app_label, name) not in known
    )
    if newer:
        raise RestoreRefused(_("This backup was made by a newer version of Tequio (migrations %(names)s). Upgrade first.") % {"names": ", ".join(newer[:5])})


def _insert(model, instances: list, using: str) -> None:
    if not instances:
        return
    connection = connections[using]
    fields = list(model._meta.local_concrete_fields)
    size = max(1, connection.ops.bulk_batch_size(fields, instances))
    for start in range(0, len(instances), size):
        # raw=True is what loaddata's save uses: values go in exactly as stored
        # (auto_now fields are not touched), many rows per statement.
        model._base_manager.using(using)._insert(instances[start:start + size], fields=fields, using=using, raw=True)


def _insert_m2m(model, pending: list[tuple[Any, dict[str, list]]], using: str) -> None:
    for name in {name for _pk, data in pending for name in data}:
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).attname
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        rows = [through(**{source: pk, target: other}) for pk, data in pending for other in data.get(name, [])]
        through._base_manager.using(using).bulk_create(rows, batch_size=BATCH)


def _load(objects: list[dict[str, Any]], using: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    current, instances, pending = None, [], []

    def flush() -> None:
        if current is not None:
            _insert(current, instances, using)
            _insert_m2m(current, pending, using)

    for item in serializers.deserialize("python", objects, using=using, ignorenonexistent=False):
        model = type(item.object)
        if model is not current or len(instances) >= BATCH:
            flush()
            current, instances, pending = model, [], []
        instances.append(item.object)
        if item.m2m_data:
            pending.append((item.object.pk, item.m2m_data))
        counts[model._meta.label] = counts.get(model._meta.label, 0) + 1
    flush()
    return counts


def instance_restore(data: dict[str, Any], *, force: bool = False, migrate: bool = True,
                     using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Replace the whole database with a backup read by ``read_backup``. Atomic.

    Runs ``migrate`` first. Raises ``RestoreRefused`` for a backup made by a newer
    Tequio, or when the database already holds data and ``force`` is not set.
    """
    if migrate:
        call_command("migrate", interactive=False, verbosity=0, database=using)
    _check_migrations(data, using)
    connection = connections[using]
    with transaction.atomic(using=using):
        if database_in_use(using) and not force:
            raise RestoreRefused(_("The database already holds data. Restore with --force to replace all of it."))
        # PostgreSQL refuses to TRUNCATE tables with deferred checks still pending
        # (rows written earlier in an enclosing transaction): run those checks now.
        connection.check_constraints()
        connection.ops.execute_sql_flush(sql_flush(no_style(), connection, reset_sequences=True, allow_cascade=False))
        counts = _load(data["objects"], using)
        # Foreign keys are checked at commit; check them here so that a broken backup
        # fails inside this block, whatever transaction the caller holds.
        connection.check_constraints()
        models = list(apps.get_models(include_auto_created=True))
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        # Content types and permissions of apps newer than the backup.
        emit_post_migrate_signal(verbosity=0, interactive=False, db=using)
    cache.clear()
    return counts
