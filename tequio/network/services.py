"""Writes of the network capability.

Every function is ``<entity>_<verb>(*, actor, ...)``: it validates, runs in one
transaction, audits what is sensitive (removals, imports, exports, waves opened and
closed) and leaves recomputation to ``transaction.on_commit``. Views, the API, the demo,
tasks and tests call these same functions. Errors are ``ValidationError`` with
translated messages, raised before anything is written.

Public entry point for other capabilities: ``tie_record_from_convening`` (see
docs/network.md); no other function here is meant to be called from outside this app.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tequio.core.audit import audit_record
from tequio.core.models import Community, Organization
from tequio.core.writes import full_clean as _full_clean

from . import computing, selectors
from .models import (
    DIRECTED_BY_DEFAULT,
    ITEMS,
    AllySuggestionDismissal,
    Answer,
    AnswerStatus,
    Ask,
    AskKind,
    AskStatus,
    AskTopic,
    Contribution,
    Frequency,
    Intensity,
    MetricSnapshot,
    Outcome,
    RelationWanted,
    Sector,
    SnapshotKind,
    SnapshotStatus,
    Stakeholder,
    SurveyRating,
    SurveyResponse,
    SurveyWave,
    Tie,
    TieOrigin,
    TieType,
    WaveStatus,
)
from .params import NetworkParams

# Up to this many tie records a snapshot is computed inside the request (well under a
# tenth of a second); above it, in the background task.
SYNC_TIE_LIMIT = 3000
# Cached network snapshots kept per community; the least recently asked for go first.
MAX_SNAPSHOTS = 40
TEXT_MAX = 5000



def _text(value: Any, field: str, *, max_length: int = TEXT_MAX, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("Ensure this value has at most %(limit)d characters.") % {"limit": max_length}})
    return text


def _organization_of(community: Community, organization: Organization | None, field: str) -> Organization:
    if (
        organization is None
        or not isinstance(organization, Organization)
        or organization.community_id != community.pk
        or organization.removed_at is not None
    ):
        raise ValidationError({field: _("That organization is not part of this community.")})
    return organization


# --- ties ---------------------------------------------------------------------------------------


def _overlaps(start_a: date | None, end_a: date | None, start_b: date | None, end_b: date | None) -> bool:
    """Half-open [start, end) ranges, None meaning unbounded, share at least one day."""
    starts_before_b_ends = end_b is None or start_a is None or start_a < end_b
    b_starts_before_a_ends = end_a is None or start_b is None or start_b < end_a
    return starts_before_b_ends and b_starts_before_a_ends


def _duplicate_of(community: Community, source: Organization, target: Organization, tie_type: str, directed: bool,
                  started_on: date | None, ended_on: date | None, *, exclude: int | None = None) -> Tie | None:
    """An existing tie this one would repeat: same pair and type, compatible direction, overlapping dates."""
    pair = Q(source=source, target=target) | Q(source=target, target=source)
    candidates = Tie.objects.active().filter(pair, community=community, type=tie_type)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    for tie in candidates:
        same_direction = not directed or not tie.directed or (tie.source_id == source.pk)
        if same_direction and _overlaps(started_on, ended_on, tie.started_on, tie.ended_on):
            return tie
    return None


def _network_changed(community: Community) -> None:
    """Mark the community's cached measures stale and queue the default map's recomputation."""
    MetricSnapshot.objects.filter(community=community, kind=SnapshotKind.NETWORK).update(stale=True)
    transaction.on_commit(lambda: _refresh_default(community.pk))


def _refresh_default(community_id: int) -> None:
    snapshot = MetricSnapshot.objects.filter(
        community_id=community_id, kind=SnapshotKind.NETWORK, key=NetworkParams().key()
    ).first()
    # Several changes in a row queue one recomputation: a pending request already covers them.
    if snapshot is not None and snapshot.stale and snapshot.status != SnapshotStatus.PENDING:
        snapshot_request(community=snapshot.community, params=NetworkParams(), background=True)


def _origin_reference(origin_object) -> tuple[ContentType | None, str]:
    if origin_object is None:
        return None, ""
    return ContentType.objects.get_for_model(origin_object), str(origin_object.pk)


def tie_record(*, actor, community: Community, source: Organization, target: Organization, type: str,
               directed: bool | None = None, started_on: date | None = None, ended_on: date | None = None,
               origin: str = TieOrigin.MANUAL, origin_object=None, origin_label: str = "", note: str = "",
               confirm_sides: Iterable[str] | None = None, speaks_for: set[int] | None = None) -> Tie:
    """Record a tie between two organizations of the community.

    The side of each organization the actor is affiliated with is confirmed at once
    (they speak for it); `confirm_sides` ("source"/"target") confirms others, for ties
    both sides already agreed to (an accepted answer). Refuses an organization of another
    community, a tie with itself, dates out of order and a duplicate.
    """
    with transaction.atomic():
        tie = _tie_create(
            actor=actor, community=community, source=source, target=target, type=type, directed=directed,
            started_on=started_on, ended_on=ended_on, origin=origin, origin_object=origin_object,
            origin_label=origin_label, note=note, confirm_sides=confirm_sides, speaks_for=speaks_for,
        )
        _network_changed(community)
    return tie


def _tie_create(*, actor, community: Community, source: Organization, target: Organization, type: str,
                directed: bool | None, started_on: date | None, ended_on: date | None, origin: str, origin_object,
                origin_label: str, note: str, confirm_sides: Iterable[str] | None, speaks_for: set[int] | None) -> Tie:
    """Validate and save one tie; the caller marks the network changed (once per batch)."""
    source = _organization_of(community, source, "source")
    target = _organization_of(community, target, "target")
    if source.pk == target.pk:
        raise ValidationError({"target": _("An organization cannot have a tie with itself.")})
    if type not in TieType.values:
        raise ValidationError({"type": _("“%(value)s” is not a valid choice.") % {"value": type}})
    if origin not in TieOrigin.values:
        raise ValidationError({"origin": _("“%(value)s” is not a valid choice.") % {"value": origin}})
    if directed is None:
        directed = type in DIRECTED_BY_DEFAULT
    if not directed and source.pk > target.pk:
        source, target = target, source
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError({"ended_on": _("A tie cannot end before it starts.")})
    duplicate = _duplicate_of(community, source, target, type, directed, started_on, ended_on)
    if duplicate is not None:
        raise ValidationError(_("This tie is already recorded: %(tie)s.") % {"tie": duplicate})
    origin_type, origin_id = _origin_reference(origin_object)
    now = timezone.now()
    mine = selectors.user_organization_ids(actor, community) if speaks_for is None else speaks_for
    sides = set(confirm_sides or ())
    tie = Tie(
        community=community, source=source, target=target, type=type, directed=directed, started_on=started_on,
        ended_on=ended_on, origin=origin, origin_type=origin_type, origin_id=origin_id,
        origin_label=_text(origin_label, "origin_label", max_length=200), note=_text(note, "note"),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    for side, organization in (("source", source), ("target", target)):
        if side in sides or organization.pk in mine:
            setattr(tie, f"{side}_confirmed_at", now)
            setattr(tie, f"{side}_confirmed_by", tie.recorded_by)
    _full_clean(tie, exclude=["recorded_by", "source_confirmed_by", "target_confirmed_by", "declined_by"])
    tie.save()
    return tie


def tie_record_from_convening(*, actor, community: Community, organization_a: Organization,
                              organization_b: Organization, on: date, convening=None, label: str = "",
                              type: str = TieType.INFORMATION_SHARING) -> tuple[Tie, bool]:
    """A "new connection" made at a convening, as a tie that started on `on`.

    For the convenings capability: pass the two organizations of the pair, the day of
    the convening, and optionally the convening itself (kept as a generic reference) and
    a label such as its title. Idempotent: when the same tie is already recorded for that
    day it is returned with ``created=False`` instead of raising. Returns (tie, created).
    """
    organization_a = _organization_of(community, organization_a, "organization_a")
    organization_b = _organization_of(community, organization_b, "organization_b")
    directed = type in DIRECTED_BY_DEFAULT
    existing = _duplicate_of(community, organization_a, organization_b, type, directed, on, None)
    if existing is not None:
        return existing, False
    tie = tie_record(
        actor=actor, community=community, source=organization_a, target=organization_b, type=type, directed=directed,
        started_on=on, origin=TieOrigin.CONVENING, origin_object=convening,
        origin_label=label or (str(convening) if convening is not None else ""),
    )
    return tie, True


TIE_EDITABLE = {"type", "started_on", "ended_on", "note"}


def tie_update(*, actor, tie: Tie, speaks_for: set[int] | None = None, **fields) -> Tie:
    """Change a tie's type, dates or note.

    A new type is a new claim: the sides the editor does not speak for must confirm it
    again. Ending a tie (an end date) needs no new confirmation.
    """
    unknown = set(fields) - TIE_EDITABLE
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "type" in fields and fields["type"] not in TieType.values:
        raise ValidationError({"type": _("“%(value)s” is not a valid choice.") % {"value": fields["type"]}})
    if "note" in fields:
        fields["note"] = _text(fields["note"], "note")
    with transaction.atomic():
        tie = Tie.objects.select_for_update().get(pk=tie.pk)
        old_type = tie.type
        for name, value in fields.items():
            setattr(tie, name, value)
        if tie.started_on and tie.ended_on and tie.ended_on < tie.started_on:
            raise ValidationError({"ended_on": _("A tie cannot end before it starts.")})
        duplicate = _duplicate_of(tie.community, tie.source, tie.target, tie.type, tie.directed, tie.started_on,
                                  tie.ended_on, exclude=tie.pk)
        if duplicate is not None:
            raise ValidationError(_("This tie is already recorded: %(tie)s.") % {"tie": duplicate})
        if tie.type != old_type:
            mine = selectors.user_organization_ids(actor, tie.community) if speaks_for is None else speaks_for
            for side in ("source", "target"):
                if getattr(tie, f"{side}_id") not in mine:
                    setattr(tie, f"{side}_confirmed_at", None)
                    setattr(tie, f"{side}_confirmed_by", None)
        _full_clean(tie, exclude=["recorded_by", "source_confirmed_by", "target_confirmed_by", "declined_by"])
        tie.save()
        _network_changed(tie.community)
    return tie


def _side(tie: Tie, organization: Organization) -> str:
    side = tie.side_of(organization.pk)
    if side is None:
        raise ValidationError(_("%(organization)s is not one of the two organizations of this tie.")
                              % {"organization": organization})
    return side


def tie_confirm(*, actor, tie: Tie, organization: Organization) -> Tie:
    """`organization` (one end of the tie, spoken for by the actor) confirms the tie.

    Confirming after declining withdraws the decline.
    """
    side = _side(tie, organization)
    with transaction.atomic():
        tie = Tie.objects.select_for_update().get(pk=tie.pk)
        setattr(tie, f"{side}_confirmed_at", timezone.now())
        setattr(tie, f"{side}_confirmed_by", actor)
        if tie.declined_side == side:
            tie.declined_at, tie.declined_by, tie.declined_side = None, None, ""
        tie.save()
        _network_changed(tie.community)
    return tie


def tie_decline(*, actor, tie: Tie, organization: Organization) -> Tie:
    """`organization` says the tie does not exist (or not like this): it leaves the network."""
    side = _side(tie, organization)
    with transaction.atomic():
        tie = Tie.objects.select_for_update().get(pk=tie.pk)
        setattr(tie, f"{side}_confirmed_at", None)
        setattr(tie, f"{side}_confirmed_by", None)
        tie.declined_at, tie.declined_by, tie.declined_side = timezone.now(), actor, side
        tie.save()
        audit_record(actor=actor, community=tie.community, action="network.tie.decline", target=tie,
                     data={"organization": organization.pk})
        _network_changed(tie.community)
    return tie


def tie_remove(*, actor, tie: Tie) -> None:
    """Remove a tie (soft, audited)."""
    with transaction.atomic():
        Tie.objects.filter(pk=tie.pk).update(removed_at=timezone.now())
        audit_record(actor=actor, community=tie.community, action="network.tie.remove", target=tie)
        _network_changed(tie.community)


def ties_import(*, actor, community: Community, rows: list[dict[str, Any]]) -> list[Tie]:
    """Record parsed import rows, all or nothing (see ``io.parse_ties``, which checks each row).

    Each row: source, target (organizations), type, directed, started_on, ended_on, note.
    A row that repeats an existing tie, or another row, is refused with its row number.
    """
    problems: list[str] = []
    seen: list[tuple[int, int, str, bool, date | None, date | None, int]] = []
    for row in rows:
        source, target = row["source"], row["target"]
        directed = row["directed"]
        a, b = (source.pk, target.pk) if directed or source.pk < target.pk else (target.pk, source.pk)
        for other in seen:
            same_pair = {a, b} == {other[0], other[1]}
            compatible = not directed or not other[3] or other[0] == a
            if same_pair and other[2] == row["type"] and compatible and _overlaps(
                row["started_on"], row["ended_on"], other[4], other[5]
            ):
                problems.append(_("Row %(row)d: the same tie as row %(other)d.") % {"row": row["line"], "other": other[6]})
                break
        else:
            duplicate = _duplicate_of(community, source, target, row["type"], directed, row["started_on"], row["ended_on"])
            if duplicate is not None:
                problems.append(_("Row %(row)d: this tie is already recorded (%(tie)s).") % {"row": row["line"], "tie": duplicate})
        seen.append((a, b, row["type"], directed, row["started_on"], row["ended_on"], row["line"]))
    if problems:
        raise ValidationError(problems)
    created = []
    mine = selectors.user_organization_ids(actor, community)
    with transaction.atomic():
        for row in rows:
            try:
                created.append(_tie_create(
                    actor=actor, community=community, source=row["source"], target=row["target"], type=row["type"],
                    directed=row["directed"], started_on=row["started_on"], ended_on=row["ended_on"],
                    origin=TieOrigin.IMPORT, origin_object=None, origin_label=row.get("label", ""),
                    note=row.get("note", ""), confirm_sides=None, speaks_for=mine,
                ))
            except ValidationError as error:
                raise ValidationError([_("Row %(row)d: %(problem)s") % {"row": row["line"], "problem": message}
                                       for message in error.messages]) from None
        audit_record(actor=actor, community=community, action="network.import", data={"ties": len(created)})
        _network_changed(community)
    return created


def network_export_record(*, actor, community: Community, fmt: str) -> None:
    """Audit a download of the whole network (it leaves the platform)."""
    with transaction.atomic():
        audit_record(actor=actor, community=community, action="network.export", data={"format": fmt})


# --- metric snapshots -----------------------------------------------------------------------------------


def _prune(community: Community) -> None:
    keep = list(
        MetricSnapshot.objects.filter(community=community, kind=SnapshotKind.NETWORK)
        .order_by("-requested_at").values_list("pk", flat=True)[:MAX_SNAPSHOTS]
    )
    MetricSnapshot.objects.filter(community=community, kind=SnapshotKind.NETWORK).exclude(pk__in=keep).exclude(
        key=NetworkParams().key()
    ).delete()


def snapshot_request(*, community: Community, params: NetworkParams | None = None, wave: SurveyWave | None = None,
                     background: bool | None = None) -> MetricSnapshot:
    """Ask for the measures of a map (or a wave) to be (re)computed.

    Small networks are computed at once unless `background` is True; large ones, and
    every request with ``background=True``, go to the task queue. Earlier figures stay
    readable until the new ones are saved.
    """
    if wave is not None:
        kind, key, values = SnapshotKind.WAVE, f"wave={wave.pk}", {"wave": wave.pk}
    else:
        params = params or NetworkParams()
        kind, key, values = SnapshotKind.NETWORK, params.key(), params.as_json()
    with transaction.atomic():
        snapshot, _created = MetricSnapshot.objects.get_or_create(
            community=community, kind=kind, key=key, defaults={"params": values, "wave": wave}
        )
        MetricSnapshot.objects.filter(pk=snapshot.pk).update(
            generation=F("generation") + 1, status=SnapshotStatus.PENDING, requested_at=timezone.now(), error="",
        )
        snapshot.refresh_from_db()
        if kind == SnapshotKind.NETWORK:
            _prune(community)
    if background is None:
        records = (
            SurveyRating.objects.filter(response__wave=wave).count() if wave is not None
            else Tie.objects.in_network().filter(community=community).count()
        )
        background = records > SYNC_TIE_LIMIT
    if background:
        from .tasks import compute_metric_snapshot

        generation = snapshot.generation
        transaction.on_commit(lambda: compute_metric_snapshot.enqueue(snapshot.pk, generation))
        return snapshot
    metric_snapshot_compute(snapshot_id=snapshot.pk, generation=snapshot.generation)
    snapshot.refresh_from_db()
    return snapshot


def metric_snapshot_compute(*, snapshot_id: int, generation: int | None = None) -> bool:
    """Compute and save one snapshot; False when another request superseded this one.

    Claims the work with a conditional update, so that a task run twice, or one run
    after a newer request, does nothing.
    """
    claim = MetricSnapshot.objects.filter(pk=snapshot_id, status=SnapshotStatus.PENDING)
    if generation is not None:
        claim = claim.filter(generation=generation)
    if not claim.update(status=SnapshotStatus.RUNNING):
        return False
    snapshot = MetricSnapshot.objects.select_related("community", "wave").get(pk=snapshot_id)
    started = time.perf_counter()
    try:
        if snapshot.kind == SnapshotKind.WAVE:
            data = _wave_snapshot_data(snapshot.wave)
        else:
            data = _network_snapshot_data(snapshot.community, NetworkParams.from_json(snapshot.params))
    except Exception as error:  # the page must say it failed rather than wait forever
        MetricSnapshot.objects.filter(pk=snapshot_id, generation=snapshot.generation).update(
            status=SnapshotStatus.FAILED, error=repr(error)[:2000]
        )
        raise
    saved = MetricSnapshot.objects.filter(pk=snapshot_id, generation=snapshot.generation, status=SnapshotStatus.RUNNING).update(
        status=SnapshotStatus.READY, data=data, summary=data.get("summary") or {}, computed_at=timezone.now(), stale=False,
        seconds=time.perf_counter() - started,
    )
    if saved:
        selectors.home_changed(snapshot.community_id)
    return bool(saved)


def _network_snapshot_data(community: Community, params: NetworkParams) -> dict[str, Any]:
    loaded = selectors.network_load(community)
    today = timezone.localdate()
    net = computing.filtered_network(loaded.net, loaded.themes, params, today)
    data = computing.network_data(net, convener=community.convener_organization_id, day=params.at or today)
    data["params"] = params.as_json()
    data["convenings"] = [[item.day.isoformat(), item.label] for item in selectors.convening_dates(community)]
    return data


def _wave_snapshot_data(wave: SurveyWave) -> dict[str, Any]:
    community = wave.community
    active = set(Organization.objects.active().filter(community=community).values_list("pk", flat=True))
    ratings = [
        {"rater": rater, "partner": partner, "intensity": intensity, "frequency": frequency,
         **dict(zip(ITEMS, items, strict=True))}
        for rater, partner, intensity, frequency, *items in SurveyRating.objects.filter(
            response__wave=wave, response__submitted_at__isnull=False
        ).order_by("response_id", "partner_id").values_list(
            "response__organization_id", "partner_id", "intensity", "frequency", *ITEMS
        )
        if rater in active and partner in active
    ]
    responses = [
        {"organization": org, "contributions": contributions or [], "outcomes": outcomes or []}
        for org, contributions, outcomes in SurveyResponse.objects.filter(
            wave=wave, submitted_at__isnull=False
        ).values_list("organization_id", "contributions", "outcomes")
        if org in active
    ]
    eligible = len(selectors.eligible_respondents(community))
    return computing.wave_data(ratings, responses, eligible, len(active))


# --- survey waves ----------------------------------------------------------------------------------------------

WAVE_FIELDS = {"title", "instructions", "opens_on", "closes_on", "status"}


def wave_create(*, actor, community: Community, title: str, opens_on: date, closes_on: date | None = None,
                instructions: str = "", status: str = WaveStatus.DRAFT) -> SurveyWave:
    """Prepare a network survey wave (open it to let organizations answer)."""
    wave = SurveyWave(community=community, title=_text(title, "title", max_length=200, required=True),
                      instructions=_text(instructions, "instructions"), opens_on=opens_on, closes_on=closes_on,
                      status=status, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _full_clean(wave, exclude=["created_by"])
    with transaction.atomic():
        wave.save()
        audit_record(actor=actor, community=community, action="network.wave.create", target=wave, data={"status": status})
        selectors.home_changed(community.pk)
    return wave


def wave_update(*, actor, wave: SurveyWave, **fields) -> SurveyWave:
    """Edit a wave; opening and closing it are audited, closing recomputes its scores."""
    unknown = set(fields) - WAVE_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for name in ("title", "instructions"):
        if name in fields:
            fields[name] = _text(fields[name], name, max_length=200 if name == "title" else TEXT_MAX, required=name == "title")
    with transaction.atomic():
        wave = SurveyWave.objects.select_for_update().get(pk=wave.pk)
        old_status = wave.status
        for name, value in fields.items():
            setattr(wave, name, value)
        _full_clean(wave, exclude=["created_by"])
        wave.save()
        if wave.status != old_status:
            audit_record(actor=actor, community=wave.community, action="network.wave.status", target=wave,
                         data={"from": old_status, "to": wave.status})
            if wave.status == WaveStatus.CLOSED:
                transaction.on_commit(lambda: snapshot_request(community=wave.community, wave=wave))
        selectors.home_changed(wave.community_id)
    return wave


def _require_open(wave: SurveyWave) -> None:
    # Read the status again: the caller's object may predate the wave closing.
    if not SurveyWave.objects.filter(pk=wave.pk, status=WaveStatus.OPEN, removed_at__isnull=True).exists():
        raise ValidationError(_("This survey wave is not open for answers."))


def _clean_choices(values, enum, field: str) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list | tuple | set):
        raise ValidationError({field: _("Expected a list.")})
    cleaned: list[str] = []
    for value in values:
        if value not in enum.values:
            raise ValidationError({field: _("“%(value)s” is not a valid choice.") % {"value": value}})
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def survey_partners_select(*, actor, wave: SurveyWave, organization: Organization,
                           partners: Iterable[Organization]) -> SurveyResponse:
    """Step one of answering: the organizations the respondent's organization works with.

    Ratings of partners no longer selected are deleted; new partners get empty ratings.
    """
    _require_open(wave)
    community = wave.community
    organization = _organization_of(community, organization, "organization")
    chosen: dict[int, Organization] = {}
    for partner in partners:
        partner = _organization_of(community, partner, "partners")
        if partner.pk == organization.pk:
            raise ValidationError({"partners": _("An organization cannot rate itself.")})
        chosen[partner.pk] = partner
    with transaction.atomic():
        response, _created = SurveyResponse.objects.select_for_update().get_or_create(
            wave=wave, organization=organization, defaults={"respondent": actor}
        )
        response.ratings.exclude(partner_id__in=chosen).delete()
        existing = set(response.ratings.values_list("partner_id", flat=True))
        SurveyRating.objects.bulk_create(
            [SurveyRating(response=response, partner=partner) for pk, partner in chosen.items() if pk not in existing]
        )
        response.respondent = actor
        response.save(update_fields=["respondent", "updated_at"])
        if response.submitted_at is not None:
            _wave_changed(wave)
    return response


def _score(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number from 1 to 4.")}) from None
    if isinstance(value, bool) or str(number) != str(value).strip() or not 1 <= number <= 4:
        raise ValidationError({field: _("Ratings go from 1 to 4; %(value)s is outside that scale.") % {"value": value}})
    return number


def survey_answer_save(*, actor, response: SurveyResponse, ratings: dict[int, dict[str, Any]],
                       contributions: Iterable[str] = (), outcomes: Iterable[str] = (), submit: bool = False) -> SurveyResponse:
    """Step two: the rating of each selected partner, and what the organization brings and sees.

    `ratings` maps a partner's id to its answers (intensity, frequency and the six items,
    each 1-4 or blank). Every value is checked before anything is saved. ``submit=True``
    makes the answers count in the wave's scores (they can still be changed while open).
    """
    wave = response.wave
    _require_open(wave)
    existing = {rating.partner_id: rating for rating in response.ratings.all()}
    unknown = set(ratings) - set(existing)
    if unknown:
        raise ValidationError({"ratings": _("Rate only the organizations you selected.")})
    cleaned: dict[int, dict[str, Any]] = {}
    for partner_id, answers in ratings.items():
        prefix = f"p{partner_id}"
        values: dict[str, Any] = {}
        intensity = answers.get("intensity") or ""
        if intensity and intensity not in Intensity.values:
            raise ValidationError({f"{prefix}-intensity": _("“%(value)s” is not a valid choice.") % {"value": intensity}})
        frequency = answers.get("frequency") or ""
        if frequency and frequency not in Frequency.values:
            raise ValidationError({f"{prefix}-frequency": _("“%(value)s” is not a valid choice.") % {"value": frequency}})
        values["intensity"], values["frequency"] = intensity, frequency
        for item in ITEMS:
            values[item] = _score(answers.get(item), f"{prefix}-{item}")
        cleaned[partner_id] = values
    contributions = _clean_choices(list(contributions), Contribution, "contributions")
    outcomes = _clean_choices(list(outcomes), Outcome, "outcomes")
    if submit:
        missing = [existing[pk].partner.name for pk in existing if not (cleaned.get(pk) or {}).get("intensity")
                   and not existing[pk].intensity]
        if missing:
            raise ValidationError({"ratings": _("Say how you work with each organization: %(names)s.") % {"names": ", ".join(missing)}})
    with transaction.atomic():
        for partner_id, values in cleaned.items():
            rating = existing[partner_id]
            for name, value in values.items():
                setattr(rating, name, value)
            _full_clean(rating, exclude=["response", "partner"])
            rating.save()
        response.contributions = contributions
        response.outcomes = outcomes
        response.respondent = actor
        if submit:
            response.submitted_at = timezone.now()
        response.save()
        if response.submitted_at is not None:
            _wave_changed(wave)
    return response


def _wave_changed(wave: SurveyWave) -> None:
    MetricSnapshot.objects.filter(kind=SnapshotKind.WAVE, wave=wave).update(stale=True)


INTENSITY_TIE_TYPE = {
    Intensity.COOPERATION: TieType.INFORMATION_SHARING,
    Intensity.COORDINATION: TieType.JOINT_ACTIVITY,
    Intensity.INTEGRATION: TieType.FORMAL_ALLIANCE,
}


def wave_ties_record(*, actor, wave: SurveyWave) -> int:
    """Add to the network the ties the wave's submitted answers report. Returns how many.

    Cooperation becomes information sharing, coordination a joint activity, integration
    a formal alliance (awareness is not a tie). A side that reported the pair has
    confirmed it; a pair both sides reported is confirmed. Existing ties are kept.
    """
    community = wave.community
    reported: dict[tuple[int, int, str], set[int]] = {}
    for rater, partner, intensity in SurveyRating.objects.filter(
        response__wave=wave, response__submitted_at__isnull=False, intensity__in=list(INTENSITY_TIE_TYPE)
    ).values_list("response__organization_id", "partner_id", "intensity"):
        key = (min(rater, partner), max(rater, partner), INTENSITY_TIE_TYPE[intensity])
        reported.setdefault(key, set()).add(rater)
    organizations = Organization.objects.active().in_bulk([pk for a, b, _t in reported for pk in (a, b)])
    created = 0
    with transaction.atomic():
        for (a, b, tie_type), raters in sorted(reported.items()):
            if a not in organizations or b not in organizations:
                continue
            source, target = organizations[a], organizations[b]
            if _duplicate_of(community, source, target, tie_type, False, wave.opens_on, None) is not None:
                continue
            sides = {"source" if a in raters else "", "target" if b in raters else ""} - {""}
            _tie_create(actor=actor, community=community, source=source, target=target, type=tie_type, directed=False,
                        started_on=wave.opens_on, ended_on=None, origin=TieOrigin.SURVEY, origin_object=wave,
                        origin_label=wave.title, note="", confirm_sides=sides, speaks_for=set())
            created += 1
        audit_record(actor=actor, community=community, action="network.wave.ties", target=wave, data={"ties": created})
        if created:
            _network_changed(community)
    return created


# --- stakeholders -------------------------------------------------------------------------------------------------

STAKEHOLDER_FIELDS = {"name", "sector", "description", "influence", "alignment", "interest", "relation_wanted", "relation_notes"}


def _scale(value: Any, field: str, *, required: bool = False) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("This field is required.")})
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number from 1 to 5.")}) from None
    if isinstance(value, bool) or not 1 <= number <= 5:
        raise ValidationError({field: _("Use the scale from 1 to 5.")})
    return number


def _clean_stakeholder(stakeholder: Stakeholder, held_by) -> list[Organization]:
    stakeholder.name = _text(stakeholder.name, "name", max_length=200, required=True)
    stakeholder.description = _text(stakeholder.description, "description")
    stakeholder.relation_notes = _text(stakeholder.relation_notes, "relation_notes")
    if stakeholder.sector not in Sector.values:
        raise ValidationError({"sector": _("“%(value)s” is not a valid choice.") % {"value": stakeholder.sector}})
    if stakeholder.relation_wanted and stakeholder.relation_wanted not in RelationWanted.values:
        raise ValidationError({"relation_wanted": _("“%(value)s” is not a valid choice.") % {"value": stakeholder.relation_wanted}})
    stakeholder.influence = _scale(stakeholder.influence, "influence", required=True)
    stakeholder.alignment = _scale(stakeholder.alignment, "alignment")
    stakeholder.interest = _scale(stakeholder.interest, "interest")
    holders = [_organization_of(stakeholder.community, org, "held_by") for org in (held_by or [])]
    _full_clean(stakeholder, exclude=["created_by"])
    return holders


def stakeholder_create(*, actor, community: Community, held_by=None, **fields) -> Stakeholder:
    """Place an outside actor on the community's stakeholder map."""
    unknown = set(fields) - STAKEHOLDER_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    stakeholder = Stakeholder(community=community, created_by=actor if getattr(actor, "is_authenticated", False) else None,
                              **fields)
    holders = _clean_stakeholder(stakeholder, held_by)
    with transaction.atomic():
        stakeholder.save()
        stakeholder.held_by.set(holders)
    return stakeholder


