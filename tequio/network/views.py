"""Pages of the network capability.

Each view: a permission-checked getter (404 when not visible, 403 when not allowed), a
form, one service, a redirect. htmx requests get a partial of the same template. The
network page reads cached measures; it computes them inline only for small networks
and otherwise shows the last figures while the task works.
"""

from __future__ import annotations

import hashlib
import html
from datetime import date

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tequio.core.choices import OrganizationKind, label_for
from tequio.core.models import Organization
from tequio.core.permissions import CommunityAccess, get_community_for_user
from tequio.core.selectors import paginate
from tequio.core.views import render_community, url_for_each
from tequio.core.views import run_service as _run

from . import computing, exchange, selectors, services, svg
from .analysis.graph import network_diff
from .forms import (
    AnswerForm,
    AskFilterForm,
    AskForm,
    GridModeForm,
    NetworkFilterForm,
    OrganizationChoiceForm,
    PartnerSelectForm,
    StakeholderForm,
    SurveyAnswerForm,
    TieEditForm,
    TieFilterForm,
    TieForm,
    TieImportForm,
    WaveForm,
)
from .models import (
    ITEM_SHORT,
    ITEMS,
    TRUST_ITEMS,
    VALUE_ITEMS,
    AnswerStatus,
    AskKind,
    AskStatus,
    Contribution,
    Frequency,
    Intensity,
    Outcome,
    Sector,
    SnapshotStatus,
    TieOrigin,
    TieStatus,
    TieType,
    WaveStatus,
)
from .params import NetworkParams
from .permissions import (
    can_act_for,
    can_answer_ask,
    can_answer_survey,
    can_confirm_tie,
    can_edit_tie,
    can_manage_ask,
    can_record_tie,
    get_answer_for_user,
    get_ask_for_user,
    get_stakeholder_for_user,
    get_tie_for_user,
    get_wave_for_user,
    is_manager,
    require,
)

PAGE = 25
MAP_CACHE_SECONDS = 24 * 60 * 60


def _page(request, template: str, access: CommunityAccess, **context) -> HttpResponse:
    context.setdefault("section", "")
    context["is_manager"] = is_manager(access)
    return render_community(request, template, access, **context)


# --- the network page ------------------------------------------------------------------------


def _ensure_snapshot(access: CommunityAccess, params: NetworkParams, *, with_data: bool = True):
    snapshot = selectors.snapshot_get(access.community, params, with_data=with_data)
    if selectors.snapshot_is_current(snapshot):
        return snapshot
    if snapshot is not None and snapshot.status in (SnapshotStatus.PENDING, SnapshotStatus.RUNNING):
        return snapshot
    return services.snapshot_request(community=access.community, params=params)


def _measure_rows(data: dict, names: dict[int, tuple[str, str]], sort: str) -> list[dict]:
    kind_labels = {value: str(label) for value, label in OrganizationKind.choices}
    brokerage = data.get("brokerage", {})
    totals = brokerage.get("total") or [0] * len(data["ids"])
    counts = brokerage.get("counts") or [[0] * 5] * len(data["ids"])
    roles = brokerage.get("roles") or []
    rows = []
    for i, node in enumerate(data["ids"]):
        if node not in names:
            continue
        name, kind = names[node]
        role_counts = counts[i]
        dominant = max(range(len(role_counts)), key=lambda r: role_counts[r]) if role_counts and max(role_counts) else None
        rows.append({
            "id": node, "name": name, "kind": kind_labels.get(kind, kind),
            "degree": data["degree"][i], "betweenness": data["betweenness"][i], "closeness": data["closeness"][i],
            "eigenvector": data["eigenvector"][i], "constraint": data["constraint"][i], "brokerage": totals[i],
            "role": roles[dominant] if dominant is not None else "", "community": data["community"][i] + 1,
        })
    if sort == "name" or not sort:
        rows.sort(key=lambda row: row["name"].casefold())
    elif sort == "constraint":
        rows.sort(key=lambda row: (row["constraint"] is None, row["constraint"] or 0))
    elif sort == "community":
        rows.sort(key=lambda row: (row["community"], row["name"].casefold()))
    else:
        rows.sort(key=lambda row: -(row[sort] or 0))
    return rows


ROLE_LABELS = {
    "coordinator": _("coordinator"), "itinerant": _("itinerant"), "representative": _("representative"),
    "gatekeeper": _("gatekeeper"), "liaison": _("liaison"),
}


