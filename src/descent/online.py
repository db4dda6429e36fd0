"""Online convex optimisation: a new loss every round, a feasible set, and regret.

In the online setting of Kingma & Ba's and Reddi, Kale & Kumar's analyses the
loss changes from round to round. At round t = 1, 2, … the learner plays the
point θ_{t−1} of a feasible set F, then sees the loss f_t and its gradient
g_t = ∇f_t(θ_{t−1}), and takes a step that is projected back onto F:

    θ_t = Π_F(θ_{t−1} + Δ_t),     Δ_t from the optimizer with learning rate α_t.

The learner is judged by its *regret*, how much more loss it collected than
the best fixed point in hindsight:

    R_T = Σ_{t=1}^T f_t(θ_{t−1}) − min_{θ ∈ F} Σ_{t=1}^T f_t(θ).

A method converges in this sense when the average regret R_T / T goes to 0.

:class:`CyclicLinear` is the counterexample of Reddi et al. (2018, section 3):
linear losses on F = [−1, 1] that repeat with a period of 3,

    f_t(x) = C·x  when t mod 3 = 1,      f_t(x) = −x  otherwise,    C > 2,

whose best fixed point is x = −1 (the three losses of a period add up to
(C − 2)·x), but on which Adam with β₁ = 0, β₂ = 1/(1 + C²) and α_t = α/√t
drifts to x = +1, the worst point, with average regret tending to 2(C − 2)/3.
:func:`projected_run` runs any optimizer of the package on such a problem.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .loops import RunRecord, require_optimizer, stop_message
from .tree import array_finite
from .validation import require_positive_int, require_real

__all__ = ["CyclicLinear", "OnlineRun", "projected_run", "inverse_sqrt"]


def inverse_sqrt(t: int) -> float:
    """The factor 1/√t of the decaying learning rate α_t = α/√t used by the regret analyses."""
    return 1.0 / math.sqrt(t)


@dataclass(frozen=True)
class CyclicLinear:
    """f_t(x) = C·x in the first round of every period, −x in the other rounds; F = [−1, 1].

    With ``period=3`` this is Reddi, Kale & Kumar's example; they take C > 2,
    which makes the sum of the losses of one period, (C − (period − 1))·x,
    increasing in x, so the best fixed point is x = −1.
    """

    C: float = 3.0
    period: int = 3
    bounds: tuple = (-1.0, 1.0)

    def __post_init__(self):
        # Stored as Python numbers: a numpy C would change the dtype of every loss.
        object.__setattr__(self, "C", require_real("C", self.C))
        object.__setattr__(self, "period", require_positive_int("period", self.period))
        if not isinstance(self.bounds, (tuple, list)) or len(self.bounds) != 2:
            raise TypeError(f"bounds must be a pair (low, high), got {self.bounds!r}")
        low, high = (require_real("bounds[0]", self.bounds[0]), require_real("bounds[1]", self.bounds[1]))
        if not low < high:
            raise ValueError(f"bounds must be (low, high) with low < high, got {self.bounds!r}")
        object.__setattr__(self, "bounds", (low, high))

    def slope(self, t: int) -> float:
        """f_t'(x): C when t mod period = 1 (t = 1, 1 + period, …), −1 otherwise."""
        if t < 1:
            raise ValueError(f"rounds are counted from t = 1, got t = {t}")
        return float(self.C) if t % self.period == 1 % self.period else -1.0

    def slopes(self, steps: int) -> np.ndarray:
        """f_1', …, f_T' for T = ``steps``."""
        t = np.arange(1, require_positive_int("steps", steps) + 1)
        return np.where(t % self.period == 1 % self.period, float(self.C), -1.0)

    def loss(self, t: int, x) -> float:
        """f_t(x) = slope · x (summed over the coordinates of x)."""
        return float(self.slope(t) * np.sum(x))

    def grad(self, t: int, x) -> np.ndarray:
        """∇f_t(x): the slope in every coordinate of x."""
        return np.full(np.shape(x), self.slope(t), dtype=np.float64)

    def best_point(self, steps: int) -> float:
        """argmin over F of Σ_{t ≤ T} f_t(x): the end of [low, high] against the sign of the summed slope."""
        total = float(self.slopes(steps).sum())
        low, high = self.bounds
        return low if total > 0 else high

    def best_totals(self, steps: int, size: int = 1) -> np.ndarray:
        """min over F of Σ_{s ≤ t} f_s(θ) for t = 1, …, T, for θ with ``size`` coordinates.

        A linear loss is smallest at an end of the interval: with S_t the summed
        slopes, the minimum is min(low·S_t, high·S_t) per coordinate.
        """
        sums = np.cumsum(self.slopes(steps))
        low, high = self.bounds
        return size * np.minimum(low * sums, high * sums)


