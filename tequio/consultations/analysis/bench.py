"""Benchmark the consultation pipeline on synthetic conversations with latent opinion groups.

    python -m tequio.consultations.analysis.bench [--sizes small,medium,large] [--repeat 3]

Each conversation is generated deterministically: participants belong to hidden opinion
groups, statements have a hidden position, and a participant's chance to agree depends on
both; how much people vote is heavy-tailed and early statements collect more votes, as in
real consultations. Some votes are re-votes, so "latest vote wins" is exercised. The
largest size matches the biggest Pol.is regression data set (1,034,858 votes, 7,890
participants, 7,753 statements), whose full run the Pol.is Python port reports at 87 s.

Times are medians of `--repeat` runs of `run_pipeline` from raw triples, with the options
the app uses (`group_starts="robust"`: three group k-means per k instead of one). The in-run
baseline is a plain numpy pass over the same votes (agree/disagree/pass tallies per
statement with bincount), so the ratio stays meaningful on a faster or slower machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy
from numpy.typing import NDArray

from .metrics import adjusted_rand_index
from .pipeline import PipelineOptions, PipelineResult, run_pipeline

POLIS_PYTHON_SECONDS = 87.0  # delphi/docs/HANDOFF_REGRESSION_TEST_PERF.md, 1,034,858 votes
APP_OPTIONS = PipelineOptions(group_starts="robust")  # as tequio.consultations.computing.OPTIONS


@dataclass(frozen=True)
class Size:
    """A synthetic conversation shape."""

    name: str
    participants: int
    statements: int
    votes: int
    groups: int


SIZES = {
    "small": Size("small", 200, 50, 4_000, 3),
    "medium": Size("medium", 2_000, 500, 100_000, 3),
    "large": Size("large", 7_890, 7_753, 1_034_858, 3),
}


@dataclass(frozen=True, eq=False)
class Synthetic:
    """Vote triples in time order plus the hidden group of each participant."""

    participants: NDArray[np.int32]
    statements: NDArray[np.int32]
    votes: NDArray[np.int8]
    latent_groups: NDArray[np.int64]
    n_participants: int
    n_statements: int


def synthesize(size: Size, seed: int = 0) -> Synthetic:
    """Generate a conversation with exactly `size.votes` distinct (participant, statement) cells."""
    rng = np.random.default_rng(seed)
    n, m, k = size.participants, size.statements, size.groups
    shares = rng.dirichlet(np.full(k, 4.0))
    group = rng.choice(k, size=n, p=shares)
    # Group centres evenly spaced on a circle: distinct camps, as the benchmark also checks
    # that the pipeline recovers them (ARI column).
    angle = 2 * np.pi * np.arange(k) / k + rng.uniform(0, 2 * np.pi)
    centres = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    position = rng.normal(scale=0.4, size=(n, 2)) + centres[group]
    loading = rng.normal(size=(m, 2))
    lean = rng.normal(scale=0.8, size=m)
    activity = rng.lognormal(0.0, 1.2, size=n)
    popularity = 1.0 / (np.arange(m) + 20.0) ** 0.6

    # One vote per participant first so everyone exists, then a stream long enough to
    # reach the target number of distinct cells once repeats are discounted.
    forced_p = np.arange(n)
    forced_s = _draw(rng, popularity, n)
    if size.votes > n * m:
        raise ValueError("more votes than participant x statement cells")
    p, s = forced_p, forced_s
    chunk = int(size.votes * 1.25) + 1000
    while True:
        p = np.concatenate([p, _draw(rng, activity, chunk)])
        s = np.concatenate([s, _draw(rng, popularity, chunk)])
        is_new = _first_occurrences(p.astype(np.int64) * m + s)
        reached = np.cumsum(is_new)
        if reached[-1] >= size.votes:
            break
    cut = int(np.searchsorted(reached, size.votes)) + 1
    p, s = p[:cut], s[:cut]
    order = rng.permutation(cut)  # interleave in time; repeats land before or after
    p, s = p[order], s[order]

    logit = lean[s] + 1.5 * (loading[s] * position[p]).sum(axis=1)
    agree = rng.random(cut) < 1.0 / (1.0 + np.exp(-logit))
    passed = rng.random(cut) < 0.12
    votes = np.where(passed, 0, np.where(agree, 1, -1)).astype(np.int8)
    return Synthetic(
        participants=p.astype(np.int32),
        statements=s.astype(np.int32),
        votes=votes,
        latent_groups=group,
        n_participants=n,
        n_statements=m,
    )


def _draw(rng: np.random.Generator, weights: NDArray[np.float64], size: int) -> NDArray[np.int64]:
    # Inverse-CDF sampling on sorted uniforms, then shuffled: several times faster than
    # Generator.choice(p=...) for a million draws, same distribution.
    cdf = np.cumsum(weights)
    draws = np.searchsorted(cdf, np.sort(rng.random(size)) * cdf[-1], side="right")
    draws = np.minimum(draws, weights.size - 1)
    rng.shuffle(draws)
    return draws


def _first_occurrences(keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Mask of positions holding the first occurrence of their key."""
    bits = int(keys.size).bit_length()
    # (key, position) packed in one int64 sorts like a stable argsort, several times faster.
    packed = np.sort((keys << bits) | np.arange(keys.size, dtype=np.int64))
    sorted_keys = packed >> bits
    first = np.ones(keys.size, dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    mask = np.zeros(keys.size, dtype=bool)
    mask[packed[first] & ((1 << bits) - 1)] = True
    return mask


def _baseline(data: Synthetic) -> None:
    m = data.n_statements
    for value in (1, -1, 0):
        np.bincount(data.statements[data.votes == value], minlength=m)


def _pipeline(data: Synthetic) -> PipelineResult:
    return run_pipeline(
        data.participants,
        data.statements,
        data.votes,
        n_participants=data.n_participants,
        n_statements=data.n_statements,
        options=APP_OPTIONS,
    )


def _median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _traced_peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _max_rss_mb() -> float:
    # Linux reports kilobytes, macOS bytes.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per size; returns a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in names if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose from {sorted(SIZES)}")

    print(
        f"Tequio consultation math benchmark: Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, {os.cpu_count()} CPUs"
    )
    header = (
        f"{'size':<7}{'participants':>13}{'statements':>11}{'votes':>11}{'triples':>11}"
        f"{'groups':>7}{'ARI':>6}{'pipeline s':>12}{'baseline s':>12}{'ratio':>8}"
        f"{'traced peak MB':>16}"
    )
    print(header)
    largest: tuple[Size, float] | None = None
    for name in names:
        size = SIZES[name]
        data = synthesize(size, seed=args.seed)
        result = _pipeline(data)  # warm-up, and the groups to check
        clustered = result.group_labels >= 0
        ari = adjusted_rand_index(data.latent_groups[clustered], result.group_labels[clustered])
        seconds = _median_seconds(lambda data=data: _pipeline(data), args.repeat)
        base = _median_seconds(lambda data=data: _baseline(data), max(args.repeat, 5))
        peak = _traced_peak_mb(lambda data=data: _pipeline(data))
        print(
            f"{name:<7}{size.participants:>13,}{size.statements:>11,}{size.votes:>11,}"
            f"{data.votes.size:>11,}{result.n_groups:>7}{ari:>6.2f}{seconds:>12.3f}{base:>12.4f}"
            f"{seconds / base:>7.0f}x{peak:>16.1f}"
        )
        largest = (size, seconds)
    if largest is not None and largest[0].name == "large":
        seconds = largest[1]
        print(
            f"large vs Pol.is Python port (published {POLIS_PYTHON_SECONDS:.0f} s on the same shape): "
            f"{seconds:.2f} s, {POLIS_PYTHON_SECONDS / seconds:.0f}x faster "
            f"(ratio {seconds / POLIS_PYTHON_SECONDS:.3f})"
        )
    print(
        "votes = distinct (participant, statement) cells; triples = input incl. re-votes; "
        "ARI = groups vs hidden camps; ratio = pipeline / baseline (numpy tally pass); "
        f"process peak RSS {_max_rss_mb():.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
