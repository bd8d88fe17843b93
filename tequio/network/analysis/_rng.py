"""Deterministic randomness for igraph algorithms that draw from igraph's global generator.

igraph's Leiden and force-directed layouts take no seed argument: they use the generator set
with `igraph.set_random_number_generator` (Python's `random` module by default). We swap in
a seeded `random.Random` for the duration of one call so that the same network always gives
the same communities and the same picture, and leave the global `random` state untouched.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import igraph as ig

# The generator is process-global: serialize our swaps so two threads cannot interleave
# draws from each other's seeded generator.
_LOCK = threading.Lock()


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """Make igraph draw from ``random.Random(seed)`` inside the block."""
    with _LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)
