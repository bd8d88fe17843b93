"""The network in and out of Tequio: CSV node and edge lists, GraphML, GEXF, JSON; tie imports.

Exports carry every tie the network counts (not removed, not declined) with its dates,
so that Gephi's timeline and any later analysis can rebuild the network at any date.
The edge CSV uses Gephi's column names (Source, Target, Type, Id, Label). GraphML and
GEXF are written with the standard library's XML writer: attribute values are escaped
by it, and the files load in networkx and igraph with the same counts and attributes
(tests).

Imports read CSV or XLSX in our own edge-list layout or in Kumu's (a "Connections" sheet
with From / To columns; the "Elements" sheet's Label names the organizations). Every
row is checked first; one bad row and nothing is recorded.

Also here: the ``export``/``import_`` hooks of the community JSON export.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tequio.core.io.tabular import FileRejected, csv_reader, unescape_cell, write_csv
from tequio.core.models import Community, Organization

from .models import (
    ITEMS,
    AllySuggestionDismissal,
    Answer,
    Ask,
    Stakeholder,
    SurveyRating,
    SurveyResponse,
    SurveyWave,
    Tie,
    TieType,
)

FORMAT = "tequio.network"
VERSION = 1
NODE_FIELDS = ("kind", "state", "municipality", "thematic_areas", "tier")
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://gexf.net/1.3"


@dataclass(frozen=True)
class ExportNode:
    id: int
    label: str
    kind: str
    state: str
    municipality: str
    thematic_areas: str
    tier: str


@dataclass(frozen=True)
class ExportTie:
    id: int
    source: int
    target: int
    type: str
    directed: bool
    confirmed: bool
    start: str
    end: str
    origin: str
    origin_label: str


def export_data(community: Community) -> tuple[list[ExportNode], list[ExportTie]]:
    """Organizations and the ties the network counts, in two queries."""
    nodes = [
        ExportNode(pk, name, kind, state, municipality, ";".join(themes or ()), tier)
        for pk, name, kind, state, municipality, themes, tier in Organization.objects.active()
        .filter(community=community).order_by("id")
        .values_list("id", "name", "kind", "state", "municipality", "thematic_areas", "tier")
    ]
    known = {node.id for node in nodes}
    ties = [
        ExportTie(pk, source, target, kind, directed, bool(a and b), start.isoformat() if start else "",
                  end.isoformat() if end else "", origin, label)
        for pk, source, target, kind, directed, a, b, start, end, origin, label in Tie.objects.in_network()
        .filter(community=community).order_by("id")
        .values_list("id", "source_id", "target_id", "type", "directed", "source_confirmed_at", "target_confirmed_at",
                     "started_on", "ended_on", "origin", "origin_label")
        if source in known and target in known
    ]
    return nodes, ties


def nodes_csv(nodes: list[ExportNode]) -> bytes:
    header = ["Id", "Label", "kind", "state", "municipality", "thematic_areas", "tier"]
    return write_csv(header, [[n.id, n.label, n.kind, n.state, n.municipality, n.thematic_areas, n.tier] for n in nodes])


def edges_csv(ties: list[ExportTie]) -> bytes:
    header = ["Source", "Target", "Type", "Id", "Label", "tie_type", "confirmed", "start", "end", "origin", "origin_label"]
    rows = [
        [t.source, t.target, "Directed" if t.directed else "Undirected", t.id, str(TieType(t.type).label), t.type,
         "true" if t.confirmed else "false", t.start, t.end, t.origin, t.origin_label]
        for t in ties
    ]
    return write_csv(header, rows)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def graphml(nodes: list[ExportNode], ties: list[ExportTie], name: str) -> bytes:
    """GraphML with typed keys; a directed multigraph where `directed` says if direction matters."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    keys = [("node", "label", "string"), *[("node", field, "string") for field in NODE_FIELDS],
            ("edge", "tie_type", "string"), ("edge", "directed", "boolean"), ("edge", "confirmed", "boolean"),
            ("edge", "start", "string"), ("edge", "end", "string"), ("edge", "origin", "string")]
    for scope, key, kind in keys:
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"{scope[0]}_{key}", "for": scope, "attr.name": key, "attr.type": kind})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", {"id": name, "edgedefault": "directed"})
    for node in nodes:
        element = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": f"o{node.id}"})
        for field in ("label", *NODE_FIELDS):
            ET.SubElement(element, f"{{{GRAPHML_NS}}}data", {"key": f"n_{field}"}).text = getattr(node, field)
    for tie in ties:
        element = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge",
                                {"id": f"t{tie.id}", "source": f"o{tie.source}", "target": f"o{tie.target}"})
        values = {"tie_type": tie.type, "directed": "true" if tie.directed else "false",
                  "confirmed": "true" if tie.confirmed else "false", "start": tie.start, "end": tie.end, "origin": tie.origin}
        for field, value in values.items():
            ET.SubElement(element, f"{{{GRAPHML_NS}}}data", {"key": f"e_{field}"}).text = value
    return _xml(root)


