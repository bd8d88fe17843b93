"""Deterministic layout normalized to a box, for the server-rendered SVG map."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from tequio.network.analysis.graph import Node, Tie, build_network
from tequio.network.analysis.layout import layout_network


@pytest.fixture(autouse=True)
def _english_default():
    # Overrides the root conftest fixture that needs Django settings: pure computation.
    return


def fragmented():
    graph = nx.disjoint_union_all(
        [
            nx.karate_club_graph(),
            nx.cycle_graph(6),
            nx.path_graph(2),
            nx.empty_graph(5),
        ]
    )
    return build_network([Node(v) for v in graph], [Tie(u, v, "t") for u, v in graph.edges])


def test_it_fits_every_node_inside_the_margins():
    layout = layout_network(fragmented(), width=400, height=300, margin=10)
    assert len(layout.positions) == 34 + 6 + 2 + 5
    xs = [x for x, _ in layout.positions.values()]
    ys = [y for _, y in layout.positions.values()]
    assert min(xs) >= 10 - 1e-6 and max(xs) <= 390 + 1e-6
    assert min(ys) >= 10 - 1e-6 and max(ys) <= 290 + 1e-6
    # The drawing fills the box along at least one axis.
    assert max(xs) - min(xs) == pytest.approx(380, abs=0.2) or max(ys) - min(ys) == pytest.approx(
        280, abs=0.2
    )


def test_it_is_deterministic_whatever_the_global_random_state():
    random.seed(1)
    first = layout_network(fragmented(), seed=3)
    random.seed(2)
    second = layout_network(fragmented(), seed=3)
    assert first == second
    state = random.getstate()
    layout_network(fragmented())
    assert random.getstate() == state  # we never consume the caller's generator


def test_it_gives_the_largest_component_the_largest_area():
    layout = layout_network(fragmented())
    karate = [layout.positions[i] for i in range(34)]
    ring = [layout.positions[i] for i in range(34, 40)]

    def width(points):
        return max(x for x, _ in points) - min(x for x, _ in points)

    assert width(karate) > width(ring)


def test_it_centres_a_single_node_and_handles_an_empty_network():
    assert layout_network(build_network([Node("a")], []), width=100, height=50).positions == {
        "a": (50.0, 25.0)
    }
    assert layout_network(build_network([], [])).positions == {}
