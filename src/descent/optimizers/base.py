"""What every optimizer shares: the ``init``/``update`` contract and the input checks.

An optimizer is a frozen dataclass of hyperparameters with two pure methods::

    state = optimizer.init(params)
    step, state = optimizer.update(grads, state, params)
    params = params + step          # or tree_add(params, step) for a dict

Nothing passed in is modified; ``update`` returns new arrays. Keeping the
state outside the optimizer is what lets a notebook record m and v at every
step, and lets a test replay the same gradients through two optimizers.

Precision: the optimizers compute in the parameters' dtype (float16, float32
or float64), and so does their state, as in PyTorch. An ε that rounds to 0 in
that dtype (1e-8 in float16) is refused, because √v + ε would then be 0 as
soon as g² underflows, and the step 0/0 or g/0; ``eps=0`` asked for
explicitly is allowed (then a 0/0 step is read as 0, see
:func:`descent.optimizers.leafwise.leafwise`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..tree import (Tree, array_finite, as_tree, leaves, require_finite, require_same_structure, smallest_positive,
                    tree_map)

_FLOAT64 = np.dtype(np.float64)


@dataclass(frozen=True)
class Optimizer:
    """Base class: subclasses define ``init`` and ``update``, and name their state's type.

    ``_state_type`` is the NamedTuple that ``init`` returns; ``update``
    refuses any other state (one from another optimizer, or None).
    """

    _state_type = tuple

    def init(self, params) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, grads, state, params=None) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def _require(self, name: str, rule, *args) -> None:
        """Check the hyperparameter ``name`` with ``rule`` and store the value it returns.

        The rules of :mod:`descent.validation` return Python floats and bools,
        so an ``lr`` given as a numpy scalar cannot turn float32 parameters
        into float64 ones.
        """
        object.__setattr__(self, name, rule(name, getattr(self, name), *args))

    def _check_params(self, params) -> Tree:
        """``params`` as a tree of float arrays, in a dtype in which ε is not 0."""
        params = as_tree(params, "params")
        for leaf in leaves(params):
            if leaf.dtype != _FLOAT64:
                self._require_eps_in(leaf.dtype)
        return params

    def _require_eps_in(self, dtype: np.dtype) -> None:
        eps = getattr(self, "eps", 0.0)
        if eps > 0 and dtype.type(eps) == 0:
            raise ValueError(
                f"eps={eps!r} rounds to 0 in {dtype}, so √v + ε would be 0 wherever g² underflows: "
                f"use eps >= {smallest_positive(dtype):.3g} (the smallest positive {dtype}), "
                "or eps=0 to ask for no ε (a 0/0 step is then read as 0)"
            )

    def _check_state(self, state) -> None:
        """Raise ``TypeError`` unless ``state`` is of the type this optimizer's ``init`` returns."""
        if not isinstance(state, self._state_type):
            name = type(self).__name__
            raise TypeError(
                f"state must be the {self._state_type.__name__} returned by {name}.init(params) or by the previous "
                f"{name}.update; got {type(state).__name__} (a state from another optimizer, or none?)"
            )

    def _check_inputs(self, grads, state, params) -> Tree:
        """Return ``grads`` as arrays after checking the state and ``grads`` against ``params`` and the state.

        The structure to match is the state's first accumulator (m, v, s, the
        velocity): the structure the optimizer was initialised with.
        """
        self._check_state(state)
        like = state[0]
        if not isinstance(like, (np.ndarray, dict)):  # a state that holds only t (gradient descent)
            like = grads if params is None else params
        if type(grads) is np.ndarray and type(like) is np.ndarray and grads.dtype.kind == "f":
            # Fast path for the common case of one array: the same checks, without the generic
            # tree walk, because on a 2-D problem they would cost more than the step itself.
            if params is not None and np.shape(params) != grads.shape:
                require_same_structure(params, grads, "params", "grads")
            if like.shape != grads.shape:
                require_same_structure(like, grads, "the optimizer state (from init(params))", "grads")
            if grads.dtype != like.dtype:
                grads = _in_dtype_of(grads, like)
            if not array_finite(grads):
                require_finite(grads, "grads")
            if grads.dtype != _FLOAT64:
                self._require_eps_in(grads.dtype)
            return grads
        grads = as_tree(grads, "grads")
        if params is not None:
            require_same_structure(params, grads, "params", "grads")
        require_same_structure(like, grads, "the optimizer state (from init(params))", "grads")
        grads = tree_map(_in_dtype_of, grads, as_tree(like, "the optimizer state"))
        require_finite(grads, "grads")
        for leaf in leaves(grads):
            if leaf.dtype != _FLOAT64:
                self._require_eps_in(leaf.dtype)
        return grads


def _in_dtype_of(grads: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``grads`` in the dtype of the state (the parameters' dtype), as PyTorch's p.grad always is.

    Without this, float64 gradients would turn a float16 or float32 state, and
    then the parameters, into float64 without a word. A value too large for
    the dtype becomes inf, which the finiteness check then reports.
    """
    if grads.dtype == like.dtype:
        return grads
    with np.errstate(over="ignore"):
        return grads.astype(like.dtype)
