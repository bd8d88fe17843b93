"""From loaded network data to the JSON a `MetricSnapshot` keeps.

The analysis package computes; this module filters the network as the parameters ask,
calls the suite and the layout once, and keeps only what the pages show, in arrays
indexed like ``ids`` so that a snapshot of a national network stays a few hundred
kilobytes. No database access here: the services load and save.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np

from .analysis.brokerage import ROLES
from .analysis.graph import TieNetwork, filter_nodes, filter_ties, network_at
from .analysis.layout import layout_network
from .analysis.partner import ITEMS, PartnerRating, partner_scores
from .analysis.suite import metric_suite
from .models import TieType
from .params import NetworkParams

# A map with more lines than this is unreadable on a phone and heavy on a slow
# connection: beyond it we draw a spanning forest (every organization keeps a line
# to its component) plus the ties that bridge most, and say so under the map.
MAX_DRAWN_EDGES = 2000
MAP_WIDTH = 800.0
MAP_HEIGHT = 600.0
TYPE_BITS = {value: 1 << index for index, value in enumerate(TieType.values)}


def _round(value: Any, digits: int = 4) -> float | None:
    if value is None:
        return None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    return round(value, digits)


def _rounded(values: Iterable[Any], digits: int = 4) -> list[float | None]:
    return [_round(value, digits) for value in values]


def filtered_network(net: TieNetwork, themes: dict[int, tuple[str, ...]], params: NetworkParams, today: date) -> TieNetwork:
    """The network on the parameters' date (or today), with their filters applied."""
    return filtered_history(network_at(net, params.at or today), themes, params)


def filtered_history(net: TieNetwork, themes: dict[int, tuple[str, ...]], params: NetworkParams) -> TieNetwork:
    """Every date kept, the other filters applied: what a diff between two dates needs."""
    if params.types or params.confirmed_only:
        net = filter_ties(net, types=params.types or None, confirmed_only=params.confirmed_only)
    if params.kinds:
        net = filter_nodes(net, kinds=params.kinds)
    if params.themes:
        wanted = set(params.themes)
        net = filter_nodes(net, ids=[i for i in net.ids if wanted & set(themes.get(i, ()))])
    return net


def _pair_attributes(net: TieNetwork) -> dict[str, np.ndarray]:
    """Per connected pair: any tie confirmed, its direction (1 lo->hi, -1 hi->lo, 0 none/both), type bits."""
    pairs = net.pairs
    m = len(pairs)
    confirmed = np.zeros(m, dtype=bool)
    forward = np.zeros(m, dtype=bool)
    backward = np.zeros(m, dtype=bool)
    undirected = np.zeros(m, dtype=bool)
    bits = np.zeros(m, dtype=np.int64)
    if m and len(net.ties):
        lo = np.minimum(net.source, net.target)
        hi = np.maximum(net.source, net.target)
        index = np.searchsorted(pairs[:, 0] * net.n + pairs[:, 1], lo * net.n + hi)
        np.logical_or.at(confirmed, index, net.tie_confirmed)
        np.logical_or.at(undirected, index, ~net.tie_directed)
        np.logical_or.at(forward, index, net.tie_directed & (net.source == lo))
        np.logical_or.at(backward, index, net.tie_directed & (net.source == hi))
        type_bits = np.array([TYPE_BITS.get(tie.type, 0) for tie in net.ties], dtype=np.int64)
        np.bitwise_or.at(bits, index, type_bits)
    direction = np.where(forward & ~backward & ~undirected, 1, np.where(backward & ~forward & ~undirected, -1, 0))
    return {"confirmed": confirmed, "direction": direction, "bits": bits}


def _drawn_edges(net: TieNetwork) -> list[int]:
    """Indices into ``net.pairs`` of the lines the map draws (all of them up to the cap)."""
    m = len(net.pairs)
    if m <= MAX_DRAWN_EDGES:
        return list(range(m))
    graph = net.simple
    forest = list(graph.spanning_tree(return_tree=False))
    chosen = set(forest)
    betweenness = np.asarray(graph.edge_betweenness(directed=False), dtype=np.float64)
    for edge in np.argsort(-betweenness, kind="stable").tolist():
        if len(chosen) >= MAX_DRAWN_EDGES:
            break
        chosen.add(edge)
    return sorted(chosen)