def _comparison(access: CommunityAccess, params: NetworkParams, since: date, names):
    """What changed between `since` and the map's date: ties formed and ended, pairs gained and lost."""
    loaded = selectors.network_load(access.community)
    full = computing.filtered_history(loaded.net, loaded.themes, params)
    after = params.at or timezone.localdate()
    diff = network_diff(full, since, after)
    before_snapshot = _ensure_snapshot(access, NetworkParams(
        at=since, types=params.types, kinds=params.kinds, themes=params.themes, confirmed_only=params.confirmed_only))

    def named(tie):
        return {"source": names.get(tie.source, ("?", ""))[0], "target": names.get(tie.target, ("?", ""))[0],
                "type": label_for(TieType, tie.type), "start": tie.start, "end": tie.end, "directed": tie.directed,
                "confirmed": tie.confirmed, "key": tie.key}

    return {
        "since": since, "after": after, "formed": [named(t) for t in diff.formed[:200]], "formed_count": len(diff.formed),
        "ended": [named(t) for t in diff.ended[:200]], "ended_count": len(diff.ended),
        "new_pairs": len(diff.new_pairs), "lost_pairs": len(diff.lost_pairs), "joined": len(diff.joined),
        "left": len(diff.left), "before": before_snapshot,
        "highlight": svg.Highlight(frozenset(diff.new_pairs), frozenset(diff.lost_pairs)),
    }


def _map_body(request, access: CommunityAccess, *, data: dict, names, params: NetworkParams, size_by: str, sort: str,
              comparison, form) -> str:
    """The map, its figures and tables: everything drawn from the snapshot and the names."""
    community = access.community
    slug = community.slug
    title = _("Network of %(community)s on %(day)s") % {"community": community.name, "day": data["day"]}
    rows = _measure_rows(data, names, sort)
    context = {
        "community": community, "data": data, "params": params, "size_by": size_by, "sort": sort, "form": form,
        "comparison": comparison, "page": Paginator(rows, PAGE).get_page(request.GET.get("page")),
        "map_svg": svg.network_map(
            data, names, size_by=size_by, title=title, highlight=comparison["highlight"] if comparison else None,
            organization_url=url_for_each("core:organization_detail", slug)("{id}"),
        ),
        "legend": [(svg.swatch(color), label) for color, label in svg.legend_kinds(data.get("kinds", []))],
        "edges_drawn": len(data.get("edges", [])),
        "query_without_sort": urlencode(
            [(key, value) for key in request.GET for value in request.GET.getlist(key) if key not in {"sort", "page"}]
        ),
    }
    convener = data.get("convener")
    if convener:
        context["convener"] = {**convener, "name": names.get(convener["id"], ("?", ""))[0]}
    if "ei" in data:
        context["ei_groups"] = [{**group, "label": label_for(OrganizationKind, group["group"])} for group in data["ei"]["by_group"]]
    if "brokerage" in data:
        context["roles"] = [(ROLE_LABELS[role], count) for role, count in data["brokerage"]["network"].items()]
    return render_to_string("network/partials/_map_body.html", context, request=request)


