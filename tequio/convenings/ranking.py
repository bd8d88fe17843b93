"""Dot-vote ranking of agenda topics and the budget rule: pure, no Django.

Topics are ranked by dots; ties go to the topic backed by more organizations
(broader support beats one organization spending all its dots), then to the
earlier proposal. Topics equal in dots and organizations share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tally:
    item_id: int
    dots: int
    organizations: int
    order: int = 0  # proposal order (earlier first) for display among equals


@dataclass(frozen=True)
class Ranked:
    item_id: int
    rank: int
    dots: int
    organizations: int
    tied: bool


def rank_items(tallies: Iterable[Tally]) -> list[Ranked]:
    """Competition ranking ("1224") by dots, then number of organizations."""
    ordered = sorted(tallies, key=lambda t: (-t.dots, -t.organizations, t.order, t.item_id))
    ranked: list[Ranked] = []
    for position, tally in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        same_as_previous = previous is not None and (previous.dots, previous.organizations) == (tally.dots, tally.organizations)
        rank = ranked[-1].rank if same_as_previous else position
        following = ordered[position] if position < len(ordered) else None
        same_as_next = following is not None and (following.dots, following.organizations) == (tally.dots, tally.organizations)
        ranked.append(Ranked(tally.item_id, rank, tally.dots, tally.organizations, same_as_previous or same_as_next))
    return ranked


class BudgetError(ValueError):
    """A vote the rules do not allow; ``code`` says which rule."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def apply_vote(*, budget: int, spent: int, current: int, delta: int) -> int:
    """The organization's new dots on one topic after adding ``delta`` (+1 / -1).

    ``spent`` is what the organization has on all topics of the convening,
    ``current`` what it has on this one. Raises BudgetError("over_budget") or
    BudgetError("nothing_to_remove") and changes nothing.
    """
    if delta not in (-1, 1):
        raise BudgetError("bad_delta")
    if delta > 0 and spent + delta > budget:
        raise BudgetError("over_budget")
    if delta < 0 and current + delta < 0:
        raise BudgetError("nothing_to_remove")
    return current + delta
