"""Building the tie network, snapshots at a date, diffs between dates, and filters."""

from __future__ import annotations

from datetime import date

import pytest

from tequio.network.analysis.graph import (
    Node,
    Tie,
    build_network,
    filter_nodes,
    filter_ties,
    network_at,
    network_diff,
    to_igraph,
)


@pytest.fixture(autouse=True)
def _english_default():
    # Overrides the root conftest fixture that needs Django settings: pure computation.
    return


D = date


def sample():
    nodes = [
        Node("cso1", "cso", {"state": "BC"}),
        Node("cso2", "cso", {"state": "BC"}),
        Node("gov", "government", {"state": "SON"}),
        Node("uni", "academia", since=D(2020, 1, 1)),
        Node("gone", "cso", until=D(2019, 6, 1)),
    ]
    ties = [
        Tie("cso1", "cso2", "joint_activity", start=D(2018, 3, 1), confirmed=True, key="t1"),
        Tie(
            "cso1",
            "gov",
            "referral",
            directed=True,
            start=D(2019, 1, 1),
            end=D(2020, 1, 1),
            key="t2",
        ),
        Tie("cso2", "uni", "data_sharing", start=D(2020, 2, 1), confirmed=True, key="t3"),
        Tie("gone", "cso1", "information_sharing", key="t4"),
        Tie("gov", "cso2", "formal_alliance", start=D(2019, 5, 1), end=D(2019, 8, 1), key="t5"),
    ]
    return build_network(nodes, ties)


def test_it_builds_from_plain_tuples():
    net = build_network(
        [("a", {"kind": "cso", "state": "BC"}), ("b", {"kind": "donor"})],
        [("a", "b", "resource_sharing", True, D(2020, 1, 1), None, False)],
    )
    assert net.ids == ("a", "b") and net.kinds == ("cso", "donor")
    assert net.nodes[0].attrs == {"state": "BC"}
    assert net.ties[0].directed and net.ties[0].key == 0
    assert net.arc_pairs.tolist() == [[0, 1]]
    assert net.pairs.tolist() == [[0, 1]]


@pytest.mark.parametrize(
    ("nodes", "ties", "message"),
    [
        ([Node("a"), Node("a")], [], "duplicate node id"),
        ([Node("a")], [Tie("a", "z", "t")], "unknown node id 'z'"),
        ([Node("a")], [Tie("a", "a", "t")], "tied to itself"),
        (
            [Node("a"), Node("b")],
            [Tie("a", "b", "t", start=D(2020, 1, 2), end=D(2020, 1, 1))],
            "end date is before start date",
        ),
        ([Node("a", since=D(2020, 1, 2), until=D(2020, 1, 1))], [], "'until' is before"),
    ],
)
def test_it_rejects_bad_input(nodes, ties, message):
    with pytest.raises(ValueError, match=message):
        build_network(nodes, ties)


def test_it_takes_the_network_as_it_stood_on_a_date():
    net = sample()
    early = network_at(net, D(2019, 2, 1))
    assert early.ids == ("cso1", "cso2", "gov", "gone")  # uni joined in 2020
    assert {t.key for t in early.ties} == {"t1", "t2", "t4"}
    # Half-open dates: t5 ends on 2019-08-01, so it is gone that day; gone left 2019-06-01.
    summer = network_at(net, D(2019, 8, 1))
    assert {t.key for t in summer.ties} == {"t1", "t2"}
    assert "gone" not in summer.ids
    assert {t.key for t in network_at(net, D(2019, 7, 31)).ties} == {"t1", "t2", "t5"}
    later = network_at(net, D(2021, 1, 1))
    assert {t.key for t in later.ties} == {"t1", "t3"}
    assert later.pairs.tolist() == [[0, 1], [1, 3]]  # positions renumbered after "gone" left
    assert later.simple.vcount() == 4 and later.simple.ecount() == 2


def test_it_lists_what_changed_between_two_dates():
    diff = network_diff(sample(), D(2019, 2, 1), D(2021, 1, 1))
    assert [t.key for t in diff.formed] == ["t3", "t5"]  # t5 formed and ended in between
    assert [t.key for t in diff.ended] == ["t2", "t5"]
    assert diff.new_pairs == (("cso2", "uni"),)
    assert set(diff.lost_pairs) == {("cso1", "gov"), ("cso1", "gone")}
    assert diff.joined == ("uni",) and diff.left == ("gone",)
    with pytest.raises(ValueError):
        network_diff(sample(), D(2021, 1, 1), D(2019, 1, 1))


def test_it_filters_by_tie_type_confirmation_and_direction():
    net = sample()
    assert {t.key for t in filter_ties(net, types={"referral", "data_sharing"}).ties} == {
        "t2",
        "t3",
    }
    assert {t.key for t in filter_ties(net, confirmed_only=True).ties} == {"t1", "t3"}
    assert {t.key for t in filter_ties(net, directed=True).ties} == {"t2"}
    assert filter_ties(net, types=set()).ties == ()
    assert filter_ties(net).n == net.n  # nodes stay, even when their ties go


def test_it_filters_by_kind_and_id():
    net = sample()
    csos = filter_nodes(net, kinds={"cso"})
    assert csos.ids == ("cso1", "cso2", "gone")
    assert {t.key for t in csos.ties} == {"t1", "t4"}
    assert filter_nodes(net, ids={"gov", "cso2"}).pairs.tolist() == [[0, 1]]


def test_it_projects_directed_and_undirected_ties():
    net = build_network(
        [Node(i) for i in range(3)],
        [
            Tie(0, 1, "referral", directed=True),
            Tie(1, 2, "joint_activity"),
            Tie(1, 0, "referral", directed=True),
            Tie(0, 1, "alliance"),
        ],
    )
    assert net.arc_pairs.tolist() == [[0, 1], [1, 0], [1, 2], [2, 1]]
    assert net.pairs.tolist() == [[0, 1], [1, 2]]
    assert net.arcs.is_directed() and not net.simple.is_directed()


def test_it_exports_every_record_to_igraph():
    graph = to_igraph(sample())
    assert graph.vcount() == 5 and graph.ecount() == 5
    assert graph.vs["node_id"][0] == "cso1" and graph.vs["state"][3] == ""
    assert graph.es["start"][1] == "2019-01-01" and graph.es["end"][0] == ""
    assert graph.es["directed"][1] is True


def test_group_labels_read_kind_or_attributes():
    net = sample()
    assert net.group_labels("kind")[2] == "government"
    assert net.group_labels("state") == ("BC", "BC", "SON", None, None)
