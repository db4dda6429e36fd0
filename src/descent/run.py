"""Run an optimizer on an objective and keep everything it did.

:func:`minimize` is the loop every chapter of the course uses::

    state = optimizer.init(θ_0)
    for t = 1, …, n:
        g_t = ∇f(θ_{t−1})                   (or a mini-batch estimate of it)
        step, state = optimizer.update(g_t, state, θ_{t−1})
        θ_t = θ_{t−1} + step

and returns a :class:`Run` holding θ_0…θ_n, f(θ_0)…f(θ_n), g_1…g_n and the
optimizer state after every step, so that a figure can show a trajectory, a
loss curve or Adam's m and v without running anything again.

A run that diverges is stopped and says so in ``run.stopped`` instead of
filling the arrays with inf and NaN (and warning about overflow): see
:func:`minimize` for what counts as diverging.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .loops import RunRecord, epoch_batches, require_optimizer, rng_from_seed, stop_message
from .tree import array_finite as all_finite
from .validation import require_positive, require_positive_int

__all__ = ["Run", "minimize", "DIVERGENCE_FACTOR"]

#: A run is stopped as diverged once f(θ_t) > DIVERGENCE_FACTOR · max(1, |f(θ_0)|).
#: No run that is converging, even slowly or with oscillations, gets there:
#: reaching it means the loss grew by ten orders of magnitude.
DIVERGENCE_FACTOR = 1e10


@dataclass(frozen=True, repr=False, eq=False)
class Run(RunRecord):
    """The record of one call to :func:`minimize` (its arrays are read-only).

    It has the attributes every loop's record has (see :class:`descent.loops.RunRecord`:
    ``losses``, ``steps_taken``, ``stopped``, ``diverged``, ``final_point``,
    ``final_loss``, ``final_state``; ``==`` compares values), and:

    With n = ``steps_taken``:

    points : array (n + 1, *shape)
        θ_0, θ_1, …, θ_n; ``points[t]`` is θ_t.
    losses : array (n + 1,)
        f(θ_t) on the full data set, also for stochastic runs.
    grads : array (n, *shape)
        ``grads[t − 1]`` is the gradient used by step t, taken at θ_{t−1}
        (a mini-batch gradient when ``batch_size`` is set).
    states : list of n optimizer states
        ``states[t − 1]`` is the state after step t (e.g. ``AdamState(m, v, t, v_max)``).
    optimizer, objective :
        What was run, on what.
    stopped : str or None
        None when all requested steps ran; otherwise a sentence saying at which
        step and why the run was stopped, e.g. "stopped at step 37: the loss
        3.1e+10 exceeded 1e+10 (diverged)".
    batch_size, seed :
        The mini-batch size (None for full-batch gradients) and the seed that
        drew the batches.
    """

    points: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    states: list
    optimizer: Any
    objective: Any
    stopped: str | None = None
    batch_size: int | None = None
    seed: Any = None

    def __repr__(self) -> str:
        # The default repr would print every state: thousands of lines in a notebook.
        status = "completed" if self.stopped is None else self.stopped
        return (f"Run({self.optimizer!r} on {self.objective!r}: {self.steps_taken} steps, "
                f"f {self.losses[0]:.4g} → {self.losses[-1]:.4g}; {status})")

    @property
    def steps_taken(self) -> int:
        """n, the number of steps recorded (fewer than requested if the run was stopped)."""
        return len(self.points) - 1

    @property
    def final_point(self) -> np.ndarray:
        """θ_n, the last point recorded."""
        return self.points[-1]

    @property
    def final_state(self):
        """The optimizer's state after step n (its ``init`` state when no step was taken)."""
        return self.states[-1] if self.states else self.optimizer.init(self.points[0])

    def state_history(self, name: str) -> np.ndarray:
        """One field of the optimizer state over the steps: row t − 1 is its value after step t.

        ``run.state_history("m")`` is an array of shape (n, *shape) for Adam;
        ``run.state_history("t")`` is (1, 2, …, n).
        """
        if not self.states:
            raise ValueError("the run took no steps, so there is no state history")
        fields = getattr(type(self.states[0]), "_fields", None)
        if fields is None or name not in fields:
            raise ValueError(f"name must be a field of {type(self.states[0]).__name__}: one of {fields}; got {name!r}")
        values = [getattr(state, name) for state in self.states]
        if values[0] is None:
            raise ValueError(f"{type(self.states[0]).__name__}.{name} is None in this run (is the option that uses it off?)")
        return np.stack(values)

    def steps_to_reach(self, tol: float, f_star: float | None = None) -> int | None:
        """The first t with f(θ_t) − f* ≤ tol, or None if the run never got there.

        f* defaults to the objective's ``minimum``.
        """
        tol = require_positive("tol", tol)
        if f_star is None:
            f_star = getattr(self.objective, "minimum", None)
            if f_star is None:
                raise ValueError("f_star is needed: the objective has no known minimum (objective.minimum is None)")
        reached = np.flatnonzero(self.losses - f_star <= tol)
        return int(reached[0]) if reached.size else None


