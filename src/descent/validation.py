"""Requirements on arguments, with messages that say what is allowed.

Each ``require_*`` function returns the value converted to a plain Python
type (a numpy scalar such as an ``lr`` taken from ``np.linspace`` becomes a
``float``, so that it cannot promote float32 arrays to float64), or raises a
``TypeError``/``ValueError`` that names the argument, the value and the
allowed range. The optimizers call them at construction, so a typo such as
``lr=-0.1`` is caught before any step is taken.

(The ``check_*`` functions of :mod:`descent.checks` are something else: they
grade a learner's code.)
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def require_real(name: str, value) -> float:
    """``value`` must be a finite real number; returned as a Python float."""
    # bool is a subclass of int; True as a learning rate is a bug, not 1.0.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    try:
        value = float(value)
    except OverflowError:  # an int such as 10**400 has no float
        raise ValueError(f"{name} must be finite, got an integer of {len(str(abs(value)))} digits, "
                         "too large for a float") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def require_positive(name: str, value) -> float:
    """``value`` must be a finite real number > 0 (a learning rate)."""
    value = require_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def require_nonnegative(name: str, value) -> float:
    """``value`` must be a finite real number >= 0 (ε, weight decay)."""
    value = require_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def require_beta(name: str, value) -> float:
    """``value`` must lie in [0, 1): a decay rate of an exponentially weighted average."""
    value = require_real(name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def require_choice(name: str, value, allowed: tuple) -> str:
    """``value`` must be one of the strings ``allowed``; returned as a plain ``str``."""
    if isinstance(value, str) and value in allowed:
        return str(value)
    raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")


def require_bool(name: str, value) -> bool:
    """``value`` must be True or False (not a truthy string such as "no"); numpy's bool is accepted."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")


def require_positive_int(name: str, value) -> int:
    """``value`` must be an integer >= 1 (a number of steps, a batch size)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return int(value)