@dataclass(frozen=True, eq=False)
class OnlineRun(RunRecord):
    """The record of :func:`projected_run` with T = ``steps_taken`` rounds.

    It has the attributes every loop's record has (see :class:`descent.loops.RunRecord`:
    ``losses``, ``steps_taken``, ``stopped``, ``diverged``, ``final_point``,
    ``final_loss``, ``final_state``; ``==`` compares values), and:

    points : array (T + 1, *shape)
        θ_0, θ_1, …, θ_T; the learner plays θ_{t−1} in round t.
    losses : array (T,)
        f_t(θ_{t−1}), the loss collected in round t.
    regret : array (T,)
        R_t = Σ_{s ≤ t} f_s(θ_{s−1}) − min_{θ ∈ F} Σ_{s ≤ t} f_s(θ), after each round.
    states : list of T optimizer states, ``states[t − 1]`` after round t.
    stopped : None, or the sentence saying why the run stopped early (a step
        that was not finite: the box keeps every finite point bounded).
    """

    points: np.ndarray
    losses: np.ndarray
    regret: np.ndarray
    states: list
    optimizer: object
    problem: object
    stopped: Optional[str] = None

    @property
    def steps_taken(self) -> int:
        """T, the number of rounds played."""
        return len(self.losses)

    @property
    def final_state(self):
        """The optimizer's state after round T (its ``init`` state when no round was played)."""
        return self.states[-1] if self.states else self.optimizer.init(self.points[0])

    @property
    def average_regret(self) -> np.ndarray:
        """R_t / t for t = 1, …, T."""
        return self.regret / np.arange(1, len(self.regret) + 1)

    @property
    def final_point(self) -> np.ndarray:
        """θ_T, the point after the last round."""
        return self.points[-1]

    def __repr__(self) -> str:
        point = np.array2string(np.ravel(self.final_point), precision=4)
        status = "" if self.stopped is None else f"; {self.stopped}"
        regret = f"{self.average_regret[-1]:.4g}" if self.steps_taken else "undefined (no round)"
        return (f"OnlineRun({self.optimizer!r} on {self.problem!r}: {self.steps_taken} rounds, "
                f"final point {point}, average regret {regret}{status})")


def projected_run(problem, optimizer, x0, steps: int, *,
                  schedule: Optional[Callable[[int], float]] = inverse_sqrt) -> OnlineRun:
    """Play ``steps`` rounds of ``problem`` with ``optimizer``, projecting onto its box after each step.

    Round t: g_t = ∇f_t(θ_{t−1}); ``step, state = optimizer.update(g_t, state, θ_{t−1})``;
    θ_t = clip(θ_{t−1} + s_t · step, low, high), where s_t = ``schedule(t)``.

    Every optimizer of the package multiplies its whole step by its learning
    rate, so multiplying the step by s_t is the same as running with the
    learning rate α_t = α·s_t: the default ``inverse_sqrt`` gives α/√t, as in
    the regret analyses of Kingma & Ba and Reddi et al. ``schedule=None``
    keeps α constant. The optimizer's state (m, v, …) does not depend on α.

    ``problem`` needs ``grad(t, x)``, ``loss(t, x)``, ``bounds`` and, for the
    regret, ``best_totals(T, size)`` (as :class:`CyclicLinear`).
    """
    steps = require_positive_int("steps", steps)
    require_optimizer(optimizer)
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a function t -> factor, or None; got {type(schedule).__name__}")
    missing = [name for name in ("loss", "grad", "bounds", "best_totals") if not hasattr(problem, name)]
    if missing:
        raise TypeError(f"problem must have loss(t, x), grad(t, x), bounds and best_totals(T, size), like "
                        f"descent.online.CyclicLinear(); {type(problem).__name__} lacks {', '.join(missing)}")
    low, high = problem.bounds
    x = np.asarray(x0)
    if x.dtype.kind not in "iuf":
        raise TypeError(f"x0 must be a real number or an array of real numbers, got {type(x0).__name__} of dtype {x.dtype}")
    x = np.array(x, dtype=np.float64).reshape(-1) if x.ndim == 0 else np.array(x, dtype=np.float64)
    if not np.all((low <= x) & (x <= high)):  # False for NaN too
        raise ValueError(f"x0 must lie in the feasible set [{low}, {high}], got {x0!r}")
    state = optimizer.init(x)
    points, losses, states, stopped = [x], [], [], None
    for t in range(1, steps + 1):
        loss = problem.loss(t, x)
        step, state = optimizer.update(problem.grad(t, x), state, x)
        factor = 1.0 if schedule is None else schedule(t)
        if not (isinstance(factor, numbers.Real) and 0 <= factor < math.inf):
            raise ValueError(f"schedule(t) must return a finite factor >= 0 for the learning rate; "
                             f"at t = {t} it returned {factor!r}")
        moved = x + factor * step
        if not array_finite(np.ravel(moved)):  # clipping would hide a NaN step as a point of the box
            stopped = stop_message(t, "the step became non-finite")
            break
        x = np.clip(moved, low, high)   # Π_F: the nearest point of the box
        losses.append(loss)
        points.append(x)
        states.append(state)
    losses = np.array(losses, dtype=np.float64)
    regret = np.cumsum(losses) - problem.best_totals(steps, x.size)[: len(losses)]
    points = np.array(points)
    for array in (points, losses, regret):
        array.flags.writeable = False
    return OnlineRun(points=points, losses=losses, regret=regret, states=states, optimizer=optimizer, problem=problem,
                     stopped=stopped)
