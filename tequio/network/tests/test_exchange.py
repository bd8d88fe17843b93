"""Exports (CSV, GraphML, GEXF, JSON) and tie imports (CSV, Kumu, XLSX)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import igraph as ig
import networkx as nx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tequio.core.io.community_export import community_export, community_import
from tequio.core.models import AuditEvent
from tequio.network import exchange, services
from tequio.network.models import Stakeholder, SurveyRating, Tie, TieOrigin, WaveStatus

from .conftest import DAY


@pytest.fixture
def ties(ncast):
    convener = ncast.users["convener"]
    made = [
        services.tie_record(actor=ncast.users["member"], community=ncast.community, source=ncast.mine, target=ncast.theirs,
                            type="joint_activity", started_on=DAY, note='Dijo "hola" & <adiós>'),
        services.tie_record(actor=convener, community=ncast.community, source=ncast.extra[0], target=ncast.mine,
                            type="referral", started_on=date(2023, 5, 1), ended_on=date(2024, 1, 1)),
        services.tie_record(actor=convener, community=ncast.community, source=ncast.extra[1], target=ncast.extra[2],
                            type="data_sharing"),
        services.tie_record(actor=convener, community=ncast.community, source=ncast.extra[1], target=ncast.extra[2],
                            type="information_sharing", started_on=DAY),
    ]
    services.tie_confirm(actor=ncast.partner, tie=made[0], organization=ncast.theirs)
    return made


def download(client, ncast, name):
    client.force_login(ncast.users["steward"])
    response = client.get(reverse(f"network:{name}", args=[ncast.community.slug]))
    assert response.status_code == 200
    return response.content


def test_graphml_loads_in_networkx_and_igraph_with_the_same_counts_and_attributes(ncast, ties, client, tmp_path):
    content = download(client, ncast, "export_graphml")
    path = tmp_path / "network.graphml"
    path.write_bytes(content)
    graph = nx.read_graphml(path, force_multigraph=True)
    other = ig.Graph.Read_GraphML(str(path))
    organizations = 6  # the cast's two, three extra, and the convener's
    assert graph.number_of_nodes() == other.vcount() == organizations
    assert graph.number_of_edges() == other.ecount() == 4
    assert graph.nodes[f"o{ncast.mine.pk}"]["label"] == ncast.mine.name
    assert set(other.vs["label"]) == {data["label"] for _n, data in graph.nodes(data=True)}
    referral = next(data for _a, _b, data in graph.edges(data=True) if data["tie_type"] == "referral")
    assert (referral["directed"], referral["confirmed"], referral["start"], referral["end"]) == (True, False, "2023-05-01", "2024-01-01")
    edge = other.es.find(tie_type="referral")
    assert (bool(edge["directed"]), bool(edge["confirmed"]), edge["start"], edge["end"]) == (True, False, "2023-05-01", "2024-01-01")
    assert other.vs[edge.source]["label"] == ncast.extra[0].name
    assert sorted(other.es["tie_type"]) == sorted(data["tie_type"] for _a, _b, data in graph.edges(data=True))
    assert sum(1 for _a, _b, d in graph.edges(data=True) if d["confirmed"]) == sum(bool(c) for c in other.es["confirmed"]) == 1


def test_gexf_loads_in_networkx_and_igraph_with_the_same_counts_and_attributes(ncast, ties, client, tmp_path):
    content = download(client, ncast, "export_gexf")
    path = tmp_path / "network.gexf"
    path.write_bytes(content)
    graph = nx.read_gexf(path)
    assert graph.graph["mode"] == "dynamic"
    assert graph.number_of_nodes() == 6 and graph.number_of_edges() == 4
    assert graph.nodes[f"o{ncast.theirs.pk}"]["label"] == ncast.theirs.name
    assert graph.nodes[f"o{ncast.theirs.pk}"]["kind"] == "community_group"
    referral = next(data for _a, _b, data in graph.edges(data=True) if data["tie_type"] == "referral")
    assert (referral["directed"], referral["start"], referral["end"]) == (True, "2023-05-01", "2024-01-01")
    # igraph reads no GEXF: it loads the graph networkx parsed, with every attribute kept.
    other = ig.Graph.from_networkx(graph)
    assert (other.vcount(), other.ecount()) == (6, 4)
    assert sorted(other.es["tie_type"]) == sorted(data["tie_type"] for _a, _b, data in graph.edges(data=True))
    assert set(other.vs["kind"]) == {"cso", "community_group", "academia", "government", "network", "iso"}


def test_csv_node_and_edge_lists_use_gephis_columns(ncast, ties, client):
    nodes = list(csv.DictReader(io.StringIO(download(client, ncast, "export_nodes_csv").decode("utf-8-sig"))))
    edges = list(csv.DictReader(io.StringIO(download(client, ncast, "export_edges_csv").decode("utf-8-sig"))))
    assert len(nodes) == 6 and {"Id", "Label", "kind"} <= set(nodes[0])
    assert len(edges) == 4 and {"Source", "Target", "Type", "Id", "tie_type", "confirmed", "start", "end"} <= set(edges[0])
    referral = next(row for row in edges if row["tie_type"] == "referral")
    assert (referral["Type"], referral["Source"]) == ("Directed", str(ncast.extra[0].pk))
    assert AuditEvent.objects.filter(action="network.export").count() == 2


def test_json_export_holds_nodes_and_ties(ncast, ties, client):
    data = json.loads(download(client, ncast, "export_json"))
    assert data["format"] == "tequio.network" and len(data["nodes"]) == 6 and len(data["ties"]) == 4
    assert any(tie["confirmed"] for tie in data["ties"])


def test_a_declined_tie_is_not_exported(ncast, ties, client):
    services.tie_decline(actor=ncast.partner, tie=ties[0], organization=ncast.theirs)
    data = json.loads(download(client, ncast, "export_json"))
    assert len(data["ties"]) == 3


def test_members_cannot_export(ncast, ties, client):
    client.force_login(ncast.users["member"])
    assert client.get(reverse("network:export_graphml", args=[ncast.community.slug])).status_code == 403


# --- import ----------------------------------------------------------------------------------------


def upload(client, ncast, content: bytes, name="ties.csv", default_type="information_sharing"):
    client.force_login(ncast.users["steward"])
    return client.post(reverse("network:import", args=[ncast.community.slug]),
                       {"file": SimpleUploadedFile(name, content), "default_type": default_type})


def test_a_kumu_connections_sheet_imports(ncast, client):
    content = (
        "From,To,Type,Direction,Label\n"
        f"{ncast.mine.name},{ncast.theirs.name},Joint activity,,Encuentro\n"
        f"  {ncast.extra[0].name.upper()} ,{ncast.extra[1].name},referral,directed,\n"
        f"{ncast.extra[1].name},{ncast.extra[2].name},,,\n"
    ).encode()
    response = upload(client, ncast, content, default_type="data_sharing")
    assert response.status_code == 302
    imported = Tie.objects.filter(origin=TieOrigin.IMPORT)
    assert imported.count() == 3
    assert imported.get(type="referral").source_id == ncast.extra[0].pk
    assert imported.filter(type="data_sharing").count() == 1
    assert imported.get(type="joint_activity").origin_label == "Encuentro"
    assert AuditEvent.objects.filter(action="network.import", data__ties=3).exists()


def test_our_own_edge_export_imports_back_into_another_community(ncast, ties, client):
    content = download(client, ncast, "export_edges_csv")
    Tie.objects.all().delete()
    response = upload(client, ncast, content)
    assert response.status_code == 302
    assert Tie.objects.count() == 4
    referral = Tie.objects.get(type="referral")
    assert (referral.source_id, referral.started_on, referral.ended_on) == (ncast.extra[0].pk, date(2023, 5, 1), date(2024, 1, 1))


def test_an_xlsx_workbook_with_elements_and_connections_imports_the_connections(ncast, client):
    import openpyxl

    workbook = openpyxl.Workbook()
    elements = workbook.active
    elements.title = "Elements"
    elements.append(["Label", "Type"])
    elements.append([ncast.mine.name, "CSO"])
    connections = workbook.create_sheet("Connections")
    connections.append(["From", "To", "Type", "Start"])
    connections.append([ncast.mine.name, ncast.theirs.name, "formal_alliance", date(2022, 3, 4)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert upload(client, ncast, buffer.getvalue(), name="kumu.xlsx").status_code == 302
    tie = Tie.objects.get()
    assert (tie.type, tie.started_on) == ("formal_alliance", date(2022, 3, 4))


def test_a_bad_file_is_refused_row_by_row_and_nothing_is_imported(ncast, client):
    content = (
        "From,To,Type,Start\n"
        f"{ncast.mine.name},{ncast.theirs.name},joint_activity,2024-01-01\n"
        f"{ncast.mine.name},Nadie Conocida,joint_activity,\n"
        f"{ncast.mine.name},{ncast.mine.name},joint_activity,\n"
        f"{ncast.mine.name},{ncast.extra[0].name},friendship,\n"
        f"{ncast.mine.name},{ncast.extra[1].name},,31/02/2024\n"
        f",{ncast.extra[1].name},,\n"
        f"{ncast.cast.foreign_organization.name},{ncast.mine.name},,\n"
    ).encode()
    response = upload(client, ncast, content)
    assert response.status_code == 200
    problems = response.context["problems"]
    text = "\n".join(problems)
    assert "Row 3: no organization named “Nadie Conocida” in this community." in text
    assert "Row 4: an organization cannot have a tie with itself." in text
    assert "Row 5: “friendship” is not a tie type." in text
    assert "Row 6: “31/02/2024” in start is not a date" in text
    assert "Row 7: “From” is empty." in text
    assert "Row 8: no organization named “Foreign org”" in text
    assert not Tie.objects.exists()


def test_a_duplicate_row_is_refused_and_nothing_is_imported(ncast, ties, client):
    content = (
        "Source,Target,tie_type\n"
        f"{ncast.extra[0].pk},{ncast.theirs.pk},information_sharing\n"
        f"{ncast.theirs.pk},{ncast.mine.pk},joint_activity\n"
        f"{ncast.extra[0].pk},{ncast.theirs.pk},information_sharing\n"
    ).encode()
    before = Tie.objects.count()
    problems = upload(client, ncast, content).context["problems"]
    assert any(problem.startswith("Row 3: this tie is already recorded") for problem in problems)
    assert "Row 4: the same tie as row 2." in problems
    assert Tie.objects.count() == before


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "ties.csv", "The submitted file is empty."),
    (b"\n\n", "ties.csv", "The file is empty."),
    (b"Name,Kind\nA,B\n", "ties.csv", "needs a column “From” and a column “To”"),
    (b"Label,Type\nA,B\n", "ties.csv", "elements sheet"),
    (b"\x00\x01", "ties.csv", "not a text CSV file"),
    (b"From,To\n", "ties.pdf", "Only CSV and XLSX files"),
    (b"PK\x03\x04garbage", "ties.xlsx", "not a valid XLSX workbook"),
])
def test_unreadable_files_are_refused_with_a_reason(ncast, client, content, name, message):
    response = upload(client, ncast, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Tie.objects.exists()


def test_only_stewards_import(ncast, client):
    client.force_login(ncast.users["member"])
    assert client.get(reverse("network:import", args=[ncast.community.slug])).status_code == 403


# --- the community JSON export --------------------------------------------------------------------------


def test_the_community_export_carries_the_network_and_imports_into_a_new_community(ncast, ties):
    steward = ncast.users["steward"]
    wave = services.wave_create(actor=steward, community=ncast.community, title="Ola", opens_on=DAY, status=WaveStatus.OPEN)
    response = services.survey_partners_select(actor=ncast.users["member"], wave=wave, organization=ncast.mine,
                                               partners=[ncast.theirs])
    services.survey_answer_save(actor=ncast.users["member"], response=response, submit=True,
                                ratings={ncast.theirs.pk: {"intensity": "cooperation", "reliability": 3, "mission": 4}})
    services.stakeholder_create(actor=steward, community=ncast.community, name="Fiscalía", sector="government",
                                influence=5, alignment=2, held_by=[ncast.mine])
    ask = services.ask_create(actor=ncast.users["member"], community=ncast.community, organization=ncast.mine,
                              kind="need", topic="contacts", title="Contactos en la fiscalía")
    answer = services.answer_create(actor=ncast.partner, ask=ask, organization=ncast.theirs, body="Los tenemos")
    services.answer_accept(actor=ncast.users["member"], answer=answer)
    data = json.loads(json.dumps(community_export(actor=steward, community=ncast.community)))
    assert len(data["capabilities"]["network"]["ties"]) == 5

    copy = community_import(actor=ncast.users["admin"], data=data, slug="copia")
    assert Tie.objects.filter(community=copy).count() == 5
    copied = Tie.objects.get(community=copy, type="joint_activity")
    assert copied.confirmed and copied.source.community_id == copy.pk
    assert SurveyRating.objects.get(response__wave__community=copy).mission == 4
    stakeholder = Stakeholder.objects.get(community=copy)
    assert [org.name for org in stakeholder.held_by.all()] == [ncast.mine.name]
    accepted = copy.asks.get().answers.get()
    assert accepted.tie.community_id == copy.pk


def test_a_broken_network_section_stops_the_whole_import(ncast, ties):
    data = json.loads(json.dumps(community_export(actor=ncast.users["steward"], community=ncast.community)))
    data["capabilities"]["network"]["ties"][0]["source"] = 999999
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="unknown organization id 999999"):
        community_import(actor=ncast.users["admin"], data=data, slug="rota")
    from tequio.core.models import Community

    assert not Community.objects.filter(slug="rota").exists()


def test_the_parser_reads_semicolon_csv_from_spanish_excel(ncast):
    content = f"De;A;Tipo\n{ncast.mine.name};{ncast.theirs.name};Intercambio de información\n".encode("utf-8-sig")
    from django.utils import translation

    with translation.override("es"):
        rows = exchange.parse_ties(content, "vinculos.csv", ncast.community, default_type="joint_activity")
    assert rows[0]["source"] == ncast.mine and rows[0]["type"] in {"information_sharing", "joint_activity"}
