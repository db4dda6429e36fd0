"""Check a learner's warmup-then-cosine learning rate, and name the usual mistakes.

The exercise asks for one step of gradient descent whose learning rate is
warmed up linearly for ``warmup_steps`` steps and then follows half a cosine
down to 0 over the remaining ``total_steps − warmup_steps`` steps::

    def scheduled_gd_step(theta, g, t, lr, warmup_steps, total_steps):
        ...
        return theta_new

with t the number of the step being taken (1 on the first call). The
reference is ``Scheduled(GradientDescent(lr), LinearWarmup(w, Cosine(T − w)))``
and the comparison engine is that of :mod:`descent.checks`.
"""

from __future__ import annotations

import math
from typing import Callable

from .checks import CheckResult, _check, _from_optimizer, _manual
from .optimizers.gradient_descent import GradientDescent
from .schedules import Cosine, LinearWarmup, Scheduled
from .validation import require_positive, require_positive_int

__all__ = ["check_warmup_cosine_step"]


def check_warmup_cosine_step(fn: Callable, lr: float = 0.1, warmup_steps: int = 3,
                             total_steps: int = 12) -> CheckResult:
    """Check ``fn(theta, g, t, lr, warmup_steps, total_steps) -> theta_new``.

    θ_t = θ_{t−1} − α η_t g_t with η_t = t/w for t ≤ w and
    η_t = ½(1 + cos(π (t − w − 1)/(T − w))) after, w = ``warmup_steps``, T = ``total_steps``.
    """
    lr = require_positive("lr", lr)
    w, T = require_positive_int("warmup_steps", warmup_steps), require_positive_int("total_steps", total_steps)
    if T <= w:
        raise ValueError(f"total_steps must exceed warmup_steps = {w}, got {T}")
    decay = T - w

    def gd_with(multiplier):
        return _manual(lambda theta, g, t: (theta - lr * multiplier(t) * g,), 0, pass_t=True)

    def cosine(k, length=decay):   # the k-th step of a cosine of `length` steps, k = 1, 2, …
        return 0.5 * (1 + math.cos(math.pi * (k - 1) / length))

    mistakes = [
        ("the warmup starts at 0: on the first step η_1 = 1/warmup_steps, not 0 (count t from 1, so η_t = t/w).",
         gd_with(lambda t: (t - 1) / w if t <= w else cosine(t - w))),
        ("the cosine does not start again when the warmup ends: after w steps it runs from k = t − w, "
         "so that the first step after the warmup uses the full learning rate.",
         gd_with(lambda t: t / w if t <= w else cosine(t, T))),
        ("the cosine is one step ahead: its k-th step uses cos(π (k − 1)/(T − w)), so that the first one is 1.",
         gd_with(lambda t: t / w if t <= w else 0.5 * (1 + math.cos(math.pi * (t - w) / decay)))),
        ("there is no warmup: the learning rate must rise as t/w over the first w steps.",
         gd_with(lambda t: cosine(t, T))),
        ("your step goes uphill: θ moves by −α η_t g_t.",
         _manual(lambda theta, g, t: (theta + lr * (t / w if t <= w else cosine(t - w)) * g,), 0, pass_t=True)),
    ]
    reference = _from_optimizer(Scheduled(GradientDescent(lr), LinearWarmup(w, Cosine(decay))), [])
    hyper = {"lr": lr, "warmup_steps": w, "total_steps": T}
    label = f"Scheduled(GradientDescent(lr={lr}), LinearWarmup({w}, Cosine({decay})))"
    return _check(fn, label, reference, mistakes, hyper, [], True)
