"""The role-suggestion engine: pure, deterministic, fair."""

from __future__ import annotations

import random

from tequio.convenings.rotation import (
    CO_FACILITATOR,
    FACILITATOR,
    HOST,
    RAPPORTEUR,
    ROLES,
    Candidate,
    PastTurn,
    suggest_roles,
)


def people(orgs: int, per_org: int, *, levels=("leadership", "coordination", "field")) -> list[Candidate]:
    result = []
    for org in range(1, orgs + 1):
        for index in range(per_org):
            person_id = org * 100 + index
            result.append(Candidate(person_id, f"P{person_id}", org, f"Org {org}", levels[index % len(levels)]))
    return result


def by_role(suggestions) -> dict:
    return {s.role: s for s in suggestions}


def test_it_suggests_one_person_per_role_from_different_organizations_when_possible():
    suggestions = by_role(suggest_roles(candidates=people(5, 2), history=[], current_index=0))
    assert set(suggestions) == set(ROLES)
    organizations = [s.candidate.organization_id for s in suggestions.values()]
    assert len(set(organizations)) == 4
    assert len({s.candidate.person_id for s in suggestions.values()}) == 4


def test_it_is_deterministic_whatever_the_input_order():
    candidates = people(6, 3)
    history = [PastTurn(i, ROLES[i % 4], 100 * (i % 6 + 1), i % 6 + 1, "leadership") for i in range(12)]
    first = suggest_roles(candidates=candidates, history=history, current_index=12)
    shuffled = list(candidates)
    random.Random(3).shuffle(shuffled)
    again = suggest_roles(candidates=shuffled, history=list(reversed(history)), current_index=12)
    assert first == again


def test_the_organization_that_facilitated_least_recently_comes_first():
    candidates = people(3, 1)
    history = [PastTurn(0, FACILITATOR, 100, 1), PastTurn(1, FACILITATOR, 200, 2)]
    suggestion = by_role(suggest_roles(candidates=candidates, history=history, current_index=2, roles=[FACILITATOR]))
    assert suggestion[FACILITATOR].candidate.organization_id == 3
    assert suggestion[FACILITATOR].facts.organization_role_ago is None
    history.append(PastTurn(2, FACILITATOR, 300, 3))
    suggestion = by_role(suggest_roles(candidates=candidates, history=history, current_index=3, roles=[FACILITATOR]))
    assert suggestion[FACILITATOR].candidate.organization_id == 1
    assert suggestion[FACILITATOR].facts.organization_role_ago == 3


def test_facilitator_and_rapporteur_never_come_from_the_same_organization():
    # Organization 1 is the least recent for both roles; it may have only one of them.
    candidates = people(2, 3)
    history = [PastTurn(0, FACILITATOR, 200, 2), PastTurn(0, RAPPORTEUR, 201, 2)]
    suggestions = by_role(suggest_roles(candidates=candidates, history=history, current_index=1))
    assert suggestions[FACILITATOR].candidate.organization_id != suggestions[RAPPORTEUR].candidate.organization_id


def test_a_steward_confirmed_role_is_kept_and_constrains_the_others():
    candidates = people(3, 2)
    fixed = {RAPPORTEUR: candidates[0]}
    suggestions = by_role(suggest_roles(candidates=candidates, history=[], current_index=0, fixed=fixed))
    assert suggestions[RAPPORTEUR].fixed and suggestions[RAPPORTEUR].candidate == candidates[0]
    assert suggestions[FACILITATOR].candidate.organization_id != candidates[0].organization_id


def test_the_convener_is_excluded_once_the_community_is_member_led():
    convener = Candidate(1, "Convener", 99, "Convener org", "management", is_convener=True)
    member = Candidate(2, "Ana", 1, "Fundación X", "field")
    before = by_role(suggest_roles(candidates=[convener, member], history=[PastTurn(0, FACILITATOR, 2, 1)], current_index=1))
    assert before[FACILITATOR].candidate == convener
    after = by_role(suggest_roles(candidates=[convener, member], history=[PastTurn(0, FACILITATOR, 2, 1)], current_index=1,
                                  exclude_convener=True))
    assert after[FACILITATOR].candidate == member
    assert all(s.candidate in (None, member) for s in after.values())


def test_people_who_marked_themselves_unavailable_are_skipped():
    candidates = people(2, 1)
    suggestion = by_role(suggest_roles(candidates=candidates, history=[], current_index=0, roles=[FACILITATOR], unavailable=[100]))
    assert suggestion[FACILITATOR].candidate.person_id == 200
    assert suggestion[FACILITATOR].facts.only_choice


