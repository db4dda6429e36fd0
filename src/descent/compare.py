"""Compare optimizers fairly: give each one its best learning rate on each problem, then count steps.

What a comparison of optimizers shows depends as much on how their learning
rates were chosen as on the optimizers: each method at its library default, or
all at one shared rate, mostly measures the defaults. The protocol here:

1. A run is scored by its *settling time* (:func:`steps_to_settle`): the first
   step t from which f(θ_s) − f* ≤ tol for every later step s of the run. A run
   that touches the tolerance and leaves again (RMSProp with a constant learning
   rate ends in an oscillation of size about α around the minimum) has not
   settled. A run that diverged, or ends above the tolerance, has no score.
2. :func:`tune_lr` runs one optimizer configuration (a function lr → optimizer,
   every other hyperparameter fixed) for every learning rate of a grid, from the
   largest down, and keeps the one that settles in the fewest steps; ties go to
   the larger learning rate, the one tried first. Once some learning rate has
   settled, the search stops after ``patience`` learning rates in a row that do
   not beat the best (``patience=None``, the default, tries the whole grid).
3. :func:`compare_optimizers` does this for every configuration on every problem, with the
   same grid, step budget and tolerance for all, and :func:`steps_table` writes
   the result as a Markdown table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np

from .run import Run, minimize
from .validation import require_positive, require_positive_int

__all__ = ["Problem", "Trial", "Tuning", "lr_grid", "steps_to_settle", "tune_lr", "compare_optimizers", "winners", "steps_table"]


class Problem(NamedTuple):
    """One race: an objective, the start θ_0 and the budget of steps every optimizer gets."""

    objective: Any
    x0: Any
    steps: int


class Trial(NamedTuple):
    """One learning rate tried by :func:`tune_lr`."""

    lr: float
    steps: int | None  # the settling time, None when the run did not settle
    outcome: str       # "settled", "diverged", "not settled", or "slower" (see tune_lr)


@dataclass(frozen=True, repr=False)
class Tuning:
    """What :func:`tune_lr` found.

    lr, steps :
        The chosen learning rate and its settling time; both None when no
        learning rate of the grid settled within the budget.
    run :
        The full run with the chosen learning rate (None when none settled).
    closest :
        The run to look at in any case: ``run`` when some learning rate
        settled; otherwise, of the runs that did not diverge, the one whose
        last loss is lowest (None when every run diverged).
    trials :
        Every learning rate tried, in the order tried (largest first).
    tol :
        The tolerance on f(θ_t) − f*.
    """

    lr: float | None
    steps: int | None
    run: Run | None
    closest: Run | None
    trials: tuple
    tol: float

    @property
    def settled(self) -> bool:
        """True when some learning rate of the grid settled within the budget."""
        return self.lr is not None

    def __repr__(self) -> str:
        found = f"lr={self.lr:.3g} settles in {self.steps} steps" if self.settled else "no lr settled"
        return f"Tuning({found}; tol={self.tol:g}, {len(self.trials)} lrs tried)"


def lr_grid(low: float, high: float, per_decade: int = 4) -> np.ndarray:
    """Learning rates 10^(k/per_decade) from ``low`` to ``high`` (both powers of ten included).

    ``lr_grid(1e-3, 1, 2)`` is 0.001, 0.00316, 0.01, 0.0316, 0.1, 0.316, 1: the
    same points whatever the range, so grids of different ranges line up.
    """
    low, high = require_positive("low", low), require_positive("high", high)
    per_decade = require_positive_int("per_decade", per_decade)
    if low > high:
        raise ValueError(f"low must be <= high, got low={low!r}, high={high!r}")
    first = int(np.ceil(np.log10(low) * per_decade - 1e-9))
    last = int(np.floor(np.log10(high) * per_decade + 1e-9))
    return 10.0 ** (np.arange(first, last + 1) / per_decade)


def steps_to_settle(run: Run, tol: float, f_star: float | None = None) -> int | None:
    """The first t with f(θ_s) − f* ≤ tol for every s from t to the end of the run, or None.

    None when the run diverged or its last loss is above the tolerance. Unlike
    :meth:`Run.steps_to_reach`, which returns the first step *at* the
    tolerance, this is the first step after which the run never leaves it
    (within its budget: what it does later is not known). f* defaults to the
    objective's ``minimum``.
    """
    first = run.steps_to_reach(tol, f_star)  # checks tol and finds f*
    if first is None or run.diverged:
        return None
    if f_star is None:
        f_star = run.objective.minimum
    above = np.flatnonzero(run.losses - f_star > tol)
    if above.size == 0:
        return 0
    last_above = int(above[-1])
    return last_above + 1 if last_above < len(run.losses) - 1 else None


def tune_lr(f, x0, make_optimizer: Callable[[float], Any], lrs, steps: int, tol: float, *,
            f_star: float | None = None, patience: int | None = None) -> Tuning:
    """The learning rate of ``lrs`` with which ``make_optimizer(lr)`` settles fastest on ``f``.

    Every learning rate gets the same budget of ``steps`` steps from ``x0``
    and is scored by :func:`steps_to_settle`. The grid is tried from the
    largest learning rate down; ties go to the larger one. With an integer
    ``patience`` the search stops, once some learning rate has settled, after
    ``patience`` learning rates in a row that do not settle faster than the
    best (going further down a grid usually only makes runs slower);
    ``patience=None`` tries every learning rate.

    Once a best settling time T is known, a learning rate is first run for
    only T − 1 steps: if it is above the tolerance there, it cannot settle
    sooner, its trial is recorded as "slower" (steps None) and the full run
    is skipped. This changes the cost of the search, never its answer.

    Example: the best of three learning rates for gradient descent::

        tune_lr(Quadratic(), [1.0, 1.0], GradientDescent, [0.01, 0.1, 0.18], steps=500, tol=1e-8)
    """
    grid = np.asarray(lrs, dtype=float)
    if grid.ndim != 1 or grid.size == 0:
        raise ValueError(f"lrs must be a non-empty 1-D sequence of learning rates, got {lrs!r}")
    if not np.all(np.isfinite(grid)) or np.any(grid <= 0):
        raise ValueError(f"lrs must all be finite and > 0, got {lrs!r}")
    grid = np.unique(grid)[::-1]  # sorted, largest first
    steps = require_positive_int("steps", steps)
    tol = require_positive("tol", tol)
    if patience is not None:
        patience = require_positive_int("patience", patience)

    trials, best_run, best_steps, best_lr, misses, lowest = [], None, None, None, 0, None
    for lr in grid.tolist():
        if best_steps is not None and best_steps > 1 and not _can_beat(f, x0, make_optimizer(lr), best_steps, tol, f_star):
            settle, outcome = None, "slower"
        else:
            run = minimize(f, x0, make_optimizer(lr), steps)
            settle = steps_to_settle(run, tol, f_star)
            outcome = "diverged" if run.diverged else ("not settled" if settle is None else "settled")
            if not run.diverged and (lowest is None or run.final_loss < lowest.final_loss):
                lowest = run
        trials.append(Trial(lr, settle, outcome))
        if settle is not None and (best_steps is None or settle < best_steps):
            best_run, best_steps, best_lr, misses = run, settle, lr, 0
        elif best_steps is not None:
            misses += 1
            if patience is not None and misses >= patience:
                break
    closest = best_run if best_run is not None else lowest
    return Tuning(lr=best_lr, steps=best_steps, run=best_run, closest=closest, trials=tuple(trials), tol=tol)


def _can_beat(f, x0, optimizer, best_steps: int, tol: float, f_star) -> bool:
    """False when a run is sure to settle no sooner than ``best_steps``: a cheap screen.

    To settle at some t < best_steps, the run must be within the tolerance at
    step best_steps − 1, so only that many steps are taken here. A run that
    passes the screen is run again in full (runs are deterministic).
    """
    run = minimize(f, x0, optimizer, best_steps - 1)
    if run.diverged:
        return False
    if f_star is None:
        f_star = run.objective.minimum
    return run.losses[-1] - f_star <= tol


def compare_optimizers(problems: dict, optimizers: dict, lrs, tol: float, *, patience: int | None = None) -> dict:
    """:func:`tune_lr` for every optimizer on every problem: ``{problem: {optimizer: Tuning}}``.

    ``problems`` maps a name to a :class:`Problem` (objective, x0, steps);
    ``optimizers`` maps a name to a function lr → optimizer. Every pair gets
    the same grid ``lrs`` and tolerance ``tol``, and the problem's budget.
    """
    if not problems or not optimizers:
        raise ValueError("problems and optimizers must both be non-empty dicts")
    results = {}
    for problem_name, problem in problems.items():
        problem = Problem(*problem)
        results[problem_name] = {
            name: tune_lr(problem.objective, problem.x0, make, lrs, problem.steps, tol, patience=patience)
            for name, make in optimizers.items()
        }
    return results


def winners(row: dict) -> list:
    """The names in ``{optimizer: Tuning}`` with the fewest settling steps (several if tied; [] if none settled)."""
    settled = {name: tuning.steps for name, tuning in row.items() if tuning.settled}
    if not settled:
        return []
    fewest = min(settled.values())
    return [name for name, steps in settled.items() if steps == fewest]


def steps_table(results: dict, *, first_column: str = "objective", show_lr: bool = True,
                lr_format: str = " (α = {lr:.2g})") -> str:
    """A Markdown table of settling times: one row per problem, one column per optimizer.

    Each cell is the number of steps, the fewest of each row in bold, followed
    (when ``show_lr``) by the tuned learning rate written with ``lr_format``;
    for a web page, ``"<br><small>α = {lr:.2g}</small>"`` puts it on a line of
    its own. "—" marks a cell where no learning rate of the grid settled
    within the budget.
    """
    if not results:
        raise ValueError("results is empty: pass the dict returned by compare_optimizers()")
    names = list(next(iter(results.values())))
    lines = ["| " + " | ".join([first_column, *names]) + " |", "|" + "---|" * (len(names) + 1)]
    for problem_name, row in results.items():
        if list(row) != names:
            raise ValueError(f"every row must have the optimizers {names}; {problem_name!r} has {list(row)}")
        best = winners(row)
        cells = []
        for name in names:
            tuning = row[name]
            if not tuning.settled:
                cells.append("—")
                continue
            steps = f"**{tuning.steps}**" if name in best else f"{tuning.steps}"
            cells.append(steps + lr_format.format(lr=tuning.lr) if show_lr else steps)
        lines.append("| " + " | ".join([problem_name, *cells]) + " |")
    return "\n".join(lines)
