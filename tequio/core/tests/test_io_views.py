"""The import page and the export downloads."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tequio.core.models import AuditEvent, Organization
from tequio.testing.personas import PASSWORD


def client_for(client, cast, persona):
    user = cast.users[persona]
    if user is not None:
        client.login(username=user.username, password=PASSWORD)
    return client


def upload(content: bytes, name: str = "registro.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 404), ("outsider", 404), ("observer", 403), ("ally", 403), ("member", 403),
    ("steward", 200), ("convener", 200), ("admin", 200),
])
def test_the_import_page_is_for_stewards_and_conveners(client, cast, persona, status):
    response = client_for(client, cast, persona).get(reverse("core:import", args=[cast.community.slug]))
    assert response.status_code == status


def test_a_check_shows_what_would_be_imported_and_changes_nothing(client, cast):
    client_for(client, cast, "steward")
    response = client.post(reverse("core:import", args=[cast.community.slug]),
                           {"kind": "organizations", "action": "check", "file": upload(b"nombre;tipo\nUna;cso\nOtra;donor\n")})
    assert response.status_code == 200
    assert b"The file is valid" in response.content
    assert b"Una, Otra" in response.content
    assert not Organization.objects.filter(name__in=["Una", "Otra"]).exists()


def test_an_import_creates_the_records_and_says_how_many(client, cast):
    client_for(client, cast, "convener")
    url = reverse("core:import", args=[cast.community.slug])
    response = client.post(url, {"kind": "organizations", "action": "import", "file": upload(b"name\nUna\nOtra\n")}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert b"Imported: 2 organizations" in response.content
    assert Organization.objects.filter(community=cast.community, name__in=["Una", "Otra"]).count() == 2
    assert AuditEvent.objects.filter(community=cast.community, action="data.import", actor=cast.users["convener"]).exists()


def test_problems_are_listed_by_row_and_column_and_nothing_changes(client, cast):
    client_for(client, cast, "steward")
    before = Organization.objects.count()
    response = client.post(reverse("core:import", args=[cast.community.slug]),
                           {"kind": "organizations", "action": "import", "file": upload(b"name,kind\nA,cso\nB,oops\n")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 problem found" in html and "Nothing was changed" in html
    assert "<td>3</td><td>kind</td>" in html
    assert Organization.objects.count() == before


def test_an_oversized_upload_is_refused_before_it_is_read(client, cast, settings):
    settings.TEQUIO_MAX_UPLOAD_BYTES = 50
    client_for(client, cast, "steward")
    response = client.post(reverse("core:import", args=[cast.community.slug]),
                           {"kind": "organizations", "action": "import", "file": upload(b"name\n" + b"Organization\n" * 10)})
    assert response.status_code == 200
    assert b"larger than the limit" in response.content
    assert not Organization.objects.filter(name="Organization").exists()


def test_script_in_text_is_stored_and_shown_escaped(client, cast):
    client_for(client, cast, "steward")
    client.post(reverse("core:import", args=[cast.community.slug]),
                {"kind": "organizations", "action": "import", "file": upload(b"name\n<script>alert(1)</script>\n")})
    assert Organization.objects.filter(community=cast.community, name="<script>alert(1)</script>").exists()
    page = client.get(reverse("core:organizations", args=[cast.community.slug])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    # Also when the script comes back inside a problem report.
    report = client.post(reverse("core:import", args=[cast.community.slug]),
                         {"kind": "organizations", "action": "check", "file": upload(b"name,<script>x()</script>\nA,b\n")}).content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in report and "<script>x()" not in report


def test_another_communitys_import_page_is_not_found(client, cast):
    client_for(client, cast, "steward")
    response = client.post(reverse("core:import", args=[cast.other_community.slug]),
                           {"kind": "organizations", "action": "import", "file": upload(b"name\nIntruder\n")})
    assert response.status_code == 404
    assert not Organization.objects.filter(name="Intruder").exists()


def test_organizations_page_links_to_import_and_export_only_for_who_may(client, cast):
    url = reverse("core:organizations", args=[cast.community.slug])
    import_url = reverse("core:import", args=[cast.community.slug])
    assert import_url in client_for(client, cast, "steward").get(url).content.decode()
    client.logout()
    member_page = client_for(client, cast, "member").get(url).content.decode()
    assert import_url not in member_page and "/export/" not in member_page


@pytest.mark.parametrize(("kind", "fmt", "content_type"), [
    ("organizations", "csv", "text/csv; charset=utf-8"),
    ("people", "csv", "text/csv; charset=utf-8"),
    ("organizations", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("registry", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("community", "json", "application/json"),
])
def test_stewards_download_exports_and_each_is_audited(client, cast, kind, fmt, content_type):
    client_for(client, cast, "steward")
    response = client.get(reverse("core:export", args=[cast.community.slug, kind, fmt]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(community=cast.community, action="data.export")
    assert event.data["kind"] == kind and event.actor == cast.users["steward"]
    if fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames
    if fmt == "json":
        assert json.loads(response.content)["community"]["slug"] == cast.community.slug


@pytest.mark.parametrize(("persona", "status"), [("anonymous", 404), ("outsider", 404), ("observer", 403), ("member", 403)])
def test_others_cannot_export(client, cast, persona, status):
    response = client_for(client, cast, persona).get(reverse("core:export", args=[cast.community.slug, "people", "csv"]))
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="data.export").exists()


@pytest.mark.parametrize(("kind", "fmt"), [("registry", "csv"), ("invitations", "csv"), ("people", "pdf"), ("community", "xlsx")])
def test_unknown_exports_are_not_found(client, cast, kind, fmt):
    response = client_for(client, cast, "steward").get(reverse("core:export", args=[cast.community.slug, kind, fmt]))
    assert response.status_code == 404


def test_another_communitys_export_is_not_found(client, cast):
    response = client_for(client, cast, "steward").get(reverse("core:export", args=[cast.other_community.slug, "people", "csv"]))
    assert response.status_code == 404
