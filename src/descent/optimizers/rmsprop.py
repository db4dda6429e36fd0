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

from ..tree import Tree, zeros_like
from ..validation import require_beta, require_bool, require_nonnegative, require_positive
from .base import Optimizer
from .leafwise import leafwise


def rmsprop_rule(g, v, t, lr, beta, eps, eps_inside_sqrt=False, bias_correction=False):
    """One step of RMSProp on arrays: returns (Δ_t, v_t)."""
    v = beta * v + (1 - beta) * g * g                 # v_t = β v_{t−1} + (1 − β) g_t²
    v_hat = v / (1 - beta**t) if bias_correction else v
    if eps_inside_sqrt:
        step = -lr * (g / np.sqrt(v_hat + eps))       # Δ_t = −α g_t / √(v_t + ε)
    else:
        step = -lr * (g / (np.sqrt(v_hat) + eps))     # Δ_t = −α g_t / (√v_t + ε)
    return step, v


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

        def rule(g, v):
            return rmsprop_rule(g, v, t, self.lr, self.beta, self.eps, self.eps_inside_sqrt, self.bias_correction)

        step, v = leafwise(rule, grads, state.v, eps=self.eps)
        return step, RMSPropState(v=v, t=t)
