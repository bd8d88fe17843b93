"""Reads of the network capability, scoped to what the viewer may see, bounded in queries.

The network page never runs the metric suite: it reads one `MetricSnapshot` row and the
community's organization names (two queries whatever the size of the network). Survey
answers leave this module only as aggregates, except for the viewer's own organization.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from tequio.core.cached import community_cache_drop, community_cached
from tequio.core.choices import OrganizationKind, label_for
from tequio.core.models import Affiliation, Community, Organization
from tequio.core.permissions import CommunityAccess

from .analysis.allies import OrgProfile, suggest_allies
from .analysis.graph import Node, TieNetwork, build_network, network_at
from .analysis.graph import Tie as AnalysisTie
from .models import (
    ITEMS,
    AllySuggestionDismissal,
    Answer,
    Ask,
    AskKind,
    MetricSnapshot,
    SnapshotKind,
    SnapshotStatus,
    Stakeholder,
    SurveyRating,
    SurveyResponse,
    SurveyWave,
    Tie,
    WaveStatus,
)
from .params import NetworkParams

# A received or given score built from fewer answers than this is not shown to other
# organizations: with two raters, each could work out what the other one said.
MIN_AGGREGATE = 3


# --- who speaks for which organization ------------------------------------------------------


def organizations_of(access: CommunityAccess) -> set[int]:
    """Ids of the community's organizations the viewer is affiliated with (one query)."""
    user = access.user
    if not getattr(user, "is_authenticated", False) or not access.is_member:
        return set()
    return set(
        Affiliation.objects.filter(
            person__community=access.community, person__user=user, person__removed_at__isnull=True,
            organization__removed_at__isnull=True,
        ).values_list("organization_id", flat=True)
    )


def respondent_organizations(access: CommunityAccess) -> set[int]:
    """Organizations whose survey answers the viewer may read: those they can answer for.

    An observer or ally affiliated with an organization does not read its answers.
    """
    return organizations_of(access) if access.can("network.survey") else set()


def user_organization_ids(user, community: Community) -> set[int]:
    """The same for a user without an access object (services, the API)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Affiliation.objects.filter(
            person__community=community, person__user=user, person__removed_at__isnull=True,
            organization__removed_at__isnull=True,
        ).values_list("organization_id", flat=True)
    )


def community_organizations(community: Community) -> QuerySet[Organization]:
    return Organization.objects.active().filter(community=community).order_by("name", "id")


# --- loading the network for the analysis package -------------------------------------------


@dataclass(frozen=True)
class LoadedNetwork:
    """The community's network as plain data: every tie record the network counts."""

    net: TieNetwork
    themes: dict[int, tuple[str, ...]]


@functools.cache
def _network_load_sql(vendor: str) -> tuple[str, str]:
    """The two queries of `network_load`, compiled once per database vendor.

    Only the community id changes between calls, and building the querysets cost a fifth
    of loading a national network (fifty communities, two querysets each).
    """
    del vendor  # the cache key: the SQL differs between SQLite and PostgreSQL
    sentinel = -1
    organizations = (
        Organization.objects.active().filter(community_id=sentinel)
        # The registration day as text: parsing thousands of timestamps costs more than reading them.
        .annotate(registered=Cast("created_at", CharField()))
        .order_by("id").values_list("id", "kind", "state", "municipality", "thematic_areas", "tier", "registered")
    )
    # A boolean computed by the database: parsing two timestamps per tie would double the load time.
    both_confirmed = ExpressionWrapper(
        Q(source_confirmed_at__isnull=False, target_confirmed_at__isnull=False), output_field=BooleanField()
    )
    ties = (
        Tie.objects.in_network().filter(community_id=sentinel)
        .annotate(both_confirmed=both_confirmed, start=Cast("started_on", CharField()), end=Cast("ended_on", CharField()))
        .order_by("id").values_list("id", "source_id", "target_id", "type", "directed", "start", "end", "both_confirmed")
    )
    compiled = []
    for queryset in (organizations, ties):
        sql, params = queryset.query.sql_with_params()
        if tuple(params) != (sentinel,):
            raise AssertionError(f"network_load expects the community id as its only parameter, got {params!r}")
        compiled.append(sql)
    return compiled[0], compiled[1]