def minimize(f, x0, optimizer, steps: int, *, batch_size: int | None = None, seed=0,
             max_loss: float | None = None) -> Run:
    """Take ``steps`` steps of ``optimizer`` on ``f`` from ``x0`` and record them.

    Parameters
    ----------
    f:
        The objective: ``f(θ)`` returns the loss and ``f.grad(θ)`` the
        gradient (any object with these two works, e.g. those of
        :mod:`descent.objectives`).
    x0:
        θ_0, a finite real array (converted to float64).
    optimizer:
        Any object with ``init(params)`` and ``update(grads, state, params)``.
    steps:
        n, the number of steps to take (≥ 1).
    batch_size:
        None for the full gradient. Otherwise the size of the mini-batches;
        ``f`` must then have ``n_samples`` and ``batch_grad(θ, indices)``.
        Each epoch shuffles the samples with a fresh permutation and cuts it
        into consecutive batches; the last batch of an epoch is smaller when
        batch_size does not divide n_samples, so every sample is used once
        per epoch.
    seed:
        An integer >= 0 (or a ``np.random.Generator``) that draws the batches;
        the same seed repeats the run exactly. Only used with ``batch_size``.
    max_loss:
        Stop as diverged once f(θ_t) exceeds this. Default:
        ``DIVERGENCE_FACTOR · max(1, |f(θ_0)|)`` = 1e10 · max(1, |f(θ_0)|);
        ``np.inf`` switches this stop off (non-finite values still stop the run).

    Divergence
    ----------
    The run stops at step t, and ``Run.stopped`` says why, when the gradient
    at θ_{t−1}, the new point θ_t or its loss is inf or NaN, or when the loss
    exceeds ``max_loss``. A step whose values are all finite is recorded
    (also the one past ``max_loss``: it is the evidence); a step that produced
    inf or NaN is not, so every stored number is finite. Overflow inside the
    loop raises no RuntimeWarning: it is detected and reported instead.
    """
    _check_objective(f)
    require_optimizer(optimizer)
    steps = require_positive_int("steps", steps)
    x = _check_x0(x0)
    rng = rng_from_seed(seed)

    gradient_at = f.grad
    if batch_size is not None:
        batch_size = require_positive_int("batch_size", batch_size)
        n_samples = _check_stochastic(f, batch_size)
        batches = _endless_batches(n_samples, batch_size, rng)
        batch_grad = f.batch_grad
        gradient_at = lambda theta: batch_grad(theta, next(batches))  # noqa: E731

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss = _loss_of(f, x)
    if not math.isfinite(loss):
        raise ValueError(f"f(x0) must be finite, got {loss}: start from a point where the loss is defined")
    if max_loss is None:
        max_loss = DIVERGENCE_FACTOR * max(1.0, abs(loss))
    else:
        max_loss = _check_max_loss(max_loss, loss)

    # Preallocated, filled in place; trimmed at the end if the run stops early.
    try:
        points = np.empty((steps + 1,) + x.shape)
        losses = np.empty(steps + 1)
        grads = np.empty((steps,) + x.shape)
    except MemoryError:
        size = 8 * (2 * steps + 1) * max(x.size, 1) + 8 * (steps + 1)
        raise MemoryError(f"steps={steps} is too many to record: every θ_t and g_t is kept, "
                          f"{size / 2**30:.3g} GiB for this x0; take fewer steps") from None
    states = []
    points[0], losses[0] = x, loss

    state = optimizer.init(x)
    update, shape = optimizer.update, x.shape
    stopped = None
    t = 0
    # One errstate around the whole loop: entering it costs more than a step.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(1, steps + 1):
            g = gradient_at(x)
            if type(g) is not np.ndarray or g.shape != shape:
                g = _check_gradient(g, shape)
            if not all_finite(g):
                stopped, t = stop_message(t, f"the gradient at θ_{t - 1} became non-finite"), t - 1
                break
            step, state = update(g, state, x)
            if type(step) is not np.ndarray or step.shape != shape:
                step = _check_step(step, shape, optimizer)
            x = x + step
            if not all_finite(x):
                stopped, t = stop_message(t, f"the point θ_{t} became non-finite"), t - 1
                break
            try:
                loss = float(f(x))
            except TypeError:  # f returned something that is not one number: say so, naming f
                loss = _loss_of(f, x)
            if not math.isfinite(loss):
                stopped, t = stop_message(t, "the loss became non-finite"), t - 1
                break
            grads[t - 1], points[t], losses[t] = g, x, loss
            states.append(state)
            if loss > max_loss:
                stopped = stop_message(t, f"the loss {loss:.3g} exceeded {max_loss:.3g}")
                break

    points, losses, grads = points[: t + 1], losses[: t + 1], grads[:t]
    for array in (points, losses, grads):
        array.flags.writeable = False  # a Run is a record; editing it would make it lie
    return Run(points=points, losses=losses, grads=grads, states=states, optimizer=optimizer, objective=f,
               stopped=stopped, batch_size=batch_size, seed=seed)


