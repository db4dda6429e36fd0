"""Plain gradient descent: θ_t = θ_{t−1} − α g_t."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ..tree import tree_map
from ..validation import require_positive
from .base import Optimizer


def gd_rule(g, lr):
    """One step of gradient descent on arrays: Δ_t = −α g_t."""
    return -lr * g


class GradientDescentState(NamedTuple):
    t: int  # steps taken so far


@dataclass(frozen=True)
class GradientDescent(Optimizer):
    """Gradient descent with a constant learning rate α (``lr``).

    Equals ``torch.optim.SGD(lr=lr)`` and ``optax.sgd(lr)``.
    """

    _state_type = GradientDescentState

    lr: float

    def __post_init__(self):
        self._require("lr", require_positive)

    def init(self, params) -> GradientDescentState:
        self._check_params(params)
        return GradientDescentState(t=0)

    def update(self, grads, state, params=None):
        """step = −α g_t."""
        grads = self._check_inputs(grads, state, params)
        step = tree_map(lambda g: gd_rule(g, self.lr), grads)
        return step, GradientDescentState(t=state.t + 1)