def gexf(nodes: list[ExportNode], ties: list[ExportTie], name: str) -> bytes:
    """GEXF 1.3 for Gephi: dynamic, so that each tie's start and end feed Gephi's timeline."""
    ET.register_namespace("", GEXF_NS)
    root = ET.Element(f"{{{GEXF_NS}}}gexf", {"version": "1.3"})
    meta = ET.SubElement(root, f"{{{GEXF_NS}}}meta", {"lastmodifieddate": timezone.localdate().isoformat()})
    ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "Tequio"
    ET.SubElement(meta, f"{{{GEXF_NS}}}description").text = name
    graph = ET.SubElement(root, f"{{{GEXF_NS}}}graph",
                          {"defaultedgetype": "directed", "mode": "dynamic", "timeformat": "date"})
    node_attributes = ET.SubElement(graph, f"{{{GEXF_NS}}}attributes", {"class": "node", "mode": "static"})
    for index, field in enumerate(NODE_FIELDS):
        ET.SubElement(node_attributes, f"{{{GEXF_NS}}}attribute", {"id": f"n{index}", "title": field, "type": "string"})
    edge_fields = (("tie_type", "string"), ("directed", "boolean"), ("confirmed", "boolean"), ("origin", "string"))
    edge_attributes = ET.SubElement(graph, f"{{{GEXF_NS}}}attributes", {"class": "edge", "mode": "static"})
    for index, (field, kind) in enumerate(edge_fields):
        ET.SubElement(edge_attributes, f"{{{GEXF_NS}}}attribute", {"id": f"e{index}", "title": field, "type": kind})
    node_list = ET.SubElement(graph, f"{{{GEXF_NS}}}nodes")
    for node in nodes:
        element = ET.SubElement(node_list, f"{{{GEXF_NS}}}node", {"id": f"o{node.id}", "label": node.label})
        values = ET.SubElement(element, f"{{{GEXF_NS}}}attvalues")
        for index, field in enumerate(NODE_FIELDS):
            ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": f"n{index}", "value": getattr(node, field)})
    edge_list = ET.SubElement(graph, f"{{{GEXF_NS}}}edges")
    for tie in ties:
        attributes = {"id": f"t{tie.id}", "source": f"o{tie.source}", "target": f"o{tie.target}",
                      "label": str(TieType(tie.type).label)}
        if tie.start:
            attributes["start"] = tie.start
        if tie.end:
            attributes["end"] = tie.end
        element = ET.SubElement(edge_list, f"{{{GEXF_NS}}}edge", attributes)
        values = ET.SubElement(element, f"{{{GEXF_NS}}}attvalues")
        for index, (field, _kind) in enumerate(edge_fields):
            value = getattr(tie, field if field != "tie_type" else "type")
            if isinstance(value, bool):
                value = "true" if value else "false"
            ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": f"e{index}", "value": value})
    return _xml(root)


