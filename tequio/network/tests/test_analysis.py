"""Network measures against published values on classic networks and against networkx.

Published values used:
* Krackhardt kite (Krackhardt 1990): betweenness Heather 14, Fernando and Garth 8.33, Ike 8,
  Diane 3.67, Andre and Beverly 0.83, others 0; degree Diane 6.
* Padgett's Florentine marriage network (Padgett & Ansell 1993; Wasserman & Faust 1994),
  16 families with the Pucci isolate: 20 ties, density 0.167; raw betweenness Medici 47.5,
  Guadagni 23.17, Albizzi 19.33, Salviati 13, Ridolfi 10.33, ...
* Zachary's karate club (Zachary 1977): 34 members, 78 ties, transitivity 0.2557; the
  maximum modularity is 0.4198 with four communities (Brandes et al. 2008, proven optimal).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tequio.network.analysis.communities import detect_communities
from tequio.network.analysis.graph import Node, Tie, TieNetwork, build_network
from tequio.network.analysis.measures import (
    betweenness_centralization,
    degree_centralization,
    ei_index,
    network_summary,
    node_metrics,
)


@pytest.fixture(autouse=True)
def _english_default():
    # Overrides the root conftest fixture of the same name, which needs Django settings:
    # this is pure computation, and the file must run with `-p no:django`.
    return


KITE_NAMES = (
    "Andre",
    "Beverly",
    "Carol",
    "Diane",
    "Ed",
    "Fernando",
    "Garth",
    "Heather",
    "Ike",
    "Jane",
)


def from_networkx(graph: nx.Graph, kind_of: dict | None = None) -> TieNetwork:
    nodes = [Node(v, kind=(kind_of or {}).get(v, "cso")) for v in graph.nodes]
    ties = [Tie(u, v, "joint_activity") for u, v in graph.edges]
    return build_network(nodes, ties)


def kite() -> TieNetwork:
    graph = nx.relabel_nodes(nx.krackhardt_kite_graph(), dict(enumerate(KITE_NAMES)))
    return from_networkx(graph)


def florentine_with_pucci() -> TieNetwork:
    graph = nx.florentine_families_graph()
    graph.add_node("Pucci")  # Padgett's 16th family, married into none of the others
    return from_networkx(graph)


# --- Published values -------------------------------------------------------------------


def test_it_reproduces_kite_betweenness_and_degree():
    metrics = node_metrics(kite())
    betweenness = dict(zip(metrics.ids, metrics.betweenness, strict=True))
    expected = {
        "Heather": 14,
        "Fernando": 8.333,
        "Garth": 8.333,
        "Ike": 8,
        "Diane": 3.667,
        "Andre": 0.833,
        "Beverly": 0.833,
        "Carol": 0,
        "Ed": 0,
        "Jane": 0,
    }
    for name, value in expected.items():
        assert betweenness[name] == pytest.approx(value, abs=5e-4), name
    degree = dict(zip(metrics.ids, metrics.degree, strict=True))
    assert degree["Diane"] == 6 and degree["Jane"] == 1


def test_it_computes_kite_harmonic_closeness_by_hand():
    # Jane: Ike at 1, Heather at 2, Fernando and Garth at 3, the five others at 4.
    metrics = node_metrics(kite())
    closeness = dict(zip(metrics.ids, metrics.closeness, strict=True))
    assert closeness["Jane"] == pytest.approx((1 + 1 / 2 + 2 / 3 + 5 / 4) / 9)


def test_it_computes_kite_centralizations_by_hand():
    summary = network_summary(kite())
    # Degrees 4,4,3,6,3,5,5,3,2,1: sum of (6 - d) = 24 over (n-1)(n-2) = 72.
    assert summary.degree_centralization == pytest.approx(24 / 72)
    # Betweenness sums to 44: (10 * 14 - 44) over (n-1)^2 (n-2) / 2 = 324.
    assert summary.betweenness_centralization == pytest.approx(96 / 324)
    assert summary.density == pytest.approx(0.4)
    assert summary.components == 1 and summary.average_degree == pytest.approx(3.6)


def test_it_reproduces_padgett_marriage_network():
    net = florentine_with_pucci()
    summary = network_summary(net)
    assert (summary.nodes, summary.ties) == (16, 20)
    assert summary.density == pytest.approx(20 / 120)  # 0.167 as published
    assert (summary.components, summary.isolates, summary.largest_component) == (2, 1, 15)
    metrics = node_metrics(net)
    betweenness = dict(zip(metrics.ids, metrics.betweenness, strict=True))
    published = {
        "Medici": 47.5,
        "Guadagni": 23.167,
        "Albizzi": 19.333,
        "Salviati": 13.0,
        "Ridolfi": 10.333,
        "Bischeri": 9.5,
        "Strozzi": 9.333,
        "Barbadori": 8.5,
        "Tornabuoni": 8.333,
        "Castellani": 5.0,
        "Peruzzi": 2.0,
        "Pucci": 0.0,
    }
    for family, value in published.items():
        assert betweenness[family] == pytest.approx(value, abs=5e-4), family
    degree = dict(zip(metrics.ids, metrics.degree, strict=True))
    assert degree["Medici"] == 6 and degree["Pucci"] == 0
    assert np.isnan(metrics.constraint[net.index["Pucci"]])  # undefined for an isolate


def test_it_reproduces_karate_club_figures():
    net = from_networkx(nx.karate_club_graph())
    summary = network_summary(net)
    assert (summary.nodes, summary.ties) == (34, 78)
    assert summary.transitivity == pytest.approx(0.2557, abs=1e-4)
    metrics = node_metrics(net)
    # Zachary's instructor (node 0) and administrator (node 33) are the two hubs.
    assert metrics.degree[33] == 17 and metrics.degree[0] == 16
    assert metrics.betweenness_normalized[0] == pytest.approx(0.4376, abs=1e-4)
    assert metrics.betweenness_normalized[33] == pytest.approx(0.3041, abs=1e-4)
    assert int(np.argmax(metrics.eigenvector)) == 33


def test_it_finds_the_optimal_karate_partition_with_leiden():
    communities = detect_communities(from_networkx(nx.karate_club_graph()))
    assert communities.modularity == pytest.approx(0.4198, abs=1e-4)
    assert communities.count == 4
    assert sorted(communities.sizes, reverse=True) == list(communities.sizes)


def test_it_is_deterministic_for_the_same_seeds():
    net = from_networkx(nx.karate_club_graph())
    first = detect_communities(net, seeds=(5, 6))
    second = detect_communities(net, seeds=(5, 6))
    assert (first.membership == second.membership).all()
    assert first.modularity_by_seed == second.modularity_by_seed
    assert first.stability is not None and 0 <= first.stability <= 1


# --- E-I index by hand ------------------------------------------------------------------


def test_it_computes_ei_index_by_hand():
    # Groups A = {a1, a2, a3}, B = {b1, b2}; ties a1-a2, a2-a3 (internal), a1-b1, a3-b2
    # (external), b1-b2 (internal); x has no kind and its tie to a1 is left out.
    nodes = [
        Node("a1", "A"),
        Node("a2", "A"),
        Node("a3", "A"),
        Node("b1", "B"),
        Node("b2", "B"),
        Node("x", ""),
    ]
    ties = [
        Tie("a1", "a2", "t"),
        Tie("a2", "a3", "t"),
        Tie("a1", "b1", "t"),
        Tie("a3", "b2", "t"),
        Tie("b1", "b2", "t"),
        Tie("x", "a1", "t"),
    ]
    ei = ei_index(build_network(nodes, ties))
    assert (ei.external, ei.internal) == (2, 3)
    assert ei.index == pytest.approx((2 - 3) / 5)
    # Every possible tie: external 3*2*2 = 12 ordered pairs, internal 3*2 + 2*1 = 8.
    assert ei.expected_complete == pytest.approx((12 - 8) / 20)
    by_group = {g.group: g for g in ei.by_group}
    # From A's members: a1 (1 int, 1 ext), a2 (2 int), a3 (1 int, 1 ext).
    assert (by_group["A"].external, by_group["A"].internal) == (2, 4)
    assert by_group["A"].index == pytest.approx(-2 / 6)
    assert (by_group["B"].external, by_group["B"].internal) == (2, 2)
    by_node = dict(zip(build_network(nodes, ties).ids, ei.by_node, strict=True))
    assert by_node["a2"] == -1 and by_node["a1"] == 0
    assert np.isnan(by_node["x"]) and ei.unlabelled_nodes == 1
    assert ei.groups == ("A", "B")
    assert ei.mixing.tolist() == [[2, 2], [2, 1]]


def test_it_matches_a_manual_count_of_karate_factions():
    graph = nx.karate_club_graph()
    club = nx.get_node_attributes(graph, "club")
    nodes = [Node(v, attrs={"club": club[v]}) for v in graph]
    net = build_network(nodes, [Tie(u, v, "t") for u, v in graph.edges])
    cross = sum(1 for u, v in graph.edges if club[u] != club[v])
    ei = ei_index(net, "club")
    assert ei.index == pytest.approx((cross - (78 - cross)) / 78)


# --- Centralization formulas --------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 5, 12])
def test_it_gives_one_for_a_star_and_zero_for_a_complete_graph(n):
    star = network_summary(from_networkx(nx.star_graph(n - 1)))
    assert star.degree_centralization == pytest.approx(1.0)
    assert star.betweenness_centralization == pytest.approx(1.0)
    complete = network_summary(from_networkx(nx.complete_graph(n)))
    assert complete.degree_centralization == pytest.approx(0.0)
    assert complete.betweenness_centralization == pytest.approx(0.0)


def test_it_leaves_centralization_undefined_below_three_nodes():
    assert degree_centralization([1, 1], 2) is None
    assert betweenness_centralization([0, 0], 2) is None


# --- Against networkx on random graphs ---------------------------------------------------


def random_graphs() -> list[nx.Graph]:
    graphs = [
        nx.gnp_random_graph(60, 0.08, seed=1),
        nx.powerlaw_cluster_graph(80, 3, 0.4, seed=2),
        nx.connected_watts_strogatz_graph(50, 6, 0.2, seed=3),
    ]
    sparse = nx.gnp_random_graph(70, 0.03, seed=4)  # disconnected, with isolates
    graphs.append(sparse)
    return graphs


def _nx_centralizations(graph: nx.Graph) -> tuple[float, float]:
    n = graph.number_of_nodes()
    degrees = [d for _, d in graph.degree()]
    btw = list(nx.betweenness_centrality(graph, normalized=False).values())
    return (
        sum(max(degrees) - d for d in degrees) / ((n - 1) * (n - 2)),
        sum(max(btw) - b for b in btw) / ((n - 1) ** 2 * (n - 2) / 2),
    )


@pytest.mark.parametrize("graph", random_graphs(), ids=["gnp", "powerlaw", "ws", "sparse"])
def test_it_matches_networkx(graph):
    net = from_networkx(graph)
    metrics = node_metrics(net)
    summary = network_summary(net, betweenness=metrics.betweenness)
    order = list(net.ids)
    n = net.n

    btw = nx.betweenness_centrality(graph, normalized=False)
    assert np.allclose(metrics.betweenness, [btw[v] for v in order])
    btw_norm = nx.betweenness_centrality(graph, normalized=True)
    assert np.allclose(metrics.betweenness_normalized, [btw_norm[v] for v in order])
    harmonic = nx.harmonic_centrality(graph)
    assert np.allclose(metrics.closeness, [harmonic[v] / (n - 1) for v in order])
    constraint = nx.constraint(graph)
    assert np.allclose(metrics.constraint, [constraint[v] for v in order], equal_nan=True)
    assert summary.transitivity == pytest.approx(nx.transitivity(graph))
    assert summary.density == pytest.approx(nx.density(graph))
    assert summary.components == nx.number_connected_components(graph)
    degree_c, betweenness_c = _nx_centralizations(graph)
    assert summary.degree_centralization == pytest.approx(degree_c)
    assert summary.betweenness_centralization == pytest.approx(betweenness_c)
    if nx.is_connected(graph):
        eigen = nx.eigenvector_centrality_numpy(graph)
        values = np.abs([eigen[v] for v in order])
        assert np.allclose(metrics.eigenvector, values / values.max(), atol=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(min_value=3, max_value=18),
    edges=st.sets(st.tuples(st.integers(0, 17), st.integers(0, 17)), max_size=60),
)
def test_it_matches_networkx_on_arbitrary_small_graphs(n, edges):
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((a, b) for a, b in edges if a != b and a < n and b < n)
    net = from_networkx(graph)
    metrics = node_metrics(net)
    btw = nx.betweenness_centrality(graph, normalized=False)
    harmonic = nx.harmonic_centrality(graph)
    constraint = nx.constraint(graph)
    assert np.allclose(metrics.betweenness, [btw[v] for v in net.ids])
    assert np.allclose(metrics.closeness, [harmonic[v] / (n - 1) for v in net.ids])
    assert np.allclose(metrics.constraint, [constraint[v] for v in net.ids], equal_nan=True)
    summary = network_summary(net)
    if graph.number_of_edges() and nx.transitivity(graph) > 0:
        assert summary.transitivity == pytest.approx(nx.transitivity(graph))


def test_it_counts_pairs_once_whatever_the_records_between_them():
    nodes = [Node(i) for i in range(3)]
    ties = [
        Tie(0, 1, "info"),
        Tie(1, 0, "referral", directed=True),
        Tie(0, 1, "alliance"),
        Tie(1, 2, "info"),
    ]
    net = build_network(nodes, ties)
    summary = network_summary(net)
    assert (summary.ties, summary.tie_records) == (2, 4)
    assert node_metrics(net).degree.tolist() == [1, 2, 1]


def test_it_handles_empty_and_tiny_networks():
    empty = build_network([], [])
    assert network_summary(empty).nodes == 0
    assert node_metrics(empty).degree.size == 0
    lone = build_network([Node("a")], [])
    summary = network_summary(lone)
    assert summary.density is None and summary.transitivity is None
    assert summary.components == 1 and summary.isolates == 1
    pair = build_network([Node("a"), Node("b")], [Tie("a", "b", "t")])
    metrics = node_metrics(pair)
    assert metrics.closeness.tolist() == [1.0, 1.0]
    assert detect_communities(lone).modularity is None
    rows = list(node_metrics(lone).rows())
    assert rows == [
        {
            "id": "a",
            "degree": 0,
            "betweenness": 0.0,
            "betweenness_normalized": 0.0,
            "closeness": 0.0,
            "eigenvector": 0.0,
            "constraint": None,
        }
    ]
