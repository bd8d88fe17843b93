"""CSV and XLSX import and export of a community's organizations and people.

Import is all or nothing: every row goes through the same services as the forms
(``organization_create``, ``person_create``) inside one transaction, each row in
its own savepoint so that one bad row does not hide the problems of the next.
When any row has a problem, or when only a check was asked for, the transaction
is rolled back and the caller gets every problem by row and column.

Export writes the registry as people see it in a spreadsheet program, with
every text cell that a spreadsheet would run as a formula made inert. The exported
file imports again into an empty community with the same content.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import choices, services
from ..audit import audit_record
from ..geography import MEXICO_STATES, country_choices
from ..models import Affiliation, Community, Organization, Person

KINDS = ("organizations", "people")
FORMATS = ("csv", "xlsx")
# A spreadsheet program runs a cell beginning with one of these as a formula
# (OWASP "CSV injection"); exports prefix such cells with a quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"
MAX_COLUMNS = 100
# More problems than this and the file is better fixed at its source.
MAX_PROBLEMS = 500
ACCEPTED_EXTENSIONS = {"csv", "txt", "xlsx", ""}
XLSX_MEMBERS = {"[Content_Types].xml", "xl/workbook.xml"}


def max_rows() -> int:
    return int(getattr(settings, "TEQUIO_IMPORT_MAX_ROWS", 20_000))


def max_bytes() -> int:
    return int(settings.TEQUIO_MAX_UPLOAD_BYTES)


# --- columns -------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str  # the English header; the service field where there is one
    es: str  # the Spanish header
    label: Promise  # what the column holds, shown on the import page
    aliases: tuple[str, ...] = ()
    required: bool = False
    sensitive: bool = False

    def header(self, language: str) -> str:
        return self.es if language == "es" else self.key

    def names(self) -> set[str]:
        return {_norm(self.key), _norm(self.es), *(_norm(alias) for alias in self.aliases)}


ORGANIZATION_COLUMNS: tuple[Column, ...] = (
    Column("name", "nombre", gettext_lazy("Name (required, unique in the community)"), ("organization", "organizacion"), required=True),
    Column("kind", "tipo", gettext_lazy("Kind: a code or its name in English or Spanish"), ("type",)),
    Column("description", "descripcion", gettext_lazy("Description (Markdown)")),
    Column("thematic_areas", "areas_tematicas", gettext_lazy("Thematic areas, separated by “;”: codes, names or free tags"), ("themes", "temas")),
    Column("country", "pais", gettext_lazy("Country: ISO code (MX, GT, ...) or name; empty means MX")),
    Column("state", "estado", gettext_lazy("State: for Mexico a code (OAX) or name (Oaxaca)"), ("entidad", "entidad_federativa")),
    Column("municipality", "municipio", gettext_lazy("Municipality")),
    Column("excluded_groups", "grupos_excluidos", gettext_lazy("Traditionally excluded groups served, separated by “;”")),
    Column("size", "tamano", gettext_lazy("Size: 1-5, 6-20, 21-50 or 51+")),
    Column("founding_year", "ano_fundacion", gettext_lazy("Founding year"), ("ano_de_fundacion", "founded")),
    Column("website", "sitio_web", gettext_lazy("Website"), ("web", "url", "pagina_web")),
    Column("offers", "ofrece", gettext_lazy("What it offers")),
    Column("seeks", "busca", gettext_lazy("What it seeks")),
    Column("tier", "nivel", gettext_lazy("Tier (free text)")),
)

PERSON_COLUMNS: tuple[Column, ...] = (
    Column("display_name", "nombre", gettext_lazy("Name shown (required; a pseudonym is fine)"), ("name", "nombre_visible"), required=True),
    Column("is_pseudonym", "es_seudonimo", gettext_lazy("Is the name a pseudonym: yes/no, sí/no"), ("pseudonym", "seudonimo")),
    Column("email", "correo", gettext_lazy("Email"), ("correo_electronico", "e_mail"), sensitive=True),
    Column("phone", "telefono", gettext_lazy("Phone"), ("tel",), sensitive=True),
    Column("languages", "idiomas", gettext_lazy("Languages, separated by “;”: es, en, Spanish, inglés..."), ("idioma",)),
    Column("bio", "acerca_de", gettext_lazy("About (Markdown)"), ("about", "biografia")),
    Column("age_band", "rango_edad", gettext_lazy("Age band: <25, 25-34, 35-44, 45-59, 60+"), ("rango_de_edad", "edad", "age"), sensitive=True),
    Column("gender", "genero", gettext_lazy("Gender: a code or its name"), sensitive=True),
    Column("organization", "organizacion", gettext_lazy("Organization, by its exact name (in the community or in this file)")),
    Column("position", "puesto", gettext_lazy("Position in that organization"), ("cargo",)),
    Column("staff_level", "nivel_personal", gettext_lazy("Staff level: a code or its name"), ("nivel_de_personal",)),
)

COLUMNS = {"organizations": ORGANIZATION_COLUMNS, "people": PERSON_COLUMNS}
SHEET_NAMES = {"organizations": ("organizations", "organizaciones"), "people": ("people", "personas")}


def _norm(text: Any) -> str:
    """Case-, accent- and punctuation-insensitive key: “Año de fundación” -> ano_de_fundacion."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    out, gap = [], False
    for char in text:
        if char.isalnum():
            if gap and out:
                out.append("_")
            out.append(char)
            gap = False
        else:
            gap = True
    return "".join(out)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


