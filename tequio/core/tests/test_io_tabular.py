"""CSV/XLSX import and export of organizations and people (tequio.core.io.tabular)."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.utils import translation

from tequio.core import choices, services
from tequio.core.io import tabular
from tequio.core.models import AuditEvent, Organization, Person
from tequio.core.permissions import access_for
from tequio.testing.personas import make_user


def csv_bytes(rows, *, delimiter=",", bom=False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    data = buffer.getvalue().encode()
    return b"\xef\xbb\xbf" + data if bom else data


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(cast, data, *, kind="organizations", filename="file.csv", dry_run=False):
    return tabular.registry_import(actor=cast.users["steward"], community=cast.community, data=data,
                                   filename=filename, kind=kind, dry_run=dry_run)


def org_count(community):
    return Organization.objects.active().filter(community=community).count()


def problems(result):
    return [(p.row, p.column, p.message) for p in result.problems]


# --- import: what works -----------------------------------------------------------------

def spanish(choice) -> str:
    """A choice's Spanish name as the catalog has it (the English one until it is translated)."""
    with translation.override("es"):
        return str(choice.label)


def test_it_imports_a_spanish_excel_csv_with_bom_and_semicolons(cast):
    areas = f"{spanish(choices.ThematicArea.HUMAN_RIGHTS).upper()}; {spanish(choices.ThematicArea.GENDER)}; agua limpia"
    data = csv_bytes([
        ["Nombre", "Tipo", "Áreas temáticas", "País", "Estado", "Municipio", "Grupos excluidos", "Tamaño", "Año de fundación", "Sitio web"],
        ["Red Oaxaqueña", spanish(choices.OrganizationKind.NETWORK), areas, "México", "Oaxaca", "Juchitán",
         f"{spanish(choices.ExcludedGroup.WOMEN)}; Indigenous peoples", "6-20", "1998", "redoax.org"],
        ["Colectivo Norte", "cso", "migration", "MX", "NLE", "", "", "", "", ""],
        ["Asociación Guatemalteca", "Academia", "", "GT", "Quetzaltenango", "", "", "", "2004", ""],
    ], delimiter=";", bom=True)
    result = run(cast, data)
    assert result.ok, problems(result)
    assert result.committed and result.created["organizations"] == 3
    red = Organization.objects.get(community=cast.community, name="Red Oaxaqueña")
    assert red.kind == "network"
    assert red.thematic_areas == ["human_rights", "gender", "agua limpia"]  # free tags are kept
    assert (red.country, red.state, red.municipality) == ("MX", "OAX", "Juchitán")
    assert red.excluded_groups == ["women", "indigenous"]
    assert (red.size, red.founding_year, red.website) == ("6-20", 1998, "https://redoax.org")
    guatemala = Organization.objects.get(community=cast.community, name="Asociación Guatemalteca")
    assert (guatemala.country, guatemala.state, guatemala.kind) == ("GT", "Quetzaltenango", "academia")
    event = AuditEvent.objects.get(community=cast.community, action="data.import")
    assert event.actor == cast.users["steward"]
    assert event.data["organizations"] == 3 and event.data["format"] == "csv"


def test_it_imports_people_with_affiliations_to_existing_organizations(cast):
    data = csv_bytes([
        ["display_name", "email", "phone", "organization", "position", "staff_level", "languages", "is_pseudonym", "age_band", "gender"],
        ["Ana Pérez", "ANA@example.org", "+52 55 1234 5678", cast.organization.name.upper(), "Directora",
         spanish(choices.StaffLevel.LEADERSHIP), "es; English", "no", "35-44", spanish(choices.Gender.WOMAN)],
        ["Colibrí", "", "", "", "", "", "Español", "sí", "", ""],
    ])
    result = run(cast, data, kind="people")
    assert result.ok, problems(result)
    ana = Person.objects.get(community=cast.community, display_name="Ana Pérez")
    assert (ana.email, ana.phone, ana.languages, ana.age_band, ana.gender) == ("ana@example.org", "+52 55 1234 5678", ["es", "en"], "35-44", "woman")
    affiliation = ana.affiliations.get()
    assert (affiliation.organization, affiliation.position, affiliation.staff_level) == (cast.organization, "Directora", "leadership")
    colibri = Person.objects.get(community=cast.community, display_name="Colibrí")
    assert colibri.is_pseudonym and colibri.languages == ["es"] and not colibri.affiliations.exists()
    assert result.created == {"people": 2, "affiliations": 1}


