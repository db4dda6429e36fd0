"""Exponentially weighted averages: the memory inside momentum, RMSProp and Adam.

The average a_t = β a_{t−1} + (1 − β) x_t with a_0 = 0 unrolls to

    a_t = (1 − β) Σ_{k=1..t} β^{t−k} x_k,

a weighted sum whose weights (1 − β)β^{t−k} fall geometrically into the past
and add up to 1 − βᵗ, not to 1. Hence:

- the *window*, the total weight measured in steps, is Σ β^j = 1/(1 − β)
  (10 steps at β = 0.9, 1000 at β = 0.999);
- the *half-life*, the age at which a weight has halved, is ln 2 / ln(1/β),
  a different number (6.6 steps at β = 0.9): the two are often confused;
- started at zero, the average is too small by the factor 1 − βᵗ early on,
  which dividing by 1 − βᵗ corrects (Adam's bias correction).
"""

from __future__ import annotations

import math

import numpy as np

from .validation import require_beta, require_positive_int


def ewa(xs, beta: float, *, bias_correction: bool = False) -> np.ndarray:
    """a_1 … a_n for the sequence x_1 … x_n (along the first axis), a_0 = 0.

    With ``bias_correction`` each a_t is divided by 1 − βᵗ.
    """
    beta = require_beta("beta", beta)
    try:
        xs = np.asarray(xs, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"xs must be a sequence of real numbers (or of equal-shaped arrays), got {xs!r}") from None
    if xs.ndim == 0 or len(xs) == 0:
        raise ValueError(f"xs must hold at least one value x_1 (along its first axis), got {xs!r}")
    out = np.empty_like(xs)
    a = np.zeros_like(xs[0]) if xs.ndim else 0.0
    for t, x in enumerate(xs, start=1):
        a = beta * a + (1 - beta) * x
        out[t - 1] = a / (1 - beta**t) if bias_correction else a
    return out


def ewa_weights(beta: float, t: int) -> np.ndarray:
    """The weights (1 − β)β^{t−k} that a_t gives to x_1 … x_t (oldest first); they sum to 1 − βᵗ."""
    beta, t = require_beta("beta", beta), require_positive_int("t", t)
    return (1 - beta) * beta ** np.arange(t - 1, -1, -1, dtype=float)


def averaging_window(beta: float) -> float:
    """1/(1 − β): how many recent steps the average effectively spans."""
    return 1.0 / (1.0 - require_beta("beta", beta))


def half_life(beta: float) -> float:
    """ln 2 / ln(1/β): the age in steps at which a gradient's weight has halved (β > 0)."""
    beta = require_beta("beta", beta)
    if beta == 0:
        raise ValueError("beta must be > 0 for a half-life: with beta = 0 the average has no memory")
    return math.log(2) / math.log(1 / beta)


def bias_factor(beta: float, t) -> np.ndarray | float:
    """1 − βᵗ: the total weight after t steps, by which a zero-started average is too small."""
    beta = require_beta("beta", beta)
    steps = np.asarray(t)
    if steps.dtype.kind not in "iu" and not (steps.dtype.kind == "f" and np.all(steps == np.round(steps))):
        raise TypeError(f"t must be a number of steps (an integer or an array of integers), got {t!r}")
    if np.any(steps < 0):
        raise ValueError(f"t must be >= 0 (steps are counted from t = 1; t = 0 gives 1 − β⁰ = 0), got {t!r}")
    return 1 - beta ** steps.astype(float) if np.ndim(t) else 1 - beta ** float(t)
