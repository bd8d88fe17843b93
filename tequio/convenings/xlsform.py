"""Read a questionnaire from an XLSForm file (as built in KoboToolbox or ODK).

Only the ``survey`` and ``choices`` sheets matter (``settings`` gives the title).
openpyxl is enough for that; pyxform would add a Java-free but heavy dependency to
read the same two sheets. The whole file is checked before anything is created:
``parse_xlsform`` returns either a form or the list of problems, each with its
sheet and row.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import QuestionKind

# Metadata ODK collects without asking anything: not questions, skipped quietly.
METADATA_TYPES = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email",
    "audit", "start-geopoint", "background-audio",
}
# Groups only structure the phone screens; their questions are read in order.
STRUCTURE_TYPES = {"begin group", "end group", "begin_group", "end_group"}
SIMPLE_TYPES = {"integer": QuestionKind.NUMBER, "decimal": QuestionKind.NUMBER, "range": QuestionKind.NUMBER, "text": QuestionKind.SHORT_TEXT}
LIST_TYPES = {"select_one": QuestionKind.SINGLE, "select_multiple": QuestionKind.MULTIPLE, "rank": QuestionKind.RANKING}
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
MAX_ROWS = 500


@dataclass
class ParsedQuestion:
    row: int
    kind: str
    name: str
    text: str
    help: str = ""
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ParsedForm:
    title: str
    questions: list[ParsedQuestion]


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    message: str

    def __str__(self) -> str:
        if self.sheet == "-":
            return self.message
        if self.row is None:
            return _("Sheet “%(sheet)s”: %(message)s") % {"sheet": self.sheet, "message": self.message}
        return _("Sheet “%(sheet)s”, row %(row)d: %(message)s") % {"sheet": self.sheet, "row": self.row, "message": self.message}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(sheet) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """Header name -> column index, and the non-empty rows with their row numbers."""
    iterator = sheet.iter_rows(values_only=True)
    header_row = next(iterator, None) or ()
    headers = {}
    for index, value in enumerate(header_row):
        name = _cell(value).lower()
        if name and name not in headers:
            headers[name] = index
    rows = []
    for number, values in enumerate(iterator, start=2):
        cells = [_cell(value) for value in values]
        if any(cells):
            rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            break
    return headers, rows


def _label_column(headers: dict[str, int], base: str, language: str) -> int | None:
    """``label``, or a translated ``label::Español (es)`` column in the preferred language."""
    if base in headers:
        return headers[base]
    translated = [(name, index) for name, index in headers.items() if name.startswith(f"{base}::")]
    for name, index in translated:
        if name.endswith(f"({language})"):
            return index
    return translated[0][1] if translated else None


def _get(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"yes", "true", "true()", "1", "y", "sí", "si"}


def parse_xlsform(file, *, language: str = "es") -> tuple[ParsedForm | None, list[Problem]]:
    """The questions of an XLSForm workbook, or the problems that prevent reading it."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        return None, [Problem("-", None, _("This is not an XLSForm spreadsheet (.xlsx)."))]
    try:
        sheets = {name.strip().lower(): workbook[name] for name in workbook.sheetnames}
        if "survey" not in sheets:
            return None, [Problem("survey", None, _("The workbook has no “survey” sheet."))]
        problems: list[Problem] = []
        choices, choice_problems = _read_choices(sheets.get("choices"), language)
        problems += choice_problems
        headers, rows = _rows(sheets["survey"])
        if len(rows) > MAX_ROWS:
            return None, [Problem("survey", None, _("The form has more than %(max)d rows.") % {"max": MAX_ROWS})]
        for column in ("type", "name"):
            if column not in headers:
                problems.append(Problem("survey", 1, _("The “%(column)s” column is missing.") % {"column": column}))
        label_index = _label_column(headers, "label", language)
        if label_index is None:
            problems.append(Problem("survey", 1, _("The “label” column is missing.")))
        if problems:
            return None, problems
        hint_index = _label_column(headers, "hint", language)
        questions: list[ParsedQuestion] = []
        names: set[str] = set()
        for number, cells in rows:
            question, problem = _read_question(number, cells, headers, label_index, hint_index, choices)
            if problem:
                problems.append(problem)
                continue
            if question is None:
                continue
            if question.name in names:
                problems.append(Problem("survey", number, _("The name “%(name)s” is used twice.") % {"name": question.name}))
                continue
            names.add(question.name)
            questions.append(question)
        if not questions and not problems:
            problems.append(Problem("survey", None, _("The form has no questions.")))
        title = ""
        if "settings" in sheets:
            settings_headers, settings_rows = _rows(sheets["settings"])
            if settings_rows and "form_title" in settings_headers:
                title = _get(settings_rows[0][1], settings_headers["form_title"])
        return (None if problems else ParsedForm(title=title[:200], questions=questions)), problems
    finally:
        workbook.close()


