"""``tequio import`` and ``tequio export`` on the command line."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tequio import cli
from tequio.core.models import AuditEvent, Community, Organization, Person


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_organizations_and_records_the_actor(cast, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("nombre;tipo\nRed Uno;network\nRed Dos;cso\n", encoding="utf-8")
    out, _err = run("import_data", "organizations", cast.community.slug, str(path), "--actor", "STEWARD@cast.test")
    assert "organizations: 2" in out
    assert Organization.objects.filter(community=cast.community, name__startswith="Red ").count() == 2
    assert AuditEvent.objects.get(action="data.import").actor == cast.users["steward"]


def test_a_bad_file_lists_its_problems_and_exits_with_an_error(cast, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(f"display_name,organization\nOk,{cast.organization.name}\nNope,{cast.foreign_organization.name}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_data", "people", cast.community.slug, str(path), stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "row 3, column “organization”" in err.getvalue()
    assert not Person.objects.filter(display_name="Ok").exists()


def test_check_changes_nothing(cast, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("name\nSolo revisada\n", encoding="utf-8")
    out, _err = run("import_data", "organizations", cast.community.slug, str(path), "--check")
    assert "valid" in out
    assert not Organization.objects.filter(name="Solo revisada").exists()


@pytest.mark.parametrize(("args", "message"), [
    (("organizations", "no-such-community", "{path}"), "No community"),
    (("organizations", "cast", "{path}", "--actor", "ghost@example.org"), "No account"),
    (("organizations", "cast", "{missing}"), "No such file"),
    (("community", "{missing}"), "No such file"),
    (("community", "{path}"), "not a Tequio community export"),
])
def test_bad_arguments_give_clear_errors(cast, tmp_path, args, message):
    path = tmp_path / "orgs.csv"
    path.write_text("name\nA\n", encoding="utf-8")
    args = [arg.format(path=path, missing=tmp_path / "missing.csv") for arg in args]
    with pytest.raises(CommandError, match=message):
        run("import_data", *args)


def test_it_exports_each_kind_in_each_format(cast, tmp_path):
    for kind, name in [("organizations", "o.csv"), ("people", "p.xlsx"), ("registry", "r.xlsx")]:
        out, _err = run("export_data", kind, cast.community.slug, str(tmp_path / name))
        assert "Wrote" in out
    assert (tmp_path / "o.csv").read_bytes().startswith(b"\xef\xbb\xbfname,kind")
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames == ["organizations", "people"]
    # Run on the server: sensitive fields are included.
    people = openpyxl.load_workbook(tmp_path / "p.xlsx")["people"]
    assert "ally@cast.test" in [row[2] for row in people.iter_rows(values_only=True)]
    assert AuditEvent.objects.filter(action="data.export", community=cast.community).count() == 3


@pytest.mark.parametrize(("kind", "name"), [("organizations", "o.pdf"), ("registry", "r.csv"), ("community", "c.xlsx")])
def test_unknown_export_formats_are_refused(cast, tmp_path, kind, name):
    with pytest.raises(CommandError):
        run("export_data", kind, cast.community.slug, str(tmp_path / name))
    assert not (tmp_path / name).exists()


def test_a_community_goes_out_and_comes_back_under_a_new_name(cast, tmp_path):
    path = tmp_path / "cast.json.gz"
    run("export_data", "community", cast.community.slug, str(path), "--with-audit")
    out, _err = run("import_data", "community", str(path), "--slug", "cast-copy", "--actor", "admin@cast.test")
    assert "cast-copy" in out
    copy = Community.objects.get(slug="cast-copy")
    assert copy.organizations.count() == cast.community.organizations.count()
    assert copy.audit_events.filter(action="data.import", actor=cast.users["admin"]).exists()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_data", "community", str(path), "--slug", "cast-copy", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_tequio_script_maps_import_export_backup_and_restore(monkeypatch):
    # Through the real entry point; not run: run_from_argv closes the test's database connection.
    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    for argv in (["import", "community", "f.json"], ["export", "people", "s", "p.csv"], ["backup", "b.json"], ["restore", "b.json"]):
        cli.main(argv)
    assert [call[1] for call in seen] == ["import_data", "export_data", "backup", "restore"]
    assert seen[0] == ["tequio", "import_data", "community", "f.json"]