def _local_day_of_utc_text():
    """``"2026-11-24 00:05:12.5"`` (a UTC timestamp as the database writes it) -> the local
    day (2026-11-23 in Mexico City), the day the map's dates are in. An organization
    registered in the evening must be on that evening's map. Memoized by the minute:
    thousands of organizations share few minutes, and zones differ by whole minutes."""
    zone = timezone.get_current_timezone()

    @functools.cache
    def day(minute: str) -> date:
        return datetime.fromisoformat(minute).replace(tzinfo=UTC).astimezone(zone).date()

    return lambda text: day(text[:16])


def network_load(community: Community) -> LoadedNetwork:
    """All active organizations and every tie not removed or declined, in two queries.

    An organization enters the network on the earlier of the day it was registered and
    the start of its first tie, so that ties entered after the fact still count on their
    own dates.
    """
    organizations_sql, ties_sql = _network_load_sql(connection.vendor)
    # The ORM's per-value converters cost as much as the rest of the load on a national
    # network; the same SQL through the cursor, with dates as ISO text, gives plain values
    # that the C date parser reads below.
    with connection.cursor() as cursor:
        cursor.execute(organizations_sql, [community.pk])
        orgs = cursor.fetchall()
        cursor.execute(ties_sql, [community.pk])
        rows = cursor.fetchall()
    # Column by column: zip, map and set operations run in C, and loading a national
    # network is mostly the Python work done per tie.
    pks, sources, targets, kinds, directed, starts, ends, confirmed = zip(*rows, strict=True) if rows else ((),) * 8
    known = {row[0] for row in orgs}
    if not (known.issuperset(sources) and known.issuperset(targets)):
        # An end removed from the registry takes its ties out of the network.
        rows = [row for row in rows if row[1] in known and row[2] in known]
        pks, sources, targets, kinds, directed, starts, ends, confirmed = zip(*rows, strict=True) if rows else ((),) * 8
    parse = date.fromisoformat
    ties = list(map(
        AnalysisTie, sources, targets, kinds, map(bool, directed), [s and parse(s) for s in starts],
        [e and parse(e) for e in ends], map(bool, confirmed), pks,
    ))
    nodes = []
    themes: dict[int, tuple[str, ...]] = {}
    local_day = _local_day_of_utc_text()
    for pk, kind, state, municipality, thematic_areas, tier, created in orgs:
        nodes.append(Node(pk, kind, {"state": state, "municipality": municipality, "tier": tier},
                          since=local_day(created)))
        # SQLite hands JSON over as text, PostgreSQL's driver already decoded.
        if isinstance(thematic_areas, str):
            thematic_areas = json.loads(thematic_areas)
        themes[pk] = tuple(thematic_areas or ())
    return LoadedNetwork(build_network(nodes, ties, enter_with_first_tie=True), themes)


# --- metric snapshots ---------------------------------------------------------------------------


def snapshot_get(community: Community, params: NetworkParams, *, with_data: bool = True) -> MetricSnapshot | None:
    """The cached network measures for these parameters, if any (one query).

    ``with_data=False`` leaves the measures themselves in the database (reading
    ``snapshot.data`` then costs one more query): a national snapshot takes longer to
    decode than the rest of a page that has its drawing cached.
    """
    queryset = MetricSnapshot.objects.filter(community=community, kind=SnapshotKind.NETWORK, key=params.key())
    return (queryset if with_data else queryset.defer("data")).first()


def wave_snapshot_get(wave: SurveyWave) -> MetricSnapshot | None:
    return MetricSnapshot.objects.filter(community_id=wave.community_id, kind=SnapshotKind.WAVE, key=f"wave={wave.pk}").first()


def snapshot_is_current(snapshot: MetricSnapshot | None) -> bool:
    """Ready, not marked stale, and, for "today", computed today."""
    if snapshot is None or snapshot.status != SnapshotStatus.READY or snapshot.stale:
        return False
    if snapshot.kind == SnapshotKind.NETWORK and not snapshot.params.get("at") and snapshot.computed_at:
        return timezone.localdate(snapshot.computed_at) == timezone.localdate()
    return True


# --- ties ---------------------------------------------------------------------------------------