def network_data(net: TieNetwork, *, convener: int | None, day: date) -> dict[str, Any]:
    """Measures, layout and drawable lines of an already filtered snapshot."""
    suite = metric_suite(net, group_attribute="kind", convener=convener)
    layout = layout_network(net, width=MAP_WIDTH, height=MAP_HEIGHT)
    nodes = suite.nodes
    summary = suite.summary
    ids = [int(i) for i in net.ids]
    data: dict[str, Any] = {
        "day": day.isoformat(),
        "summary": {
            "nodes": summary.nodes,
            "ties": summary.ties,
            "tie_records": summary.tie_records,
            "density": _round(summary.density, 6),
            "components": summary.components,
            "isolates": summary.isolates,
            "largest_component": summary.largest_component,
            "average_degree": _round(summary.average_degree, 3),
            "degree_centralization": _round(summary.degree_centralization),
            "betweenness_centralization": _round(summary.betweenness_centralization),
            "transitivity": _round(summary.transitivity),
            "confirmed_records": int(net.tie_confirmed.sum()),
        },
        "ids": ids,
        "kinds": list(net.kinds),
        "degree": [int(d) for d in nodes.degree.tolist()],
        "betweenness": _rounded(nodes.betweenness_normalized, 5),
        "closeness": _rounded(nodes.closeness),
        "eigenvector": _rounded(nodes.eigenvector),
        "constraint": _rounded(nodes.constraint),
        "community": [int(c) for c in suite.communities.membership.tolist()],
        "communities": {
            "count": suite.communities.count,
            "sizes": list(suite.communities.sizes[:20]),
            "modularity": _round(suite.communities.modularity),
            "stability": _round(suite.communities.stability),
        },
        "layout": {
            "width": layout.width,
            "height": layout.height,
            "x": [layout.positions[i][0] for i in net.ids],
            "y": [layout.positions[i][1] for i in net.ids],
        },
    }
    if suite.ei is not None:
        ei = suite.ei
        data["ei"] = {
            "index": _round(ei.index),
            "expected": _round(ei.expected_complete),
            "external": ei.external,
            "internal": ei.internal,
            "groups": list(ei.groups),
            "by_group": [
                {"group": g.group, "size": g.size, "external": g.external, "internal": g.internal, "index": _round(g.index)}
                for g in ei.by_group
            ],
            "mixing": ei.mixing.tolist(),
        }
    if suite.brokerage is not None:
        brokers = suite.brokerage
        data["brokerage"] = {
            "roles": list(ROLES),
            "counts": brokers.counts.tolist(),
            "total": brokers.total.tolist(),
            "z_total": _rounded(brokers.z[:, 5], 2),
            "network": brokers.network_counts(),
        }
    if suite.convener is not None:
        dep = suite.convener
        data["convener"] = {
            "id": int(dep.convener),
            "degree": dep.degree,
            "tie_share": _round(dep.tie_share),
            "geodesic_share": _round(dep.geodesic_share),
            "member_pairs_reachable": dep.member_pairs_reachable,
            "member_pairs_reachable_without": dep.member_pairs_reachable_without,
            "reachable_pairs_lost_share": _round(dep.reachable_pairs_lost_share),
            "components": dep.components,
            "components_without": dep.components_without,
            "fragmentation": _round(dep.fragmentation),
            "fragmentation_without": _round(dep.fragmentation_without),
            "fragmentation_delta": _round(dep.fragmentation_delta),
            "distance_fragmentation": _round(dep.distance_fragmentation),
            "distance_fragmentation_without": _round(dep.distance_fragmentation_without),
            "distance_fragmentation_delta": _round(dep.distance_fragmentation_delta),
        }
    attributes = _pair_attributes(net)
    drawn = _drawn_edges(net)
    pairs = net.pairs
    data["edges"] = [
        [int(pairs[k, 0]), int(pairs[k, 1]), int(attributes["confirmed"][k]), int(attributes["direction"][k]),
         int(attributes["bits"][k])]
        for k in drawn
    ]
    data["edges_total"] = len(pairs)
    data["kind_counts"] = dict(Counter(net.kinds))
    return data


# --- survey waves ---------------------------------------------------------------------------------


def _mean_pair(mean) -> list:
    return [_round(mean.value, 3), mean.n]


def wave_data(ratings: list[dict[str, Any]], responses: list[dict[str, Any]], eligible: int, organizations: int) -> dict[str, Any]:
    """Aggregate scores of one wave from its submitted ratings (dicts of SurveyRating fields).

    `responses` are the submitted responses (organization, contributions, outcomes);
    `eligible` the organizations that could answer, `organizations` all of the registry.
    """
    scores = partner_scores(
        PartnerRating(r["rater"], r["partner"], **{item: r[item] for item in ITEMS}) for r in ratings
    )
    orgs = {}
    for org, s in scores.organizations.items():
        orgs[str(org)] = {
            "trust_received": _mean_pair(s.trust_received),
            "trust_given": _mean_pair(s.trust_given),
            "value_received": _mean_pair(s.value_received),
            "value_given": _mean_pair(s.value_given),
            "items_received": {item: _mean_pair(m) for item, m in s.items_received.items()},
            "items_given": {item: _mean_pair(m) for item, m in s.items_given.items()},
        }
    network: dict[str, dict[str, list]] = {}
    for score in scores.network:
        network.setdefault(score.measure, {})[score.basis] = [_round(score.value, 3), score.n]
    pairs = {tuple(sorted((r["rater"], r["partner"]))) for r in ratings}
    possible = organizations * (organizations - 1) / 2
    return {
        "organizations": orgs,
        "network": network,
        "reciprocity": {
            "pairs": scores.reciprocity.pairs,
            "correlation": _round(scores.reciprocity.correlation, 3),
            "mean_absolute_difference": _round(scores.reciprocity.mean_absolute_difference, 3),
        },
        "responses": len(responses),
        "eligible": eligible,
        "ratings": len(ratings),
        "pairs_reported": len(pairs),
        "density": _round(len(pairs) / possible, 4) if possible else None,
        "intensity": dict(Counter(r["intensity"] for r in ratings if r["intensity"])),
        "frequency": dict(Counter(r["frequency"] for r in ratings if r["frequency"])),
        "contributions": dict(Counter(c for response in responses for c in response["contributions"])),
        "outcomes": dict(Counter(o for response in responses for o in response["outcomes"])),
    }
