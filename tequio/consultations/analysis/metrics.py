"""Agreement between two partitions, to compare our groups with Pol.is's."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _pairs(counts: NDArray[np.float64]) -> float:
    return float((counts * (counts - 1.0) / 2.0).sum())


def adjusted_rand_index(labels_a: ArrayLike, labels_b: ArrayLike) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985): 1 for identical partitions, ~0 for chance.

    Label values are arbitrary (group 0 in one may be group 1 in the other). When both
    partitions are trivial in the same way (everything together, or everything apart)
    the index is defined as 1.
    """
    a = np.asarray(labels_a).ravel()
    b = np.asarray(labels_b).ravel()
    if a.size != b.size:
        raise ValueError("label arrays differ in length")
    n = a.size
    if n < 2:
        return 1.0
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.bincount(ai * (bi.max() + 1) + bi, minlength=(ai.max() + 1) * (bi.max() + 1))
    table = table.reshape(ai.max() + 1, bi.max() + 1).astype(np.float64)
    index = _pairs(table)
    rows = _pairs(table.sum(axis=1))
    cols = _pairs(table.sum(axis=0))
    expected = rows * cols / (n * (n - 1) / 2.0)
    maximum = (rows + cols) / 2.0
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
