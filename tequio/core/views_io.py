"""The import and export pages. Each begins with the permission-checked getter."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .io import community_export, tabular
from .io.forms import ImportForm
from .permissions import get_community_for_user
from .views import _render


def data_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a spreadsheet; "check" reports every problem and changes nothing, "import" commits when all is valid."""
    access = get_community_for_user(request.user, slug, "data.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = tabular.registry_import(
            actor=request.user, community=access.community, data=upload.read(), filename=upload.name,
            kind=form.cleaned_data["kind"], dry_run=request.POST.get("action") == "check",
        )
        if result.committed:
            messages.success(request, _("Imported: %(organizations)s organizations, %(people)s people, %(affiliations)s affiliations.") % {
                "organizations": result.created["organizations"], "people": result.created["people"],
                "affiliations": result.created["affiliations"],
            })
            return redirect("core:import", slug)
    return _render(
        request, "core/import.html", access, form=form, result=result,
        column_sets=[(_("Organizations"), tabular.ORGANIZATION_COLUMNS), (_("People"), tabular.PERSON_COLUMNS)],
        max_rows=tabular.max_rows(), max_bytes=tabular.max_bytes(),
    )


def data_export(request: HttpRequest, slug: str, kind: str, fmt: str) -> HttpResponse:
    """Download organizations or people (CSV/XLSX), both (XLSX), or the whole community (JSON). Audited."""
    access = get_community_for_user(request.user, slug, "data.export")
    if kind in ("people", "registry", "community"):
        access.require("people.view")
    if kind == "community" and fmt == "json":
        data = community_export.community_export(actor=request.user, community=access.community)
        content = community_export.dumps(data).encode()
        filename, content_type = f"{access.community.slug}-community.json", "application/json"
    elif kind in (*tabular.KINDS, "registry") and fmt in tabular.FORMATS and not (kind == "registry" and fmt != "xlsx"):
        exported = tabular.registry_export(actor=request.user, community=access.community, kind=kind, fmt=fmt, access=access)
        content, filename, content_type = exported.content, exported.filename, exported.content_type
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response