def ties_for(access: CommunityAccess, *, status: str = "", type: str = "", organization: int | None = None,
             origin: str = "", awaiting: set[int] | None = None) -> QuerySet[Tie]:
    """The community's ties (declined ones included, shown as such), newest first."""
    # Only the names of the two organizations are shown: their descriptions and lists stay in the database.
    heavy = ("description", "thematic_areas", "excluded_groups", "offers", "seeks", "website")
    queryset = (
        Tie.objects.active().filter(community=access.community).select_related("source", "target")
        .defer(*(f"{end}__{name}" for end in ("source", "target") for name in heavy))
    )
    if type:
        queryset = queryset.filter(type=type)
    if origin:
        queryset = queryset.filter(origin=origin)
    if organization:
        queryset = queryset.involving([organization])
    if status == "confirmed":
        queryset = queryset.confirmed().filter(declined_at__isnull=True)
    elif status == "pending":
        queryset = queryset.unconfirmed().filter(declined_at__isnull=True)
    elif status == "declined":
        queryset = queryset.filter(declined_at__isnull=False)
    if awaiting is not None:
        queryset = awaiting_confirmation(queryset, awaiting)
    return queryset


def awaiting_count(organization_ids: set[int]) -> int:
    """How many ties wait for these organizations to confirm their side.

    No community filter on purpose: organizations belong to one community, and without
    it the database answers from the two foreign-key indexes instead of scanning every
    tie of the community.
    """
    if not organization_ids:
        return 0
    return awaiting_confirmation(Tie.objects.active(), organization_ids).count()


def awaiting_confirmation(queryset: QuerySet[Tie], organization_ids: set[int]) -> QuerySet[Tie]:
    """Ties where one of these organizations has not confirmed its side yet."""
    return queryset.filter(declined_at__isnull=True).filter(
        Q(source_id__in=organization_ids, source_confirmed_at__isnull=True)
        | Q(target_id__in=organization_ids, target_confirmed_at__isnull=True)
    )


def tie_detail(access: CommunityAccess, pk: int) -> Tie | None:
    return (
        Tie.objects.active().filter(community=access.community, pk=pk)
        .select_related("source", "target", "recorded_by", "source_confirmed_by", "target_confirmed_by", "declined_by")
        .first()
    )


@dataclass(frozen=True)
class ConveningDate:
    """A day ties were recorded from a convening, for "new ties since convening X"."""

    day: date
    label: str


def convening_dates(community: Community, limit: int = 30) -> list[ConveningDate]:
    """Distinct (day, label) of ties that came from convenings, newest first."""
    rows = (
        Tie.objects.in_network().filter(community=community, origin="convening", started_on__isnull=False)
        .values_list("started_on", "origin_label").distinct().order_by("-started_on", "origin_label")[: limit * 3]
    )
    seen: dict[date, str] = {}
    for day, label in rows:
        if day not in seen or (label and not seen[day]):
            seen[day] = label
    return [ConveningDate(day, label) for day, label in list(seen.items())[:limit]]


def ties_since(community: Community, since: date, until: date | None = None) -> QuerySet[Tie]:
    """Ties that started after `since` (and up to `until`), the "new ties since convening X"."""
    queryset = Tie.objects.in_network().filter(community=community, started_on__gt=since)
    if until is not None:
        queryset = queryset.filter(started_on__lte=until)
    return queryset.select_related("source", "target").order_by("started_on", "id")


# --- the home panel -------------------------------------------------------------------------------


HOME = "network-home"


def home_changed(community_id: int) -> None:
    """Called when the measures are recomputed or a survey wave is created, opened or closed."""
    community_cache_drop(HOME, community_id)


def _home_facts(community: Community) -> dict[str, Any]:
    # The summary's own column: reading it out of `data` would make the database decode
    # every node's measures (5 ms for a national snapshot, more than all the rest of the page).
    row = MetricSnapshot.objects.filter(
        community=community, kind=SnapshotKind.NETWORK, key=NetworkParams().key()
    ).values_list("summary", "computed_at").first()
    summary, computed_at = row if row else (None, None)
    open_waves = list(SurveyWave.objects.active().filter(community=community, status=WaveStatus.OPEN)[:3])
    return {"summary": summary or None, "computed_at": computed_at, "open_waves": open_waves}


def home_panel(access: CommunityAccess) -> dict[str, Any] | None:
    """Figures for the community home: the measures' summary and the open waves (the same
    for everyone, so cached: see ``tequio.core.cached``), and the ties awaiting the viewer."""
    if not access.can("network.view"):
        return None
    facts = community_cached(HOME, access.community.pk, lambda: _home_facts(access.community))
    return {**facts, "awaiting": awaiting_count(organizations_of(access)), "slug": access.community.slug}


