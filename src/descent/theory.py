"""What theory predicts on a quadratic f(θ) = ½ θᵀAθ, to set beside what a run measures.

On a quadratic every method in the course is a linear recursion, so its
behaviour is fixed by the eigenvalues μ ≤ … ≤ L of A and κ = L/μ:

- gradient descent converges iff 0 < α < 2/L; each eigen-direction is
  multiplied by (1 − αλ) per step, and the best constant rate,
  max |1 − αλ| = (κ − 1)/(κ + 1), comes at α* = 2/(μ + L);
- heavy-ball momentum (Polyak 1964) with α* = (2/(√L + √μ))² and
  β* = ((√κ − 1)/(√κ + 1))² contracts by (√κ − 1)/(√κ + 1) per step
  (asymptotically), which for large κ is far better.

See Goh (2017), "Why Momentum Really Works", for the eigenvalue picture.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .validation import require_positive


def _check_curvatures(mu, L) -> tuple[float, float]:
    mu, L = require_positive("mu", mu), require_positive("L", L)
    if mu > L:
        raise ValueError(f"mu must be <= L (mu is the smallest eigenvalue, L the largest); got mu={mu}, L={L}")
    return mu, L


def gd_lr_limit(L: float) -> float:
    """2/L: gradient descent on a quadratic diverges for α > 2/L (and oscillates for α > 1/L)."""
    return 2.0 / require_positive("L", L)


def gd_rate(lr: float, mu: float, L: float) -> float:
    """max(|1 − αμ|, |1 − αL|): the factor by which the error shrinks per step (≥ 1 means no convergence)."""
    lr = require_positive("lr", lr)
    mu, L = _check_curvatures(mu, L)
    return max(abs(1 - lr * mu), abs(1 - lr * L))


def gd_optimal_lr(mu: float, L: float) -> float:
    """α* = 2/(μ + L), which balances the slowest and the fastest direction."""
    mu, L = _check_curvatures(mu, L)
    return 2.0 / (mu + L)


def gd_optimal_rate(kappa: float) -> float:
    """(κ − 1)/(κ + 1): the best per-step factor of gradient descent, reached at α*."""
    kappa = require_positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1 (it is L/μ, the largest over the smallest eigenvalue), got {kappa!r}")
    return (kappa - 1) / (kappa + 1)


class MomentumOptimum(NamedTuple):
    lr: float    # α* for the heavy-ball form, v = βv + g (divide by 1 − β for the average form)
    beta: float  # β* = ((√κ − 1)/(√κ + 1))²
    rate: float  # (√κ − 1)/(√κ + 1)


def momentum_optimal(mu: float, L: float) -> MomentumOptimum:
    """The best heavy-ball momentum on a quadratic with curvatures in [μ, L] (Polyak 1964)."""
    mu, L = _check_curvatures(mu, L)
    root_mu, root_L = math.sqrt(mu), math.sqrt(L)
    rate = (root_L - root_mu) / (root_L + root_mu)
    return MomentumOptimum(lr=(2 / (root_L + root_mu)) ** 2, beta=rate**2, rate=rate)
