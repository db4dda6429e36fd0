"""Check a learner's warmup-then-cosine learning rate, and name the usual mistakes.

The exercise asks for one step of gradient descent whose learning rate is
warmed up linearly for ``warmup_steps`` steps and then follows half a cosine
down to 0 over the remaining ``total_steps − warmup_steps`` steps::

    def scheduled_gd_step(theta, g, t, lr, warmup_steps, total_steps):
        ...
        return theta_new

with t the number of the step being taken (1 on the first call). The
reference is ``Scheduled(GradientDescent(lr), LinearWarmup(w, Cosine(T − w)))``
and the engine is :func:`descent.checks.check_step`, which also finds a wrong
sign, a missing lr or a returned step, alone or with a schedule mistake.
"""

from __future__ import annotations

import math
from typing import Callable

from .checks import CheckResult, check_step
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

    def cosine(k, length=decay):   # the k-th step of a cosine of `length` steps, k = 1, 2, …
        return 0.5 * (1 + math.cos(math.pi * (k - 1) / length))

    multipliers = {   # η_t, right and as each mistake writes it
        None: lambda t: t / w if t <= w else cosine(t - w),
        "warmup_from_0": lambda t: (t - 1) / w if t <= w else cosine(t - w),
        "no_restart": lambda t: t / w if t <= w else cosine(t, T),
        "cosine_ahead": lambda t: t / w if t <= w else 0.5 * (1 + math.cos(math.pi * (t - w) / decay)),
        "no_warmup": lambda t: cosine(t, T),
    }

    def mistaken_rule(choice):
        eta = multipliers[choice.get("schedule")]
        return lambda g, t: (-lr * eta(t) * g,)

    explain = {
        "warmup_from_0": "the warmup starts at 0: on the first step η_1 = 1/warmup_steps, not 0 "
                         "(count t from 1, so η_t = t/w).",
        "no_restart": "the cosine does not start again when the warmup ends: after w steps it runs from k = t − w, "
                      "so that the first step after the warmup uses the full learning rate.",
        "cosine_ahead": "the cosine is one step ahead: its k-th step uses cos(π (k − 1)/(T − w)), so that the first one is 1.",
        "no_warmup": "there is no warmup: the learning rate must rise as t/w over the first w steps.",
    }
    optimizer = Scheduled(GradientDescent(lr), LinearWarmup(w, Cosine(decay)))
    return check_step(
        fn, optimizer, name="scheduled_gd_step", state={}, hyper={"lr": lr, "warmup_steps": w, "total_steps": T},
        pass_t=True, rule_slips={"schedule": tuple(k for k in multipliers if k)}, mistaken_rule=mistaken_rule,
        explain=explain, formula="−α η_t g_t",
        label=f"descent.Scheduled(GradientDescent(lr={lr}), LinearWarmup({w}, Cosine({decay})))",
    )
