"""The L-BFGS reference minimum f* of a model's loss, and the flat vectors SciPy needs for it.

The models of :mod:`descent.models` keep their parameters in a dict of arrays
(``{"weights": W, "bias": b}``); ``scipy.optimize.minimize`` wants one 1-D
vector. :class:`Flattener` converts between the two, always in the same order
(the dict's key order), so that a vector can be turned back into the dict it
came from::

    flat = Flattener.like(params)
    z = flat.flatten(params)          # 1-D float64 vector
    params_again = flat.unflatten(z)  # dict with the same keys, shapes and values

:func:`lbfgs_minimum` uses this to find the minimum f* of a model's training
loss with L-BFGS, a quasi-Newton method that uses the full gradient. On a
convex problem (L2-regularised logistic regression) that is the reference every
stochastic optimizer can be measured against: f(θ_t) − f*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from .tree import as_tree
from .validation import require_positive, require_positive_int

__all__ = ["Flattener", "flat_loss_and_grad", "LbfgsResult", "lbfgs_minimum"]


@dataclass(frozen=True)
class Flattener:
    """The layout of a parameter tree: the keys (in order) and the shape of each array.

    A plain array is a tree too: it flattens to ``ravel()`` and comes back
    with its shape. Build one with :meth:`like`.
    """

    keys: tuple | None          # None for a plain array
    shapes: tuple               # one shape per key (one shape for a plain array)

    @classmethod
    def like(cls, params) -> "Flattener":
        """The layout of ``params`` (a dict of arrays or one array)."""
        params = as_tree(params, "params")
        if isinstance(params, dict):
            return cls(keys=tuple(params), shapes=tuple(np.shape(value) for value in params.values()))
        return cls(keys=None, shapes=(params.shape,))

    @property
    def sizes(self) -> tuple:
        """The number of entries of each array."""
        return tuple(math.prod(shape) for shape in self.shapes)

    @property
    def size(self) -> int:
        """The length of the flat vector."""
        return sum(self.sizes)

    def flatten(self, params) -> np.ndarray:
        """One float64 vector: the arrays raveled and concatenated in key order."""
        params = as_tree(params, "params")
        if self.keys is None:
            if isinstance(params, dict) or params.shape != self.shapes[0]:
                raise ValueError(f"expected an array of shape {self.shapes[0]}, got {_describe(params)}")
            return np.array(params, dtype=np.float64).ravel()
        if not isinstance(params, dict) or tuple(params) != self.keys:
            raise ValueError(f"expected a dict with keys {list(self.keys)} in this order, got {_describe(params)}")
        for key, shape in zip(self.keys, self.shapes):
            if params[key].shape != shape:
                raise ValueError(f"params[{key!r}] has shape {params[key].shape}, expected {shape}")
        return np.concatenate([np.asarray(params[key], dtype=np.float64).ravel() for key in self.keys])

    def unflatten(self, vector) -> dict | np.ndarray:
        """The tree that :meth:`flatten` turned into ``vector`` (copies, not views)."""
        vector = np.asarray(vector, dtype=np.float64)
        if vector.ndim != 1 or vector.size != self.size:
            raise ValueError(f"expected a 1-D vector of length {self.size}, got shape {vector.shape}")
        if self.keys is None:
            return vector.reshape(self.shapes[0]).copy()
        out, start = {}, 0
        for key, shape, size in zip(self.keys, self.shapes, self.sizes):
            out[key] = vector[start : start + size].reshape(shape).copy()
            start += size
        return out


def _describe(params) -> str:
    if isinstance(params, dict):
        return f"a dict with keys {list(params)}"
    return f"an array of shape {np.shape(params)}"


def flat_loss_and_grad(model, X, y, flattener: Flattener) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """``z ↦ (f, ∇f)`` on flat vectors, for ``scipy.optimize.minimize(..., jac=True)``.

    f is ``model.loss_and_grad(params, X, y)`` at ``params = flattener.unflatten(z)``,
    and the gradient dict is flattened in the same order.
    """

    def loss_and_grad(z):
        loss, grads = model.loss_and_grad(flattener.unflatten(z), X, y)
        return float(loss), flattener.flatten(grads)

    return loss_and_grad


class LbfgsResult(NamedTuple):
    """What :func:`lbfgs_minimum` found."""

    params: dict | np.ndarray   # the minimiser, in the model's layout
    loss: float                 # f* = f(params)
    grad_norm: float            # ‖∇f(params)‖, ≈ 0 at a minimum
    iterations: int             # L-BFGS iterations taken
    message: str                # SciPy's reason for stopping


def lbfgs_minimum(model, params0, X, y, *, gtol: float = 1e-10, maxiter: int = 10_000) -> LbfgsResult:
    """Minimise ``model.loss`` on (X, y) with SciPy's L-BFGS-B, starting at ``params0``.

    Full-batch and quasi-Newton, so on a smooth convex loss it reaches the
    minimum to many digits in a few hundred iterations: a reference value f*
    computed independently of the optimizers being compared. ``gtol`` is the
    tolerance on the largest entry of the gradient.
    """
    from scipy.optimize import minimize  # SciPy only where this is used

    gtol = require_positive("gtol", gtol)
    maxiter = require_positive_int("maxiter", maxiter)
    flattener = Flattener.like(params0)
    fun = flat_loss_and_grad(model, X, y, flattener)
    result = minimize(
        fun,
        flattener.flatten(params0),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": maxiter, "gtol": gtol, "ftol": 1e-15, "maxcor": 20},
    )
    loss, grad = fun(result.x)
    return LbfgsResult(
        params=flattener.unflatten(result.x),
        loss=loss,
        grad_norm=float(np.linalg.norm(grad)),
        iterations=int(result.nit),
        message=str(result.message),
    )
