"""The full metric suite for one network snapshot, computed once and shared by every page.

This is what a background task recomputes when ties change, and what the benchmark times.
Each measure is computed once: betweenness and harmonic closeness feed the summary's
centralization and the convener figures instead of being recomputed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tequio.network.analysis.brokerage import Brokerage, brokerage
from tequio.network.analysis.communities import DEFAULT_SEEDS, Communities, detect_communities
from tequio.network.analysis.convener import ConvenerDependence, convener_dependence
from tequio.network.analysis.graph import NodeId, TieNetwork
from tequio.network.analysis.measures import (
    EIIndex,
    NetworkSummary,
    NodeMetrics,
    ei_index,
    network_summary,
    node_metrics,
)


@dataclass(frozen=True, eq=False)
class MetricSuite:
    """Everything the network pages show for one snapshot.

    `ei` and `brokerage` are None when no `group_attribute` was asked for; `convener` is None
    without a convener or when it is not in the snapshot (e.g. before it joined).
    """

    summary: NetworkSummary
    nodes: NodeMetrics
    communities: Communities
    ei: EIIndex | None
    brokerage: Brokerage | None
    convener: ConvenerDependence | None


def metric_suite(
    net: TieNetwork,
    *,
    group_attribute: str | None = "kind",
    convener: NodeId | None = None,
    community_seeds: Sequence[int] = DEFAULT_SEEDS,
) -> MetricSuite:
    """Whole-network, per-node, community, E-I, brokerage and convener measures of `net`.

    Filter first (`network_at`, `filter_ties`, `filter_nodes`); the suite measures what it is
    given. `group_attribute` is the node attribute for E-I and brokerage (``"kind"``, or a key
    of `Node.attrs` such as ``"state"``).
    """
    nodes = node_metrics(net)
    summary = network_summary(net, betweenness=nodes.betweenness)
    communities = detect_communities(net, seeds=community_seeds)
    ei = ei_index(net, group_attribute) if group_attribute else None
    brokers = brokerage(net, group_attribute) if group_attribute else None
    dependence = None
    if convener is not None and convener in net.index:
        dependence = convener_dependence(
            net, convener, betweenness=nodes.betweenness, closeness=nodes.closeness
        )
    return MetricSuite(summary, nodes, communities, ei, brokers, dependence)