def stakeholder_update(*, actor, stakeholder: Stakeholder, held_by=None, **fields) -> Stakeholder:
    """Move a stakeholder on the map or change what is known about the relation."""
    unknown = set(fields) - STAKEHOLDER_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(stakeholder, name, value)
    holders = _clean_stakeholder(stakeholder, held_by if held_by is not None else list(stakeholder.held_by.all()))
    with transaction.atomic():
        stakeholder.save()
        stakeholder.held_by.set(holders)
    return stakeholder


def stakeholder_remove(*, actor, stakeholder: Stakeholder) -> None:
    """Take a stakeholder off the map (soft, audited)."""
    with transaction.atomic():
        Stakeholder.objects.filter(pk=stakeholder.pk).update(removed_at=timezone.now())
        audit_record(actor=actor, community=stakeholder.community, action="network.stakeholder.remove", target=stakeholder)


# --- ally suggestions ------------------------------------------------------------------------------------------------


def ally_dismiss(*, actor, organization: Organization, candidate: Organization) -> AllySuggestionDismissal:
    """Remember that `organization` does not want `candidate` suggested again."""
    community = organization.community
    candidate = _organization_of(community, candidate, "candidate")
    if candidate.pk == organization.pk:
        raise ValidationError({"candidate": _("An organization cannot have a tie with itself.")})
    dismissal, _created = AllySuggestionDismissal.objects.get_or_create(
        organization=organization, candidate=candidate,
        defaults={"community": community, "dismissed_by": actor if getattr(actor, "is_authenticated", False) else None},
    )
    return dismissal


