"""What every optimizer shares: the ``init``/``update`` contract and the input checks.

An optimizer is a frozen dataclass of hyperparameters with two pure methods::

    state = optimizer.init(params)
    step, state = optimizer.update(grads, state, params)
    params = params + step          # or tree_add(params, step) for a dict

Nothing passed in is modified; ``update`` returns new arrays. Keeping the
state outside the optimizer is what lets a notebook record m and v at every
step, and lets a test replay the same gradients through two optimizers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..tree import Tree, array_finite, as_tree, check_finite, check_same_structure


@dataclass(frozen=True)
class Optimizer:
    """Base class: subclasses define ``init`` and ``update``."""

    def init(self, params) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, grads, state, params=None) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_grads(self, grads, params, like: Tree) -> Tree:
        """Return ``grads`` as arrays after checking them against ``params`` and the state.

        ``like`` is an accumulator from the state, which has the structure the
        optimizer was initialised with.
        """
        if type(grads) is np.ndarray and type(like) is np.ndarray and grads.dtype.kind == "f":
            # Fast path for the common case of one array: the same checks, without the generic
            # tree walk, because on a 2-D problem they would cost more than the step itself.
            if params is not None and np.shape(params) != grads.shape:
                check_same_structure(params, grads, "params", "grads")
            if like.shape != grads.shape:
                check_same_structure(like, grads, "the optimizer state (from init(params))", "grads")
            if not array_finite(grads):
                check_finite(grads, "grads")
            return grads
        grads = as_tree(grads, "grads")
        if params is not None:
            check_same_structure(params, grads, "params", "grads")
        check_same_structure(like, grads, "the optimizer state (from init(params))", "grads")
        check_finite(grads, "grads")
        return grads


def divide(numerator: np.ndarray, denominator: np.ndarray, eps: float) -> np.ndarray:
    """numerator / denominator, reading 0/0 as 0 when ε = 0.

    With ε > 0 the denominator is never zero. With ε = 0 it is zero exactly
    where every gradient so far was zero, and then so is the numerator: that
    coordinate has not moved, so its step is 0 (as sign(0) = 0).
    """
    if eps > 0:
        return numerator / denominator
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)
