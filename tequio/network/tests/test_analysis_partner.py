"""PARTNER-style trust and value scores on a constructed example with missing items."""

from __future__ import annotations

import pytest

from tequio.network.analysis.partner import PartnerRating, partner_scores


@pytest.fixture(autouse=True)
def _english_default():
    # Overrides the root conftest fixture that needs Django settings: pure computation.
    return


def R(rater, rated, trust=(None, None, None), value=(None, None, None)):
    return PartnerRating(rater, rated, *trust, *value)


# Trust items: reliability, mission, openness. Value items: power, involvement, resources.
RATINGS = [
    R("A", "B", (4, 3, 2), (4, 4, 1)),  # T 3.0    V 3.0
    R("A", "C", (2, None, 3), (2, 2, 2)),  # T missing (mission blank)   V 2.0
    R("B", "A", (3, 3, 3), (None, 3, 3)),  # T 3.0    V missing
    R("C", "B", (1, 2, 3), (1, 1, 4)),  # T 2.0    V 2.0
    R("C", "A", (4, 4, 3), (3, 3, 3)),  # T 11/3   V 3.0
    R("B", "C"),  # nothing answered
    R("D", "A", (2, 2, 2)),  # T 2.0    V missing
]


def test_it_scores_each_pair_only_when_all_three_items_are_present():
    dyads = {(d.rater, d.rated): d for d in partner_scores(RATINGS).dyads}
    assert dyads["A", "B"].trust == 3.0 and dyads["A", "B"].value == 3.0
    assert dyads["A", "C"].trust is None and dyads["A", "C"].value == 2.0
    assert dyads["B", "A"].value is None
    assert dyads["C", "A"].trust == pytest.approx(11 / 3)
    assert dyads["B", "C"].trust is None and dyads["B", "C"].value is None


def test_it_aggregates_received_and_given_per_organization():
    orgs = partner_scores(RATINGS).organizations
    assert list(orgs) == ["A", "B", "C", "D"]
    a, b, c, d = orgs["A"], orgs["B"], orgs["C"], orgs["D"]
    assert a.trust_received.value == pytest.approx((3 + 11 / 3 + 2) / 3)
    assert a.trust_received.n == 3
    assert a.trust_given.value == 3.0 and a.trust_given.n == 1  # A->C has no trust score
    assert b.trust_received.value == pytest.approx(2.5)
    assert c.trust_received.value is None and c.trust_received.n == 0
    assert c.trust_given.value == pytest.approx((2 + 11 / 3) / 2)
    assert a.value_received.value == 3.0 and a.value_received.n == 1
    assert b.value_received.value == pytest.approx(2.5)
    assert c.value_received.value == 2.0
    assert b.value_given.value is None
    assert d.trust_received.value is None and d.trust_given.value == 2.0
    assert a.trust_gap == pytest.approx(a.trust_received.value - 3.0)
    assert c.trust_gap is None


def test_it_aggregates_each_item_from_every_available_answer():
    orgs = partner_scores(RATINGS).organizations
    # C's trust is missing, but the reliability answer about it still counts.
    assert orgs["C"].items_received["reliability"].value == 2.0
    assert orgs["C"].items_received["mission"].value is None
    assert orgs["A"].items_received["power"].value == 3.0  # B left power blank
    assert orgs["A"].items_received["involvement"].value == 3.0
    assert orgs["A"].items_given["reliability"].value == 3.0  # (4 + 2) / 2


def test_it_labels_both_network_means():
    scores = partner_scores(RATINGS)
    by_dyad = scores.network_score("trust", "dyad")
    assert by_dyad.value == pytest.approx((3 + 3 + 2 + 11 / 3 + 2) / 5) and by_dyad.n == 5
    by_org = scores.network_score("trust", "organization")
    a_received = (3 + 11 / 3 + 2) / 3
    assert by_org.value == pytest.approx((a_received + 2.5) / 2) and by_org.n == 2
    assert by_dyad.value != pytest.approx(by_org.value)
    value_by_org = scores.network_score("value", "organization")
    assert value_by_org.value == pytest.approx((3.0 + 2.5 + 2.0) / 3)
    assert scores.network_score("reliability", "dyad").n == 6
    with pytest.raises(KeyError):
        scores.network_score("trust", "weighted")


def test_it_measures_reciprocity_of_trust():
    one_pair = partner_scores(RATINGS).reciprocity
    assert one_pair.pairs == 1 and one_pair.correlation is None
    assert one_pair.mean_absolute_difference == 0.0
    two_pairs = partner_scores(
        [
            R(1, 2, (3, 3, 3)),
            R(2, 1, (4, 4, 4)),
            R(3, 4, (2, 2, 2)),
            R(4, 3, (1, 1, 1)),
        ]
    ).reciprocity
    # Double entry: x = (3, 4, 2, 1), y = (4, 3, 1, 2): r = 3 / 5.
    assert two_pairs.pairs == 2
    assert two_pairs.correlation == pytest.approx(0.6)
    assert two_pairs.mean_absolute_difference == 1.0


@pytest.mark.parametrize(
    ("rating", "message"),
    [
        (R("A", "B", (5, 3, 3)), "between 1 and 4"),
        (R("A", "B", (0, 3, 3)), "between 1 and 4"),
        (R("A", "B", (True, 3, 3)), "integer"),
        (R("A", "B", (2.5, 3, 3)), "integer"),
        (R("A", "A", (3, 3, 3)), "rate itself"),
    ],
)
def test_it_rejects_bad_answers(rating, message):
    with pytest.raises(ValueError, match=message):
        partner_scores([rating])


def test_it_rejects_a_pair_rated_twice():
    with pytest.raises(ValueError, match="twice"):
        partner_scores([R("A", "B"), R("A", "B")])


def test_it_handles_an_empty_wave():
    scores = partner_scores([])
    assert scores.dyads == () and scores.organizations == {}
    assert scores.network_score("trust", "dyad").value is None
