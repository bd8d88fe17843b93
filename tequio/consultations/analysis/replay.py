"""Replay a conversation's vote history through the updates a live consultation would run.

The app does not compute groups once at the end: a vote queues an update that runs a
short delay later on every vote so far, and each update starts from the previous one's
state. `update_cuts` finds where those updates fall in a time-stamped vote stream;
`replay` runs them. This is how to compare with groups another system built up over a
conversation's life (Pol.is's exports), and how to see how much the groups depend on
the update cadence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .matrix import StatementSet
from .pipeline import PipelineOptions, PipelineResult, PipelineState, run_pipeline


def update_cuts(timestamps: ArrayLike, delay: float) -> NDArray[np.intp]:
    """End positions (exclusive) of the vote prefixes the updates see.

    The first vote after an update queues the next one, which runs `delay` later (same
    unit as the timestamps) and sees every vote up to then, as the app's debounced task
    does. Timestamps must be in non-decreasing order; the last cut is the whole stream.
    """
    ts = np.asarray(timestamps)
    if delay < 0:
        raise ValueError("the delay cannot be negative")
    if ts.size and np.any(np.diff(ts) < 0):
        raise ValueError("timestamps must be in time order")
    cuts = []
    start = 0
    while start < ts.size:
        start = int(np.searchsorted(ts, ts[start] + delay, side="right"))
        cuts.append(start)
    return np.asarray(cuts, dtype=np.intp)


@dataclass(frozen=True, eq=False)
class Replay:
    """The last update of a replay, and how many updates led to it."""

    result: PipelineResult
    n_updates: int


def replay(
    participants: ArrayLike,
    statements: ArrayLike,
    votes: ArrayLike,
    cuts: ArrayLike,
    *,
    n_participants: int,
    n_statements: int,
    moderated_out: StatementSet = (),
    meta: StatementSet = (),
    options: PipelineOptions | None = None,
) -> Replay:
    """Run one update per cut on the votes before it, each from the previous state."""
    p, s, v = (np.asarray(a) for a in (participants, statements, votes))
    bounds = np.asarray(cuts, dtype=np.intp)
    if bounds.size == 0:
        raise ValueError("a replay needs at least one update")
    state: PipelineState | None = None
    result: PipelineResult | None = None
    for end in bounds:
        result = run_pipeline(
            p[:end], s[:end], v[:end],
            n_participants=n_participants, n_statements=n_statements,
            moderated_out=moderated_out, meta=meta, previous=state, options=options,
        )
        state = result.state
    assert result is not None
    return Replay(result=result, n_updates=int(bounds.size))