# --- survey waves -----------------------------------------------------------------------------------


def waves_for(community: Community) -> QuerySet[SurveyWave]:
    return SurveyWave.objects.active().filter(community=community).annotate(
        submitted=Count("responses", filter=Q(responses__submitted_at__isnull=False))
    )


def eligible_respondents(community: Community) -> set[int]:
    """Organizations with at least one active member affiliated: those who can answer."""
    from tequio.core.models import Membership

    people = Membership.objects.active().filter(community=community, person__isnull=False).values("person_id")
    return set(
        Affiliation.objects.filter(person_id__in=people, organization__removed_at__isnull=True,
                                   organization__community=community).values_list("organization_id", flat=True)
    )


def response_for(wave: SurveyWave, organization_id: int) -> SurveyResponse | None:
    return (
        SurveyResponse.objects.filter(wave=wave, organization_id=organization_id)
        .prefetch_related(Prefetch("ratings", queryset=SurveyRating.objects.select_related("partner")))
        .first()
    )


def responded_organizations(wave: SurveyWave) -> list[tuple[int, str, bool]]:
    """(organization id, name, submitted) of every response: for stewards' follow-up."""
    return list(
        SurveyResponse.objects.filter(wave=wave).order_by("organization__name")
        .values_list("organization_id", "organization__name", "submitted_at")
    )


@dataclass
class ScoreCell:
    value: float | None
    n: int
    hidden: bool = False


@dataclass
class OrganizationScoreRow:
    organization_id: int
    name: str
    kind: str
    trust_received: ScoreCell
    value_received: ScoreCell
    trust_given: ScoreCell
    value_given: ScoreCell
    mine: bool = False


@dataclass
class WaveResults:
    wave: SurveyWave
    snapshot: MetricSnapshot | None
    rows: list[OrganizationScoreRow] = field(default_factory=list)
    network: dict[str, dict[str, ScoreCell]] = field(default_factory=dict)
    items: list[tuple[str, Any, ScoreCell, ScoreCell]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def _cell(pair: list | None, *, visible: bool) -> ScoreCell:
    value, n = (pair or [None, 0])
    if not visible and n < MIN_AGGREGATE:
        return ScoreCell(None, n, hidden=n > 0)
    return ScoreCell(value, n)


def wave_results(access: CommunityAccess, wave: SurveyWave, snapshot: MetricSnapshot | None,
                 mine: set[int], names: dict[int, tuple[str, str]]) -> WaveResults:
    """The wave's aggregate scores as the viewer may see them.

    Received and given scores of an organization built from fewer than MIN_AGGREGATE
    answers are hidden, except from that organization's own people.
    """
    results = WaveResults(wave=wave, snapshot=snapshot)
    if snapshot is None or not snapshot.data:
        return results
    data = snapshot.data
    results.data = data
    for key, scores in data.get("organizations", {}).items():
        org_id = int(key)
        if org_id not in names:
            continue
        own = org_id in mine
        name, kind = names[org_id]
        results.rows.append(OrganizationScoreRow(
            organization_id=org_id, name=name, kind=kind, mine=own,
            trust_received=_cell(scores.get("trust_received"), visible=own),
            value_received=_cell(scores.get("value_received"), visible=own),
            trust_given=_cell(scores.get("trust_given"), visible=own),
            value_given=_cell(scores.get("value_given"), visible=own),
        ))
    results.rows.sort(key=lambda row: (not row.mine, row.name.casefold()))
    network = data.get("network", {})
    for measure in ("trust", "value", *ITEMS):
        results.network[measure] = {
            basis: _cell(network.get(measure, {}).get(basis), visible=False) for basis in ("dyad", "organization")
        }
    from .models import ITEM_SHORT

    results.items = [
        (item, ITEM_SHORT[item], results.network[item]["dyad"], results.network[item]["organization"]) for item in ITEMS
    ]
    return results


def organization_names(community: Community) -> dict[int, tuple[str, str]]:
    """Id -> (name, kind) of the community's active organizations, one query."""
    return {pk: (name, kind) for pk, name, kind in community_organizations(community).values_list("id", "name", "kind")}


# --- stakeholders -------------------------------------------------------------------------------------


def stakeholders_for(community: Community) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.active().filter(community=community).prefetch_related(
        Prefetch("held_by", queryset=Organization.objects.active().order_by("name"))
    )


# --- asks and offers -------------------------------------------------------------------------------------


def asks_for(community: Community, *, kind: str = "", topic: str = "", status: str = "open") -> QuerySet[Ask]:
    queryset = Ask.objects.active().filter(community=community).select_related("organization")
    if kind:
        queryset = queryset.filter(kind=kind)
    if topic:
        queryset = queryset.filter(topic=topic)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.annotate(answer_count=Count("answers")).order_by("-created_at", "-id")


def ask_detail(community: Community, pk: int) -> Ask | None:
    return (
        Ask.objects.active().filter(community=community, pk=pk).select_related("organization", "posted_by")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("organization", "tie")))
        .first()
    )


