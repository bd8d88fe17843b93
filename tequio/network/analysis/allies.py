"""Ally suggestions: organizations one is not tied to yet, ranked with their reasons.

The score is a transparent sum of points, one term per reason, so that every suggestion can
be explained in a sentence and the steward can disagree with a weight rather than with a
black box. Reasons are returned as codes with the matching items (themes, places, offers,
partner ids, kind); the Django layer turns them into translated text.

Reason codes (`Reason.code`):

* ``shared_themes``: thematic areas both work on (items: the themes);
* ``same_municipality`` / ``same_state``: same place (items: the municipality or state);
  the municipality counts only within the same state, and replaces the state reason;
* ``offers_what_you_need``: the candidate offers something the organization seeks
  (items: those offers/needs);
* ``needs_what_you_offer``: the reverse;
* ``common_partners``: organizations tied to both (items: their ids, in network order);
* ``new_sector``: the candidate's kind differs from the organization's and none of its
  partners is of that kind yet (items: the kind); ``other_sector`` when it differs but the
  organization already has partners of that kind.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field

from tequio.network.analysis.graph import NodeId, TieNetwork


@dataclass(frozen=True)
class OrgProfile:
    """What ally scoring needs to know about one organization; tags are compared as given."""

    id: NodeId
    kind: str = ""
    themes: frozenset[str] = frozenset()
    state: str = ""
    municipality: str = ""
    offers: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AllyWeights:
    """Points per reason; counted items are capped so one long tag list cannot dominate."""

    shared_theme: float = 3.0
    shared_theme_cap: int = 3
    same_municipality: float = 2.0
    same_state: float = 1.0
    offer_meets_need: float = 3.0
    need_meets_offer: float = 2.0
    match_cap: int = 2
    common_partner: float = 1.0
    common_partner_cap: int = 5
    new_sector: float = 2.0
    other_sector: float = 0.5


@dataclass(frozen=True)
class Reason:
    """One reason behind a suggestion: a stable code, what it refers to, and its points."""

    code: str
    items: tuple[Hashable, ...]
    points: float


@dataclass(frozen=True)
class AllySuggestion:
    """A candidate organization, its total score and the reasons that make it up."""

    id: NodeId
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def _capped(count: int, cap: int) -> int:
    return min(count, cap)


def _score(
    org: OrgProfile,
    candidate: OrgProfile,
    common: list[NodeId],
    partner_kinds: Collection[str],
    weights: AllyWeights,
) -> list[Reason]:
    reasons: list[Reason] = []
    themes = sorted(org.themes & candidate.themes)
    if themes:
        points = weights.shared_theme * _capped(len(themes), weights.shared_theme_cap)
        reasons.append(Reason("shared_themes", tuple(themes), points))
    if org.state and org.state == candidate.state:
        if org.municipality and org.municipality == candidate.municipality:
            reasons.append(
                Reason("same_municipality", (candidate.municipality,), weights.same_municipality)
            )
        else:
            reasons.append(Reason("same_state", (candidate.state,), weights.same_state))
    offered = sorted(candidate.offers & org.needs)
    if offered:
        points = weights.offer_meets_need * _capped(len(offered), weights.match_cap)
        reasons.append(Reason("offers_what_you_need", tuple(offered), points))
    wanted = sorted(candidate.needs & org.offers)
    if wanted:
        points = weights.need_meets_offer * _capped(len(wanted), weights.match_cap)
        reasons.append(Reason("needs_what_you_offer", tuple(wanted), points))
    if common:
        points = weights.common_partner * _capped(len(common), weights.common_partner_cap)
        reasons.append(Reason("common_partners", tuple(common), points))
    if candidate.kind and candidate.kind != org.kind:
        if candidate.kind in partner_kinds:
            reasons.append(Reason("other_sector", (candidate.kind,), weights.other_sector))
        else:
            reasons.append(Reason("new_sector", (candidate.kind,), weights.new_sector))
    return reasons


def suggest_allies(
    net: TieNetwork,
    profiles: Mapping[NodeId, OrgProfile],
    org: NodeId,
    *,
    limit: int | None = 10,
    weights: AllyWeights | None = None,
) -> list[AllySuggestion]:
    """Rank the organizations in `profiles` that `org` has no tie with in `net`.

    `net` should be the snapshot that counts (usually `network_at(net, today)`): any active
    tie, of any type or direction, excludes a candidate. Candidates are the other keys of
    `profiles`, so the caller decides the pool (community members, invited allies...).
    Candidates with no reason at all are left out. Order: score, then number of reasons,
    then position in the network (or id text for organizations not in it) so the result is
    deterministic. `limit=None` returns them all.
    """
    if org not in profiles:
        raise ValueError(f"no profile for organization {org!r}")
    weights = weights or AllyWeights()
    me = profiles[org]
    index = net.index
    ids = net.ids
    adjacency = net.simple
    partners: set[NodeId] = set()
    if org in index:
        partners = {ids[j] for j in adjacency.neighbors(index[org])}
    partner_kinds = {profiles[p].kind if p in profiles else net.kinds[index[p]] for p in partners}

    suggestions: list[tuple[tuple[float, int, int, str], AllySuggestion]] = []
    for candidate_id, candidate in profiles.items():
        if candidate_id == org or candidate_id in partners:
            continue
        if candidate_id in index:
            their_partners = {ids[j] for j in adjacency.neighbors(index[candidate_id])}
            common = sorted(partners & their_partners, key=index.__getitem__)
        else:
            common = []
        reasons = _score(me, candidate, common, partner_kinds, weights)
        if not reasons:
            continue
        score = sum(r.points for r in reasons)
        position = index.get(candidate_id, len(index))
        sort_key = (-score, -len(reasons), position, str(candidate_id))
        suggestions.append((sort_key, AllySuggestion(candidate_id, score, tuple(reasons))))
    suggestions.sort(key=lambda pair: pair[0])
    ranked = [suggestion for _, suggestion in suggestions]
    return ranked if limit is None else ranked[:limit]