# --- formula safety ------------------------------------------------------------------

def safe_cell(value: Any) -> Any:
    """Make a text cell inert in spreadsheet programs; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """Undo ``safe_cell`` so that an exported file imports back to the same text."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


# --- value parsing --------------------------------------------------------------------

class _Vocabulary:
    """Codes and their English and Spanish names, built once per import."""

    def __init__(self) -> None:
        self.enums: dict[type, dict[str, str]] = {}
        for enum in (choices.OrganizationKind, choices.OrganizationSize, choices.ThematicArea, choices.ExcludedGroup,
                     choices.StaffLevel, choices.AgeBand, choices.Gender):
            mapping: dict[str, str] = {}
            for language in ("en", "es"):
                with translation.override(language):
                    for value, label in enum.choices:
                        mapping.setdefault(_norm(label), value)
            for value in enum.values:
                mapping[_norm(value)] = value
            self.enums[enum] = mapping
        self.enums[choices.StaffLevel].update({"field": "field", "staff": "field", "personal_operativo": "field"})
        self.languages = {"es": "es", "en": "en", "spanish": "es", "espanol": "es", "castellano": "es", "english": "en", "ingles": "en"}
        for language in ("en", "es"):
            with translation.override(language):
                for code, label in choices.CONTENT_LANGUAGES:
                    self.languages.setdefault(_norm(label), code)
        self.countries: dict[str, str] = {}
        for language in ("en", "es"):
            with translation.override(language):
                for code, name in country_choices():
                    self.countries.setdefault(_norm(name), code)
        self.states = {_norm(code): code for code, _name in MEXICO_STATES}
        self.states.update({_norm(name): code for code, name in MEXICO_STATES})
        self.states.update({
            "cdmx": "CMX", "df": "CMX", "distrito_federal": "CMX", "mexico_city": "CMX", "mexico": "MEX", "edomex": "MEX",
            "state_of_mexico": "MEX", "coahuila_de_zaragoza": "COA", "michoacan_de_ocampo": "MIC",
            "veracruz_de_ignacio_de_la_llave": "VER", "queretaro_de_arteaga": "QUE",
        })

    def choice(self, enum, value: str) -> str:
        """The code for a code or a name; an unknown value is returned as is for the service to refuse."""
        if value in enum.values:
            return value
        return self.enums[enum].get(_norm(value), value)

    def choice_list(self, enum, value: str) -> list[str]:
        return [self.choice(enum, part.strip()) for part in value.split(LIST_SEPARATOR) if part.strip()]

    def language_list(self, value: str) -> list[str]:
        return [self.languages.get(_norm(part), part.strip()) for part in value.split(LIST_SEPARATOR) if part.strip()]

    def country(self, value: str) -> str:
        if not value:
            return "MX"
        if len(value) == 2 and value.isalpha():
            return value.upper()
        return self.countries.get(_norm(value), value)

    def state(self, country: str, value: str) -> str:
        if country != "MX" or not value:
            return value
        return self.states.get(_norm(value), value)


