"""Momentum: keep a running direction and step along it.

Two ways of writing the same idea are in use, and they differ only by a
factor on the learning rate:

- ``form="ewa"`` (exponentially weighted average, as in most courses):
  m_t = β m_{t−1} + (1 − β) g_t,   step = −α m_t.
- ``form="heavy_ball"`` (Polyak 1964; PyTorch's, optax's and Keras's form):
  m_t = β m_{t−1} + g_t,           step = −α m_t.

m_t is called the velocity (``state.velocity``). With m_0 = 0 in both, the ewa velocity is (1 − β) times the heavy-ball one at
every step, so ewa with learning rate α and heavy-ball with learning rate
α(1 − β) take exactly the same path (equivalently, heavy-ball with α equals
ewa with α/(1 − β)).

Nesterov's variant (as written by Sutskever et al. 2013 and PyTorch) steps
along the velocity *after* one more look ahead:
step = −α (β m_t + g_t) for heavy-ball, −α (β m_t + (1 − β) g_t) for ewa.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ..tree import Tree, zeros_like
from ..validation import require_beta, require_bool, require_choice, require_positive
from .base import Optimizer
from .leafwise import leafwise

FORMS = ("ewa", "heavy_ball")


def momentum_rule(g, m, lr, beta, form="ewa", nesterov=False):
    """One step of momentum on arrays: returns (Δ_t, m_t).

    m_t = β m_{t−1} + c g_t, with c = 1 − β (average form) or 1 (heavy ball);
    Δ_t = −α m_t, or −α (β m_t + c g_t) with Nesterov's look-ahead.
    """
    c = 1 - beta if form == "ewa" else 1.0
    m = beta * m + c * g
    if nesterov:
        return -lr * (beta * m + c * g), m
    return -lr * m, m


class MomentumState(NamedTuple):
    velocity: Tree  # m_t, same structure as the parameters


@dataclass(frozen=True)
class Momentum(Optimizer):
    """Gradient descent with momentum β; see the module docstring for the two forms.

    ``Momentum(lr, beta, form="heavy_ball")`` equals
    ``torch.optim.SGD(lr=lr, momentum=beta)`` (``nesterov=True`` likewise);
    ``Momentum(lr, beta, form="ewa")`` equals that with learning rate
    ``lr * (1 - beta)``. With β = 0 both forms are plain gradient descent.
    """

    _state_type = MomentumState

    lr: float
    beta: float = 0.9
    form: str = "ewa"
    nesterov: bool = False

    def __post_init__(self):
        self._require("lr", require_positive)
        self._require("beta", require_beta)
        self._require("form", require_choice, FORMS)
        self._require("nesterov", require_bool)

    def init(self, params) -> MomentumState:
        return MomentumState(velocity=zeros_like(self._check_params(params)))

    def update(self, grads, state, params=None):
        """m_t = β m_{t−1} + c g_t with c = 1 − β (ewa) or 1 (heavy ball); step = −α m_t."""
        grads = self._check_inputs(grads, state, params)
        step, velocity = leafwise(
            lambda g, m: momentum_rule(g, m, self.lr, self.beta, self.form, self.nesterov), grads, state.velocity
        )
        return step, MomentumState(velocity=velocity)
