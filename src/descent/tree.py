"""Parameters as one array or as a dict of arrays, handled the same way.

A model's parameters are either a single numpy array of any shape (a point θ
on a 2-D contour plot) or a dict of named arrays (``{"weights": W, "bias": b}``).
The optimizers never look inside: they apply one elementwise rule to every
array through :func:`tree_map`, which also checks that gradients and
parameters have the same keys and shapes, so that a mismatch is an error and
not a silent broadcast.
"""

from __future__ import annotations

import math
from typing import Callable, Union

import numpy as np

Tree = Union[np.ndarray, dict]


def as_array(x, name: str) -> np.ndarray:
    """Return ``x`` as a real floating-point array, keeping its precision.

    float16, float32 and float64 stay as they are; integers, booleans and
    Python numbers become float64. Refused with a ``TypeError`` that names
    ``name``: complex numbers (the optimizers' rules, such as g², are written
    for real numbers), ``bfloat16`` arrays of the ``ml_dtypes`` package
    (numpy computes ``0.9 * a`` in float32 for them, so a step would silently
    leave bfloat16), and anything not numeric.
    """
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if kind == "f":
        return arr
    if kind in "iub":
        return arr.astype(np.float64)
    if kind == "c":
        raise TypeError(f"{name} must hold real numbers, got a complex array (dtype {arr.dtype}); "
                        "pass the real and imaginary parts as two real arrays")
    if arr.dtype.name == "bfloat16":  # ml_dtypes' type: numpy sees an opaque kind "V"
        raise TypeError(
            f"{name} has dtype bfloat16, which the optimizers do not take: numpy computes 0.9 * x in float32 "
            "for a bfloat16 x, so the run would not stay in bfloat16. Use float16, float32 or float64 (to see "
            "bfloat16's rounding, round the float32 parameters with .astype(ml_dtypes.bfloat16) after each step)"
        )
    raise TypeError(f"{name} must be a numeric array or a dict of numeric arrays, got {type(x).__name__} of dtype {arr.dtype}")


def smallest_positive(dtype: np.dtype) -> float:
    """The smallest positive number of a floating dtype (its smallest subnormal): 6e-08 for float16."""
    return float(np.finfo(dtype).smallest_subnormal)


def as_tree(x, name: str) -> Tree:
    """Return ``x`` (an array or a dict of arrays) with every leaf as a float array."""
    if isinstance(x, dict):
        if not x:
            raise ValueError(f"{name} is an empty dict: it must hold at least one array")
        return {key: as_array(value, f"{name}[{key!r}]") for key, value in x.items()}
    return as_array(x, name)


def require_same_structure(a: Tree, b: Tree, name_a: str = "params", name_b: str = "grads") -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same keys and shapes."""
    if isinstance(a, dict) != isinstance(b, dict):
        kind = lambda t: "a dict" if isinstance(t, dict) else "an array"
        raise ValueError(f"{name_a} is {kind(a)} but {name_b} is {kind(b)}: they must have the same structure")
    if isinstance(a, dict):
        if a.keys() != b.keys():
            raise ValueError(
                f"{name_a} and {name_b} have different keys: {sorted(a)} vs {sorted(b)}"
            )
        for key in a:
            require_same_structure(np.asarray(a[key]), np.asarray(b[key]), f"{name_a}[{key!r}]", f"{name_b}[{key!r}]")
        return
    if np.shape(a) != np.shape(b):
        raise ValueError(f"{name_a} has shape {np.shape(a)} but {name_b} has shape {np.shape(b)}: they must match")


def tree_map(fn: Callable, tree: Tree, *rest: Tree) -> Tree:
    """Apply ``fn`` leaf by leaf: ``fn(a, b, ...)`` for arrays, key by key for dicts.

    The trees in ``rest`` must have the same structure as ``tree`` (checked by
    the caller, see :func:`require_same_structure`).
    """
    if isinstance(tree, dict):
        return {key: fn(tree[key], *(r[key] for r in rest)) for key in tree}
    return fn(tree, *rest)


def leaves(tree: Tree) -> list:
    """The arrays of a tree, in key order for a dict."""
    return list(tree.values()) if isinstance(tree, dict) else [tree]


def array_finite(a: np.ndarray) -> bool:
    """True when no entry of the array ``a`` is inf or NaN.

    For a handful of numbers a Python loop is ~5x faster than
    ``np.isfinite(a).all()``, whose fixed cost per call (~3 µs) is about that
    of a whole optimizer step on a 2-D problem; this check runs at every step.
    """
    if a.ndim <= 1 and a.size <= 32:
        return all(map(math.isfinite, a.ravel().tolist()))
    return bool(np.isfinite(a).all())


def all_finite(tree: Tree) -> bool:
    """True when every entry of every array is finite (no inf, no NaN)."""
    if isinstance(tree, dict):
        return all(array_finite(np.asarray(leaf)) for leaf in tree.values())
    return array_finite(np.asarray(tree))


def require_finite(tree: Tree, name: str) -> None:
    """Raise ``FloatingPointError`` when ``tree`` holds an inf or a NaN."""
    if not all_finite(tree):
        raise FloatingPointError(
            f"{name} contains inf or NaN; an optimizer cannot take a meaningful step from a non-finite gradient "
            "(check the learning rate, or whether the loss overflowed)"
        )


def zeros_like(tree: Tree) -> Tree:
    """Zeros with the structure, shapes and dtypes of ``tree``."""
    return tree_map(np.zeros_like, tree)


def tree_add(params: Tree, step: Tree) -> Tree:
    """params + step, leaf by leaf: how the caller applies an optimizer's step.

    Lists and tuples are read as arrays (so ``[1, 2] + [3, 4]`` is ``[4, 6]``,
    never the concatenation that Python's ``+`` would make of two lists).
    """
    params, step = as_tree(params, "params"), as_tree(step, "step")
    require_same_structure(params, step, "params", "step")
    return tree_map(lambda p, s: p + s, params, step)
