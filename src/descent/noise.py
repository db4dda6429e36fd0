"""Stochastic gradients on a quadratic: how much loss their noise costs, predicted.

Gradient descent with noisy gradients g_t = ∇f(θ_{t−1}) + ξ_t, where the ξ_t
are independent with mean 0 and covariance Σ, does not converge on
f(θ) = f* + ½ (θ − θ*)ᵀ A (θ − θ*): it settles into a cloud around θ*. Write
x_t = u_iᵀ(θ_t − θ*) for the coordinate along the eigenvector u_i of A
(eigenvalue λ_i) and σ_i² = u_iᵀ Σ u_i. Then

    x_t = (1 − αλ_i) x_{t−1} − α u_iᵀξ_t,

so its variance c_i obeys c = (1 − αλ_i)² c + α²σ_i², whose fixed point
(for 0 < αλ_i < 2) is c_i = ασ_i² / (λ_i (2 − αλ_i)). The expected loss
above f* is ½ Σ_i λ_i c_i (the cross terms of A are zero in its eigenbasis):

    E[f(θ_t)] − f*  →  Σ_i α σ_i² / (2 (2 − αλ_i))        (the noise floor)

proportional to α for small α, whatever the curvatures. This module predicts
it (:func:`gd_noise_floor`), gives the covariance Σ of a mini-batch gradient
of least squares (:func:`minibatch_gradient_cov`), and wraps an objective in
additive Gaussian noise (:class:`AdditiveNoise`) to measure it with
:func:`descent.minimize`.
"""

from __future__ import annotations

import numpy as np

from .validation import require_positive, require_positive_int

__all__ = ["AdditiveNoise", "gd_noise_floor", "minibatch_gradient_cov"]


def _require_square(name: str, matrix, size: int | None = None) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or (size is not None and matrix.shape[0] != size):
        expected = "a square matrix" if size is None else f"a {size}×{size} matrix"
        raise ValueError(f"{name} must be {expected}, got shape {matrix.shape}")
    if not np.allclose(matrix, matrix.T):
        raise ValueError(f"{name} must be symmetric")
    return matrix


def gd_noise_floor(hessian, noise_cov, lr: float) -> float:
    """Σ_i α σ_i² / (2 (2 − αλ_i)): the limit of E[f(θ_t)] − f* for GD with noisy gradients.

    ``hessian`` is A (the Hessian of the quadratic), ``noise_cov`` the
    covariance Σ of the gradient noise, ``lr`` the learning rate α, which
    must satisfy αλ_i < 2 for every eigenvalue (otherwise GD diverges and
    there is no floor).
    """
    A = _require_square("hessian", hessian)
    sigma = _require_square("noise_cov", noise_cov, A.shape[0])
    lr = require_positive("lr", lr)
    curvatures, directions = np.linalg.eigh(A)
    if np.any(curvatures <= 0):
        raise ValueError(f"hessian must be positive definite (every eigenvalue > 0), "
                         f"got eigenvalues {curvatures}")
    if lr * curvatures.max() >= 2:
        raise ValueError(f"lr must be < 2/L = {2 / curvatures.max():.4g} for a floor to exist, "
                         f"got {lr!r}")
    variances = np.einsum("ji,jk,ki->i", directions, sigma, directions)   # σ_i² = u_iᵀ Σ u_i
    return float(np.sum(lr * variances / (2 * (2 - lr * curvatures))))


def minibatch_gradient_cov(f, theta, batch_size: int) -> np.ndarray:
    """The covariance Σ of a mini-batch gradient of ``f`` at ``theta``, batches drawn without replacement.

    With the per-sample gradients ∇f_j(θ) and their covariance S over the n
    samples, a batch of B distinct samples has covariance
    S (n − B) / ((n − 1) B): 1/B as for independent draws, times the
    finite-population factor that makes the full batch (B = n) exact.
    ``f`` needs ``n_samples`` and ``batch_grad(theta, indices)``, like
    :class:`descent.LinearRegressionMSE`.
    """
    n = getattr(f, "n_samples", None)
    if n is None or not callable(getattr(f, "batch_grad", None)):
        raise TypeError(f"f must have n_samples and batch_grad(theta, indices), such as LinearRegressionMSE; got {type(f).__name__}")
    batch_size = require_positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size must be between 1 and n_samples = {n}, got {batch_size}")
    per_sample = np.array([f.batch_grad(theta, np.array([j])) for j in range(n)])
    S = np.cov(per_sample, rowvar=False, bias=True)
    return S * (n - batch_size) / ((n - 1) * batch_size) if n > 1 else S * 0.0


class AdditiveNoise:
    """``objective`` whose gradient gets independent noise N(0, σ²) added in each coordinate.

    ``AdditiveNoise(Quadratic((1, 10)), sigma=(0.5, 0.5), seed=0)`` behaves as the
    quadratic (same value, minimum and minimizers), but every call of ``grad``
    returns ∇f(θ) + σ ⊙ z with a fresh standard normal z. The noise covariance
    is ``noise_cov`` = diag(σ²). The same seed repeats the same noise.
    """

    def __init__(self, objective, sigma, seed=None):
        if not callable(objective) or not callable(getattr(objective, "grad", None)):
            raise TypeError(f"objective must be callable with a grad method, got {type(objective).__name__}")
        sigma = np.asarray(sigma, dtype=float)
        if sigma.ndim > 1 or not np.all(np.isfinite(sigma)) or np.any(sigma < 0):
            raise ValueError(f"sigma must be a number or a 1-D array of finite numbers >= 0, got {sigma!r}")
        self.objective, self.sigma = objective, sigma
        self.rng = np.random.default_rng(seed)
        for name in ("minimum", "minimizers", "dim", "window", "axis_labels"):
            if hasattr(objective, name):
                setattr(self, name, getattr(objective, name))
        self.name = f"{getattr(objective, 'name', type(objective).__name__)} + noise"

    def hessian(self, theta=None) -> np.ndarray:
        """The wrapped objective's Hessian: the noise does not change the curvature."""
        return self.objective.hessian(theta)

    @property
    def noise_cov(self) -> np.ndarray:
        """diag(σ²), the covariance of the added noise (for :func:`gd_noise_floor`)."""
        dim = getattr(self, "dim", self.sigma.size)
        return np.diag(np.broadcast_to(self.sigma**2, (dim,)))

    def __call__(self, theta):
        return self.objective(theta)

    def grad(self, theta) -> np.ndarray:
        g = self.objective.grad(theta)
        return g + self.sigma * self.rng.standard_normal(np.shape(g))

    def __repr__(self) -> str:
        return self.name
