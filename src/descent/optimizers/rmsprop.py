"""RMSProp (Tieleman & Hinton 2012): AdaGrad with a forgetting average.

Instead of summing every past g², RMSProp keeps an exponentially weighted
average of them, so old gradients fade and the step size does not shrink
for ever:

    v_t = β v_{t−1} + (1 − β) g_t²,   v_0 = 0
    step = −α g_t / (√v_t + ε)          (ε outside: PyTorch, Adam's Algorithm 1)
    step = −α g_t / √(v_t + ε)          (ε inside: ``eps_inside_sqrt=True``, Keras and optax)

With ``bias_correction=True`` v_t is replaced by v̂_t = v_t / (1 − βᵗ), the
correction Adam applies; this is exactly Adam with β₁ = 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..tree import Tree, tree_map, zeros_like
from ..validation import require_beta, require_bool, require_nonnegative, require_positive
from .base import Optimizer, divide


class RMSPropState(NamedTuple):
    v: Tree  # v_t, the running average of squared gradients
    t: int   # steps taken so far (used by the optional bias correction)


@dataclass(frozen=True)
class RMSProp(Optimizer):
    """RMSProp; defaults are PyTorch's (lr = 0.01, β = α_torch = 0.99, ε = 1e-8).

    ``RMSProp(lr, beta, eps)`` equals ``torch.optim.RMSprop(lr=lr, alpha=beta, eps=eps)``.
    PyTorch has no setting for ε inside the square root.
    """

    _state_type = RMSPropState

    lr: float = 0.01
    beta: float = 0.99
    eps: float = 1e-8
    eps_inside_sqrt: bool = False
    bias_correction: bool = False

    def __post_init__(self):
        self._require("lr", require_positive)
        self._require("beta", require_beta)
        self._require("eps", require_nonnegative)
        self._require("eps_inside_sqrt", require_bool)
        self._require("bias_correction", require_bool)

    def init(self, params) -> RMSPropState:
        return RMSPropState(v=zeros_like(self._check_params(params)), t=0)

    def update(self, grads, state, params=None):
        """v_t = β v_{t−1} + (1 − β) g_t²;  step = −α g_t / (√v_t + ε)."""
        grads = self._check_inputs(grads, state, params)
        t = state.t + 1
        v = tree_map(lambda v, g: self.beta * v + (1 - self.beta) * g * g, state.v, grads)
        correction = 1 - self.beta**t if self.bias_correction else 1.0

        def step_of(v, g):
            v_hat = v / correction
            if self.eps_inside_sqrt:
                return -self.lr * divide(g, np.sqrt(v_hat + self.eps), self.eps)
            return -self.lr * divide(g, np.sqrt(v_hat) + self.eps, self.eps)

        return tree_map(step_of, v, grads), RMSPropState(v=v, t=t)