def test_it_imports_a_workbook_whose_people_belong_to_organizations_of_the_same_file(cast):
    data = xlsx_bytes({
        "Organizaciones": [["nombre", "tipo", "ano_fundacion"], ["Nueva Red", "network", 2010]],
        "Personas": [["nombre", "organizacion", "puesto", "telefono"], ["Luis", "Nueva Red", "Enlace", 5512345678]],
    })
    result = run(cast, data, kind="registry", filename="registro.xlsx")
    assert result.ok, problems(result)
    luis = Person.objects.get(community=cast.community, display_name="Luis")
    assert luis.phone == "5512345678"
    assert luis.affiliations.get().organization.name == "Nueva Red"
    assert Organization.objects.get(community=cast.community, name="Nueva Red").founding_year == 2010


def test_a_check_reports_what_would_be_created_and_changes_nothing(cast):
    before = org_count(cast.community)
    result = run(cast, csv_bytes([["name"], ["Uno"], ["Dos"]]), dry_run=True)
    assert result.ok and not result.committed
    assert result.created["organizations"] == 2 and result.examples == ["Uno", "Dos"]
    assert org_count(cast.community) == before
    assert not AuditEvent.objects.filter(action="data.import").exists()


def test_text_that_looks_like_script_is_stored_as_text(cast):
    result = run(cast, csv_bytes([["name", "description"], ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]]))
    assert result.ok
    organization = Organization.objects.get(community=cast.community, name="<script>alert(1)</script>")
    assert organization.description == "<img src=x onerror=alert(1)>"


# --- import: bad input changes nothing ---------------------------------------------------

def test_one_bad_row_blocks_the_whole_file_and_every_problem_is_reported(cast):
    before = org_count(cast.community)
    data = csv_bytes([
        ["nombre", "tipo", "estado", "ano_fundacion", "sitio_web"],
        ["Buena", "cso", "SON", "2001", ""],
        ["Mala 1", "sindicato", "SON", "", ""],
        ["Mala 2", "cso", "Atlantis", "mil", ""],
        ["", "cso", "", "", ""],
        ["Mala 3", "cso", "", "1700", "no es una url"],
    ])
    result = run(cast, data)
    assert not result.ok and not result.committed
    assert org_count(cast.community) == before
    found = {(row, column) for row, column, _message in problems(result)}
    assert {(3, "tipo"), (4, "estado"), (4, "ano_fundacion"), (5, "nombre"), (6, "ano_fundacion"), (6, "sitio_web")} <= found
    assert (2, "nombre") not in found
    assert not AuditEvent.objects.filter(action="data.import").exists()


def test_problems_are_translated(cast):
    with translation.override("es"):
        result = run(cast, csv_bytes([["name", "founding_year"], ["", "1998"]]))
    assert any("Este campo no puede estar vacío" in message for _row, _column, message in problems(result))


def test_duplicate_names_in_the_file_and_in_the_community_are_reported(cast):
    data = csv_bytes([["name"], ["Nueva"], [" nueva "], [cast.organization.name]])
    result = run(cast, data)
    rows = {row: message for row, _column, message in problems(result)}
    assert set(rows) == {3, 4}
    assert "row 2" in rows[3]
    assert "already exists" in rows[4]
    assert not Organization.objects.filter(name="Nueva").exists()


def test_people_must_belong_to_organizations_of_this_community(cast):
    data = csv_bytes([
        ["display_name", "organization", "position"],
        ["Ok", cast.organization.name, ""],
        ["Foreign", cast.foreign_organization.name, ""],
        ["Ghost", "Organización que no existe", ""],
        ["Loose", "", "Coordinadora"],
    ])
    result = run(cast, data, kind="people")
    assert [(row, column) for row, column, _message in problems(result)] == [(3, "organization"), (4, "organization"), (5, "position")]
    assert not Person.objects.filter(display_name__in=["Ok", "Foreign"]).exists()
    assert not cast.foreign_organization.affiliations.exists()


def test_duplicate_people_are_told_apart_by_email(cast):
    services.person_create(actor=cast.users["steward"], community=cast.community, display_name="Existing", email="known@example.org")
    data = csv_bytes([
        ["display_name", "email"],
        ["María López", "maria1@example.org"],
        ["María López", "maria2@example.org"],  # same name, another person
        ["Otra", "MARIA1@example.org"],
        ["Someone", "known@example.org"],
        ["Existing", ""],
    ])
    result = run(cast, data, kind="people")
    assert [row for row, _column, _message in problems(result)] == [4, 5, 6]