# --- ally suggestions ----------------------------------------------------------------------------------------


@dataclass
class AllyReason:
    code: str
    text: str
    points: float


@dataclass
class AllyCandidate:
    organization: Organization
    score: float
    reasons: list[AllyReason]


def _topics(values: set[str]) -> str:
    from .models import AskTopic

    return ", ".join(str(label_for(AskTopic, value)) for value in sorted(values))


def reason_text(code: str, items: tuple, names: dict[int, str]) -> str:
    """A reason code of the analysis package, as a sentence in the viewer's language."""
    from tequio.core.choices import ThematicArea
    from tequio.core.geography import state_name

    if code == "shared_themes":
        return _("Works on the same themes: %(themes)s") % {
            "themes": ", ".join(label_for(ThematicArea, str(item)) for item in items)}
    if code == "same_municipality":
        return _("In the same municipality: %(place)s") % {"place": items[0]}
    if code == "same_state":
        return _("In the same state: %(place)s") % {"place": state_name("MX", str(items[0])) or items[0]}
    if code == "offers_what_you_need":
        return _("Offers what you need: %(topics)s") % {"topics": _topics(set(items))}
    if code == "needs_what_you_offer":
        return _("Needs what you offer: %(topics)s") % {"topics": _topics(set(items))}
    if code == "common_partners":
        listed = ", ".join(names.get(int(item), "?") for item in items[:5])
        return _("Partners in common (%(count)d): %(names)s") % {"count": len(items), "names": listed}
    if code == "new_sector":
        return _("A sector you have no ties with yet: %(kind)s") % {"kind": label_for(OrganizationKind, str(items[0]))}
    if code == "other_sector":
        return _("Another sector: %(kind)s") % {"kind": label_for(OrganizationKind, str(items[0]))}
    return code


def ally_suggestions(community: Community, organization: Organization, *, limit: int = 10) -> list[AllyCandidate]:
    """Organizations `organization` has no tie with today, best first, with their reasons.

    Offers and needs are the topics of the open asks and offers each organization posted.
    Candidates the organization dismissed are left out.
    """
    loaded = network_load(community)
    today_net = network_at(loaded.net, timezone.localdate())
    orgs = list(community_organizations(community))
    by_id = {org.pk: org for org in orgs}
    needs: dict[int, set[str]] = defaultdict(set)
    offers: dict[int, set[str]] = defaultdict(set)
    for org_id, kind, topic in Ask.objects.open().filter(community=community).values_list("organization_id", "kind", "topic"):
        (needs if kind == AskKind.NEED else offers)[org_id].add(topic)
    dismissed = set(
        AllySuggestionDismissal.objects.filter(organization=organization).values_list("candidate_id", flat=True)
    )
    profiles = {
        org.pk: OrgProfile(
            id=org.pk, kind=org.kind, themes=frozenset(org.thematic_areas or ()), state=org.state,
            municipality=org.municipality, offers=frozenset(offers[org.pk]), needs=frozenset(needs[org.pk]),
        )
        for org in orgs
        if org.pk == organization.pk or org.pk not in dismissed
    }
    if organization.pk not in profiles:
        return []
    names = {org.pk: org.name for org in orgs}
    suggestions = suggest_allies(today_net, profiles, organization.pk, limit=limit)
    return [
        AllyCandidate(
            organization=by_id[suggestion.id], score=suggestion.score,
            reasons=[AllyReason(r.code, reason_text(r.code, r.items, names), r.points) for r in suggestion.reasons],
        )
        for suggestion in suggestions
    ]


def dismissed_allies(organization: Organization) -> QuerySet[AllySuggestionDismissal]:
    return AllySuggestionDismissal.objects.filter(organization=organization).select_related("candidate")
