"""Checks shared by the models: features, targets, labels and parameter dicts.

Every check names the argument and says what is allowed, so a learner who
passes ``y`` as one-hot rows, or parameters from another model, reads what
went wrong instead of a broadcasting error three calls deeper.
"""

from __future__ import annotations

import numpy as np

from ..tree import as_array, as_tree


def require_float_dtype(dtype) -> np.dtype:
    """``dtype`` must be float32 or float64 (the precisions the course compares)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}") from error
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype}")
    return dtype


def require_params(params, shapes: dict) -> tuple[dict, np.dtype]:
    """Return ``params`` as float arrays and their common dtype, after checking keys and shapes.

    ``shapes`` maps each expected key to its shape, computed from the data
    (for example ``{"weights": (d,), "bias": ()}``).
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict with keys {sorted(shapes)}, got {type(params).__name__}")
    params = as_tree(params, "params")
    if params.keys() != shapes.keys():
        raise ValueError(
            f"params has keys {sorted(params)} but this model needs {sorted(shapes)} "
            "(were these parameters made by another model's init_params?)"
        )
    for key, shape in shapes.items():
        if params[key].shape != shape:
            raise ValueError(f"params[{key!r}] has shape {params[key].shape} but the model and data need {shape}")
    # Compute in the parameters' precision: float32 parameters give float32
    # gradients, so an optimizer step never silently promotes them to float64.
    return params, np.result_type(*params.values())


def require_features(X) -> np.ndarray:
    """``X`` must be a 2-D numeric array of shape (n_samples, n_features), n_samples >= 1."""
    X = as_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D with shape (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X has no rows: it needs at least one sample")
    return X


def require_params_and_features(params, X, param_shapes) -> tuple[dict, np.ndarray]:
    """Check ``X``, then ``params`` against ``param_shapes(n_features)``; X comes back in the params' dtype."""
    X = require_features(X)
    params, dtype = require_params(params, param_shapes(X.shape[1]))
    return params, X.astype(dtype, copy=False)


def require_targets(y, n_samples: int, dtype: np.dtype) -> np.ndarray:
    """``y`` must be a 1-D numeric array of real targets with one entry per row of X."""
    y = as_array(y, "y")
    if y.shape != (n_samples,):
        raise ValueError(f"y must have shape ({n_samples},), one target per row of X, got shape {y.shape}")
    return y.astype(dtype, copy=False)


def require_labels(y, n_samples: int, n_classes: int) -> np.ndarray:
    """``y`` must be a 1-D integer array of class indices in 0 .. n_classes − 1."""
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"y must hold integer class indices 0..{n_classes - 1} (not one-hot rows or floats), got dtype {y.dtype}"
        )
    if y.shape != (n_samples,):
        raise ValueError(f"y must have shape ({n_samples},), one class index per row of X, got shape {y.shape}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(
            f"y must hold class indices in 0..{n_classes - 1} (n_classes={n_classes}), "
            f"got values from {y.min()} to {y.max()}"
        )
    return y