def network_map(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.view")
    community = access.community
    form = NetworkFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    params = form.params()
    # The measures stay in the database unless the drawing below is not in the cache.
    snapshot = _ensure_snapshot(access, params, with_data=False)
    has_data = snapshot is not None and snapshot.computed_at is not None
    size_by = (form.cleaned_data.get("size") if valid and request.GET else "") or "degree"
    sort = (form.cleaned_data.get("sort") if valid and request.GET else "") or "degree"
    # The page itself needs only the summary, kept in its own column.
    context = {"form": form, "snapshot": snapshot, "data": {"summary": snapshot.summary} if has_data else None,
               "params": params, "size_by": size_by, "sort": sort, "section": "map"}
    if has_data:
        names = selectors.organization_names(community)
        comparison = None
        if valid and request.GET and form.cleaned_data.get("since"):
            comparison = _comparison(access, params, form.cleaned_data["since"], names)
            comparison["convening"] = form.cleaned_data.get("convening") or ""
        context["comparison"] = comparison
        # The body depends only on the snapshot, the names and the view options: at national
        # scale drawing it costs more than the rest of the page, so it is kept in the cache,
        # with the convening choices of the filter form (both come from the measures).
        key = None if comparison else "network-map-v2:" + hashlib.blake2b(repr((
            slug, snapshot.pk, snapshot.computed_at, params.key(), size_by, sort, request.GET.get("page", ""),
            get_language(), sorted(names.items()), sorted((key, request.GET.getlist(key)) for key in request.GET),
        )).encode(), digest_size=16).hexdigest()
        cached = cache.get(key) if key else None
        if cached is None:
            data = snapshot.data or {}
            convenings = data.get("convenings", [])
            form.set_convenings(convenings)
            body = _map_body(request, access, data=data, names=names, params=params, size_by=size_by, sort=sort,
                             comparison=comparison, form=form)
            if key:
                cache.set(key, (body, convenings), MAP_CACHE_SECONDS)
        else:
            body, convenings = cached
            form.set_convenings(convenings)
        # Safe: rendered by our own template just above (or earlier, under this same key).
        context["body"] = mark_safe(body)
    else:
        form.set_convenings([])
    if request.htmx and snapshot.status in (SnapshotStatus.PENDING, SnapshotStatus.RUNNING) and not has_data:
        return _page(request, "network/partials/_pending.html", access, **context)
    return _page(request, "network/map.html", access, **context)


@require_POST
def recompute(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.manage")
    wave_id = request.POST.get("wave", "")
    if wave_id.isdigit():
        _access, wave = get_wave_for_user(request.user, slug, int(wave_id), "network.manage")
        services.snapshot_request(community=access.community, wave=wave, background=True)
        messages.success(request, _("The scores will be computed again in a moment."))
        return redirect("network:wave_detail", slug, wave.pk)
    form = NetworkFilterForm(request.POST)
    params = form.params()
    services.snapshot_request(community=access.community, params=params, background=True)
    messages.success(request, _("The measures will be computed again in a moment."))
    return redirect(reverse("network:map", args=[slug]) + ("?" + urlencode(params.query()) if params.query() else ""))


# --- ties ------------------------------------------------------------------------------------------


def ties(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.view")
    organizations = list(selectors.community_organizations(access.community).values_list("pk", "name"))
    filters = TieFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    mine = selectors.organizations_of(access)
    status = data.get("status", "")
    organization = data.get("organization") if data.get("organization") in {pk for pk, _name in organizations} else None
    # Plain string building: format_html per option costs more than the rest of the page.
    options = mark_safe("".join(
        f'<option value="{pk}"{" selected" if pk == organization else ""}>{html.escape(name)}</option>'
        for pk, name in organizations
    ))
    queryset = selectors.ties_for(access, status="" if status == "mine" else status, type=data.get("type", ""),
                                  organization=organization, awaiting=mine if status == "mine" else None)
    # Only what a row shows: a page of ties otherwise converts some 300 datetimes it never uses.
    queryset = queryset.only(
        "id", "community_id", "source_id", "target_id", "type", "directed", "started_on", "ended_on", "origin",
        "source_confirmed_at", "target_confirmed_at", "declined_at", "source__id", "source__name", "target__id", "target__name",
    )
    page = paginate(queryset, request.GET.get("page"))
    # Each label translated once per page, not once per row (get_FOO_display rebuilds its choices per call).
    labels = [{value: str(label) for value, label in choices.choices} for choices in (TieType, TieStatus, TieOrigin)]
    page.object_list = list(page.object_list)
    tie_url = url_for_each("network:tie_detail", slug)
    for tie in page.object_list:
        tie.url = tie_url(tie.pk)
        tie.type_label, tie.status_label, tie.origin_label = (
            names.get(value, value) for names, value in zip(labels, (tie.type, tie.status, tie.origin), strict=True))
    awaiting = selectors.awaiting_count(mine)
    template = "network/partials/_tie_rows.html" if request.htmx else "network/ties.html"
    return _page(request, template, access, page=page, filters=filters, mine=mine, awaiting=awaiting, section="ties",
                 can_record=access.can("network.record"), organization_options=options)


def tie_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.record")
    mine = selectors.organizations_of(access)
    all_orgs = list(selectors.community_organizations(access.community))
    own = all_orgs if is_manager(access) else [org for org in all_orgs if org.pk in mine]
    if not own:
        raise PermissionDenied
    initial = {"started_on": timezone.localdate()}
    if len(own) == 1:
        initial["source"] = str(own[0].pk)
    form = TieForm(request.POST or None, own_organizations=own, all_organizations=all_orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {org.pk: org for org in all_orgs}
        source, target = by_id.get(int(data["source"])), by_id.get(int(data["target"]))
        require(can_record_tie(access, mine, source.pk, target.pk))
        result = {}

        def call():
            result["tie"] = services.tie_record(
                actor=request.user, community=access.community, source=source, target=target, type=data["type"],
                directed=data["directed"], started_on=data["started_on"], ended_on=data["ended_on"], note=data["note"],
                speaks_for=mine,
            )

        if _run(form, call):
            messages.success(request, _("Tie recorded. The other organization will be asked to confirm it."))
            return redirect("network:tie_detail", slug, result["tie"].pk)
    return _page(request, "network/tie_form.html", access, form=form, section="ties",
                 directed_types=sorted(["referral", "resource_sharing"]))


def tie_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, tie = get_tie_for_user(request.user, slug, pk)
    tie = selectors.tie_detail(access, pk)
    mine = selectors.organizations_of(access)
    confirmable = can_confirm_tie(access, mine, tie)
    return _page(request, "network/tie_detail.html", access, tie=tie, section="ties", confirmable=[
        {"organization": org, "confirmed": getattr(tie, f"{tie.side_of(org.pk)}_confirmed_at") is not None}
        for org in (tie.source, tie.target) if org.pk in confirmable
    ], can_edit=can_edit_tie(access, mine, tie))


def tie_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, tie = get_tie_for_user(request.user, slug, pk, "network.record")
    mine = selectors.organizations_of(access)
    require(can_edit_tie(access, mine, tie))
    form = TieEditForm(request.POST or None, initial={"type": tie.type, "started_on": tie.started_on,
                                                      "ended_on": tie.ended_on, "note": tie.note})
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if _run(form, lambda: services.tie_update(actor=request.user, tie=tie, speaks_for=mine, **fields)):
            messages.success(request, _("Tie saved."))
            return redirect("network:tie_detail", slug, pk)
    return _page(request, "network/tie_edit.html", access, form=form, tie=tie, section="ties")


def _confirming_organization(request, access, tie) -> Organization:
    mine = selectors.organizations_of(access)
    allowed = can_confirm_tie(access, mine, tie)
    require(bool(allowed))
    wanted = request.POST.get("organization", "")
    if wanted.isdigit() and int(wanted) in allowed:
        chosen = int(wanted)
    elif len(allowed) == 1:
        chosen = allowed[0]
    else:
        raise PermissionDenied
    return tie.source if chosen == tie.source_id else tie.target


@require_POST
def tie_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, tie = get_tie_for_user(request.user, slug, pk, "network.record")
    organization = _confirming_organization(request, access, tie)
    services.tie_confirm(actor=request.user, tie=tie, organization=organization)
    messages.success(request, _("Tie confirmed for %(organization)s.") % {"organization": organization})
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith(f"/c/{slug}/") else
                    reverse("network:tie_detail", args=[slug, pk]))


@require_POST
def tie_decline(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, tie = get_tie_for_user(request.user, slug, pk, "network.record")
    organization = _confirming_organization(request, access, tie)
    services.tie_decline(actor=request.user, tie=tie, organization=organization)
    messages.success(request, _("Tie declined for %(organization)s. It no longer counts in the network.")
                     % {"organization": organization})
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith(f"/c/{slug}/") else
                    reverse("network:tie_detail", args=[slug, pk]))


def tie_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, tie = get_tie_for_user(request.user, slug, pk, "network.record")
    require(can_edit_tie(access, selectors.organizations_of(access), tie))
    if request.method == "POST":
        services.tie_remove(actor=request.user, tie=tie)
        messages.success(request, _("Tie removed."))
        return redirect("network:ties", slug)
    return _page(request, "core/confirm_remove.html", access, object=tie,
                 cancel_url=reverse("network:tie_detail", args=[slug, pk]))


# --- import and export ------------------------------------------------------------------------------


def tie_import(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.manage")
    form = TieImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = exchange.parse_ties(upload.read(), upload.name, access.community,
                                       default_type=form.cleaned_data["default_type"])
            created = services.ties_import(actor=request.user, community=access.community, rows=rows)
        except exchange.FileRejected as error:
            problems = [error.message]
        except ValidationError as error:
            problems = list(error.messages)
        else:
            messages.success(request, _("%(count)d ties imported. The organizations will be asked to confirm them.")
                             % {"count": len(created)})
            return redirect("network:ties", slug)
    return _page(request, "network/import.html", access, form=form, problems=problems, section="exchange")


def kumu_template(request: HttpRequest, slug: str) -> HttpResponse:
    get_community_for_user(request.user, slug, "network.manage")
    response = HttpResponse(exchange.kumu_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tequio-ties-template.csv"'
    return response


def _export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.export")
    community = access.community
    nodes, ties = exchange.export_data(community)
    name = f"{community.slug}-network"
    if fmt == "nodes.csv":
        body, content_type, filename = exchange.nodes_csv(nodes), "text/csv; charset=utf-8", f"{name}-nodes.csv"
    elif fmt == "edges.csv":
        body, content_type, filename = exchange.edges_csv(ties), "text/csv; charset=utf-8", f"{name}-edges.csv"
    elif fmt == "graphml":
        body, content_type, filename = exchange.graphml(nodes, ties, name), "application/graphml+xml", f"{name}.graphml"
    elif fmt == "gexf":
        body, content_type, filename = exchange.gexf(nodes, ties, name), "application/gexf+xml", f"{name}.gexf"
    else:
        body, content_type, filename = exchange.network_json(nodes, ties, community), "application/json", f"{name}.json"
    services.network_export_record(actor=request.user, community=community, fmt=fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_nodes_csv(request, slug):
    return _export(request, slug, "nodes.csv")


def export_edges_csv(request, slug):
    return _export(request, slug, "edges.csv")


def export_graphml(request, slug):
    return _export(request, slug, "graphml")


def export_gexf(request, slug):
    return _export(request, slug, "gexf")


def export_json(request, slug):
    return _export(request, slug, "json")


def exchange_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.export")
    return _page(request, "network/exchange.html", access, section="exchange", form=TieImportForm())


# --- survey waves ----------------------------------------------------------------------------------------


def waves(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.view")
    form = WaveForm(request.POST or None, initial={"opens_on": timezone.localdate()})
    if request.method == "POST":
        require(is_manager(access))
        result = {}
        if form.is_valid() and _run(form, lambda: result.update(
            wave=services.wave_create(actor=request.user, community=access.community, **form.cleaned_data)
        )):
            messages.success(request, _("Survey wave created."))
            return redirect("network:wave_detail", slug, result["wave"].pk)
    queryset = selectors.waves_for(access.community)
    if not is_manager(access):
        queryset = queryset.exclude(status=WaveStatus.DRAFT)
    mine = selectors.organizations_of(access)
    return _page(request, "network/waves.html", access, waves=list(queryset), form=form, section="surveys",
                 can_answer=bool(mine) and access.can("network.survey"))


def _wave_snapshot(wave):
    snapshot = selectors.wave_snapshot_get(wave)
    if selectors.snapshot_is_current(snapshot) or (
        snapshot is not None and snapshot.status in (SnapshotStatus.PENDING, SnapshotStatus.RUNNING)
    ):
        return snapshot
    return services.snapshot_request(community=wave.community, wave=wave)


def _distribution(counts: dict, choices) -> list[tuple[str, int, int]]:
    total = sum(counts.values()) or 1
    return [(str(label), counts.get(value, 0), round(100 * counts.get(value, 0) / total)) for value, label in choices]


def _pair_mean(rating, items) -> float | None:
    """A pair's score: the mean of its three items, missing if any is missing."""
    values = [getattr(rating, item) for item in items]
    return None if None in values else sum(values) / len(values)


def wave_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, wave = get_wave_for_user(request.user, slug, pk)
    mine = selectors.respondent_organizations(access)
    snapshot = _wave_snapshot(wave)
    names = selectors.organization_names(access.community)
    results = selectors.wave_results(access, wave, snapshot, mine, names)
    data = results.data
    own = []
    for org in sorted(mine):
        response = selectors.response_for(wave, org)
        rows = [(rating, _pair_mean(rating, TRUST_ITEMS), _pair_mean(rating, VALUE_ITEMS))
                for rating in (response.ratings.all() if response else [])]
        own.append((names.get(org, ("?", ""))[0], response, rows))
    context = {
        "wave": wave, "results": results, "section": "surveys", "snapshot": snapshot, "own_responses": own,
        "can_answer": can_answer_survey(access, mine, wave),
        "responded": selectors.responded_organizations(wave) if is_manager(access) else None,
        "min_aggregate": selectors.MIN_AGGREGATE,
    }
    if data:
        context["intensity"] = _distribution(data.get("intensity", {}), Intensity.choices)
        context["frequency"] = _distribution(data.get("frequency", {}), Frequency.choices)
        context["contributions"] = _distribution(data.get("contributions", {}), Contribution.choices)
        context["outcomes"] = _distribution(data.get("outcomes", {}), Outcome.choices)
    return _page(request, "network/wave_detail.html", access, **context)


def wave_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, wave = get_wave_for_user(request.user, slug, pk, "network.manage")
    form = WaveForm(request.POST or None, initial={"title": wave.title, "opens_on": wave.opens_on, "closes_on": wave.closes_on,
                                                   "status": wave.status, "instructions": wave.instructions})
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if _run(form, lambda: services.wave_update(actor=request.user, wave=wave, **fields)):
            messages.success(request, _("Survey wave saved."))
            return redirect("network:wave_detail", slug, pk)
    return _page(request, "network/wave_form.html", access, form=form, wave=wave, section="surveys")


@require_POST
def wave_ties(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _access, wave = get_wave_for_user(request.user, slug, pk, "network.manage")
    created = services.wave_ties_record(actor=request.user, wave=wave)
    messages.success(request, _("%(count)d ties added to the network from this wave.") % {"count": created})
    return redirect("network:wave_detail", slug, pk)


def wave_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Answer for one's organization: choose partners, then rate each (phone first)."""
    access, wave = get_wave_for_user(request.user, slug, pk, "network.survey")
    mine = selectors.organizations_of(access)
    require(can_answer_survey(access, mine, wave))
    organizations = list(selectors.community_organizations(access.community))
    own = [org for org in organizations if org.pk in mine]
    chosen = request.POST.get("organization") or request.GET.get("organization") or str(own[0].pk)
    organization = next((org for org in own if str(org.pk) == chosen), None)
    require(organization is not None)
    response = selectors.response_for(wave, organization.pk)
    step = request.POST.get("step") or request.GET.get("step") or ("rate" if response and response.ratings.all() else "select")
    others = [org for org in organizations if org.pk != organization.pk]
    base = reverse("network:wave_answer", args=[slug, pk])
    if step == "select":
        selected = [str(rating.partner_id) for rating in response.ratings.all()] if response else []
        form = PartnerSelectForm(request.POST if request.method == "POST" else None, organizations=others,
                                 initial={"partners": selected})
        if request.method == "POST" and form.is_valid():
            by_id = {str(org.pk): org for org in others}
            partners = [by_id[value] for value in form.cleaned_data["partners"]]
            if _run(form, lambda: services.survey_partners_select(actor=request.user, wave=wave, organization=organization,
                                                                  partners=partners)):
                return redirect(f"{base}?{urlencode({'organization': organization.pk, 'step': 'rate'})}")
        return _page(request, "network/wave_select.html", access, form=form, wave=wave, organization=organization,
                     own=own, section="surveys")
    if response is None:
        return redirect(f"{base}?{urlencode({'organization': organization.pk, 'step': 'select'})}")
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None, response=response)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        if _run(form, lambda: services.survey_answer_save(
            actor=request.user, response=response, ratings=form.ratings(), contributions=form.cleaned_data["contributions"],
            outcomes=form.cleaned_data["outcomes"], submit=submit,
        )):
            if submit:
                messages.success(request, _("Thank you: your answers count in this wave. You can change them while it is open."))
                return redirect("network:wave_detail", slug, pk)
            messages.success(request, _("Answers saved. Send them when you are ready."))
            return redirect(f"{base}?{urlencode({'organization': organization.pk, 'step': 'rate'})}")
    return _page(request, "network/wave_rate.html", access, form=form, wave=wave, organization=organization,
                 response=response, section="surveys")


def _change(values: list) -> float | None:
    """Last wave minus first, when both have a figure (the figures of hidden cells stay hidden)."""
    if len(values) < 2 or values[0] is None or values[-1] is None:
        return None
    return values[-1] - values[0]


def wave_compare(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.view")
    queryset = selectors.waves_for(access.community).exclude(status=WaveStatus.DRAFT)
    available = list(queryset)
    chosen_ids = [value for value in request.GET.getlist("wave") if value.isdigit()]
    chosen = [wave for wave in available if str(wave.pk) in chosen_ids] or available[:2][::-1]
    chosen.sort(key=lambda wave: (wave.opens_on, wave.pk))
    mine = selectors.respondent_organizations(access)
    names = selectors.organization_names(access.community)
    columns = [selectors.wave_results(access, wave, _wave_snapshot(wave), mine, names) for wave in chosen[:4]]
    measures = [("trust", _("Trust")), ("value", _("Value"))] + [(item, ITEM_SHORT[item]) for item in ITEMS]
    network_rows = []
    for measure, label in measures:
        for basis, basis_label in (("dyad", _("mean over pairs")), ("organization", _("mean over organizations"))):
            cells = [column.network.get(measure, {}).get(basis) for column in columns]
            network_rows.append((f"{label} ({basis_label})", cells,
                                 _change([None if cell is None or cell.hidden else cell.value for cell in cells])))
    organizations: dict[int, dict] = {}
    for index, column in enumerate(columns):
        for row in column.rows:
            entry = organizations.setdefault(row.organization_id, {"name": row.name, "mine": row.mine, "cells": [None] * len(columns)})
            entry["cells"][index] = row
    facts = [
        (_("Organizations that answered"), [f"{c.data.get('responses', 0)} / {c.data.get('eligible', 0)}" if c.data else "—" for c in columns],
         _change([c.data.get("responses") if c.data else None for c in columns])),
        (_("Pairs reported"), [c.data.get("pairs_reported", "—") if c.data else "—" for c in columns],
         _change([c.data.get("pairs_reported") if c.data else None for c in columns])),
        (_("Density of the reported network"), [c.data.get("density", "—") if c.data else "—" for c in columns],
         _change([c.data.get("density") if c.data else None for c in columns])),
    ]
    return _page(request, "network/wave_compare.html", access, available=available, columns=columns, section="surveys",
                 show_change=len(columns) > 1,
                 network_rows=network_rows, facts=facts, chosen=[str(w.pk) for w in chosen],
                 organizations=sorted(organizations.values(), key=lambda e: (not e["mine"], e["name"].casefold())))


# --- stakeholders --------------------------------------------------------------------------------------------


def _stakeholder_fields(data: dict, organizations) -> tuple[dict, list]:
    by_id = {str(org.pk): org for org in organizations}
    fields = {name: data[name] for name in ("name", "sector", "influence", "alignment", "interest", "relation_wanted",
                                            "relation_notes", "description")}
    return fields, [by_id[value] for value in data["held_by"] if value in by_id]


def stakeholders(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.stakeholders")
    organizations = list(selectors.community_organizations(access.community))
    form = StakeholderForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        fields, held_by = _stakeholder_fields(form.cleaned_data, organizations)
        if _run(form, lambda: services.stakeholder_create(actor=request.user, community=access.community,
                                                          held_by=held_by, **fields)):
            messages.success(request, _("Stakeholder added to the map."))
            return redirect("network:stakeholders", slug)
    mode_form = GridModeForm(request.GET or None)
    mode = (mode_form.cleaned_data.get("mode") if mode_form.is_valid() else "") or svg.GRID_MODES[0]
    items = list(selectors.stakeholders_for(access.community))
    labels = svg.quadrant_labels(mode)
    rows = []
    for stakeholder in items:
        point = svg.placement(stakeholder, mode)
        quadrant = labels[(svg.is_high(point[1]), svg.is_high(point[0]))] if point else ""
        rows.append({"stakeholder": stakeholder, "point": point, "quadrant": quadrant})
    legend = [(svg.swatch(color), label_for(Sector, value))
              for value, color in svg.SECTOR_COLORS.items() if any(s.sector == value for s in items)]
    return _page(request, "network/stakeholders.html", access, form=form, mode_form=mode_form, mode=mode, rows=rows,
                 grid=svg.stakeholder_grid(items, mode), legend=legend, section="stakeholders",
                 axes=svg.axis_labels(mode))


def stakeholder_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, stakeholder = get_stakeholder_for_user(request.user, slug, pk)
    organizations = list(selectors.community_organizations(access.community))
    initial = {name: getattr(stakeholder, name) for name in ("name", "sector", "influence", "alignment", "interest",
                                                              "relation_wanted", "relation_notes", "description")}
    initial["held_by"] = [str(pk) for pk in stakeholder.held_by.values_list("pk", flat=True)]
    form = StakeholderForm(request.POST or None, organizations=organizations, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields, held_by = _stakeholder_fields(form.cleaned_data, organizations)
        if _run(form, lambda: services.stakeholder_update(actor=request.user, stakeholder=stakeholder, held_by=held_by, **fields)):
            messages.success(request, _("Stakeholder saved."))
            return redirect("network:stakeholders", slug)
    return _page(request, "network/stakeholder_form.html", access, form=form, stakeholder=stakeholder, section="stakeholders")


def stakeholder_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, stakeholder = get_stakeholder_for_user(request.user, slug, pk)
    if request.method == "POST":
        services.stakeholder_remove(actor=request.user, stakeholder=stakeholder)
        messages.success(request, _("Stakeholder taken off the map."))
        return redirect("network:stakeholders", slug)
    return _page(request, "core/confirm_remove.html", access, object=stakeholder,
                 cancel_url=reverse("network:stakeholders", args=[slug]))


# --- ally suggestions ----------------------------------------------------------------------------------------------


def allies(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.view")
    organizations = list(selectors.community_organizations(access.community))
    mine = selectors.organizations_of(access)
    ordered = [org for org in organizations if org.pk in mine] + [org for org in organizations if org.pk not in mine]
    form = OrganizationChoiceForm(request.GET or None, organizations=ordered)
    organization = None
    if form.is_valid():
        organization = next(org for org in ordered if str(org.pk) == form.cleaned_data["organization"])
    elif ordered and not request.GET:
        organization = ordered[0]
        form = OrganizationChoiceForm(organizations=ordered, initial={"organization": str(organization.pk)})
    suggestions, dismissed = [], []
    if organization is not None:
        suggestions = selectors.ally_suggestions(access.community, organization)
        dismissed = list(selectors.dismissed_allies(organization))
    return _page(request, "network/allies.html", access, form=form, organization=organization, suggestions=suggestions,
                 dismissed=dismissed, section="allies",
                 can_dismiss=organization is not None and can_act_for(access, mine, organization.pk))


def _ally_pair(request, access) -> tuple[Organization, Organization]:
    organizations = {str(org.pk): org for org in selectors.community_organizations(access.community)}
    organization = organizations.get(request.POST.get("organization", ""))
    candidate = organizations.get(request.POST.get("candidate", ""))
    if organization is None or candidate is None:
        raise ValidationError(_("That organization is not part of this community."))
    require(can_act_for(access, selectors.organizations_of(access), organization.pk))
    return organization, candidate


@require_POST
def ally_dismiss(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.record")
    try:
        organization, candidate = _ally_pair(request, access)
        services.ally_dismiss(actor=request.user, organization=organization, candidate=candidate)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("network:allies", slug)
    messages.success(request, _("%(candidate)s will not be suggested again to %(organization)s.")
                     % {"candidate": candidate, "organization": organization})
    return redirect(f"{reverse('network:allies', args=[slug])}?{urlencode({'organization': organization.pk})}")


@require_POST
def ally_restore(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.record")
    try:
        organization, candidate = _ally_pair(request, access)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("network:allies", slug)
    services.ally_restore(actor=request.user, organization=organization, candidate_id=candidate.pk)
    messages.success(request, _("%(candidate)s can be suggested again.") % {"candidate": candidate})
    return redirect(f"{reverse('network:allies', args=[slug])}?{urlencode({'organization': organization.pk})}")


# --- asks and offers ---------------------------------------------------------------------------------------------


def asks(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_community_for_user(request.user, slug, "network.asks")
    mine = selectors.organizations_of(access)
    own = [org for org in selectors.community_organizations(access.community) if org.pk in mine]
    form = AskForm(request.POST or None, organizations=own, initial={"kind": AskKind.NEED})
    if request.method == "POST":
        require(bool(own))
        if form.is_valid():
            data = dict(form.cleaned_data)
            organization = next(org for org in own if str(org.pk) == data.pop("organization"))
            if _run(form, lambda: services.ask_create(actor=request.user, community=access.community,
                                                      organization=organization, **data)):
                messages.success(request, _("Posted. Other members can answer it now."))
                return redirect("network:asks", slug)
    filters = AskFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {"status": "open"}
    page = paginate(selectors.asks_for(access.community, kind=data.get("kind", ""), topic=data.get("topic", ""),
                                       status=data.get("status", "open")), request.GET.get("page"))
    return _page(request, "network/asks.html", access, form=form, filters=filters, page=page, can_post=bool(own),
                 section="asks")


def ask_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, ask = get_ask_for_user(request.user, slug, pk)
    ask = selectors.ask_detail(access.community, pk)
    mine = selectors.organizations_of(access)
    answering = [org for org in selectors.community_organizations(access.community) if org.pk in mine and org.pk != ask.organization_id]
    form = AnswerForm(request.POST or None, organizations=answering)
    if request.method == "POST":
        require(can_answer_ask(access, mine, ask))
        if form.is_valid():
            organization = next(org for org in answering if str(org.pk) == form.cleaned_data["organization"])
            if _run(form, lambda: services.answer_create(actor=request.user, ask=ask, organization=organization,
                                                         body=form.cleaned_data["body"])):
                messages.success(request, _("Answer sent."))
                return redirect("network:ask_detail", slug, pk)
    return _page(request, "network/ask_detail.html", access, ask=ask, form=form, section="asks",
                 can_answer=can_answer_ask(access, mine, ask) and ask.status == AskStatus.OPEN and bool(answering),
                 can_manage=can_manage_ask(access, mine, ask), proposed=AnswerStatus.PROPOSED)


@require_POST
def ask_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, ask = get_ask_for_user(request.user, slug, pk)
    require(can_manage_ask(access, selectors.organizations_of(access), ask))
    services.ask_close(actor=request.user, ask=ask)
    messages.success(request, _("Closed: no more answers will be asked for."))
    return redirect("network:ask_detail", slug, pk)


def _decide(request, slug: str, pk: int, accept: bool) -> HttpResponse:
    access, answer = get_answer_for_user(request.user, slug, pk)
    require(can_manage_ask(access, selectors.organizations_of(access), answer.ask))
    try:
        if accept:
            answer = services.answer_accept(actor=request.user, answer=answer)
            messages.success(request, _("Answer accepted: the tie is now part of the network."))
        else:
            services.answer_decline(actor=request.user, answer=answer)
            messages.success(request, _("Answer declined."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("network:ask_detail", slug, answer.ask_id)


@require_POST
def answer_accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _decide(request, slug, pk, accept=True)


@require_POST
def answer_decline(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _decide(request, slug, pk, accept=False)

