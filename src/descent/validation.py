"""Checks for hyperparameters, with messages that say what is allowed.

Each check raises at construction time, so a typo such as ``beta=0.99.9`` or
``lr=-0.1`` is caught before any step is taken, and the message names the
parameter, the value and the allowed range.
"""

from __future__ import annotations

import math
import numbers


def _check_real(name: str, value) -> float:
    # bool is a subclass of int; True as a learning rate is a bug, not 1.0.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_positive(name: str, value) -> float:
    """``value`` must be a finite real number > 0 (a learning rate)."""
    value = _check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def check_nonnegative(name: str, value) -> float:
    """``value`` must be a finite real number >= 0 (ε, weight decay)."""
    value = _check_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def check_beta(name: str, value) -> float:
    """``value`` must lie in [0, 1): a decay rate of an exponentially weighted average."""
    value = _check_real(name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def check_choice(name: str, value, allowed: tuple) -> None:
    """``value`` must be one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")


def check_bool(name: str, value) -> None:
    """``value`` must be True or False (not a truthy string such as "no")."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")


def check_positive_int(name: str, value) -> int:
    """``value`` must be an integer >= 1 (a number of steps, a batch size)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return int(value)