def _check_gradient(g, shape: tuple) -> np.ndarray:
    g = np.asarray(g)
    if g.dtype.kind not in "iuf":
        raise TypeError(f"f.grad must return an array of real numbers, got dtype {g.dtype}")
    if g.shape != shape:  # storing it in `grads` would broadcast silently
        raise ValueError(f"f.grad must return an array of the shape of x0, {shape}; got shape {g.shape}")
    return g.astype(np.float64, copy=False)


def _endless_batches(n_samples: int, batch_size: int, rng: np.random.Generator):
    """Index arrays of mini-batches, epoch after epoch (see :func:`descent.loops.epoch_batches`)."""
    while True:
        yield from epoch_batches(n_samples, batch_size, rng)


def _check_step(step, shape: tuple, optimizer) -> np.ndarray:
    step = np.asarray(step)
    if step.dtype.kind not in "iuf":
        raise TypeError(f"optimizer.update must return (step, state) with step an array of real numbers; "
                        f"{type(optimizer).__name__} returned a step of dtype {step.dtype}")
    if step.shape != shape:  # adding it to x would broadcast silently
        raise ValueError(f"optimizer.update must return a step of the shape of x0, {shape}; "
                         f"{type(optimizer).__name__} returned shape {step.shape}")
    return step


def _loss_of(f, x) -> float:
    value = f(x)
    if isinstance(value, (bool, np.bool_)) or np.ndim(value) != 0 or np.asarray(value).dtype.kind not in "iuf":
        raise TypeError(f"f(θ) must return one real number, the loss; {f!r} returned "
                        f"{type(value).__name__}" + (f" of shape {np.shape(value)}" if np.ndim(value) else f" {value!r}"))
    return float(value)


def _check_objective(f) -> None:
    if isinstance(f, type):
        raise TypeError(f"f must be an objective instance such as {f.__name__}(), not the class {f.__name__} itself: "
                        "add the parentheses")
    if not callable(f) or not callable(getattr(f, "grad", None)):
        raise TypeError(
            "f must be callable with a method f.grad(x) returning the gradient "
            f"(an objective such as descent.Quadratic()); got {type(f).__name__}"
        )


def _check_x0(x0) -> np.ndarray:
    if isinstance(x0, dict):
        raise TypeError("x0 must be an array; minimize does not take a dict of parameters")
    arr = np.asarray(x0)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"x0 must be an array of real numbers, got {type(x0).__name__} of dtype {arr.dtype}")
    arr = np.array(arr, dtype=np.float64)  # a copy: the caller's array is never touched
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"x0 must be finite, got {arr}")
    return arr


def _check_max_loss(max_loss, first_loss: float) -> float:
    if isinstance(max_loss, bool) or not isinstance(max_loss, numbers.Real):
        raise TypeError(f"max_loss must be a real number (np.inf switches the divergence stop off), "
                        f"got {type(max_loss).__name__} {max_loss!r}")
    try:
        max_loss = float(max_loss)
    except OverflowError:  # an int too large for a float is past every loss: no stop
        max_loss = math.inf
    if math.isnan(max_loss):
        raise ValueError("max_loss must be a number above f(x0), or np.inf to switch the divergence stop off; got nan")
    if max_loss <= first_loss:
        raise ValueError(f"max_loss must exceed f(x0) = {first_loss:.6g}, or the run would stop at once; got {max_loss!r}")
    return max_loss


def _check_stochastic(f, batch_size: int) -> int:
    n_samples = getattr(f, "n_samples", None)
    if n_samples is None or not callable(getattr(f, "batch_grad", None)):
        raise TypeError(
            "batch_size needs an objective with n_samples and batch_grad(theta, indices) "
            f"(such as descent.LinearRegressionMSE); {type(f).__name__} has not"
        )
    if batch_size > n_samples:
        raise ValueError(f"batch_size must be between 1 and n_samples = {n_samples}, got {batch_size}")
    return int(n_samples)
