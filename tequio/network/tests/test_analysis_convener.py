"""Convener dependence: tie share, shortest-path share and fragmentation without it."""

from __future__ import annotations

import networkx as nx
import pytest

from tequio.network.analysis.convener import convener_dependence
from tequio.network.analysis.graph import Node, Tie, build_network
from tequio.network.analysis.suite import metric_suite


@pytest.fixture(autouse=True)
def _english_default():
    # Overrides the root conftest fixture that needs Django settings: pure computation.
    return


def from_edges(n, edges):
    return build_network([Node(i) for i in range(n)], [Tie(a, b, "t") for a, b in edges])


def test_a_hub_convener_holds_the_network_together():
    star = from_edges(6, [(0, i) for i in range(1, 6)])
    dep = convener_dependence(star, 0)
    assert dep.tie_share == 1.0 and dep.degree == 5
    assert dep.member_pairs_reachable == 10 and dep.geodesic_share == 1.0
    assert dep.member_pairs_reachable_without == 0 and dep.reachable_pairs_lost_share == 1.0
    assert (dep.components, dep.components_without) == (1, 5)
    assert dep.fragmentation == 0.0 and dep.fragmentation_without == 1.0
    assert dep.fragmentation_delta == 1.0
    # Star: leaves are at distance 2 from each other, so F_d = 1 - (10 + 20 * 0.5) / 30.
    assert dep.distance_fragmentation == pytest.approx(1 - 20 / 30)
    assert dep.distance_fragmentation_without == 1.0


def test_a_convener_that_stepped_back_changes_nothing():
    complete = from_edges(5, [(a, b) for a in range(5) for b in range(a + 1, 5)])
    dep = convener_dependence(complete, 0)
    assert dep.tie_share == pytest.approx(4 / 10)
    assert dep.geodesic_share == 0.0 and dep.reachable_pairs_lost_share == 0.0
    assert dep.fragmentation_delta == 0.0 and dep.distance_fragmentation_delta == 0.0


def test_it_averages_the_share_of_geodesics_over_member_pairs():
    # Kite: Heather (7) sits on every path to Ike and Jane and on some others.
    net = from_edges(10, nx.krackhardt_kite_graph().edges)
    dep = convener_dependence(net, 7)
    assert dep.betweenness == pytest.approx(14.0)
    assert dep.member_pairs_reachable == 36
    assert dep.geodesic_share == pytest.approx(14 / 36)
    # Without Heather, Ike and Jane are cut off from the 7 others: 14 pairs lost.
    assert dep.member_pairs_reachable_without == 22
    assert dep.reachable_pairs_lost_share == pytest.approx(14 / 36)
    assert dep.components_without == 2


def test_it_ignores_pairs_that_were_never_connected():
    # Convener 0 bridges 1-2; the separate pair 3-4 is reachable with or without it.
    net = from_edges(5, [(0, 1), (0, 2), (3, 4)])
    dep = convener_dependence(net, 0)
    assert dep.member_pairs_reachable == 2  # (1, 2) and (3, 4)
    assert dep.geodesic_share == pytest.approx(0.5)
    assert dep.reachable_pairs_lost_share == pytest.approx(0.5)


def test_it_agrees_with_reused_metrics():
    net = from_edges(10, nx.krackhardt_kite_graph().edges)
    suite = metric_suite(net, convener=7)
    assert suite.convener == convener_dependence(net, 7)


def test_it_rejects_an_unknown_convener_and_skips_an_absent_one():
    net = from_edges(3, [(0, 1)])
    with pytest.raises(ValueError):
        convener_dependence(net, 99)
    assert metric_suite(net, convener=99).convener is None