def test_nobody_available_gives_an_empty_suggestion():
    suggestion = by_role(suggest_roles(candidates=people(1, 1), history=[], current_index=0, roles=[FACILITATOR], unavailable=[100]))
    assert suggestion[FACILITATOR].candidate is None


def test_the_host_role_goes_to_the_host_organization():
    suggestion = by_role(suggest_roles(candidates=people(4, 1), history=[], current_index=0, host_organization_id=3))
    assert suggestion[HOST].candidate.organization_id == 3
    assert suggestion[HOST].facts.from_host_organization


def test_within_an_organization_turns_cascade_to_staff_levels_that_have_not_served():
    # The organization's director facilitated before; its field staff member is next.
    candidates = [Candidate(1, "Directora", 1, "Org", "leadership"), Candidate(2, "Técnica", 1, "Org", "field")]
    history = [PastTurn(0, RAPPORTEUR, 1, 1, "leadership")]
    suggestion = by_role(suggest_roles(candidates=candidates, history=history, current_index=1, roles=[FACILITATOR]))
    assert suggestion[FACILITATOR].candidate.person_id == 2
    assert suggestion[FACILITATOR].facts.staff_level_count == 0


def test_fairness_over_fifty_simulated_convenings():
    """No organization holds a role twice before every eligible organization has held
    it once, unless it is the only one available; people come and go as in real life."""
    rng = random.Random(2018)
    candidates = [*people(7, 3), Candidate(900, "Solo", None, "", "field")]
    history: list[PastTurn] = []
    held: dict[str, dict] = {role: {} for role in ROLES}
    for index in range(50):
        unavailable = {c.person_id for c in candidates if rng.random() < 0.3}
        available = [c for c in candidates if c.person_id not in unavailable]
        suggestions = suggest_roles(candidates=candidates, history=history, current_index=index, unavailable=unavailable)
        chosen: dict[str, Candidate] = {}
        for role in (FACILITATOR, RAPPORTEUR, CO_FACILITATOR, HOST):
            suggestion = by_role(suggestions)[role]
            candidate = suggestion.candidate
            assert candidate is not None
            assert candidate.person_id not in unavailable
            # Eligible at this moment: available, not already chosen, not blocked by the pair rule.
            blocked = None
            if role == RAPPORTEUR:
                blocked = chosen[FACILITATOR].organization_key
            eligible = {
                c.organization_key for c in available
                if c.person_id not in {x.person_id for x in chosen.values()} and c.organization_key != blocked
            }
            counts = held[role]
            if counts.get(candidate.organization_key, 0) >= 1:
                never = [org for org in eligible if counts.get(org, 0) == 0]
                assert not never, f"convening {index}: {role} given twice to {candidate.organization_key} before {never}"
            counts[candidate.organization_key] = counts.get(candidate.organization_key, 0) + 1
            chosen[role] = candidate
            history.append(PastTurn(index, role, candidate.person_id, candidate.organization_id, candidate.staff_level))
        assert chosen[FACILITATOR].organization_key != chosen[RAPPORTEUR].organization_key
    # Over fifty convenings every organization facilitated, and turns stayed even.
    facilitation = held[FACILITATOR]
    assert len(facilitation) == 8
    assert max(facilitation.values()) - min(facilitation.values()) <= 3


def test_a_new_organization_gets_a_turn_soon_but_not_every_time():
    candidates = people(3, 1)
    history = [PastTurn(i, FACILITATOR, 100 * (i % 3 + 1), i % 3 + 1) for i in range(9)]
    newcomer = Candidate(400, "Nueva", 4, "Org 4", "field")
    first = by_role(suggest_roles(candidates=[*candidates, newcomer], history=history, current_index=9, roles=[FACILITATOR]))
    assert first[FACILITATOR].candidate == newcomer
    history.append(PastTurn(9, FACILITATOR, 400, 4))
    second = by_role(suggest_roles(candidates=[*candidates, newcomer], history=history, current_index=10, roles=[FACILITATOR]))
    assert second[FACILITATOR].candidate != newcomer


def test_the_engines_stay_free_of_django():
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[1]
    for name in ("rotation.py", "ranking.py"):
        tree = ast.parse((package / name).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(module.split(".")[0] in {"django", "tequio"} for module in imported), (name, imported)
