"""Vote scores used for sorting posts and as DF-QuAD base scores.

Both work on plain counts so the Django side can sort with them too.
"""

from __future__ import annotations

import math

import numpy as np

# z for a one-sided 90% bound (Evan Miller, "How Not To Sort By Average Rating",
# uses 1.96; a smaller z lets a new post with a few votes compete sooner).
DEFAULT_Z = 1.2816


def wilson_lower_bound(up: int, down: int, z: float = DEFAULT_Z) -> float:
    """Lower bound of the Wilson score interval for the share of `up` votes; 0 if none.

    LB = (p + z²/2n − z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), with n = up + down.
    """
    n = up + down
    if n <= 0 or up <= 0:
        return 0.0  # exact for up = 0, where the formula leaves rounding dust
    p = up / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, (centre - margin) / (1 + z2 / n))


def wilson_lower_bounds(up: np.ndarray, down: np.ndarray, z: float = DEFAULT_Z) -> np.ndarray:
    """`wilson_lower_bound` over arrays of counts (0 where there are no votes)."""
    up = np.asarray(up, dtype=np.float64)
    n = up + np.asarray(down, dtype=np.float64)
    safe_n = np.where(n > 0, n, 1.0)
    p = up / safe_n
    z2 = z * z
    centre = p + z2 / (2 * safe_n)
    margin = z * np.sqrt(p * (1 - p) / safe_n + z2 / (4 * safe_n * safe_n))
    bound = (centre - margin) / (1 + z2 / safe_n)
    return np.where((n > 0) & (up > 0), np.maximum(bound, 0.0), 0.0)


def controversy(up: int, down: int) -> float:
    """Reddit's controversy sort: (up + down) ** (min/max); 0 when either side is empty.

    Many votes split evenly score highest; a one-sided post is not controversial.
    """
    if up <= 0 or down <= 0:
        return 0.0
    return float((up + down) ** (min(up, down) / max(up, down)))
