"""Ally suggestions: candidates not yet tied, ranked, each with structured reasons."""

from __future__ import annotations

import pytest

from tequio.network.analysis.allies import AllyWeights, OrgProfile, suggest_allies
from tequio.network.analysis.graph import Node, Tie, build_network


@pytest.fixture(autouse=True)
def _english_default():
    # Overrides the root conftest fixture that needs Django settings: pure computation.
    return


F = frozenset
PROFILES = {
    "a": OrgProfile(
        "a",
        "cso",
        F({"human_rights", "mediation"}),
        "BC",
        "Tijuana",
        offers=F({"training"}),
        needs=F({"funding", "legal"}),
    ),
    "b": OrgProfile("b", "cso", F({"human_rights"}), "BC", "Tijuana"),
    "c": OrgProfile("c", "donor", F({"human_rights"}), "BC", "Mexicali", offers=F({"funding"})),
    "d": OrgProfile("d", "cso", F({"human_rights", "mediation"}), "BC", "Tijuana"),
    "e": OrgProfile("e", "cso", F({"youth"}), "SON", "Hermosillo"),
    "f": OrgProfile("f", "government", F(), "SON", "Hermosillo", needs=F({"training"})),
}


def network(extra=()):
    nodes = [Node(p.id, p.kind) for p in PROFILES.values()]
    return build_network(
        nodes, [Tie("a", "b", "joint_activity"), Tie("b", "c", "referral"), *extra]
    )


def test_it_ranks_untied_candidates_with_their_reasons():
    suggestions = suggest_allies(network(), PROFILES, "a")
    assert [s.id for s in suggestions] == ["c", "d", "f"]  # b is tied, e shares nothing
    c = suggestions[0]
    assert [(r.code, r.items) for r in c.reasons] == [
        ("shared_themes", ("human_rights",)),
        ("same_state", ("BC",)),
        ("offers_what_you_need", ("funding",)),
        ("common_partners", ("b",)),
        ("new_sector", ("donor",)),
    ]
    assert c.score == 3 + 1 + 3 + 1 + 2
    d = suggestions[1]
    assert [(r.code, r.points) for r in d.reasons] == [
        ("shared_themes", 6.0),
        ("same_municipality", 2.0),
    ]
    f = suggestions[2]
    assert [r.code for r in f.reasons] == ["needs_what_you_offer", "new_sector"]


def test_a_sector_already_among_partners_is_worth_less():
    gov = OrgProfile("g", "government")
    profiles = {**PROFILES, "g": gov}
    net = build_network(
        [Node(p.id, p.kind) for p in profiles.values()],
        [Tie("a", "b", "t"), Tie("a", "g", "t")],
    )
    f = next(s for s in suggest_allies(net, profiles, "a") if s.id == "f")
    assert [(r.code, r.points) for r in f.reasons] == [
        ("needs_what_you_offer", 2.0),
        ("other_sector", 0.5),
    ]


def test_it_caps_counted_items_and_honours_weights():
    many = OrgProfile("m", "cso", F({"t1", "t2", "t3", "t4", "t5"}))
    me = OrgProfile("me", "cso", F({"t1", "t2", "t3", "t4", "t5"}))
    profiles = {"me": me, "m": many}
    net = build_network([Node("me"), Node("m")], [])
    (only,) = suggest_allies(net, profiles, "me")
    assert only.score == 3 * 3
    (weighted,) = suggest_allies(net, profiles, "me", weights=AllyWeights(shared_theme=1.0))
    assert weighted.score == 3.0


def test_it_is_deterministic_and_respects_the_limit():
    first = suggest_allies(network(), PROFILES, "a", limit=2)
    assert [s.id for s in first] == ["c", "d"]
    assert first == suggest_allies(network(), PROFILES, "a", limit=2)
    assert len(suggest_allies(network(), PROFILES, "a", limit=None)) == 3


def test_it_accepts_organizations_outside_the_network():
    net = build_network([Node("a", "cso")], [])
    suggestions = suggest_allies(net, PROFILES, "a", limit=None)
    assert "b" in [s.id for s in suggestions]  # not tied, since it is not in this snapshot
    with pytest.raises(ValueError):
        suggest_allies(net, PROFILES, "zz")