def test_invalid_choices_and_flags_in_people_are_reported(cast):
    data = csv_bytes([["display_name", "gender", "is_pseudonym", "languages", "email"], ["X", "robot", "quizá", "klingon", "not-an-email"]])
    result = run(cast, data, kind="people")
    assert {column for _row, column, _message in problems(result)} >= {"gender", "is_pseudonym", "languages", "email"}


def test_unknown_repeated_and_missing_columns_are_reported_on_row_1(cast):
    result = run(cast, csv_bytes([["nmbre", "kind", "tipo"], ["A", "cso", "cso"]]))
    assert {(row, column) for row, column, _message in problems(result)} == {(1, "nmbre"), (1, "tipo"), (1, "name")}


def test_a_value_without_a_header_is_reported(cast):
    result = run(cast, csv_bytes([["name"], ["A", "stray"]]))
    assert problems(result)[0][:2] == (2, "column B")


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b'name,kind\n"Unclosed,cso\nB,cso\n', "x.csv", "malformed"),
    (b'name\n"A"B\n', "x.csv", "malformed"),
    ("name\nJosé\n".encode("cp1252"), "x.csv", "UTF-8"),
    (b"name\x00\x01\x02", "x.csv", "not a text CSV"),
    (b"", "x.csv", "empty"),
    (b"name\n", "x.csv", "no rows"),
    (b"name\nA\n", "x.xlsx", "not a valid XLSX"),
    (b"name\nA\n", "x.xls", ".xls"),
    (b"MZ\x90\x00", "virus.exe", "Only CSV and XLSX"),
])
def test_files_that_cannot_be_read_are_refused(cast, data, filename, message):
    before = org_count(cast.community)
    result = run(cast, data, filename=filename)
    assert len(result.problems) == 1 and result.problems[0].row is None
    assert message in result.problems[0].message
    assert org_count(cast.community) == before


def test_a_zip_that_is_not_a_workbook_is_refused(cast):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    result = run(cast, buffer.getvalue(), filename="file.xlsx")
    assert "not a valid XLSX" in result.problems[0].message


