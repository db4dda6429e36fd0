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
from dataclasses import dataclass
from typing import Optional

import numpy as np
from tqdm.auto import tqdm

from .loops import RunRecord, epoch_batches, require_optimizer, rng_from_seed, stop_message
from .tree import all_finite, as_tree, tree_add
from .validation import require_positive_int


@dataclass(frozen=True, eq=False)
class History(RunRecord):
    """What :func:`train` recorded; one entry per epoch in each array.

    It has the attributes every loop's record has (see :class:`descent.loops.RunRecord`:
    ``losses``, ``steps_taken``, ``stopped``, ``diverged``, ``final_point``,
    ``final_loss``, ``final_state``; ``==`` compares values).

    Attributes:
        losses: training loss on the whole training set after each epoch
            (not the average of the mini-batch losses, which mixes parameters
            from different steps).
        batch_losses: loss on each mini-batch just before its step; its spread
            is the noise of stochastic gradients. ``batch_losses[0]`` is the loss
            at the starting parameters (exactly so for full batch).
        accuracies: training accuracy after each epoch, or None when the model
            has no ``accuracy`` method.
        val_losses, val_accuracies: the same on (X_val, y_val), or None when no
            validation data was given (or the model has no ``accuracy``).
        final_point: the parameters at the end.
        optimizer, final_state: the optimizer used and its final state.
        steps_taken: the number of optimizer steps taken.
        stopped: None for a run that finished; otherwise a sentence saying
            where and why it stopped (a non-finite loss, gradient or parameter).
            The last entry of ``losses`` is then measured where it stopped
            (usually inf or nan), so a plotted curve ends at the blow-up.
        batch_size, seed: the rows per step and the seed that drew the batches.

    The arrays are read-only.
    """

    losses: np.ndarray
    batch_losses: np.ndarray
    accuracies: Optional[np.ndarray]
    val_losses: Optional[np.ndarray]
    val_accuracies: Optional[np.ndarray]
    final_point: object
    optimizer: object
    final_state: object
    steps_taken: int
    stopped: Optional[str] = None
    batch_size: Optional[int] = None
    seed: object = 0

    @property
    def epochs(self) -> int:
        """The number of epochs run (fewer than asked for if the run stopped)."""
        return len(self.losses)

    def __repr__(self) -> str:
        parts = [f"epochs={self.epochs}", f"steps_taken={self.steps_taken}", f"final loss={self.losses[-1]:.6g}"]
        if self.val_losses is not None:
            parts.append(f"final val loss={self.val_losses[-1]:.6g}")
        if self.val_accuracies is not None:
            parts.append(f"final val accuracy={self.val_accuracies[-1]:.4g}")
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
        seed: an integer >= 0 (or a numpy Generator) that draws the per-epoch
            permutation; the same seed repeats a run exactly.
        X_val, y_val: optional validation data, both or neither.
        progress: None shows a progress bar only if the run takes more than a
            second; True always; False never.

    The data must be finite (a NaN in X would make every loss NaN and look like
    a divergence). A run whose loss, gradient or parameters become non-finite
    (inf or nan) stops there without a RuntimeWarning and says so in
    ``History.stopped``.
    """
    _check_model(model)
    require_optimizer(optimizer)
    epochs = require_positive_int("epochs", epochs)
    X, y = _check_data(X, y, "X", "y")
    n = len(X)
    given_batch_size = batch_size
    batch_size = n if batch_size is None else _check_batch_size(batch_size, n)
    validation = X_val is not None or y_val is not None
    if validation:
        if X_val is None or y_val is None:
            given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
            raise ValueError(f"{given} was given without {missing}: pass both for validation, or neither")
        X_val, y_val = _check_data(X_val, y_val, "X_val", "y_val")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be None (bar after 1 s), True or False, got {type(progress).__name__} {progress!r}")

    has_accuracy = hasattr(model, "accuracy")
    rng = rng_from_seed(seed)
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
            for rows in epoch_batches(n, batch_size, rng):
                # Full batch: the data itself, not a copy of it made by indexing with 0..n−1.
                X_batch, y_batch = (X, y) if batch_size >= n else (X[rows], y[rows])
                batch_loss, grads = model.loss_and_grad(params, X_batch, y_batch)
                records["batch_loss"].append(batch_loss)
                if not math.isfinite(batch_loss) or not all_finite(grads):
                    what = "mini-batch loss" if not math.isfinite(batch_loss) else "gradient"
                    stopped = stop_message(steps + 1, f"the {what} became non-finite before the step", epoch=epoch)
                    break
                step, state = optimizer.update(grads, state, params)
                params = tree_add(params, step)
                steps += 1
                if not all_finite(params):
                    stopped = stop_message(steps, "the parameters became non-finite after the step", epoch=epoch)
                    break
            record_epoch()
            if stopped is None and not math.isfinite(records["loss"][-1]):
                stopped = stop_message(steps, "the training loss became non-finite at the end of the epoch", epoch=epoch)
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
        losses=frozen(records["loss"]),
        batch_losses=frozen(records["batch_loss"]),
        accuracies=frozen(records["accuracy"], has_accuracy),
        val_losses=frozen(records["val_loss"], validation),
        val_accuracies=frozen(records["val_accuracy"], validation and has_accuracy),
        final_point=as_tree(params, "params"),  # a 0-d bias plus a step is a numpy scalar; make it an array again
        optimizer=optimizer,
        final_state=state,
        steps_taken=steps,
        stopped=stopped,
        batch_size=given_batch_size,
        seed=seed,
    )


def _check_model(model) -> None:
    missing = [name for name in ("loss", "loss_and_grad") if not callable(getattr(model, name, None))]
    if missing:
        raise TypeError(
            f"model must have methods loss(params, X, y) and loss_and_grad(params, X, y), like descent.MLP; "
            f"{type(model).__name__} lacks {', '.join(missing)}"
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
    for name, values in ((x_name, X), (y_name, y)):
        if values.dtype.kind in "fc" and not np.isfinite(values).all():
            rows = np.flatnonzero(~np.isfinite(values).reshape(len(values), -1).all(axis=1))
            raise ValueError(f"{name} must be finite, but rows {rows[:5].tolist()}{' …' if rows.size > 5 else ''} "
                             "hold NaN or inf: remove or fill them before training")
    return X, y


def _check_batch_size(batch_size, n: int) -> int:
    batch_size = require_positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(
            f"batch_size must be between 1 and n = {n} (the number of training samples), or None for full batch; "
            f"got {batch_size}"
        )
    return batch_size