def network_json(nodes: list[ExportNode], ties: list[ExportTie], community: Community) -> bytes:
    data = {
        "format": FORMAT,
        "version": VERSION,
        "community": community.slug,
        "exported_at": timezone.now().isoformat(),
        "nodes": [node.__dict__ | {"thematic_areas": [t for t in node.thematic_areas.split(";") if t]} for node in nodes],
        "ties": [tie.__dict__ for tie in ties],
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


# --- tie import -------------------------------------------------------------------------------------


def _norm(text: Any) -> str:
    """Case-, accent- and punctuation-insensitive key: “Dirección” -> direccion."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    return "_".join("".join(char if char.isalnum() else " " for char in text).split())


def _name_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


COLUMNS = {
    "from": {"from", "source", "de", "origen", "desde_organizacion", "organization", "organizacion"},
    "to": {"to", "target", "a", "para", "destino", "other_organization", "otra_organizacion"},
    "type": {"type", "tie_type", "tipo", "tipo_de_vinculo", "connection_type"},
    "direction": {"direction", "directed", "direccion", "dirigido"},
    "start": {"start", "started_on", "start_date", "inicio", "fecha_de_inicio", "since", "desde"},
    "end": {"end", "ended_on", "end_date", "fin", "fecha_de_fin", "until", "hasta"},
    "label": {"label", "etiqueta", "origin_label"},
    "note": {"description", "note", "nota", "descripcion"},
}
DIRECTION_WORDS = {
    "directed": True, "dirigido": True, "dirigida": True, "true": True, "yes": True, "si": True, "1": True,
    "undirected": False, "no_dirigido": False, "no_dirigida": False, "mutual": False, "false": False, "no": False,
    "0": False,
}
SHEET_NAMES = ("connections", "conexiones", "ties", "vinculos", "edges", "aristas")


# Spanish names people write in their spreadsheets, whatever the catalog's wording.
TYPE_ALIASES = {
    "intercambio_de_informacion": TieType.INFORMATION_SHARING, "informacion": TieType.INFORMATION_SHARING,
    "actividad_conjunta": TieType.JOINT_ACTIVITY, "actividades_conjuntas": TieType.JOINT_ACTIVITY,
    "intercambio_de_recursos": TieType.RESOURCE_SHARING, "recursos_compartidos": TieType.RESOURCE_SHARING,
    "recursos": TieType.RESOURCE_SHARING, "referencia": TieType.REFERRAL, "canalizacion": TieType.REFERRAL,
    "alianza_formal": TieType.FORMAL_ALLIANCE, "alianza": TieType.FORMAL_ALLIANCE, "convenio": TieType.FORMAL_ALLIANCE,
    "intercambio_de_datos": TieType.DATA_SHARING, "datos_compartidos": TieType.DATA_SHARING, "datos": TieType.DATA_SHARING,
}


def _tie_type_words() -> dict[str, str]:
    from django.utils import translation

    words = dict(TYPE_ALIASES)
    for value, label in TieType.choices:
        words[_norm(value)] = value
        for language in ("en", "es"):
            with translation.override(language):
                words[_norm(str(label))] = value
    return words


def _read_csv(data: bytes) -> list[list[str]]:
    reader = csv_reader(data)
    try:
        return [[unescape_cell(cell.strip()) for cell in record] for record in reader]
    except csv.Error:
        raise FileRejected(_("The CSV file is malformed (check its quotes).")) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unescape_cell(str(value).strip())


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected(_("This file is not a valid XLSX workbook.")) from None
    if unpacked > 20 * settings.TEQUIO_MAX_UPLOAD_BYTES:
        raise FileRejected(_("This workbook unpacks to too much data to import."))
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on corrupt input; all mean the same to the user
        raise FileRejected(_("This XLSX file could not be read. Open it in a spreadsheet program and save it again.")) from None
    try:
        sheets = {_norm(sheet.title): sheet for sheet in workbook.worksheets}
        sheet = next((sheets[name] for name in SHEET_NAMES if name in sheets), None)
        if sheet is None:
            sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRejected(_("The workbook has no sheets."))
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True, max_col=40)]
    except FileRejected:
        raise
    except Exception:  # corrupt sheet XML surfaces only while iterating
        raise FileRejected(_("This XLSX file could not be read. Open it in a spreadsheet program and save it again.")) from None
    finally:
        workbook.close()


def read_rows(data: bytes, filename: str) -> list[list[str]]:
    """The upload as rows of text cells (header first), refusing what cannot be a tie list."""
    if len(data) > settings.TEQUIO_MAX_UPLOAD_BYTES:
        raise FileRejected(_("The file is larger than the limit of %(limit)s bytes.") % {"limit": f"{settings.TEQUIO_MAX_UPLOAD_BYTES:,}"})
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in {"csv", "txt", "xlsx", ""}:
        raise FileRejected(_("Only CSV and XLSX files can be imported."))
    rows = _read_xlsx(data) if data.startswith(b"PK\x03\x04") else _read_csv(data)
    limit = int(getattr(settings, "TEQUIO_IMPORT_MAX_ROWS", 20_000))
    if len(rows) > limit + 1:
        raise FileRejected(_("The file has more than %(limit)s rows. Split it into smaller files.") % {"limit": f"{limit:,}"})
    return rows


def _date(value: str, line: int, column: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        problems.append(_("Row %(row)d: “%(value)s” in %(column)s is not a date (use YYYY-MM-DD).")
                        % {"row": line, "value": value, "column": column})
        return None


def parse_ties(data: bytes, filename: str, community: Community, *, default_type: str) -> list[dict[str, Any]]:
    """Rows ready for ``services.ties_import``; raises FileRejected or ValidationError (row problems)."""
    rows = read_rows(data, filename)
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise FileRejected(_("The file is empty."))
    header = [_norm(cell) for cell in rows[0]]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for key, names in COLUMNS.items():
            if name in names and key not in columns:
                columns[key] = index
    if "tie_type" in header:
        # Gephi's layout (our own export): "Type" is the direction and "tie_type" the type.
        if "direction" not in columns and "type" in header:
            columns["direction"] = header.index("type")
        columns["type"] = header.index("tie_type")
    if "from" not in columns or "to" not in columns:
        if "label" in columns:
            raise FileRejected(_("This looks like Kumu's elements sheet. Import the connections sheet (columns From and To); "
                                 "the organizations themselves come from the registry."))
        raise FileRejected(_("The file needs a column “From” and a column “To” (or “Source” and “Target”)."))
    if default_type not in TieType.values:
        raise ValidationError({"default_type": _("“%(value)s” is not a valid choice.") % {"value": default_type}})
    organizations = list(Organization.objects.active().filter(community=community))
    by_name: dict[str, Organization] = {_name_key(org.name): org for org in organizations}
    by_id = {str(org.pk): org for org in organizations}
    types = _tie_type_words()
    valid_types = ", ".join(TieType.values)
    problems: list[str] = []
    parsed: list[dict[str, Any]] = []

    def value(cells: list[str], key: str) -> str:
        index = columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def organization(text: str, line: int, column: str) -> Organization | None:
        if not text:
            problems.append(_("Row %(row)d: “%(column)s” is empty.") % {"row": line, "column": column})
            return None
        found = by_name.get(_name_key(text)) or by_id.get(text)
        if found is None:
            problems.append(_("Row %(row)d: no organization named “%(name)s” in this community.") % {"row": line, "name": text})
        return found

    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        source = organization(value(cells, "from"), line, rows[0][columns["from"]])
        target = organization(value(cells, "to"), line, rows[0][columns["to"]])
        raw_type = value(cells, "type")
        raw_direction = value(cells, "direction")
        # Gephi's edge list names the direction "Type"; our own export puts the tie type in tie_type.
        if raw_type and _norm(raw_type) in DIRECTION_WORDS and not raw_direction:
            raw_direction, raw_type = raw_type, ""
        tie_type = types.get(_norm(raw_type)) if raw_type else default_type
        if tie_type is None:
            problems.append(_("Row %(row)d: “%(value)s” is not a tie type. Use one of: %(types)s.")
                            % {"row": line, "value": raw_type, "types": valid_types})
        directed = None
        if raw_direction:
            directed = DIRECTION_WORDS.get(_norm(raw_direction))
            if directed is None:
                problems.append(_("Row %(row)d: “%(value)s” is not a direction (directed or undirected).")
                                % {"row": line, "value": raw_direction})
        started_on = _date(value(cells, "start"), line, _("start"), problems)
        ended_on = _date(value(cells, "end"), line, _("end"), problems)
        if source is not None and target is not None and source.pk == target.pk:
            problems.append(_("Row %(row)d: an organization cannot have a tie with itself.") % {"row": line})
        if started_on and ended_on and ended_on < started_on:
            problems.append(_("Row %(row)d: a tie cannot end before it starts.") % {"row": line})
        if len(problems) >= 200:
            break
        if tie_type is None:
            continue
        parsed.append({
            "line": line, "source": source, "target": target, "type": tie_type,
            "directed": directed if directed is not None else tie_type in {TieType.REFERRAL, TieType.RESOURCE_SHARING},
            "started_on": started_on, "ended_on": ended_on,
            "label": value(cells, "label")[:200], "note": value(cells, "note")[:5000],
        })
    if problems:
        raise ValidationError(problems)
    if not parsed:
        raise FileRejected(_("The file has no rows to import."))
    return parsed


def kumu_template() -> bytes:
    """An example file in Kumu's connection layout, for the import page."""
    return write_csv(["From", "To", "Type", "Direction", "Start", "End", "Label"],
                     [["Organización A", "Organización B", "joint_activity", "undirected", "2024-03-01", "", "Encuentro"]])


# --- the community JSON export hooks --------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _email(user) -> str | None:
    return user.email.strip().lower() if user is not None and user.email else None


def export_community(community: Community) -> dict[str, list[dict[str, Any]]]:
    """Every row of the network capability, referring to organizations by their export ids."""
    ties = Tie.objects.filter(community=community).select_related(
        "recorded_by", "source_confirmed_by", "target_confirmed_by", "declined_by").order_by("id")
    waves = SurveyWave.objects.filter(community=community).order_by("id")
    responses = SurveyResponse.objects.filter(wave__community=community).select_related("respondent").order_by("id")
    ratings = SurveyRating.objects.filter(response__wave__community=community).order_by("id")
    stakeholders = Stakeholder.objects.filter(community=community).prefetch_related("held_by").order_by("id")
    asks = Ask.objects.filter(community=community).select_related("posted_by").order_by("id")
    answers = Answer.objects.filter(ask__community=community).select_related("answered_by", "decided_by").order_by("id")
    return {
        "ties": [{
            "id": t.pk, "source": t.source_id, "target": t.target_id, "type": t.type, "directed": t.directed,
            "started_on": _iso(t.started_on), "ended_on": _iso(t.ended_on), "origin": t.origin, "origin_label": t.origin_label,
            "note": t.note, "source_confirmed_at": _iso(t.source_confirmed_at), "source_confirmed_by": _email(t.source_confirmed_by),
            "target_confirmed_at": _iso(t.target_confirmed_at), "target_confirmed_by": _email(t.target_confirmed_by),
            "declined_at": _iso(t.declined_at), "declined_by": _email(t.declined_by), "declined_side": t.declined_side,
            "recorded_by": _email(t.recorded_by), "created_at": _iso(t.created_at), "removed_at": _iso(t.removed_at),
        } for t in ties],
        "waves": [{
            "id": w.pk, "title": w.title, "instructions": w.instructions, "opens_on": _iso(w.opens_on),
            "closes_on": _iso(w.closes_on), "status": w.status, "created_at": _iso(w.created_at), "removed_at": _iso(w.removed_at),
        } for w in waves],
        "responses": [{
            "id": r.pk, "wave": r.wave_id, "organization": r.organization_id, "respondent": _email(r.respondent),
            "contributions": r.contributions, "outcomes": r.outcomes, "submitted_at": _iso(r.submitted_at),
            "created_at": _iso(r.created_at),
        } for r in responses],
        "ratings": [{
            "response": r.response_id, "partner": r.partner_id, "intensity": r.intensity, "frequency": r.frequency,
            **{item: getattr(r, item) for item in ITEMS},
        } for r in ratings],
        "stakeholders": [{
            "id": s.pk, "name": s.name, "sector": s.sector, "description": s.description, "influence": s.influence,
            "alignment": s.alignment, "interest": s.interest, "relation_wanted": s.relation_wanted,
            "relation_notes": s.relation_notes, "held_by": sorted(org.pk for org in s.held_by.all()),
            "created_at": _iso(s.created_at), "removed_at": _iso(s.removed_at),
        } for s in stakeholders],
        "dismissals": [{"organization": d.organization_id, "candidate": d.candidate_id, "created_at": _iso(d.created_at)}
                       for d in AllySuggestionDismissal.objects.filter(community=community).order_by("id")],
        "asks": [{
            "id": a.pk, "kind": a.kind, "topic": a.topic, "title": a.title, "body": a.body, "organization": a.organization_id,
            "posted_by": _email(a.posted_by), "status": a.status, "created_at": _iso(a.created_at), "removed_at": _iso(a.removed_at),
        } for a in asks],
        "answers": [{
            "id": a.pk, "ask": a.ask_id, "organization": a.organization_id, "answered_by": _email(a.answered_by), "body": a.body,
            "status": a.status, "decided_by": _email(a.decided_by), "decided_at": _iso(a.decided_at), "tie": a.tie_id,
            "created_at": _iso(a.created_at),
        } for a in answers],
    }


def _parse_datetime(value):
    return datetime.fromisoformat(value) if value else None


def _parse_date(value):
    return date.fromisoformat(value) if value else None


def import_community(data: dict[str, Any], community: Community, id_maps: dict[str, Any]) -> None:
    """Recreate the network rows of an export in `community` (inside core's import transaction).

    Raises ValidationError listing every problem; core then rolls the whole import back.
    """
    section = (data.get("capabilities") or {}).get("network") or {}
    if not isinstance(section, dict):
        raise ValidationError(_("The network section of the export is not an object."))
    organizations: dict = id_maps.get("organization", {})
    users: dict = id_maps.get("user", {})
    problems: list[str] = []

    def org(old, path):
        found = organizations.get(old)
        if found is None:
            problems.append(_("%(path)s: unknown organization id %(id)s.") % {"path": path, "id": old})
        return found

    def user(email):
        return users.get(email.strip().lower()) if isinstance(email, str) else None

    def rows(name: str) -> Iterable[tuple[int, dict[str, Any]]]:
        items = section.get(name) or []
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            problems.append(_("network.%(section)s: expected a list of objects.") % {"section": name})
            return []
        return enumerate(items)

    def save(instance, path: str, exclude: Iterable[str] = ()) -> bool:
        try:
            instance.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=True)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                problems.append(f"{path}.{name}: {' '.join(messages)}")
            return False
        instance.save()
        return True

    try:
        tie_map: dict[Any, Tie] = {}
        for index, row in rows("ties"):
            path = f"network.ties[{index}]"
            source, target = org(row.get("source"), path), org(row.get("target"), path)
            if source is None or target is None:
                continue
            if not row.get("directed") and source.pk > target.pk:
                source, target = target, source
                row = {**row, "source_confirmed_at": row.get("target_confirmed_at"), "target_confirmed_at": row.get("source_confirmed_at"),
                       "source_confirmed_by": row.get("target_confirmed_by"), "target_confirmed_by": row.get("source_confirmed_by"),
                       "declined_side": {"source": "target", "target": "source"}.get(row.get("declined_side") or "", "")}
            tie = Tie(
                community=community, source=source, target=target, type=row.get("type"), directed=bool(row.get("directed")),
                started_on=_parse_date(row.get("started_on")), ended_on=_parse_date(row.get("ended_on")),
                origin=row.get("origin") or "manual", origin_label=row.get("origin_label") or "", note=row.get("note") or "",
                source_confirmed_at=_parse_datetime(row.get("source_confirmed_at")), source_confirmed_by=user(row.get("source_confirmed_by")),
                target_confirmed_at=_parse_datetime(row.get("target_confirmed_at")), target_confirmed_by=user(row.get("target_confirmed_by")),
                declined_at=_parse_datetime(row.get("declined_at")), declined_by=user(row.get("declined_by")),
                declined_side=row.get("declined_side") or "", recorded_by=user(row.get("recorded_by")),
                created_at=_parse_datetime(row.get("created_at")) or timezone.now(), removed_at=_parse_datetime(row.get("removed_at")),
            )
            if save(tie, path, exclude=["recorded_by", "source_confirmed_by", "target_confirmed_by", "declined_by", "origin_type"]):
                tie_map[row.get("id")] = tie
        wave_map: dict[Any, SurveyWave] = {}
        for index, row in rows("waves"):
            wave = SurveyWave(
                community=community, title=row.get("title") or "", instructions=row.get("instructions") or "",
                opens_on=_parse_date(row.get("opens_on")), closes_on=_parse_date(row.get("closes_on")),
                status=row.get("status") or "draft", created_at=_parse_datetime(row.get("created_at")) or timezone.now(),
                removed_at=_parse_datetime(row.get("removed_at")),
            )
            if save(wave, f"network.waves[{index}]", exclude=["created_by"]):
                wave_map[row.get("id")] = wave
        response_map: dict[Any, SurveyResponse] = {}
        for index, row in rows("responses"):
            path = f"network.responses[{index}]"
            wave, organization = wave_map.get(row.get("wave")), org(row.get("organization"), path)
            if wave is None or organization is None:
                problems.append(_("%(path)s: unknown wave or organization.") % {"path": path})
                continue
            response = SurveyResponse(
                wave=wave, organization=organization, respondent=user(row.get("respondent")),
                contributions=row.get("contributions") or [], outcomes=row.get("outcomes") or [],
                submitted_at=_parse_datetime(row.get("submitted_at")), created_at=_parse_datetime(row.get("created_at")) or timezone.now(),
            )
            if save(response, path, exclude=["respondent"]):
                response_map[row.get("id")] = response
        for index, row in rows("ratings"):
            path = f"network.ratings[{index}]"
            response, partner = response_map.get(row.get("response")), org(row.get("partner"), path)
            if response is None or partner is None:
                continue
            save(SurveyRating(response=response, partner=partner, intensity=row.get("intensity") or "",
                              frequency=row.get("frequency") or "", **{item: row.get(item) for item in ITEMS}), path)
        for index, row in rows("stakeholders"):
            path = f"network.stakeholders[{index}]"
            stakeholder = Stakeholder(
                community=community, name=row.get("name") or "", sector=row.get("sector") or "", description=row.get("description") or "",
                influence=row.get("influence"), alignment=row.get("alignment"), interest=row.get("interest"),
                relation_wanted=row.get("relation_wanted") or "", relation_notes=row.get("relation_notes") or "",
                created_at=_parse_datetime(row.get("created_at")) or timezone.now(), removed_at=_parse_datetime(row.get("removed_at")),
            )
            if save(stakeholder, path, exclude=["created_by"]):
                stakeholder.held_by.set([o for o in (org(pk, path) for pk in row.get("held_by") or []) if o is not None])
        for index, row in rows("dismissals"):
            path = f"network.dismissals[{index}]"
            organization, candidate = org(row.get("organization"), path), org(row.get("candidate"), path)
            if organization is not None and candidate is not None:
                save(AllySuggestionDismissal(community=community, organization=organization, candidate=candidate), path,
                     exclude=["dismissed_by"])
        ask_map: dict[Any, Ask] = {}
        for index, row in rows("asks"):
            path = f"network.asks[{index}]"
            organization = org(row.get("organization"), path)
            if organization is None:
                continue
            ask = Ask(community=community, kind=row.get("kind") or "", topic=row.get("topic") or "", title=row.get("title") or "",
                      body=row.get("body") or "", organization=organization, posted_by=user(row.get("posted_by")),
                      status=row.get("status") or "open", created_at=_parse_datetime(row.get("created_at")) or timezone.now(),
                      removed_at=_parse_datetime(row.get("removed_at")))
            if save(ask, path, exclude=["posted_by"]):
                ask_map[row.get("id")] = ask
        for index, row in rows("answers"):
            path = f"network.answers[{index}]"
            ask, organization = ask_map.get(row.get("ask")), org(row.get("organization"), path)
            if ask is None or organization is None:
                continue
            save(Answer(ask=ask, organization=organization, answered_by=user(row.get("answered_by")), body=row.get("body") or "",
                        status=row.get("status") or "proposed", decided_by=user(row.get("decided_by")),
                        decided_at=_parse_datetime(row.get("decided_at")), tie=tie_map.get(row.get("tie")),
                        created_at=_parse_datetime(row.get("created_at")) or timezone.now()),
                 path, exclude=["answered_by", "decided_by", "tie"])
    except (TypeError, ValueError) as error:
        problems.append(_("The network section of the export is malformed: %(error)s") % {"error": error})
    if problems:
        raise ValidationError(problems[:200])

