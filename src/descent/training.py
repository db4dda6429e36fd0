"""Training loop: mini-batches, per-epoch records, and a clean stop when the loss blows up.

One epoch is one pass over the training set. With ``batch_size=b`` it takes
⌈n/b⌉ optimizer steps, each on the mean loss of b rows drawn without
replacement from a fresh permutation (the last batch is smaller when b does
not divide n). ``batch_size=None`` (or n) is full-batch gradient descent:
one step per epoch on the exact gradient; ``batch_size=1`` is one sample at
a time, the original stochastic gradient descent.

Everything random comes from ``np.random.default_rng(seed)``, so a run is a
function of its arguments: the same seed repeats it exactly, which is what
lets the course compare optimizers on identical mini-batch sequences.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Optional

import numpy as np
from tqdm.auto import tqdm

from .tree import all_finite, as_tree, tree_add
from .validation import check_positive_int


@dataclass(frozen=True, eq=False)
class History:
    """What :func:`train` recorded; one entry per epoch in each array.

    Attributes:
        loss: training loss on the whole training set after each epoch
            (not the average of the mini-batch losses, which mixes parameters
            from different steps).
        batch_loss: loss on each mini-batch just before its step; its spread
            is the noise of stochastic gradients. ``batch_loss[0]`` is the loss
            at the starting parameters (exactly so for full batch).
        accuracy: training accuracy after each epoch, or None when the model
            has no ``accuracy`` method.
        val_loss, val_accuracy: the same on (X_val, y_val), or None when no
            validation data was given (or the model has no ``accuracy``).
        params: the parameters at the end.
        optimizer, optimizer_state: the optimizer used and its final state.
        steps: the number of optimizer steps taken.
        stopped: None for a run that finished; otherwise a sentence saying
            where and why it stopped (a non-finite loss, gradient or parameter).
            The last entry of ``loss`` is then measured where it stopped
            (usually inf or nan), so a plotted curve ends at the blow-up.

    The arrays are read-only. ``==`` compares identity (arrays have no single
    truth value); compare the fields to check two runs are the same.
    """

    loss: np.ndarray
    batch_loss: np.ndarray
    accuracy: Optional[np.ndarray]
    val_loss: Optional[np.ndarray]
    val_accuracy: Optional[np.ndarray]
    params: object
    optimizer: object
    optimizer_state: object
    steps: int
    stopped: Optional[str] = None

    @property
    def epochs(self) -> int:
        """The number of epochs run (fewer than asked for if the run stopped)."""
        return len(self.loss)

    def __repr__(self) -> str:
        parts = [f"epochs={self.epochs}", f"steps={self.steps}", f"final loss={self.loss[-1]:.6g}"]
        if self.val_loss is not None:
            parts.append(f"final val_loss={self.val_loss[-1]:.6g}")
        if self.val_accuracy is not None:
            parts.append(f"final val_accuracy={self.val_accuracy[-1]:.4g}")
        parts.append(f"optimizer={self.optimizer!r}")
        if self.stopped:
            parts.append(f"stopped={self.stopped!r}")
        return f"History({', '.join(parts)})"


def train(
    model,
    params,
    optimizer,
    X,
    y,
    *,
    epochs: int,
    batch_size: Optional[int] = None,
    seed: int = 0,
    X_val=None,
    y_val=None,
    progress: Optional[bool] = None,
) -> History:
    """Train ``model`` from ``params`` with ``optimizer``; return a :class:`History`.

    Each step is the optimizer contract::

        loss, g = model.loss_and_grad(params, X[batch], y[batch])
        step, state = optimizer.update(g, state, params)
        params = tree_add(params, step)

    Args:
        model: any object with ``loss(params, X, y)`` and
            ``loss_and_grad(params, X, y)``, such as :class:`descent.MLP`;
            accuracy is recorded when it also has ``accuracy(params, X, y)``.
        params: the starting parameters (not modified).
        optimizer: an optimizer such as ``descent.Adam(lr=1e-3)``.
        X, y: training data, one row of X per entry of y.
        epochs: the number of passes over the training set, >= 1.
        batch_size: rows per step, 1 .. n; None for full batch.
        seed: seeds the per-epoch permutation; the same seed repeats a run exactly.
        X_val, y_val: optional validation data, both or neither.
        progress: None shows a progress bar only if the run takes more than a
            second; True always; False never.

    A run whose loss, gradient or parameters become non-finite (inf or nan)
    stops there without a RuntimeWarning and says so in ``History.stopped``.
    """
    _check_model(model)
    _check_optimizer(optimizer)
    epochs = check_positive_int("epochs", epochs)
    X, y = _check_data(X, y, "X", "y")
    n = len(X)
    batch_size = n if batch_size is None else _check_batch_size(batch_size, n)
    validation = X_val is not None or y_val is not None
    if validation:
        if X_val is None or y_val is None:
            given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
            raise ValueError(f"{given} was given without {missing}: pass both for validation, or neither")
        X_val, y_val = _check_data(X_val, y_val, "X_val", "y_val")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer >= 0, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be None (bar after 1 s), True or False, got {type(progress).__name__} {progress!r}")

    has_accuracy = hasattr(model, "accuracy")
    rng = np.random.default_rng(seed)
    params = as_tree(params, "params")
    state = optimizer.init(params)
    records = {"loss": [], "batch_loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    steps = 0
    stopped = None

    def record_epoch():
        records["loss"].append(model.loss(params, X, y))
        if has_accuracy:
            records["accuracy"].append(model.accuracy(params, X, y))
        if validation:
            records["val_loss"].append(model.loss(params, X_val, y_val))
            if has_accuracy:
                records["val_accuracy"].append(model.accuracy(params, X_val, y_val))

    bar = tqdm(
        total=epochs,
        desc="training",
        unit="epoch",
        disable=progress is False,
        delay=0.0 if progress else 1.0,  # None: show only runs slower than a second
    )
    # A diverging run overflows: we detect that ourselves and stop with a
    # sentence in History.stopped, so numpy's overflow warnings would only be
    # noise (and errors under pytest's -W error).
    with bar, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            for rows in _batches(n, batch_size, rng):
                batch_loss, grads = model.loss_and_grad(params, X[rows], y[rows])
                records["batch_loss"].append(batch_loss)
                if not math.isfinite(batch_loss) or not all_finite(grads):
                    what = "mini-batch loss" if not math.isfinite(batch_loss) else "gradient"
                    stopped = _stop_sentence(epoch, steps + 1, f"the {what} became non-finite before the step")
                    break
                step, state = optimizer.update(grads, state, params)
                params = tree_add(params, step)
                steps += 1
                if not all_finite(params):
                    stopped = _stop_sentence(epoch, steps, "the parameters became non-finite after the step")
                    break
            record_epoch()
            if stopped is None and not math.isfinite(records["loss"][-1]):
                stopped = _stop_sentence(epoch, steps, "the training loss became non-finite at the end of the epoch")
            bar.set_postfix(loss=f"{records['loss'][-1]:.4g}", refresh=False)
            bar.update()
            if stopped is not None:
                bar.set_postfix_str("stopped: non-finite", refresh=False)
                break

    def frozen(values, recorded=True):
        if not recorded:
            return None
        array = np.asarray(values, dtype=np.float64)
        array.setflags(write=False)
        return array

    return History(
        loss=frozen(records["loss"]),
        batch_loss=frozen(records["batch_loss"]),
        accuracy=frozen(records["accuracy"], has_accuracy),
        val_loss=frozen(records["val_loss"], validation),
        val_accuracy=frozen(records["val_accuracy"], validation and has_accuracy),
        params=as_tree(params, "params"),  # a 0-d bias plus a step is a numpy scalar; make it an array again
        optimizer=optimizer,
        optimizer_state=state,
        steps=steps,
        stopped=stopped,
    )


def _batches(n: int, batch_size: int, rng: np.random.Generator):
    """Row selections for one epoch: ⌈n/b⌉ slices of a fresh permutation of 0..n−1."""
    if batch_size >= n:
        # One batch: use the rows in their given order. The mean does not
        # depend on the order, and this keeps a full-batch run bit-identical
        # to a plain gradient-descent loop (and leaves the generator unused).
        yield slice(None)
        return
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def _stop_sentence(epoch: int, step: int, what: str) -> str:
    return (
        f"stopped in epoch {epoch} at step {step}: {what} "
        "(often a sign that the learning rate is too large)"
    )


def _check_model(model) -> None:
    missing = [name for name in ("loss", "loss_and_grad") if not callable(getattr(model, name, None))]
    if missing:
        raise TypeError(
            f"model must have methods loss(params, X, y) and loss_and_grad(params, X, y), like descent.MLP; "
            f"{type(model).__name__} lacks {', '.join(missing)}"
        )


def _check_optimizer(optimizer) -> None:
    missing = [name for name in ("init", "update") if not callable(getattr(optimizer, name, None))]
    if missing:
        raise TypeError(
            f"optimizer must have methods init(params) and update(grads, state, params), like descent.GradientDescent; "
            f"{type(optimizer).__name__} lacks {', '.join(missing)}"
        )


def _check_data(X, y, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{x_name} and {y_name} must be arrays with one row per sample, got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(
            f"{x_name} has {len(X)} rows but {y_name} has {len(y)} entries: they need one entry per sample"
        )
    if len(X) == 0:
        raise ValueError(f"{x_name} and {y_name} are empty: training needs at least one sample")
    return X, y


def _check_batch_size(batch_size, n: int) -> int:
    batch_size = check_positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(
            f"batch_size must be between 1 and n = {n} (the number of training samples), or None for full batch; "
            f"got {batch_size}"
        )
    return batch_size