def _read_choices(sheet, language: str) -> tuple[dict[str, list[tuple[str, str]]], list[Problem]]:
    if sheet is None:
        return {}, []
    headers, rows = _rows(sheet)
    label_index = _label_column(headers, "label", language)
    problems = []
    if "list_name" not in headers or "name" not in headers or label_index is None:
        return {}, [Problem("choices", 1, _("The choices sheet needs the columns list_name, name and label."))]
    lists: dict[str, list[tuple[str, str]]] = {}
    for number, cells in rows:
        list_name = _get(cells, headers["list_name"])
        value = _get(cells, headers["name"])
        label = _get(cells, label_index) or value
        if not list_name or not value:
            problems.append(Problem("choices", number, _("Each choice needs a list_name and a name.")))
            continue
        options = lists.setdefault(list_name, [])
        if any(existing == value for existing, _label in options):
            problems.append(Problem("choices", number, _("The choice “%(name)s” appears twice in list “%(list)s”.") % {"name": value, "list": list_name}))
            continue
        options.append((value[:64], label[:200]))
    return lists, problems


def _read_question(number, cells, headers, label_index, hint_index, choices):
    raw_type = " ".join(_get(cells, headers["type"]).split())
    name = _get(cells, headers["name"])
    base, _sep, list_name = raw_type.partition(" ")
    base = base.lower()
    if raw_type.lower() in STRUCTURE_TYPES or base in METADATA_TYPES or not raw_type:
        return None, None
    text = _get(cells, label_index)
    appearance = _get(cells, headers.get("appearance")).lower()
    if base in LIST_TYPES:
        kind = LIST_TYPES[base]
        if kind == QuestionKind.SINGLE and "likert" in appearance:
            kind = QuestionKind.LIKERT
        list_name = list_name.strip()
        if " or_other" in f" {list_name}":
            list_name = list_name.replace("or_other", "").strip()
        if not list_name or list_name not in choices:
            return None, Problem("survey", number, _("The choice list “%(list)s” is not in the choices sheet.") % {"list": list_name or "?"})
        options = choices[list_name]
        if len(options) < 2:
            return None, Problem("survey", number, _("A choice question needs at least two choices."))
    elif base in SIMPLE_TYPES and not list_name:
        kind = SIMPLE_TYPES[base]
        options = []
        if kind == QuestionKind.SHORT_TEXT and "multiline" in appearance:
            kind = QuestionKind.LONG_TEXT
    else:
        return None, Problem("survey", number, _("The question type “%(type)s” is not supported. Supported: select_one, select_multiple, rank, integer, decimal, range and text.") % {"type": raw_type})
    if not NAME_PATTERN.match(name):
        return None, Problem("survey", number, _("“%(name)s” is not a valid question name.") % {"name": name or "?"})
    if not text:
        return None, Problem("survey", number, _("The question “%(name)s” has no label.") % {"name": name})
    return ParsedQuestion(
        row=number, kind=kind, name=name, text=text[:500], help=_get(cells, hint_index)[:300],
        required=_truthy(_get(cells, headers.get("required"))), choices=list(options),
    ), None
