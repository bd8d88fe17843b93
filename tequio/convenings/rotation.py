"""Who should take each role at the next convening: a pure, deterministic engine.

No Django here: the selector feeds plain records (candidates and past turns) and
gets back suggestions with the facts behind them; it turns those facts into
translated sentences. Same input, same output.

The rules, in order of precedence:

1. Hard rules: a person takes at most one role per convening; nobody marked
   unavailable; the convener is excluded once the community is member-led; never
   the same organization as facilitator and rapporteur; the host role goes to the
   host organization when there is one with someone available (and is filled first).
2. Organizations rotate per role: the one that held this role least recently comes
   first (never before anything), so no organization holds a role twice before every
   eligible organization has held it once.
3. Then least frequent: fewer turns in this role, fewer turns in any role, longest
   since any role; organizations not yet holding a role at this convening first.
4. Within an organization: the person who held this role least recently and least
   often, then fewest roles overall, then the staff level the organization has sent
   least often, so turns cascade from directors to coordinators and field staff.
5. Name and id, only to make ties deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

FACILITATOR = "facilitator"
CO_FACILITATOR = "co_facilitator"
RAPPORTEUR = "rapporteur"
HOST = "host"
ROLES = (FACILITATOR, CO_FACILITATOR, RAPPORTEUR, HOST)
# The most constrained roles are filled first so that the others adapt to them.
FILL_ORDER = (FACILITATOR, RAPPORTEUR, CO_FACILITATOR, HOST)
NEVER = -1


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    organization_id: int | None
    organization_name: str = ""
    staff_level: str = ""
    is_convener: bool = False

    @property
    def organization_key(self) -> tuple[str, int]:
        # Someone without an organization rotates as an organization of one.
        if self.organization_id is None:
            return ("person", self.person_id)
        return ("organization", self.organization_id)


@dataclass(frozen=True)
class PastTurn:
    index: int  # chronological position of the convening in the community, 0 = first
    role: str
    person_id: int
    organization_id: int | None
    staff_level: str = ""


@dataclass(frozen=True)
class Facts:
    """Why a candidate was chosen; every "ago" counts convenings, None means never."""

    person_role_count: int
    person_role_ago: int | None
    person_any_count: int
    organization_role_count: int
    organization_role_ago: int | None
    organization_any_count: int
    organization_any_ago: int | None
    staff_level_count: int  # earlier turns of the organization at this staff level
    from_host_organization: bool = False
    only_choice: bool = False  # nobody else was eligible for this role


@dataclass(frozen=True)
class Suggestion:
    role: str
    candidate: Candidate | None  # None: nobody is eligible
    facts: Facts | None
    fixed: bool = False  # already assigned by a steward; kept as is


@dataclass(frozen=True)
class _Stats:
    org_role_last: dict
    org_role_count: dict
    org_any_last: dict
    org_any_count: dict
    person_role_last: dict
    person_role_count: dict
    person_any_count: dict
    org_level_count: dict


def _org_key(organization_id: int | None, person_id: int) -> tuple[str, int]:
    return ("person", person_id) if organization_id is None else ("organization", organization_id)


def _collect(history: Iterable[PastTurn]) -> _Stats:
    org_role_last: dict = {}
    org_role_count: dict = defaultdict(int)
    org_any_last: dict = {}
    org_any_count: dict = defaultdict(int)
    person_role_last: dict = {}
    person_role_count: dict = defaultdict(int)
    person_any_count: dict = defaultdict(int)
    org_level_count: dict = defaultdict(int)
    for turn in history:
        org = _org_key(turn.organization_id, turn.person_id)
        key = (org, turn.role)
        if org_role_last.get(key, NEVER) < turn.index:
            org_role_last[key] = turn.index
        org_role_count[key] += 1
        if org_any_last.get(org, NEVER) < turn.index:
            org_any_last[org] = turn.index
        org_any_count[org] += 1
        person_key = (turn.person_id, turn.role)
        if person_role_last.get(person_key, NEVER) < turn.index:
            person_role_last[person_key] = turn.index
        person_role_count[person_key] += 1
        person_any_count[turn.person_id] += 1
        org_level_count[(org, turn.staff_level)] += 1
    return _Stats(org_role_last, org_role_count, org_any_last, org_any_count, person_role_last,
                  person_role_count, person_any_count, org_level_count)


def _ago(last: int, current_index: int) -> int | None:
    return None if last == NEVER else current_index - last


def _facts(stats: _Stats, candidate: Candidate, role: str, current_index: int, *, host: bool, only: bool) -> Facts:
    org = candidate.organization_key
    return Facts(
        person_role_count=stats.person_role_count.get((candidate.person_id, role), 0),
        person_role_ago=_ago(stats.person_role_last.get((candidate.person_id, role), NEVER), current_index),
        person_any_count=stats.person_any_count.get(candidate.person_id, 0),
        organization_role_count=stats.org_role_count.get((org, role), 0),
        organization_role_ago=_ago(stats.org_role_last.get((org, role), NEVER), current_index),
        organization_any_count=stats.org_any_count.get(org, 0),
        organization_any_ago=_ago(stats.org_any_last.get(org, NEVER), current_index),
        staff_level_count=stats.org_level_count.get((org, candidate.staff_level), 0),
        from_host_organization=host,
        only_choice=only,
    )


def _sort_key(stats: _Stats, candidate: Candidate, role: str, orgs_in_use: set) -> tuple:
    org = candidate.organization_key
    person = candidate.person_id
    return (
        stats.org_role_last.get((org, role), NEVER),
        stats.org_role_count.get((org, role), 0),
        org in orgs_in_use,
        stats.org_any_count.get(org, 0),
        stats.org_any_last.get(org, NEVER),
        stats.person_role_last.get((person, role), NEVER),
        stats.person_role_count.get((person, role), 0),
        stats.person_any_count.get(person, 0),
        stats.org_level_count.get((org, candidate.staff_level), 0),
        candidate.name.casefold(),
        person,
    )


def suggest_roles(
    *,
    candidates: Iterable[Candidate],
    history: Iterable[PastTurn],
    current_index: int,
    roles: Iterable[str] = ROLES,
    unavailable: Iterable[int] = (),
    exclude_convener: bool = False,
    host_organization_id: int | None = None,
    fixed: Mapping[str, Candidate] | None = None,
) -> list[Suggestion]:
    """One suggestion per role in ``roles`` (in that order), honouring ``fixed`` ones."""
    fixed = dict(fixed or {})
    stats = _collect(history)
    unavailable_ids = set(unavailable)
    pool = [
        candidate for candidate in candidates
        if candidate.person_id not in unavailable_ids and not (exclude_convener and candidate.is_convener)
    ]
    chosen: dict[str, Candidate] = dict(fixed)
    facts: dict[str, Facts] = {}
    wanted = list(roles)
    # With a host organization the host role is the most constrained: it goes first.
    order = (HOST, *[r for r in FILL_ORDER if r != HOST]) if host_organization_id is not None else FILL_ORDER
    for role in sorted(wanted, key=lambda r: order.index(r) if r in order else len(order)):
        if role in chosen:
            continue
        taken_people = {candidate.person_id for candidate in chosen.values()}
        orgs_in_use = {candidate.organization_key for candidate in chosen.values()}
        blocked_org = None
        if role in (FACILITATOR, RAPPORTEUR):
            partner = chosen.get(RAPPORTEUR if role == FACILITATOR else FACILITATOR)
            if partner is not None:
                blocked_org = partner.organization_key
        eligible = [
            candidate for candidate in pool
            if candidate.person_id not in taken_people and candidate.organization_key != blocked_org
        ]
        host = False
        if role == HOST and host_organization_id is not None:
            from_host = [candidate for candidate in eligible if candidate.organization_id == host_organization_id]
            if from_host:
                eligible, host = from_host, True
        if not eligible:
            continue
        best = min(eligible, key=lambda candidate: _sort_key(stats, candidate, role, orgs_in_use))
        only = len({candidate.organization_key for candidate in eligible}) == 1
        chosen[role] = best
        facts[role] = _facts(stats, best, role, current_index, host=host, only=only)
    return [
        Suggestion(role=role, candidate=chosen.get(role), facts=facts.get(role), fixed=role in fixed)
        for role in wanted
    ]
