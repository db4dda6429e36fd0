"""Run an update rule written for arrays on parameters that are one array or a dict of arrays.

Each optimizer's arithmetic is a small pure function of arrays in the book's
notation (``adam_rule``, ``rmsprop_rule``, ...), which the chapters show and a
learner can read against the equations. ``update`` hands it the leaves of the
gradient and state trees through :func:`leafwise`, which also takes care of
the one case the equations leave open: ε = 0.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..tree import Tree, tree_map


def leafwise(rule: Callable, *trees: Tree, eps: float | None = None) -> tuple:
    """Apply ``rule`` leaf by leaf and return one tree per value it returns; the first is the step Δ_t.

    With ε = 0 (allowed, chapters 3 and 4 use it) a rule divides by √v_t + 0,
    which is 0 where every gradient so far was 0 (or so small that g² underflows).
    That coordinate has not moved, so its step is read as 0, not as the NaN or
    inf of the division. With ε > 0 the denominator is never 0 and nothing is
    changed, nor when the rule does not divide (``eps=None``, momentum).
    """
    if eps is None or eps > 0:
        results = tree_map(rule, *trees)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            results = tree_map(lambda *leaves: _zero_where_undefined(rule(*leaves)), *trees)
    if not isinstance(results, dict):
        return results
    return tuple({key: values[i] for key, values in results.items()} for i in range(len(next(iter(results.values())))))


def _zero_where_undefined(results: tuple) -> tuple:
    step = results[0]
    # −0.0, the value −α·0 has, so that a printed step is the same as with a divide that skips 0/0.
    return (np.where(np.isfinite(step), step, -0.0), *results[1:])