def ally_restore(*, actor, organization: Organization, candidate_id: int) -> None:
    """Let a dismissed organization be suggested again."""
    AllySuggestionDismissal.objects.filter(organization=organization, candidate_id=candidate_id).delete()


# --- asks and offers ---------------------------------------------------------------------------------------------------


def ask_create(*, actor, community: Community, organization: Organization, kind: str, topic: str, title: str,
               body: str = "") -> Ask:
    """Post a need or an offer on behalf of an organization."""
    organization = _organization_of(community, organization, "organization")
    ask = Ask(community=community, organization=organization, kind=kind, topic=topic,
              title=_text(title, "title", max_length=200, required=True), body=_text(body, "body"),
              posted_by=actor if getattr(actor, "is_authenticated", False) else None)
    if kind not in AskKind.values:
        raise ValidationError({"kind": _("“%(value)s” is not a valid choice.") % {"value": kind}})
    if topic not in AskTopic.values:
        raise ValidationError({"topic": _("“%(value)s” is not a valid choice.") % {"value": topic}})
    _full_clean(ask, exclude=["posted_by"])
    ask.save()
    return ask


def ask_close(*, actor, ask: Ask) -> Ask:
    """No more answers wanted."""
    Ask.objects.filter(pk=ask.pk).update(status=AskStatus.CLOSED)
    ask.status = AskStatus.CLOSED
    return ask