def test_a_corrupt_workbook_is_refused(cast):
    data = xlsx_bytes({"organizations": [["name"], ["A"]]})
    result = run(cast, data[: len(data) // 2], filename="file.xlsx")
    assert result.problems[0].row is None and "XLSX" in result.problems[0].message


def test_files_over_the_size_limit_are_refused(cast, settings):
    settings.TEQUIO_MAX_UPLOAD_BYTES = 100
    result = run(cast, csv_bytes([["name"], *[[f"Organization {n}"] for n in range(20)]]))
    assert "larger than the limit" in result.problems[0].message
    assert not Organization.objects.filter(name="Organization 1").exists()


def test_files_over_the_row_limit_are_refused(cast, settings):
    settings.TEQUIO_IMPORT_MAX_ROWS = 3
    assert run(cast, csv_bytes([["name"], ["A"], ["B"], ["C"]])).ok
    result = run(cast, csv_bytes([["name"], ["D"], ["E"], ["F"], ["G"]]))
    assert "more than 3 rows" in result.problems[0].message
    sheet = run(cast, xlsx_bytes({"organizations": [["name"], ["H"], ["I"], ["J"], ["K"]]}), filename="f.xlsx")
    assert "more than 3 rows" in sheet.problems[0].message
    assert not Organization.objects.filter(name__in=["D", "H"]).exists()


def test_a_workbook_without_the_named_sheets_cannot_be_a_registry(cast):
    result = run(cast, xlsx_bytes({"Hoja1": [["name"], ["A"]]}), kind="registry", filename="f.xlsx")
    assert "sheet named" in result.problems[0].message


def test_reported_problems_stop_at_a_limit(cast, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_PROBLEMS", 20)
    result = run(cast, csv_bytes([["name", "kind"], *[[f"Org {n}", "nope"] for n in range(30)]]))
    assert len(result.problems) == 20 and result.truncated


# --- export -------------------------------------------------------------------------------

EVIL = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def _evil_organization(cast):
    return services.organization_create(
        actor=cast.users["steward"], community=cast.community, name=EVIL[0], description=EVIL[2], offers=EVIL[1],
        seeks=EVIL[3], tier=EVIL[4], municipality=EVIL[5],
    )


def test_csv_export_neutralises_formulas_and_imports_back_to_the_same_text(cast):
    _evil_organization(cast)
    exported = tabular.registry_export(actor=cast.users["steward"], community=cast.community, kind="organizations", fmt="csv", language="en")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    evil_row = next(row for row in rows if "HYPERLINK" in row[0])
    for cell in evil_row:
        assert not cell.startswith(tabular.FORMULA_PREFIXES), cell
    assert evil_row[0] == "'" + EVIL[0]
    target = services.community_create(actor=make_user("target@example.org"), name="Target", slug="target")
    result = tabular.registry_import(actor=None, community=target, data=exported.content, filename="o.csv", kind="organizations")
    assert result.ok, problems(result)
    copy = Organization.objects.get(community=target, name=EVIL[0])
    assert (copy.description, copy.offers, copy.seeks, copy.tier, copy.municipality) == (EVIL[2], EVIL[1], EVIL[3], EVIL[4], EVIL[5])


def test_xlsx_export_writes_dangerous_text_as_inert_strings(cast):
    _evil_organization(cast)
    exported = tabular.registry_export(actor=cast.users["steward"], community=cast.community, kind="registry", fmt="xlsx", language="es")
    workbook = openpyxl.load_workbook(io.BytesIO(exported.content))
    assert workbook.sheetnames == ["organizaciones", "personas"]
    sheet = workbook["organizaciones"]
    assert [cell.value for cell in sheet[1]][:3] == ["nombre", "tipo", "descripcion"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert "'" + EVIL[0] in [cell.value for cell in cells]


def test_export_is_audited(cast):
    tabular.registry_export(actor=cast.users["convener"], community=cast.community, kind="people", fmt="xlsx")
    event = AuditEvent.objects.get(community=cast.community, action="data.export")
    assert event.actor == cast.users["convener"]
    assert event.data == {"kind": "people", "format": "xlsx", "rows": Person.objects.active().filter(community=cast.community).count()}


def test_sensitive_fields_are_exported_only_to_who_may_see_them(cast):
    services.person_update(actor=cast.users["member"], person=cast.person, email="member@private.example", gender="man", age_band="25-34", phone="555")
    services.community_update(actor=cast.users["convener"], community=cast.community, privacy=choices.Privacy.HIDDEN)
    cast.community.refresh_from_db()

    def row(access):
        rows = tabular.person_rows(cast.community, access=access)
        return next(r for r in rows if r[0] == cast.person.display_name)

    steward = row(access_for(cast.users["steward"], cast.community))
    ally = row(access_for(cast.users["ally"], cast.community))
    assert steward[2:4] == ["member@private.example", "555"] and steward[6:8] == ["25-34", "man"]
    assert ally[2:4] == ["", ""] and ally[6:8] == ["", ""]


def test_exported_registry_imports_into_an_empty_community_with_equal_content(cast):
    steward = cast.users["steward"]
    services.organization_create(
        actor=steward, community=cast.community, name="Red, Sur; Norte", kind="network", description="Línea 1\nLínea 2 “citada”",
        thematic_areas=["human_rights", "tema libre"], country="GT", state="Petén", excluded_groups=["youth", "rural"],
        size="51+", founding_year=1990, website="https://red.example/", offers="Talleres", seeks="Fondos", tier="A",
    )
    services.person_create(
        actor=steward, community=cast.community, display_name="Pseudo", is_pseudonym=True, languages=["es", "en"], bio="**Hola**",
        age_band="<25", gender="non_binary", email="p@example.org", phone="+52 1",
        affiliations=[{"organization": cast.other_organization, "position": "-Jefa-", "staff_level": "volunteer"}],
    )
    target_owner = make_user("owner@target.test")
    target = services.community_create(actor=target_owner, name="Target", slug="target")
    owner_person = Person.objects.get(community=target)
    for language in ("es", "en"):
        for fmt in ("csv", "xlsx"):
            Organization.objects.filter(community=target).delete()
            Person.objects.filter(community=target).exclude(pk=owner_person.pk).delete()
            for kind in ("organizations", "people"):
                exported = tabular.registry_export(actor=steward, community=cast.community, kind=kind, fmt=fmt, language=language)
                result = tabular.registry_import(actor=target_owner, community=target, data=exported.content, filename=f"x.{fmt}", kind=kind)
                assert result.ok, (language, fmt, kind, problems(result))
            assert list(tabular.organization_rows(target)) == list(tabular.organization_rows(cast.community))
            target_people = [row for row in tabular.person_rows(target, language=language) if row[0] != owner_person.display_name]
            assert target_people == list(tabular.person_rows(cast.community, language=language))
