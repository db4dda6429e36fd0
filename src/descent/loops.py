"""What the course's three loops share, written once.

:func:`descent.minimize` (a test function, θ_t as points), :func:`descent.train`
(a model on data, epoch by epoch) and :func:`descent.projected_run` (a new loss
every round, projected onto a box) are three loops because each is taught on a
page of its own. What is not the lesson lives here: the check that an
optimizer was passed, the seed, the mini-batches, the sentence that says why a
run stopped, and the vocabulary of their records (:class:`RunRecord`).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["RunRecord", "require_optimizer", "rng_from_seed", "epoch_batches", "stop_message"]


class RunRecord:
    """The vocabulary that :class:`~descent.Run`, :class:`~descent.History` and :class:`~descent.OnlineRun` share.

    Every record has:

    losses : array
        The loss recorded at each step, epoch or round.
    steps_taken : int
        The number of optimizer steps taken (fewer than asked when stopped).
    stopped : str or None
        None when every requested step ran; otherwise the sentence saying at
        which step and why the loop stopped (e.g. "stopped at step 37: the loss
        3.1e+10 exceeded 1e+10 (diverged)").
    diverged : bool
        True when the loop stopped because the run diverged (so far every stop
        is one: a non-finite value, or a loss past ``max_loss``).
    final_point, final_loss, final_state :
        The parameters at the end, the last loss, the optimizer's last state.
    optimizer :
        What was run.

    ``==`` compares two records field by field (arrays by value), so two runs
    with the same arguments are equal.
    """

    __slots__ = ()

    @property
    def diverged(self) -> bool:
        """True when the run was stopped because it diverged (see ``stopped``)."""
        return self.stopped is not None

    @property
    def final_loss(self) -> float:
        """The last entry of ``losses``."""
        return float(self.losses[-1])

    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        names = self.__dataclass_fields__  # every record is a dataclass
        return all(_same(getattr(self, name), getattr(other, name)) for name in names)

    __hash__ = None  # records hold arrays: equal by value, so not hashable


def _same(a, b) -> bool:
    """a == b for the values a record holds: arrays by value (NaN equal to NaN), containers item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return a is b or bool(a == b)


def require_optimizer(optimizer) -> None:
    """``optimizer`` must be an instance with ``init(params)`` and ``update(grads, state, params)``."""
    if isinstance(optimizer, type):
        raise TypeError(
            f"optimizer must be an optimizer instance such as {optimizer.__name__}(lr=0.1), "
            f"not the class {optimizer.__name__} itself: add the parentheses and the hyperparameters"
        )
    missing = [name for name in ("init", "update") if not callable(getattr(optimizer, name, None))]
    if missing:
        raise TypeError(
            "optimizer must have methods init(params) and update(grads, state, params), like "
            f"descent.GradientDescent(lr=0.1); {type(optimizer).__name__} lacks {' and '.join(missing)}"
        )


def rng_from_seed(seed) -> np.random.Generator:
    """``seed`` as a generator: an integer >= 0 seeds ``np.random.default_rng``; a Generator is used as is.

    The loops and the models' ``init_params`` all take their randomness from
    here, so that a run is a function of its arguments: the same seed repeats
    it exactly.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer >= 0 or a numpy Generator, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be an integer >= 0 or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def epoch_batches(n: int, batch_size: int, rng: np.random.Generator):
    """The mini-batches of one epoch: ⌈n/b⌉ index arrays cutting a fresh permutation of 0..n−1.

    Every sample is used once per epoch; the last batch is smaller when b does
    not divide n. With b >= n there is one batch, the rows in their given
    order, and the generator is not used: the mean does not depend on the
    order, and this keeps a full-batch run bit-identical to a plain
    gradient-descent loop.
    """
    if batch_size >= n:
        yield np.arange(n)
        return
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def stop_message(step: int, what: str, *, epoch: int | None = None) -> str:
    """The sentence a record's ``stopped`` holds: "stopped at step 37: <what> (diverged)"."""
    where = f"step {step}" if epoch is None else f"step {step} (epoch {epoch})"
    return f"stopped at {where}: {what} (diverged)"
