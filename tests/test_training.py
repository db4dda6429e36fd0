"""The training loop: what it computes, what it records, and how it refuses bad input."""

import math
import re
import warnings

import numpy as np
import pytest

import descent
from descent import MLP, GradientDescent, History, LinearRegression, SoftmaxRegression, train
from descent.tree import tree_add


def regression_data(n=100, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = X @ [1.5, -2.0, 0.5] + 0.7 + 0.3 * rng.standard_normal(n)
    return X, y


def classification_data(n=60, seed=0):
    """Three classes from one fixed linear rule plus noise; ``seed`` draws the samples."""
    true_weights = np.random.default_rng(100).standard_normal((4, 3))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    y = np.argmax(X @ true_weights + 0.3 * rng.standard_normal((n, 3)), axis=1)
    return X, y


def least_squares(X, y):
    design = np.column_stack([X, np.ones(len(X))])
    return np.linalg.lstsq(design, y, rcond=None)[0], 2 * design.T @ design / len(X)


def flat(params):
    return np.append(params["weights"], params["bias"])


def assert_same_history(a: History, b: History):
    for field in ("losses", "batch_losses", "accuracies", "val_losses", "val_accuracies"):
        x, y = getattr(a, field), getattr(b, field)
        assert (x is None) == (y is None), field
        if x is not None:
            np.testing.assert_array_equal(x, y, err_msg=field)
    assert a.final_point.keys() == b.final_point.keys()
    for key in a.final_point:
        np.testing.assert_array_equal(a.final_point[key], b.final_point[key], err_msg=key)
    assert (a.steps_taken, a.stopped) == (b.steps_taken, b.stopped)


# --- what it computes ----------------------------------------------------------


def test_full_batch_gradient_descent_reaches_least_squares_at_the_predicted_rate():
    # Full-batch GD on f(θ) = mean((Xw + b − y)²) moves the error e = θ − θ* by
    # e ← (I − αH)e with H = (2/n)[X 1]ᵀ[X 1], so ‖e_k‖ ≤ ρᵏ‖e_0‖ with
    # ρ = max|1 − α λ_i(H)|. Here λ(H) ∈ [1.75, 2.48] and α = 0.1 give ρ ≈ 0.825:
    # 150 epochs shrink the error by a factor 0.825¹⁵⁰ ≈ 3·10⁻¹³.
    X, y = regression_data()
    solution, hessian = least_squares(X, y)
    eigenvalues = np.linalg.eigvalsh(hessian)
    lr = 0.1
    rate = max(abs(1 - lr * eigenvalues))
    assert rate == pytest.approx(0.825, abs=0.001)
    model = LinearRegression()
    start = model.init_params(3, seed=0)
    start_error = np.linalg.norm(flat(start) - solution)
    for epochs in (10, 150):
        history = train(model, start, GradientDescent(lr=lr), X, y, epochs=epochs)
        error = np.linalg.norm(flat(history.final_point) - solution)
        assert error <= rate**epochs * start_error * (1 + 1e-9)
    assert error < 1e-9
    # The loss goes down every epoch (α < 2/λ_max), to rounding once at the minimum.
    assert np.all(np.diff(history.losses) <= 1e-15)
    assert history.losses[-1] == pytest.approx(model.loss({"weights": solution[:3], "bias": solution[3]}, X, y), rel=1e-12)


def test_mini_batch_sgd_hovers_near_the_solution():
    # With a constant α, mini-batch noise keeps SGD from settling exactly:
    # close to θ*, but not at it, unlike full-batch GD above.
    X, y = regression_data()
    solution, _ = least_squares(X, y)
    model = LinearRegression()
    history = train(model, model.init_params(3), GradientDescent(lr=0.05), X, y, epochs=30, batch_size=10)
    error = np.linalg.norm(flat(history.final_point) - solution)
    assert 1e-4 < error < 0.2
    assert history.steps_taken == 30 * 10
    assert history.batch_losses.std() > 0.01


def test_full_batch_train_equals_a_hand_written_gradient_descent_loop():
    X, y = classification_data()
    model = SoftmaxRegression(3, l2=0.01)
    params = model.init_params(4, seed=1)
    optimizer = GradientDescent(lr=0.3)

    history = train(model, params, optimizer, X, y, epochs=25)

    theta, losses, batch_losses = params, [], []
    for _ in range(25):
        loss, grads = model.loss_and_grad(theta, X, y)
        batch_losses.append(loss)
        theta = {key: theta[key] - 0.3 * grads[key] for key in theta}
        losses.append(model.loss(theta, X, y))
    for key in theta:
        np.testing.assert_array_equal(history.final_point[key], theta[key])
    np.testing.assert_array_equal(history.losses, losses)
    np.testing.assert_array_equal(history.batch_losses, batch_losses)
    assert history.steps_taken == 25 and history.stopped is None


@pytest.mark.parametrize("batch_size, steps_per_epoch", [(1, 60), (7, 9), (60, 1), (None, 1)])
def test_every_epoch_visits_every_sample_once(batch_size, steps_per_epoch):
    seen = []

    class RecordingModel(LinearRegression):
        # The first feature is the row index, so X[:, 0] tells which rows a batch holds.
        def loss_and_grad(self, params, X, y):
            seen.append(X[:, 0].astype(int))
            return super().loss_and_grad(params, X, y)

    X, y = regression_data(n=60)
    X[:, 0] = np.arange(60)
    model = RecordingModel()
    history = train(model, model.init_params(3), GradientDescent(lr=1e-6), X, y, epochs=3, batch_size=batch_size)
    assert history.steps_taken == len(seen) == 3 * steps_per_epoch
    assert len(history.batch_losses) == history.steps_taken
    assert all(len(rows) <= (batch_size or 60) for rows in seen)
    epochs = [np.concatenate(seen[k * steps_per_epoch : (k + 1) * steps_per_epoch]) for k in range(3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(60))
    if steps_per_epoch > 1:  # a fresh permutation each epoch
        assert not np.array_equal(epochs[0], epochs[1])
    else:  # one batch: the rows in their given order
        np.testing.assert_array_equal(epochs[0], np.arange(60))


def test_same_seed_repeats_a_run_exactly_and_another_seed_does_not():
    X, y = classification_data()
    X_val, y_val = classification_data(seed=1)
    model = MLP(8, 3)
    params = model.init_params(4, seed=0)

    def run(seed):
        return train(
            model, params, descent.Adam(lr=0.01), X, y, epochs=5, batch_size=16, seed=seed, X_val=X_val, y_val=y_val
        )

    assert_same_history(run(0), run(0))
    with pytest.raises(AssertionError):
        assert_same_history(run(0), run(1))


def test_records_training_and_validation_metrics_per_epoch():
    X, y = classification_data()
    X_val, y_val = classification_data(seed=1)
    model = SoftmaxRegression(3)
    history = train(model, model.init_params(4), GradientDescent(lr=0.5), X, y, epochs=12, X_val=X_val, y_val=y_val)
    for field in ("losses", "accuracies", "val_losses", "val_accuracies"):
        assert getattr(history, field).shape == (12,), field
    assert history.epochs == 12
    assert history.losses[-1] == model.loss(history.final_point, X, y)
    assert history.accuracies[-1] == model.accuracy(history.final_point, X, y)
    assert history.val_losses[-1] == model.loss(history.final_point, X_val, y_val)
    assert history.val_accuracies[-1] == model.accuracy(history.final_point, X_val, y_val)
    assert history.val_accuracies[-1] > 0.8  # it learned something that transfers
    assert isinstance(history.optimizer, GradientDescent) and history.final_state.t == 12
    assert "epochs=12" in repr(history)
    with pytest.raises(ValueError, match="read-only"):
        history.losses[0] = 0.0


def test_accuracy_only_for_models_that_have_it():
    X, y = regression_data()
    model = LinearRegression()
    history = train(model, model.init_params(3), GradientDescent(lr=0.1), X, y, epochs=2, X_val=X, y_val=y)
    assert history.accuracies is None and history.val_accuracies is None
    np.testing.assert_array_equal(history.val_losses, history.losses)
    no_validation = train(model, model.init_params(3), GradientDescent(lr=0.1), X, y, epochs=2)
    assert no_validation.val_losses is None


def test_starting_params_are_not_modified():
    X, y = classification_data()
    model = MLP(8, 3)
    params = model.init_params(4)
    copy = {key: value.copy() for key, value in params.items()}
    history = train(model, params, descent.Adam(lr=0.01), X, y, epochs=2, batch_size=10)
    for key in params:
        np.testing.assert_array_equal(params[key], copy[key])
        assert not np.array_equal(history.final_point[key], copy[key])


@pytest.mark.parametrize("optimizer", [GradientDescent(lr=0.1), descent.Adam(lr=0.01)], ids=repr)
@pytest.mark.parametrize("model", [LinearRegression(), SoftmaxRegression(3, l2=0.1), MLP(6, 3, activation="tanh")], ids=repr)
def test_float32_params_stay_float32(model, optimizer):
    X, y = regression_data(n=40) if isinstance(model, LinearRegression) else classification_data(n=40)
    X = X[:, :3] if isinstance(model, LinearRegression) else X
    params = model.init_params(X.shape[1], dtype=np.float32)
    history = train(model, params, optimizer, X, y, epochs=3, batch_size=8)  # X is float64
    for key, value in history.final_point.items():
        assert isinstance(value, np.ndarray) and value.dtype == np.float32, key
    assert history.stopped is None


# --- divergence ---------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [None, 5])
def test_a_diverging_run_stops_cleanly_without_warnings(batch_size):
    # α = 10 is far past 2/λ_max ≈ 0.8: the error grows ~24× per step until the loss overflows.
    X, y = regression_data()
    model = LinearRegression()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = train(model, model.init_params(3), GradientDescent(lr=10.0), X, y, epochs=1000, batch_size=batch_size)
    assert history.stopped is not None
    assert re.fullmatch(rf"stopped at step {history.steps_taken}\S* \(epoch {history.epochs}\): .*non-finite.* \(diverged\)",
                        history.stopped)
    assert history.diverged
    assert history.epochs < 1000
    assert not math.isfinite(history.losses[-1])
    assert np.all(np.isfinite(history.losses[:-1]))
    assert "stopped=" in repr(history)


def test_a_run_that_does_not_diverge_has_no_stopped_sentence():
    X, y = regression_data()
    history = train(LinearRegression(), LinearRegression().init_params(3), GradientDescent(lr=0.7), X, y, epochs=50)
    assert history.stopped is None and np.isfinite(history.losses).all()


# --- progress bar -------------------------------------------------------------


def test_progress_bar_shows_only_when_asked_or_slow(capsys):
    X, y = regression_data()
    model, optimizer = LinearRegression(), GradientDescent(lr=0.1)
    train(model, model.init_params(3), optimizer, X, y, epochs=3, progress=True)
    assert "training" in capsys.readouterr().err
    for progress in (None, False):  # None: the run takes far less than a second
        train(model, model.init_params(3), optimizer, X, y, epochs=3, progress=progress)
        assert capsys.readouterr().err == ""


# --- bad input ----------------------------------------------------------------


def bad_call(**changes):
    X, y = regression_data(n=20)
    arguments = dict(
        model=LinearRegression(), params=LinearRegression().init_params(3), optimizer=GradientDescent(lr=0.1),
        X=X, y=y, epochs=2,
    )
    arguments.update(changes)
    return lambda: train(**arguments)


@pytest.mark.parametrize(
    "changes, error, match",
    [
        (dict(epochs=0), ValueError, r"epochs must be >= 1, got 0"),
        (dict(epochs=2.5), TypeError, r"epochs must be an integer"),
        (dict(batch_size=0), ValueError, r"batch_size must be >= 1"),
        (dict(batch_size=21), ValueError, r"batch_size must be between 1 and n = 20 .* got 21"),
        (dict(y=np.zeros(19)), ValueError, r"X has 20 rows but y has 19 entries"),
        (dict(X_val=np.zeros((5, 3))), ValueError, r"X_val was given without y_val"),
        (dict(y_val=np.zeros(5)), ValueError, r"y_val was given without X_val"),
        (dict(X_val=np.zeros((5, 3)), y_val=np.zeros(4)), ValueError, r"X_val has 5 rows but y_val has 4"),
        (dict(seed=-1), ValueError, r"seed must be an integer >= 0"),
        (dict(seed=0.5), TypeError, r"seed must be an integer >= 0"),
        (dict(progress="yes"), TypeError, r"progress must be None .*, True or False"),
        (dict(model=object()), TypeError, r"model must have methods loss.*object lacks loss, loss_and_grad"),
        (dict(optimizer="adam"), TypeError, r"optimizer must have methods init.*str lacks init and update"),
        (dict(params={"weights": np.zeros(4), "bias": np.array(0.0)}), ValueError, r"params\['weights'\] has shape \(4,\)"),
    ],
)
def test_bad_input_raises_with_a_clear_message(changes, error, match):
    with pytest.raises(error, match=match):
        bad_call(**changes)()


def test_training_names_are_exported():
    assert descent.train is train and descent.History is History
    assert {"train", "History"} <= set(descent.__all__)
