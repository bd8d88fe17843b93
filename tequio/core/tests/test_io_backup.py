"""``tequio backup`` and ``tequio restore``: the whole instance round-trips.

Runs on whatever database DATABASE_URL names: SQLite locally, PostgreSQL in CI.
"""

from __future__ import annotations

import io
import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection

from tequio.core import services
from tequio.core.io import backup
from tequio.core.models import AuditEvent, Organization, PeerGroup, Person
from tequio.testing.personas import PASSWORD


def counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in backup.backup_models()}


def take(**options) -> dict:
    stream = io.StringIO()
    backup.instance_backup(stream, **options)
    stream.seek(0)
    return backup.read_backup(stream)


@pytest.fixture
def instance(cast, client):
    services.peer_group_create(actor=cast.users["convener"], community=cast.community, name="Grupo", members=[cast.person])
    services.person_update(actor=cast.users["member"], person=cast.person, email="m@example.org", gender="man", languages=["es", "en"])
    client.login(username=cast.users["member"].username, password=PASSWORD)  # a session row
    return cast


def snapshot(cast) -> dict:
    person = Person.objects.get(pk=cast.person.pk)
    return {
        "counts": counts(),
        "users": sorted(get_user_model().objects.values_list("email", "password", "is_superuser", "date_joined")),
        "person": (person.display_name, person.email, person.gender, person.languages, person.created_at, person.updated_at),
        "group": sorted(PeerGroup.objects.get(name="Grupo").members.values_list("pk", flat=True)),
        "emails": sorted(EmailAddress.objects.values_list("user_id", "email", "verified")),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", "action", "data", "created_at")),
    }


def test_backup_flush_restore_gives_back_the_same_instance(instance):
    before = snapshot(instance)
    assert before["counts"]["sessions.Session"] == 1
    data = take()
    # Tests run inside a transaction: PostgreSQL truncates only once pending checks have run.
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)
    assert Person.objects.count() == 0 and not backup.database_in_use()
    restored = backup.instance_restore(data)
    # Times included, to the microsecond (dumpdata would round them to milliseconds).
    assert snapshot(instance) == before
    assert restored["core.Person"] == before["counts"]["core.Person"]
    # Sequences follow the restored ids: new rows get fresh ones.
    organization = services.organization_create(actor=None, community=instance.community, name="Después")
    assert organization.pk > max(Organization.objects.exclude(pk=organization.pk).values_list("pk", flat=True))


def test_a_database_in_use_is_refused_unless_forced(instance):
    data = take()
    extra = services.organization_create(actor=None, community=instance.community, name="Añadida después")
    with pytest.raises(backup.RestoreRefused, match="already holds data"):
        backup.instance_restore(data, migrate=False)
    assert Organization.objects.filter(pk=extra.pk).exists()
    backup.instance_restore(data, migrate=False, force=True)
    assert not Organization.objects.filter(pk=extra.pk).exists()


def test_a_failed_restore_changes_nothing(instance):
    data = take()
    data["objects"].append({"model": "core.organization", "pk": 10**9, "fields": {"community": 10**9 + 1, "name": "Huérfana"}})
    before = counts()
    with pytest.raises(IntegrityError):
        backup.instance_restore(data, migrate=False, force=True)
    assert counts() == before


def test_a_backup_from_a_newer_tequio_is_refused(instance):
    data = take()
    data["migrations"]["core"].append("9999_from_the_future")
    with pytest.raises(backup.RestoreRefused, match="newer version"):
        backup.instance_restore(data, migrate=False, force=True)


def test_sessions_can_be_left_out(instance):
    data = take(include_sessions=False)
    assert not [item for item in data["objects"] if item["model"] == "sessions.session"]
    assert Session.objects.exists()


@pytest.mark.parametrize("content", [b"not json", b'{"format": "other", "objects": []}', b'[1, 2]'])
def test_what_is_not_a_backup_is_refused(tmp_path, db, content):
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="not a Tequio backup"):
        call_command("restore", str(path))


def test_the_commands_round_trip_through_a_compressed_file(instance, tmp_path):
    path = tmp_path / "tequio.json.gz"
    before = counts()
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert "Backed up" in out.getvalue()
    assert not list(tmp_path.glob("*.partial*"))
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(path))
    call_command("restore", str(path), "--force", stdout=io.StringIO())
    assert counts() == before


def test_the_backup_is_json_with_its_migrations(instance, tmp_path):
    path = tmp_path / "tequio.json"
    call_command("backup", str(path), stdout=io.StringIO())
    data = json.loads(path.read_text())
    assert data["format"] == "tequio.backup" and "0001_initial" in data["migrations"]["core"]
    assert {item["model"] for item in data["objects"]} >= {"auth.user", "account.emailaddress", "core.community", "contenttypes.contenttype"}
