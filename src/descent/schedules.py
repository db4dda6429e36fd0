"""Learning-rate schedules, and the wrapper that applies one to any optimizer.

A schedule is a function of the step number t = 1, 2, … that returns the
multiplier η_t of the learning rate, so that step t uses α_t = α·η_t:

    StepDecay(every, factor)     η_t = factor^⌊(t − 1)/every⌋
    InverseTime(tau)             η_t = 1 / (1 + (t − 1)/τ)          (≈ τ/t: Robbins & Monro)
    InverseSqrt(tau)             η_t = 1 / √(1 + (t − 1)/τ)         (≈ √(τ/t))
    Cosine(total_steps, floor)   η_t = floor + (1 − floor)·½(1 + cos(π (t − 1)/T)), then floor
    LinearWarmup(steps, then)    η_t = t/steps for t ≤ steps, then then(t − steps)

Every schedule starts at η_1 = 1 (LinearWarmup at 1/steps), so α keeps its
meaning: the learning rate of the first steps. Schedules are plain callables,
like :func:`descent.online.inverse_sqrt` (which is ``InverseSqrt(1)``).

:class:`Scheduled` turns any optimizer into one that follows a schedule, by
multiplying its step by η_t. For every optimizer of the package the step is
α times something that does not depend on α (the state m, v, s, velocity does
not contain α), so this is exactly the optimizer run with α_t in place of α,
as ``torch.optim.lr_scheduler`` does; the loops need no change.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple, Optional

from .tree import Tree, tree_map
from .validation import require_real, require_positive, require_positive_int

__all__ = ["StepDecay", "InverseTime", "InverseSqrt", "Cosine", "LinearWarmup", "Scheduled", "ScheduledState",
           "multipliers"]


def _require_step(t) -> int:
    # t is counted from 1, as everywhere in the course: η_0 would be the multiplier of a step never taken.
    return require_positive_int("t", t)


@dataclass(frozen=True)
class StepDecay:
    """η_t = factor^⌊(t − 1)/every⌋: the learning rate is multiplied by ``factor`` every ``every`` steps."""

    every: int
    factor: float = 0.1

    def __post_init__(self):
        require_positive_int("every", self.every)
        factor = require_positive("factor", self.factor)
        if factor >= 1:
            raise ValueError(f"factor must be in (0, 1) so that the learning rate decays, got {self.factor!r}")

    def __call__(self, t: int) -> float:
        return self.factor ** ((_require_step(t) - 1) // self.every)


@dataclass(frozen=True)
class InverseTime:
    """η_t = 1/(1 + (t − 1)/τ): halved after τ steps, then ≈ τ/t.

    Σ η_t diverges and Σ η_t² converges: the Robbins–Monro conditions hold.
    """

    tau: float = 1.0

    def __post_init__(self):
        require_positive("tau", self.tau)

    def __call__(self, t: int) -> float:
        return 1.0 / (1.0 + (_require_step(t) - 1) / self.tau)


@dataclass(frozen=True)
class InverseSqrt:
    """η_t = 1/√(1 + (t − 1)/τ): ≈ √(τ/t) for t ≫ τ; ``InverseSqrt(1)`` is 1/√t.

    Σ η_t diverges but so does Σ η_t² (as log t): the second Robbins–Monro
    condition fails, barely.
    """

    tau: float = 1.0

    def __post_init__(self):
        require_positive("tau", self.tau)

    def __call__(self, t: int) -> float:
        return 1.0 / math.sqrt(1.0 + (_require_step(t) - 1) / self.tau)


@dataclass(frozen=True)
class Cosine:
    """η_t = floor + (1 − floor)·½(1 + cos(π (t − 1)/T)) for t ≤ T, and ``floor`` after (T = ``total_steps``).

    Half a cosine from 1 down to ``floor``: one cycle of SGDR (Loshchilov &
    Hutter 2017) without the restarts, as ``torch.optim.lr_scheduler.CosineAnnealingLR``.
    """

    total_steps: int
    floor: float = 0.0

    def __post_init__(self):
        require_positive_int("total_steps", self.total_steps)
        floor = require_real("floor", self.floor)
        if not 0 <= floor < 1:
            raise ValueError(f"floor must be in [0, 1): the fraction of α left at the end; got {self.floor!r}")

    def __call__(self, t: int) -> float:
        t = _require_step(t)
        if t > self.total_steps:
            return float(self.floor)
        half_cosine = 0.5 * (1 + math.cos(math.pi * (t - 1) / self.total_steps))   # from 1 down to 0
        return self.floor + (1 - self.floor) * half_cosine


@dataclass(frozen=True)
class LinearWarmup:
    """η_t = t/steps for t ≤ steps, then ``then(t − steps)`` (1 if ``then`` is None).

    Goyal et al. (2017) raise the learning rate linearly over the first steps;
    the schedule that follows is counted from 1 again when the warmup ends, so
    ``LinearWarmup(100, Cosine(900))`` ends its cosine at step 1000.
    """

    steps: int
    then: Optional[Callable[[int], float]] = None

    def __post_init__(self):
        require_positive_int("steps", self.steps)
        if self.then is not None and not callable(self.then):
            raise TypeError(f"then must be a schedule (a function of t) or None, got {type(self.then).__name__}")

    def __call__(self, t: int) -> float:
        t = _require_step(t)
        if t <= self.steps:
            return t / self.steps
        return 1.0 if self.then is None else self.then(t - self.steps)


def _require_multiplier(scale, t: int) -> float:
    # A schedule is any function of t, possibly the learner's: a negative η_t would step uphill.
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not math.isfinite(scale) or scale < 0:
        raise ValueError(f"the schedule must return a finite number >= 0, got {scale!r} at t = {t}")
    return float(scale)


def multipliers(schedule: Callable[[int], float], steps: int) -> list:
    """[η_1, …, η_steps]: the schedule as a list, for a plot or a sum."""
    return [schedule(t) for t in range(1, require_positive_int("steps", steps) + 1)]


class ScheduledState(NamedTuple):
    inner: Any     # the wrapped optimizer's state (e.g. an AdamState)
    t: int         # steps taken so far; the next step uses η_{t+1}
    scale: float   # η_t, the multiplier of the last step (1.0 before the first)


@dataclass(frozen=True)
class Scheduled:
    """``optimizer`` with its learning rate α replaced by α·η_t, η_t = ``schedule(t)``.

    ``Scheduled(Adam(lr=0.01), Cosine(1000))`` equals ``torch.optim.Adam(lr=0.01)``
    with ``LambdaLR(opt, lambda e: schedule(e + 1))`` stepped after each update.
    """

    optimizer: Any
    schedule: Callable[[int], float]

    def __post_init__(self):
        if not (callable(getattr(self.optimizer, "init", None)) and callable(getattr(self.optimizer, "update", None))):
            raise TypeError("optimizer must have init(params) and update(grads, state, params) "
                            f"(e.g. descent.Adam()); got {type(self.optimizer).__name__}")
        if not callable(self.schedule):
            raise TypeError(f"schedule must be a function of the step t (e.g. Cosine(1000)), got {type(self.schedule).__name__}")

    @property
    def lr(self) -> float:
        """α, the base learning rate (that of the wrapped optimizer)."""
        return self.optimizer.lr

    def init(self, params) -> ScheduledState:
        return ScheduledState(inner=self.optimizer.init(params), t=0, scale=1.0)

    def update(self, grads, state: ScheduledState, params=None):
        """The wrapped optimizer's step times η_t."""
        t = state.t + 1
        scale = _require_multiplier(self.schedule(t), t)
        step, inner = self.optimizer.update(grads, state.inner, params)
        scaled = tree_map(lambda s: scale * s, step)
        return scaled, ScheduledState(inner=inner, t=t, scale=scale)
