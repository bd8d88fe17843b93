"""Gould-Fernandez brokerage against a brute-force count over all triads."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tequio.network.analysis.brokerage import ROLES, brokerage, sna_moments
from tequio.network.analysis.graph import Node, Tie, TieNetwork, build_network


@pytest.fixture(autouse=True)
def _english_default():
    # Overrides the root conftest fixture that needs Django settings: pure computation.
    return


def brute_force(net: TieNetwork, attribute: str) -> np.ndarray:
    """Walk every ordered triple (a, v, b) of distinct nodes: the definition, literally."""
    arcs = {tuple(p) for p in net.arc_pairs.tolist()}
    labels = ["" if g is None else g for g in net.group_labels(attribute)]
    counts = np.zeros((net.n, 5), dtype=np.int64)
    for a, v, b in itertools.permutations(range(net.n), 3):
        if (a, v) not in arcs or (v, b) not in arcs or (a, b) in arcs:
            continue
        ga, gv, gb = labels[a], labels[v], labels[b]
        if ga == gv == gb:
            role = "coordinator"
        elif ga == gb:
            role = "itinerant"
        elif ga == gv:
            role = "representative"
        elif gv == gb:
            role = "gatekeeper"
        else:
            role = "liaison"
        counts[v, ROLES.index(role)] += 1
    return counts


def random_network(seed: int, n: int, p: float, groups: str, directed_share: float) -> TieNetwork:
    rng = random.Random(seed)
    nodes = [Node(i, kind=rng.choice(groups)) for i in range(n)]
    ties = [
        Tie(a, b, "t", directed=rng.random() < directed_share)
        for a in range(n)
        for b in range(n)
        if a != b and rng.random() < p
    ]
    return build_network(nodes, ties)


@pytest.mark.parametrize(
    ("seed", "n", "p", "groups", "directed_share"),
    [
        (1, 30, 0.12, "abc", 1.0),  # purely directed
        (2, 30, 0.08, "abcd", 0.0),  # purely undirected
        (3, 35, 0.10, "ab", 0.5),  # mixed
        (4, 25, 0.30, "abcde", 0.3),  # dense: many closed triads to subtract
        (5, 20, 0.15, "a", 0.5),  # one group: only coordinators
    ],
)
def test_it_matches_a_brute_force_count_over_all_triads(seed, n, p, groups, directed_share):
    net = random_network(seed, n, p, groups, directed_share)
    result = brokerage(net)
    assert (result.counts == brute_force(net, "kind")).all()
    assert (result.total == result.counts.sum(axis=1)).all()


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=3, max_value=12),
    arcs=st.sets(st.tuples(st.integers(0, 11), st.integers(0, 11), st.booleans()), max_size=50),
    labels=st.lists(st.sampled_from(["x", "y", "z", None]), min_size=12, max_size=12),
)
def test_it_matches_brute_force_on_arbitrary_small_networks(n, arcs, labels):
    nodes = [Node(i, attrs={"tier": labels[i]}) for i in range(n)]
    ties = [Tie(a, b, "t", directed=d) for a, b, d in arcs if a != b and a < n and b < n]
    net = build_network(nodes, ties)
    assert (brokerage(net, "tier").counts == brute_force(net, "tier")).all()


def test_it_finds_the_textbook_roles_on_a_three_node_chain():
    # a -> v -> b with no a -> b: one 2-path, its role depends only on the three groups.
    cases = {
        ("A", "A", "A"): "coordinator",
        ("A", "B", "A"): "itinerant",
        ("A", "A", "B"): "representative",
        ("A", "B", "B"): "gatekeeper",
        ("A", "B", "C"): "liaison",
    }
    for (ga, gv, gb), role in cases.items():
        net = build_network(
            [Node("a", ga), Node("v", gv), Node("b", gb)],
            [Tie("a", "v", "referral", directed=True), Tie("v", "b", "referral", directed=True)],
        )
        result = brokerage(net)
        assert result.role(role).tolist() == [0, 1, 0], role
        assert result.total.tolist() == [0, 1, 0]


def test_it_makes_gatekeeper_equal_representative_on_undirected_data():
    net = random_network(7, 30, 0.1, "abc", 0.0)
    result = brokerage(net)
    assert (result.role("gatekeeper") == result.role("representative")).all()
    assert result.network_counts()["gatekeeper"] == result.network_counts()["representative"]


def test_it_does_not_count_closed_or_reciprocal_paths():
    # Triangle: every 2-path is closed. Mutual pair: a -> v -> a is not a 2-path.
    triangle = build_network(
        [Node(i, "g") for i in range(3)], [Tie(0, 1, "t"), Tie(1, 2, "t"), Tie(0, 2, "t")]
    )
    assert brokerage(triangle).total.tolist() == [0, 0, 0]
    mutual = build_network([Node(0, "g"), Node(1, "h")], [Tie(0, 1, "t")])
    assert brokerage(mutual).total.tolist() == [0, 0]


def test_expected_values_follow_the_sna_null_model():
    # N = 10, groups of 4, 3, 3, arc density d = 0.2; broker in the group of 4.
    sizes = np.array([4.0, 3.0, 3.0])
    exp, var = sna_moments(sizes, 10, 0.2)
    p = 0.2**2 * 0.8
    assert exp[0, 0] == pytest.approx(p * 3 * 2)  # coordinator: (n_g-1)(n_g-2)
    assert exp[0, 1] == pytest.approx(p * (3 * 2 + 3 * 2))  # itinerant: sum n_h(n_h-1)
    assert exp[0, 2] == pytest.approx(p * 6 * 3)  # representative: (N-n_g)(n_g-1)
    assert exp[0, 3] == exp[0, 2]
    assert exp[0, 4] == pytest.approx(p * (6**2 - 9 - 9))  # liaison: ordered pairs across
    assert exp[0, 5] == pytest.approx(p * 9 * 8)  # total: (N-1)(N-2)
    # The five roles partition all ordered pairs around the broker.
    assert exp[:, :5].sum(axis=1) == pytest.approx(exp[:, 5])
    cube = 0.2**3 * 0.8**3
    assert var[0, 0] == pytest.approx(exp[0, 0] * (1 - p) + 2 * 3 * 2 * 1 * cube)
    assert (var >= 0).all()


def test_z_scores_are_observed_minus_expected_over_sd():
    net = random_network(11, 40, 0.1, "abc", 0.5)
    result = brokerage(net)
    observed = np.column_stack((result.counts, result.total))
    ok = result.sd > 0
    assert np.allclose(result.z[ok], ((observed - result.expected) / result.sd)[ok])
    assert np.isnan(result.z[~ok]).all()
