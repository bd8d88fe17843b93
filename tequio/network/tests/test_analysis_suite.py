"""The full suite, its networkx twin used by the benchmark, and the benchmark entry point."""

from __future__ import annotations

import numpy as np
import pytest

from tequio.network.analysis.bench import _agreement, generate_network, main, networkx_suite
from tequio.network.analysis.graph import filter_ties, network_at
from tequio.network.analysis.suite import metric_suite


@pytest.fixture(autouse=True)
def _english_default():
    # Overrides the root conftest fixture that needs Django settings: pure computation.
    return


@pytest.fixture(scope="module")
def small():
    return generate_network(organizations=150, ties=900, seed=3)


def test_generation_is_deterministic(small):
    again = generate_network(organizations=150, ties=900, seed=3)
    assert again.ties == small.ties and again.nodes == small.nodes
    assert len(small.pairs) == 900
    assert generate_network(organizations=150, ties=900, seed=4).ties != small.ties


def test_the_suite_agrees_with_networkx(small):
    snapshot = network_at(small, small.ties[0].start.replace(year=2023))
    ours = metric_suite(snapshot, convener=0)
    theirs = networkx_suite(snapshot, convener=0)
    assert _agreement(ours, theirs) == []
    # Louvain and Leiden optimize the same objective: close, not necessarily equal.
    assert ours.communities.modularity == pytest.approx(theirs["modularity"], abs=0.03)


def test_the_suite_covers_every_measure(small):
    suite = metric_suite(
        filter_ties(small, confirmed_only=True), group_attribute="state", convener=0
    )
    assert suite.summary.nodes == small.n
    assert suite.nodes.degree.shape == (small.n,)
    assert suite.communities.membership.shape == (small.n,)
    assert suite.ei is not None and suite.ei.attribute == "state"
    assert suite.brokerage is not None and suite.brokerage.counts.shape == (small.n, 5)
    assert suite.convener is not None and 0 <= suite.convener.tie_share <= 1
    bare = metric_suite(small, group_attribute=None)
    assert bare.ei is None and bare.brokerage is None and bare.convener is None
    assert np.array_equal(bare.nodes.betweenness, metric_suite(small).nodes.betweenness)


def test_the_benchmark_runs_without_baseline(capsys):
    assert main(["--no-baseline"]) == 0
    out = capsys.readouterr().out
    assert "2,000 organizations, 50,000 tie records" in out
    assert "igraph suite:" in out and "networkx" not in out


def test_the_benchmark_rejects_a_bad_scale():
    with pytest.raises(SystemExit):
        main(["--scale", "0"])
