"""AdaGrad (Duchi, Hazan & Singer 2011): one step size per coordinate.

Each coordinate divides its gradient by the root of the sum of all its past
squared gradients, so coordinates with large gradients take smaller steps,
and every step size shrinks as the sum grows:

    s_t = s_{t−1} + g_t²,   step = −α g_t / (√s_t + ε),   s_0 = 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..tree import Tree, zeros_like
from ..validation import require_nonnegative, require_positive
from .base import Optimizer
from .leafwise import leafwise


def adagrad_rule(g, s, lr, eps):
    """One step of AdaGrad on arrays: returns (Δ_t, s_t)."""
    s = s + g * g                          # s_t = s_{t−1} + g_t²
    step = -lr * (g / (np.sqrt(s) + eps))  # Δ_t = −α g_t / (√s_t + ε)
    return step, s


class AdaGradState(NamedTuple):
    s: Tree  # s_t, the running sum of squared gradients


@dataclass(frozen=True)
class AdaGrad(Optimizer):
    """AdaGrad with ε outside the square root.

    Defaults are PyTorch's (``torch.optim.Adagrad``: lr = 0.01, eps = 1e-10,
    initial accumulator 0), which this equals step for step.
    """

    _state_type = AdaGradState

    lr: float = 0.01
    eps: float = 1e-10

    def __post_init__(self):
        self._require("lr", require_positive)
        self._require("eps", require_nonnegative)

    def init(self, params) -> AdaGradState:
        return AdaGradState(s=zeros_like(self._check_params(params)))

    def update(self, grads, state, params=None):
        """s_t = s_{t−1} + g_t²;  step = −α g_t / (√s_t + ε)."""
        grads = self._check_inputs(grads, state, params)
        step, s = leafwise(lambda g, s: adagrad_rule(g, s, self.lr, self.eps), grads, state.s, eps=self.eps)
        return step, AdaGradState(s=s)