def ask_remove(*, actor, ask: Ask) -> None:
    """Remove an ask or offer (soft, audited)."""
    with transaction.atomic():
        Ask.objects.filter(pk=ask.pk).update(removed_at=timezone.now())
        audit_record(actor=actor, community=ask.community, action="network.ask.remove", target=ask)


def answer_create(*, actor, ask: Ask, organization: Organization, body: str) -> Answer:
    """Answer a need (we can help) or an offer (we would like it) for an organization."""
    if ask.status != AskStatus.OPEN or ask.removed_at is not None:
        raise ValidationError(_("This ask is closed."))
    organization = _organization_of(ask.community, organization, "organization")
    if organization.pk == ask.organization_id:
        raise ValidationError({"organization": _("An organization cannot answer its own ask.")})
    if Answer.objects.filter(ask=ask, organization=organization).exists():
        raise ValidationError({"organization": _("This organization has already answered.")})
    answer = Answer(ask=ask, organization=organization, body=_text(body, "body", required=True),
                    answered_by=actor if getattr(actor, "is_authenticated", False) else None)
    _full_clean(answer, exclude=["answered_by", "decided_by", "tie"])
    answer.save()
    return answer


def answer_accept(*, actor, answer: Answer) -> Answer:
    """The posting organization accepts an answer: a referral or resource-sharing tie is recorded.

    Contacts make a referral, anything else resource sharing; the tie goes from the
    organization that gives to the one that receives, and both sides have agreed.
    """
    ask = answer.ask
    if answer.status != AnswerStatus.PROPOSED:
        raise ValidationError(_("This answer has already been decided."))
    tie_type = TieType.REFERRAL if ask.topic == AskTopic.CONTACTS else TieType.RESOURCE_SHARING
    giver, receiver = (answer.organization, ask.organization) if ask.kind == AskKind.NEED else (ask.organization, answer.organization)
    with transaction.atomic():
        duplicate = _duplicate_of(ask.community, giver, receiver, tie_type, True, timezone.localdate(), None)
        tie = duplicate or tie_record(
            actor=actor, community=ask.community, source=giver, target=receiver, type=tie_type, directed=True,
            started_on=timezone.localdate(), origin=TieOrigin.ASK, origin_object=answer, origin_label=ask.title,
            confirm_sides={"source", "target"},
        )
        Answer.objects.filter(pk=answer.pk).update(status=AnswerStatus.ACCEPTED, decided_by=actor,
                                                   decided_at=timezone.now(), tie=tie)
    answer.refresh_from_db()
    return answer


def answer_decline(*, actor, answer: Answer) -> Answer:
    """Thank and decline an answer; no tie."""
    if answer.status != AnswerStatus.PROPOSED:
        raise ValidationError(_("This answer has already been decided."))
    Answer.objects.filter(pk=answer.pk).update(status=AnswerStatus.DECLINED, decided_by=actor, decided_at=timezone.now())
    answer.refresh_from_db()
    return answer
