"""Benchmarks of the convenings capability.

``python -m tequio.convenings.bench`` times the role-suggestion engine for a community
of 300 people with 500 past convenings (2,000 earlier turns), against an in-run
baseline: one pass over the same history and one sort of the same people, the least
any engine must do. The bar: a suggestion in under 50 ms. It needs no database.

``bench_generate`` and ``bench_pages`` are the manifest hooks that ``tequio bench
generate`` and ``tequio bench pages`` call: 5,000 convenings and 200,000 questionnaire
answers at scale 1 (100,000 of them on one questionnaire of the largest community,
whose results page is timed), and the convening, agenda, results and timeline pages.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import time

from tequio.convenings import rotation

BAR_MS = 50.0
LEVELS = ("leadership", "management", "coordination", "field", "volunteer")


def synthetic_community(people: int = 300, convenings: int = 500, organizations: int = 40, seed: int = 2020):
    """People spread over organizations with staff levels, and four roles per past convening."""
    rng = random.Random(seed)  # noqa: S311 - deterministic benchmark data
    candidates = [
        rotation.Candidate(number, f"Persona {number:03d}", number % organizations, f"Organización {number % organizations:02d}",
                           rng.choice(LEVELS), is_convener=number % organizations == 0)
        for number in range(people)
    ]
    history = []
    for index in range(convenings):
        for role, person in zip(rotation.ROLES, rng.sample(candidates, 4), strict=True):
            history.append(rotation.PastTurn(index, role, person.person_id, person.organization_id, person.staff_level))
    unavailable = {candidate.person_id for candidate in candidates if rng.random() < 0.1}
    return candidates, history, unavailable


def _baseline(candidates, history) -> None:
    last: dict = {}
    for turn in history:
        last[(turn.organization_id, turn.role)] = turn.index
    sorted(candidates, key=lambda candidate: (candidate.name.casefold(), candidate.person_id))


def _time(call, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(*, people: int = 300, convenings: int = 500, rounds: int = 50, write=print) -> bool:
    candidates, history, unavailable = synthetic_community(people, convenings)

    def suggest():
        return rotation.suggest_roles(candidates=candidates, history=history, current_index=convenings,
                                      unavailable=unavailable, exclude_convener=True)

    suggest()  # warm-up
    engine = _time(suggest, rounds)
    baseline = _time(lambda: _baseline(candidates, history), rounds)
    p95 = sorted(engine)[max(0, round(0.95 * len(engine)) - 1)]
    median, base = statistics.median(engine), statistics.median(baseline)
    write(f"Role suggestion: {people} people, {convenings} past convenings ({len(history)} turns), {rounds} runs.")
    write(f"  engine   median {median:7.2f} ms   p95 {p95:7.2f} ms")
    write(f"  baseline median {base:7.2f} ms   (one pass over the history and one sort of the people)")
    write(f"  ratio engine/baseline: {median / base:.1f}x")
    passed = p95 < BAR_MS
    write(f"{'PASS' if passed else 'FAIL'}: p95 {'<' if passed else '>='} {BAR_MS:g} ms.")
    return passed


# --- national-scale data and pages (tequio bench generate / pages) ------------------------------

CONVENINGS_PER_SCALE = 5_000
ANSWERS_PER_SCALE = 200_000
ITEMS_PER_CONVENING = 6
ATTENDEES_PER_CONVENING = 10


def bench_generate(*, bench) -> None:
    """Convenings with agendas, votes, roles, attendance, reports, reviews, action items and
    answered questionnaires for the generated communities, with ``bulk_create``."""
    from .benchdata import Writer

    Writer(bench, convenings=round(CONVENINGS_PER_SCALE * bench.scale), answers=round(ANSWERS_PER_SCALE * bench.scale)).run()


def bench_pages(*, community, user) -> list:
    """The convening page, its agenda with votes, the busiest questionnaire's results, the timeline."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from .models import Convening, Questionnaire

    convening = Convening.objects.active().filter(community=community, ends_at__lt=timezone.now()).order_by("-starts_at", "-pk").first()
    questionnaire = (
        Questionnaire.objects.active().filter(community=community, is_template=False)
        .annotate(n=Count("responses")).order_by("-n", "-pk").first()
    )
    if convening is None or questionnaire is None:
        raise LookupError(f"{community.slug} has no past convening or questionnaire to measure")
    slug = community.slug
    return [
        ("convening", reverse("convenings:convening_detail", args=[slug, convening.pk])),
        ("agenda with votes", reverse("convenings:agenda", args=[slug, convening.pk])),
        ("questionnaire results", reverse("convenings:questionnaire_results", args=[slug, questionnaire.pk])),
        ("convenings timeline", reverse("convenings:timeline", args=[slug])),
    ]


def respondent_key(questionnaire_id: int, number: int) -> str:
    return hashlib.sha256(f"bench:{questionnaire_id}:{number}".encode()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the role-suggestion engine.")
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--convenings", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=50)
    options = parser.parse_args(argv)
    return 0 if run(people=options.people, convenings=options.convenings, rounds=options.rounds) else 1


if __name__ == "__main__":
    sys.exit(main())
