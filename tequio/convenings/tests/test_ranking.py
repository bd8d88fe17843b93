"""Dot-vote ranking and the budget rule: pure functions."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tequio.convenings.ranking import BudgetError, Tally, apply_vote, rank_items


def test_it_ranks_by_dots_then_by_how_many_organizations_back_a_topic():
    ranked = rank_items([Tally(1, 3, 1, 0), Tally(2, 3, 3, 1), Tally(3, 5, 2, 2), Tally(4, 0, 0, 3)])
    assert [row.item_id for row in ranked] == [3, 2, 1, 4]
    assert [row.rank for row in ranked] == [1, 2, 3, 4]


def test_equal_topics_share_a_rank_and_the_next_rank_skips():
    ranked = rank_items([Tally(1, 2, 1, 0), Tally(2, 2, 1, 1), Tally(3, 1, 1, 2)])
    assert [(row.item_id, row.rank, row.tied) for row in ranked] == [(1, 1, True), (2, 1, True), (3, 3, False)]


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 5)), max_size=30))
def test_ranks_never_decrease_and_follow_the_dots(rows):
    ranked = rank_items(Tally(i, dots, orgs, i) for i, (dots, orgs) in enumerate(rows))
    assert len(ranked) == len(rows)
    for previous, current in itertools.pairwise(ranked):
        assert current.rank >= previous.rank
        assert (current.dots, current.organizations) <= (previous.dots, previous.organizations)
        assert (current.rank == previous.rank) == ((current.dots, current.organizations) == (previous.dots, previous.organizations))


def test_a_vote_within_the_budget_adds_a_dot():
    assert apply_vote(budget=5, spent=4, current=2, delta=1) == 3


def test_a_vote_over_the_budget_is_refused():
    with pytest.raises(BudgetError) as error:
        apply_vote(budget=5, spent=5, current=2, delta=1)
    assert error.value.code == "over_budget"


def test_taking_back_a_dot_that_is_not_there_is_refused():
    with pytest.raises(BudgetError) as error:
        apply_vote(budget=5, spent=3, current=0, delta=-1)
    assert error.value.code == "nothing_to_remove"


def test_only_one_dot_at_a_time():
    with pytest.raises(BudgetError):
        apply_vote(budget=5, spent=0, current=0, delta=3)