# The range of the model's organization_founding_year_range constraint.
FIRST_YEAR, LAST_YEAR = 1800, 2100
TRUE_WORDS = {"yes", "y", "si", "s", "true", "verdadero", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "falso", "0"}


def _boolean(value: str) -> Any:
    word = _norm(value)
    if not word or word in FALSE_WORDS:
        return False
    if word in TRUE_WORDS:
        return True
    return value  # the model field refuses it in the user's language


def _year(value: str) -> Any:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return value  # the model field refuses it in the user's language
    return int(number) if number.is_integer() else value


def _website(value: str) -> str:
    if value and "://" not in value and "." in value and " " not in value:
        return "https://" + value
    return value


# --- reading files --------------------------------------------------------------------

class FileRejected(Exception):
    """The file as a whole cannot be read; the message is translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    kind: str
    sheet: str  # worksheet title; empty for CSV
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return unescape_cell(str(value).strip())


def _extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def read_tables(data: bytes, filename: str, kind: str) -> list[Table]:
    """Split an upload into tables of one kind each, checking its type by content."""
    if len(data) > max_bytes():
        raise FileRejected(_("The file is larger than the limit of %(limit)s bytes.") % {"limit": f"{max_bytes():,}"})
    extension = _extension(filename)
    if extension == "xls":
        raise FileRejected(_("Old .xls workbooks cannot be read. Save the file as .xlsx or as CSV UTF-8."))
    if extension not in ACCEPTED_EXTENSIONS:
        raise FileRejected(_("Only CSV and XLSX files can be imported."))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, kind)
    if extension == "xlsx":
        raise FileRejected(_("This file is not a valid XLSX workbook."))
    if kind not in KINDS:
        raise FileRejected(_("A CSV file holds one kind of record: import organizations and people separately."))
    return [_read_csv(data, kind)]


def csv_reader(data: bytes):
    """A strict ``csv.reader`` over an uploaded file, or FileRejected with a translated reason.

    UTF-8 (with or without Excel's BOM); the delimiter is the one the header line uses
    most: Excel writes ';' in locales where ',' is the decimal mark (Spain), ',' elsewhere.
    """
    if b"\x00" in data:
        raise FileRejected(_("This is not a text CSV file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected(_("The file is not UTF-8 text. In your spreadsheet program, save it as “CSV UTF-8”.")) from None
    if not text.strip():
        raise FileRejected(_("The file is empty."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


def _read_csv(data: bytes, kind: str) -> Table:
    reader = csv_reader(data)
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if number > max_rows() + 1:
                raise FileRejected(_("The file has more than %(limit)s rows. Split it into smaller files.") % {"limit": f"{max_rows():,}"})
            rows.append((number, [unescape_cell(cell.strip()) for cell in record]))
    except csv.Error:
        raise FileRejected(_("The CSV file is malformed near row %(row)d (check its quotes).") % {"row": number + 1}) from None
    return Table(kind=kind, sheet="", header=rows[0][1], rows=[row for row in rows[1:] if any(row[1])])


def _read_xlsx(data: bytes, kind: str) -> list[Table]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected(_("This file is not a valid XLSX workbook.")) from None
    if not names >= XLSX_MEMBERS:
        raise FileRejected(_("This file is not a valid XLSX workbook."))
    # A few kilobytes can unpack to gigabytes; a real registry never does.
    if unpacked > 20 * max_bytes():
        raise FileRejected(_("This workbook unpacks to too much data to import."))
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on corrupt input; all mean the same to the user
        raise FileRejected(_("This XLSX file could not be read. Open it in a spreadsheet program and save it again.")) from None
    try:
        sheets = {_norm(sheet.title): sheet for sheet in workbook.worksheets}
        wanted = KINDS if kind not in KINDS else (kind,)
        tables = []
        for each in wanted:
            sheet = next((sheets[name] for name in SHEET_NAMES[each] if name in sheets), None)
            if sheet is not None:
                tables.append(_sheet_table(sheet, each))
        if not tables:
            if kind not in KINDS:
                raise FileRejected(_("The workbook needs a sheet named “organizations” or “people” (or “organizaciones”, “personas”)."))
            if not workbook.worksheets:
                raise FileRejected(_("The workbook has no sheets."))
            tables.append(_sheet_table(workbook.worksheets[0], kind))
        return tables
    except FileRejected:
        raise
    except Exception:  # corrupt sheet XML surfaces only while iterating
        raise FileRejected(_("This XLSX file could not be read. Open it in a spreadsheet program and save it again.")) from None
    finally:
        workbook.close()


def _sheet_table(sheet, kind: str) -> Table:
    header_row = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
    header = [_cell_text(value) for value in header_row]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileRejected(_("The sheet “%(sheet)s” is empty.") % {"sheet": sheet.title})
    rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(sheet.iter_rows(min_row=2, max_col=len(header), values_only=True), start=2):
        if number > max_rows() + 1:
            raise FileRejected(_("The file has more than %(limit)s rows. Split it into smaller files.") % {"limit": f"{max_rows():,}"})
        cells = [_cell_text(value) for value in values]
        if any(cells):
            rows.append((number, cells))
    return Table(kind=kind, sheet=sheet.title, header=header, rows=rows)


# --- import ---------------------------------------------------------------------------

@dataclass
class Problem:
    row: int | None  # None: the file as a whole
    column: str  # the header as written in the file; empty for the whole row
    message: str
    sheet: str = ""


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    committed: bool = False
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def full(self) -> bool:
        return len(self.problems) >= MAX_PROBLEMS

    def add(self, row: int | None, column: str, message: str, sheet: str = "") -> None:
        if self.full:
            self.truncated = True
            return
        self.problems.append(Problem(row, column, str(message), sheet))


@dataclass
class _Context:
    actor: Any
    community: Community
    vocabulary: _Vocabulary
    organizations: dict[str, Organization]  # by _name_key, existing and created in this import
    person_emails: set[str]
    person_names: set[str]
    result: ImportResult


def _column_name(header: list[str], index: int) -> str:
    if index < len(header) and header[index]:
        return header[index]
    letters, number = "", index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return _("column %(letter)s") % {"letter": letters}


def _bind_header(table: Table, columns: tuple[Column, ...], result: ImportResult) -> dict[int, Column] | None:
    """Map each header cell to a known column; report unknown, repeated and missing ones."""
    known = {name: column for column in columns for name in column.names()}
    bound: dict[int, Column] = {}
    seen: dict[str, str] = {}
    ok = True
    for index, text in enumerate(table.header):
        if not text:
            continue
        column = known.get(_norm(text))
        if column is None:
            result.add(1, text, _("Unknown column. See the list of accepted columns."), table.sheet)
            ok = False
        elif column.key in seen:
            result.add(1, text, _("This column appears twice (also as “%(other)s”).") % {"other": seen[column.key]}, table.sheet)
            ok = False
        else:
            seen[column.key] = text
            bound[index] = column
    for column in columns:
        if column.required and column.key not in seen:
            result.add(1, column.key, _("Required column missing: “%(en)s” or “%(es)s”.") % {"en": column.key, "es": column.es}, table.sheet)
            ok = False
    return bound if ok else None


def _row_values(table: Table, bound: dict[int, Column], number: int, cells: list[str], result: ImportResult) -> dict[str, str] | None:
    values: dict[str, str] = {}
    ok = True
    for index, cell in enumerate(cells):
        if index in bound:
            values[bound[index].key] = cell
        elif cell:
            result.add(number, _column_name(table.header, index), _("A value in a column without a known header."), table.sheet)
            ok = False
    return values if ok else None


def _messages(error: Exception) -> list[tuple[str, str]]:
    """(field, message) pairs of a service's error; field "__all__" for the whole row."""
    if isinstance(error, IntegrityError):
        return [("__all__", _("This conflicts with an existing record."))]
    assert isinstance(error, ValidationError)
    if hasattr(error, "error_dict"):
        return [(name, message) for name, messages in error.message_dict.items() for message in messages]
    return [("__all__", message) for message in error.messages]


def _field_messages(model, fields: dict[str, Any]) -> list[tuple[str, str]]:
    """Every field-level problem of a row at once (a service stops at its first check)."""
    names = {model_field.name for model_field in model._meta.fields}
    instance = model(**{name: value for name, value in fields.items() if name in names})
    try:
        instance.clean_fields(exclude=[name for name in names if name not in fields])
    except ValidationError as error:
        return _messages(error)
    return []


def _run_row(call: Callable[[], Any], model, fields: dict[str, Any], number: int, headers: dict[str, str],
             table: Table, result: ImportResult) -> Any:
    try:
        # A savepoint per row: on PostgreSQL a failed statement would otherwise poison the rest.
        with transaction.atomic():
            return call()
    except (ValidationError, IntegrityError) as error:
        reported = []
        # Only when the service refused the row: its own messages first, then what else the fields say.
        for name, message in [*_messages(error), *_field_messages(model, fields)]:
            if (name, message) not in reported:
                reported.append((name, message))
                result.add(number, headers.get(name, "" if name == "__all__" else name), message, table.sheet)
        return None


def _import_organizations(table: Table, context: _Context) -> None:
    result, vocabulary = context.result, context.vocabulary
    bound = _bind_header(table, ORGANIZATION_COLUMNS, result)
    if bound is None:
        return
    headers = {column.key: table.header[index] for index, column in bound.items()}
    present = set(headers)
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        if result.full:
            result.truncated = True
            return
        values = _row_values(table, bound, number, cells, result)
        if values is None:
            continue
        name = values.get("name", "")
        key = _name_key(name)
        if key and key in first_row:
            result.add(number, headers["name"], _("“%(name)s” appears more than once in the file (also on row %(row)d).") % {"name": name, "row": first_row[key]}, table.sheet)
            continue
        if key and key in context.organizations:
            result.add(number, headers["name"], _("An organization named “%(name)s” already exists in this community.") % {"name": name}, table.sheet)
            continue
        if key:
            first_row[key] = number
        fields: dict[str, Any] = dict(values)
        if "kind" in present:
            if fields["kind"]:
                fields["kind"] = vocabulary.choice(choices.OrganizationKind, fields["kind"])
            else:
                del fields["kind"]
        if "size" in present:
            fields["size"] = vocabulary.choice(choices.OrganizationSize, fields["size"]) if fields["size"] else ""
        if "thematic_areas" in present:
            fields["thematic_areas"] = vocabulary.choice_list(choices.ThematicArea, fields["thematic_areas"])
        if "excluded_groups" in present:
            fields["excluded_groups"] = vocabulary.choice_list(choices.ExcludedGroup, fields["excluded_groups"])
        fields["country"] = vocabulary.country(fields.get("country", ""))
        if "state" in present:
            fields["state"] = vocabulary.state(fields["country"], fields["state"])
        if "founding_year" in present:
            fields["founding_year"] = _year(fields["founding_year"])
            if isinstance(fields["founding_year"], int) and not FIRST_YEAR <= fields["founding_year"] <= LAST_YEAR:
                # The database constraint says the same, but without naming the column.
                result.add(number, headers["founding_year"], _("Enter a year between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}, table.sheet)
                others = {name: value for name, value in fields.items() if name != "founding_year"}
                for name, message in _field_messages(Organization, others):
                    result.add(number, headers.get(name, name), message, table.sheet)
                continue
        if "website" in present:
            fields["website"] = _website(fields["website"])
        organization = _run_row(
            lambda fields=fields: services.organization_create(actor=context.actor, community=context.community, **fields),
            Organization, fields, number, headers, table, result,
        )
        if organization is not None:
            context.organizations[key] = organization
            context.result.created["organizations"] += 1
            if len(result.examples) < 10:
                result.examples.append(organization.name)


def _import_people(table: Table, context: _Context) -> None:
    result, vocabulary = context.result, context.vocabulary
    bound = _bind_header(table, PERSON_COLUMNS, result)
    if bound is None:
        return
    headers = {column.key: table.header[index] for index, column in bound.items()}
    present = set(headers)
    rows_by_email: dict[str, int] = {}
    rows_by_name: dict[str, int] = {}
    for number, cells in table.rows:
        if result.full:
            result.truncated = True
            return
        values = _row_values(table, bound, number, cells, result)
        if values is None:
            continue
        name, email = values.get("display_name", ""), values.get("email", "").strip().lower()
        # People may share a name; an email, when given, tells them apart.
        if email:
            if email in rows_by_email:
                result.add(number, headers["email"], _("“%(email)s” appears more than once in the file (also on row %(row)d).") % {"email": email, "row": rows_by_email[email]}, table.sheet)
                continue
            if email in context.person_emails:
                result.add(number, headers["email"], _("A person with the email “%(email)s” already exists in this community.") % {"email": email}, table.sheet)
                continue
            rows_by_email[email] = number
        elif _name_key(name):
            if _name_key(name) in rows_by_name:
                result.add(number, headers["display_name"], _("“%(name)s” appears more than once in the file (also on row %(row)d). Add an email to tell them apart.") % {"name": name, "row": rows_by_name[_name_key(name)]}, table.sheet)
                continue
            if _name_key(name) in context.person_names:
                result.add(number, headers["display_name"], _("A person named “%(name)s” already exists in this community. Add an email to tell them apart.") % {"name": name}, table.sheet)
                continue
        if _name_key(name):
            rows_by_name.setdefault(_name_key(name), number)
        affiliations = None
        organization_name = values.pop("organization", "")
        position = values.pop("position", "")
        staff_level = values.pop("staff_level", "")
        if organization_name:
            organization = context.organizations.get(_name_key(organization_name))
            if organization is None:
                result.add(number, headers["organization"], _("No organization named “%(name)s” in this community or in this file.") % {"name": organization_name}, table.sheet)
                continue
            affiliations = [{
                "organization": organization, "position": position,
                "staff_level": vocabulary.choice(choices.StaffLevel, staff_level) if staff_level else choices.StaffLevel.FIELD,
            }]
        elif position or staff_level:
            column = headers["position"] if position else headers["staff_level"]
            result.add(number, column, _("A position or staff level needs an organization."), table.sheet)
            continue
        fields: dict[str, Any] = dict(values)
        if "is_pseudonym" in present:
            fields["is_pseudonym"] = _boolean(fields["is_pseudonym"])
        if "languages" in present:
            fields["languages"] = vocabulary.language_list(fields["languages"])
        for key, enum in (("age_band", choices.AgeBand), ("gender", choices.Gender)):
            if key in present and fields[key]:
                fields[key] = vocabulary.choice(enum, fields[key])
        person = _run_row(
            lambda fields=fields, affiliations=affiliations: services.person_create(
                actor=context.actor, community=context.community, affiliations=affiliations, **fields
            ),
            Person, fields, number, headers, table, result,
        )
        if person is not None:
            result.created["people"] += 1
            result.created["affiliations"] += len(affiliations or [])
            if len(result.examples) < 10:
                result.examples.append(person.display_name)


def registry_import(*, actor, community: Community, data: bytes, filename: str, kind: str,
                    dry_run: bool = False) -> ImportResult:
    """Import organizations, people, or both (``kind="registry"``: an XLSX with both sheets).

    All or nothing: returns every problem by row and column and changes nothing
    when there is any, or when ``dry_run``. A successful import is audited.
    """
    result = ImportResult(kind=kind, dry_run=dry_run)
    try:
        tables = read_tables(data, filename, kind)
    except FileRejected as rejected:
        result.add(None, "", rejected.message)
        return result
    if not any(table.rows for table in tables):
        result.add(None, "", _("The file has a header but no rows to import."))
        return result
    with transaction.atomic():
        context = _Context(
            actor=actor, community=community, vocabulary=_Vocabulary(),
            organizations={
                _name_key(organization.name): organization
                for organization in Organization.objects.active().filter(community=community).only("id", "name", "community_id", "removed_at")
            },
            person_emails={email.lower() for email in Person.objects.active().filter(community=community).exclude(email="").values_list("email", flat=True)},
            person_names={_name_key(name) for name in Person.objects.active().filter(community=community).values_list("display_name", flat=True)},
            result=result,
        )
        for table in sorted(tables, key=lambda table: KINDS.index(table.kind)):
            (_import_organizations if table.kind == "organizations" else _import_people)(table, context)
        if result.problems or dry_run:
            transaction.set_rollback(True)
            return result
        audit_record(actor=actor, community=community, action="data.import", data={
            "kind": kind, "format": "xlsx" if data.startswith(b"PK") else "csv", "file": filename.rsplit("/", 1)[-1][:100],
            **dict(result.created),
        })
        result.committed = True
    return result


# --- export ---------------------------------------------------------------------------

@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _yes_no(value: bool, language: str) -> str:
    if language == "es":
        return "sí" if value else "no"
    return "yes" if value else "no"


def organization_rows(community: Community) -> Iterable[list[Any]]:
    for organization in Organization.objects.active().filter(community=community).order_by("name", "id"):
        yield [
            organization.name, organization.kind, organization.description,
            f"{LIST_SEPARATOR} ".join(organization.thematic_areas), organization.country, organization.state,
            organization.municipality, f"{LIST_SEPARATOR} ".join(organization.excluded_groups), organization.size,
            organization.founding_year if organization.founding_year is not None else "", organization.website,
            organization.offers, organization.seeks, organization.tier,
        ]


def person_rows(community: Community, *, access=None, language: str = "en") -> Iterable[list[Any]]:
    """One row per person, with their main affiliation; sensitive cells only for who may see them."""
    affiliations = Affiliation.objects.filter(organization__removed_at__isnull=True).select_related("organization").order_by("-is_primary", "created_at", "id")
    people = Person.objects.active().filter(community=community).order_by("display_name", "id").prefetch_related(
        Prefetch("affiliations", queryset=affiliations)
    )
    for person in people:
        sensitive = access is None or access.can_see_sensitive(person)
        main = next(iter(person.affiliations.all()), None)
        yield [
            person.display_name, _yes_no(person.is_pseudonym, language),
            person.email if sensitive else "", person.phone if sensitive else "",
            f"{LIST_SEPARATOR} ".join(person.languages), person.bio,
            person.age_band if sensitive else "", person.gender if sensitive else "",
            main.organization.name if main else "", main.position if main else "", main.staff_level if main else "",
        ]


def _rows(kind: str, community: Community, access, language: str) -> list[list[Any]]:
    if kind == "organizations":
        return list(organization_rows(community))
    return list(person_rows(community, access=access, language=language))


def write_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    # The byte-order mark makes Excel read the file as UTF-8 instead of the local code page.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def write_xlsx(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = openpyxl.Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            # openpyxl stores a string starting with "=" as a formula: safe_cell keeps it text.
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value)) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_title(kind: str, language: str) -> str:
    return SHEET_NAMES[kind][1 if language == "es" else 0]


def registry_export(*, actor, community: Community, kind: str, fmt: str, access=None, language: str | None = None) -> ExportFile:
    """Organizations, people, or both (``kind="registry"``, XLSX only) as a spreadsheet. Audited.

    ``access`` is the exporter's ``CommunityAccess``: sensitive person fields are left
    empty for people whose details it may not see. ``None`` (the CLI) exports everything.
    """
    if fmt not in FORMATS:
        raise ValidationError(_("Unknown export format."))
    kinds = KINDS if kind == "registry" else (kind,)
    if kind not in (*KINDS, "registry") or (kind == "registry" and fmt != "xlsx"):
        raise ValidationError(_("Unknown export."))
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    sheets = [
        (sheet_title(each, language), [column.header(language) for column in COLUMNS[each]], _rows(each, community, access, language))
        for each in kinds
    ]
    content = write_csv(sheets[0][1], sheets[0][2]) if fmt == "csv" else write_xlsx(sheets)
    rows = sum(len(sheet[2]) for sheet in sheets)
    with transaction.atomic():
        audit_record(actor=actor, community=community, action="data.export", data={"kind": kind, "format": fmt, "rows": rows})
    filename = f"{community.slug}-{kind}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    return ExportFile(content=content, filename=filename, content_type=CONTENT_TYPES[fmt], rows=rows)
