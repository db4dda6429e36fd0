"""Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019).

Adam keeps two exponentially weighted averages, of the gradient (first
moment m) and of its square (second moment v), corrects both for having
started at zero, and steps by their ratio:

    t ← t + 1
    m_t = β₁ m_{t−1} + (1 − β₁) g_t
    v_t = β₂ v_{t−1} + (1 − β₂) g_t²
    m̂_t = m_t / (1 − β₁ᵗ)
    v̂_t = v_t / (1 − β₂ᵗ)
    step = −α m̂_t / (√v̂_t + ε)

This is Algorithm 1 of the paper, line for line, with t counted from 1 (at
t = 0 the corrections would divide by zero). Without the correction the first
step is (1 − β₁)/√(1 − β₂) times the corrected one: ≈ 3.16 at β₂ = 0.999.

AMSGrad (Reddi, Kale & Kumar 2018) divides by the running maximum of v
instead of v itself, so the effective step size never grows; as in PyTorch,
the maximum is taken of the raw v_t and then bias-corrected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Optional

import numpy as np

from ..tree import Tree, as_tree, tree_map, zeros_like
from ..validation import require_beta, require_bool, require_nonnegative, require_positive
from .base import Optimizer
from .leafwise import leafwise


def adam_rule(g, m, v, t, lr, beta1, beta2, eps, bias_correction=True, v_max=None):
    """One step of Algorithm 1 on arrays: returns (Δ_t, m_t, v_t, v_max_t).

    ``v_max`` is AMSGrad's largest v so far; Adam passes None and gets None back.
    """
    m = beta1 * m + (1 - beta1) * g            # m_t
    v = beta2 * v + (1 - beta2) * g * g        # v_t
    if bias_correction:
        c1, c2 = 1 - beta1**t, 1 - beta2**t
    else:
        c1 = c2 = 1.0
    m_hat = m / c1                             # m̂_t = m_t / (1 − β₁ᵗ)
    v_hat = v / c2                             # v̂_t = v_t / (1 − β₂ᵗ)
    if v_max is not None:                      # AMSGrad: divide by the largest v so far
        v_max = np.maximum(v_max, v)
        v_hat = v_max / c2
    step = -lr * (m_hat / (np.sqrt(v_hat) + eps))
    return step, m, v, v_max


class AdamState(NamedTuple):
    m: Tree                 # m_t, average of gradients (first moment)
    v: Tree                 # v_t, average of squared gradients (second moment)
    t: int                  # steps taken so far; the next step is t + 1
    v_max: Optional[Tree]   # max over s ≤ t of v_s (AMSGrad only, else None)


@dataclass(frozen=True)
class Adam(Optimizer):
    """Adam with the paper's defaults (α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8).

    Equals ``torch.optim.Adam`` and ``optax.adam`` step for step (PyTorch's
    ``amsgrad=True`` too). ``bias_correction=False`` steps by m_t/(√v_t + ε),
    which no library offers; it is here to show what the correction does.
    """

    _state_type = AdamState

    lr: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    bias_correction: bool = field(default=True, kw_only=True)
    amsgrad: bool = field(default=False, kw_only=True)

    def __post_init__(self):
        self._require("lr", require_positive)
        self._require("beta1", require_beta)
        self._require("beta2", require_beta)
        self._require("eps", require_nonnegative)
        self._require("bias_correction", require_bool)
        self._require("amsgrad", require_bool)

    def init(self, params) -> AdamState:
        zeros = zeros_like(self._check_params(params))
        return AdamState(m=zeros, v=zeros, t=0, v_max=zeros if self.amsgrad else None)

    def _check_state(self, state) -> None:
        super()._check_state(state)
        if self.amsgrad and state.v_max is None:
            raise ValueError("state.v_max is None: this state comes from an Adam without amsgrad; "
                             "start from Adam(amsgrad=True).init(params)")
        if not self.amsgrad and state.v_max is not None:
            raise ValueError("state.v_max is set: this state comes from an Adam with amsgrad=True; "
                             "start from this optimizer's init(params)")

    def update(self, grads, state, params=None):
        """One step of Algorithm 1 (see the module docstring for the formulas)."""
        grads = self._check_inputs(grads, state, params)
        t = state.t + 1

        def rule(g, m, v, v_max=None):
            return adam_rule(g, m, v, t, self.lr, self.beta1, self.beta2, self.eps, self.bias_correction, v_max)

        if self.amsgrad:
            step, m, v, v_max = leafwise(rule, grads, state.m, state.v, state.v_max, eps=self.eps)
        else:
            step, m, v, _ = leafwise(rule, grads, state.m, state.v, eps=self.eps)
            v_max = None
        return step, AdamState(m=m, v=v, t=t, v_max=v_max)


@dataclass(frozen=True)
class AdamW(Adam):
    """Adam with decoupled weight decay λ (``weight_decay``), as ``torch.optim.AdamW``.

    The decay is applied to the parameters directly, not added to the
    gradient, so it is not rescaled by 1/√v̂:

        step = −α m̂_t / (√v̂_t + ε) − α λ θ_{t−1}

    PyTorch writes this as θ ← θ(1 − αλ) followed by the Adam step; the sum is
    the same. Adam with L2 in the loss (g_t + λθ) is a different method.
    Defaults are PyTorch's: α = 0.001, λ = 0.01.
    """

    weight_decay: float = 0.01

    def __post_init__(self):
        super().__post_init__()
        self._require("weight_decay", require_nonnegative)

    def update(self, grads, state, params=None):
        """The Adam step plus −α λ θ_{t−1}; needs ``params``."""
        if params is None:
            raise ValueError("AdamW.update needs params: the decoupled decay step is −lr·weight_decay·params")
        params = as_tree(params, "params")
        adam_step, state = super().update(grads, state, params)
        decay = self.lr * self.weight_decay
        return tree_map(lambda s, p: s - decay * p, adam_step, params), state
