"""How our opinion groups compare with the ones Pol.is assigned in an open-data export.

An export's `participants-votes.csv` holds Pol.is's group of each participant. We compare
three things with it, by adjusted Rand index over the participants both sides grouped:

* **one update** on all the votes (a cold start: what a consultation imported in one go
  shows first);
* **the history replayed**: the votes fed in time order through the updates the app's
  debounced task would have run, each starting from the previous one's state, once per
  update delay in `CADENCES`. Pol.is's groups, too, came out of a long run of updates,
  at a cadence the export does not record, so we report every cadence and their median;
* **the naive baseline** (`baseline.naive_groups`) on all the votes.

Both ways of starting the group clusterings are run: `method` (Pol.is's: carried
clusterings, first distinct points when there is none) and `robust` (the app's: fresh
starts tried at every update too). Each export is run with the Pol.is method of the year
its groups were computed: when
Pol.is grouped anyone with fewer than 7 votes, the export predates column-mean imputation
(October 2017) and the 2017 method is used (see docs/consultations-math.md).

`python -m tequio.consultations.analysis.compare DIR [DIR ...]` prints the comparison.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .baseline import naive_groups
from .clustering import GroupStarts
from .matrix import VoteMatrix, build_vote_matrix
from .metrics import adjusted_rand_index
from .pipeline import PipelineOptions, run_pipeline
from .polis_io import load_polis_export, load_polis_groups
from .replay import replay, update_cuts

CURRENT = PipelineOptions()
POLIS_2017 = PipelineOptions(imputation="zero", min_votes=1)
# Update delays in seconds: the app's default (5 s), then a minute to a day.
CADENCES = (5, 60, 600, 3_600, 21_600, 86_400)
STARTS: tuple[GroupStarts, ...] = ("method", "robust")  # the app runs "robust" (computing.OPTIONS)


@dataclass(frozen=True)
class Replayed:
    delay: int
    n_updates: int
    n_groups: int
    ari: float


@dataclass(frozen=True)
class Ours:
    """Our groups with one way of starting the clusterings."""

    starts: GroupStarts
    one_update_groups: int
    one_update_ari: float
    replays: tuple[Replayed, ...]

    @property
    def replay_median_ari(self) -> float:
        return statistics.median(r.ari for r in self.replays)


@dataclass(frozen=True)
class PolisComparison:
    name: str
    method: str  # "current" or "2017"
    polis_groups: int
    baseline_groups: int
    baseline_ari: float
    ours: dict[str, Ours]


def _ari(polis: NDArray[np.int64], ours: NDArray[np.int64]) -> float:
    both = (polis >= 0) & (ours >= 0)
    return adjusted_rand_index(polis[both], ours[both])


def polis_method(matrix: VoteMatrix, polis: NDArray[np.int64]) -> str:
    """"2017" when Pol.is grouped someone with fewer than 7 votes, else "current"."""
    light = matrix.votes_per_participant() < min(CURRENT.min_votes, matrix.n_statements)
    return "2017" if bool(np.any(light & (polis >= 0))) else "current"


def compare_with_polis(
    directory: str | Path,
    cadences: tuple[int, ...] = CADENCES,
    starts: tuple[GroupStarts, ...] = STARTS,
) -> PolisComparison:
    """Compare our groups with Pol.is's for one export directory (see the module's doc)."""
    directory = Path(directory)
    conv = load_polis_export(directory)
    reference = load_polis_groups(directory)
    polis = np.array([-1 if reference.get(p) is None else reference[p] for p in conv.participant_ids])
    shape = {
        "n_participants": len(conv.participant_ids),
        "n_statements": len(conv.statement_ids),
        "moderated_out": np.flatnonzero(conv.moderated_out),
    }
    matrix = build_vote_matrix(conv.participants, conv.statements, conv.votes, **shape)
    method = polis_method(matrix, polis)
    naive = naive_groups(matrix)
    ours = {}
    for how in starts:
        options = dataclasses.replace(CURRENT if method == "current" else POLIS_2017, group_starts=how)
        once = run_pipeline(conv.participants, conv.statements, conv.votes, options=options, **shape)
        replays = []
        for delay in cadences:
            cuts = update_cuts(conv.timestamps, delay * 1000)  # Pol.is timestamps are in milliseconds
            run = replay(conv.participants, conv.statements, conv.votes, cuts, options=options, **shape)
            replays.append(Replayed(delay, run.n_updates, run.result.n_groups, _ari(polis, run.result.group_labels)))
        ours[how] = Ours(how, once.n_groups, _ari(polis, once.group_labels), tuple(replays))
    return PolisComparison(
        name=directory.name,
        method=method,
        polis_groups=len(set(polis[polis >= 0].tolist())),
        baseline_groups=len(set(naive[naive >= 0].tolist())),
        baseline_ari=_ari(polis, naive),
        ours=ours,
    )


def _delay_label(seconds: int) -> str:
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def format_comparison(c: PolisComparison) -> str:
    """Plain text: the baseline, then for each way of starting, one update and the replays."""
    lines = [
        f"{c.name} ({c.method} method): Pol.is {c.polis_groups} groups; "
        f"naive baseline ARI {c.baseline_ari:.3f}, {c.baseline_groups} groups",
    ]
    for ours in c.ours.values():
        lines.append(
            f"  starts={ours.starts}: one update ARI {ours.one_update_ari:.3f} ({ours.one_update_groups} groups); "
            f"history replayed, median ARI {ours.replay_median_ari:.3f} over {len(ours.replays)} update delays"
        )
        for r in ours.replays:
            mark = "above" if r.ari > c.baseline_ari else "BELOW"
            lines.append(
                f"    every {_delay_label(r.delay):>6}: {r.n_updates:5} updates, {r.n_groups} groups, "
                f"ARI {r.ari:.3f} ({mark} baseline)"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for directory in args.directories:
        print(format_comparison(compare_with_polis(directory)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
