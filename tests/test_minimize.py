"""minimize and Run: closed forms, divergence, reproducible mini-batches, input checks."""

from __future__ import annotations

import dataclasses
import math
import re
import warnings

import numpy as np
import pytest

import descent
from descent import GradientDescent, LinearRegressionMSE, Quadratic, Rosenbrock, minimize


def all_stored_values_are_finite(run) -> bool:
    return bool(np.isfinite(run.points).all() and np.isfinite(run.losses).all() and np.isfinite(run.grads).all())


# -- the recorded run against closed forms -------------------------------------------------


def test_gradient_descent_on_a_1d_quadratic_is_geometric():
    # f = ½λx²: x_t = x_{t−1} − αλx_{t−1} = (1 − αλ)^t x_0.
    lam, lr, x0 = 4.0, 0.1, 3.0
    run = minimize(Quadratic((lam,)), [x0], GradientDescent(lr=lr), steps=25)
    t = np.arange(26)
    np.testing.assert_allclose(run.points[:, 0], (1 - lr * lam) ** t * x0, rtol=1e-12)
    np.testing.assert_allclose(run.losses, 0.5 * lam * ((1 - lr * lam) ** t * x0) ** 2, rtol=1e-12)
    np.testing.assert_allclose(run.grads[:, 0], lam * run.points[:-1, 0], rtol=1e-12)
    assert run.stopped is None and not run.diverged and run.steps_taken == 25


def test_gradient_descent_on_a_rotated_quadratic_is_a_matrix_power():
    # ∇f = Aθ, so θ_t = (I − αA)^t θ_0.
    f = Quadratic((1.0, 10.0), angle=0.4)
    x0, lr = np.array([1.5, -0.5]), 0.15
    run = minimize(f, x0, GradientDescent(lr=lr), steps=30)
    for t in (0, 1, 7, 30):
        expected = np.linalg.matrix_power(np.eye(2) - lr * f.hessian(), t) @ x0
        np.testing.assert_allclose(run.points[t], expected, rtol=1e-10, atol=1e-14)


def test_shapes_and_the_alignment_of_points_grads_and_states():
    f = Rosenbrock()
    run = minimize(f, [-1.0, 1.5], descent.Adam(lr=0.01), steps=40)
    assert run.points.shape == (41, 2) and run.losses.shape == (41,) and run.grads.shape == (40, 2)
    assert len(run.states) == 40
    for t in (1, 2, 40):
        np.testing.assert_array_equal(run.grads[t - 1], f.grad(run.points[t - 1]))  # step t used ∇f(θ_{t−1})
        assert run.states[t - 1].t == t  # states[t − 1] is the state after step t
        assert run.losses[t] == f(run.points[t])
    assert run.optimizer == descent.Adam(lr=0.01) and run.objective is f


def test_state_history_follows_the_adam_recurrence():
    beta1, beta2 = 0.8, 0.95
    run = minimize(Rosenbrock(), [-1.0, 1.5], descent.Adam(lr=0.01, beta1=beta1, beta2=beta2), steps=30)
    m, v = run.state_history("m"), run.state_history("v")
    assert m.shape == v.shape == (30, 2)
    np.testing.assert_array_equal(run.state_history("t"), np.arange(1, 31))
    # m_1 = (1 − β₁) g_1, then m_t = β₁ m_{t−1} + (1 − β₁) g_t; likewise v with g².
    np.testing.assert_allclose(m[0], (1 - beta1) * run.grads[0])
    np.testing.assert_allclose(m[1:], beta1 * m[:-1] + (1 - beta1) * run.grads[1:], rtol=1e-12)
    np.testing.assert_allclose(v[1:], beta2 * v[:-1] + (1 - beta2) * run.grads[1:] ** 2, rtol=1e-12)


def test_state_history_rejects_unknown_and_unused_fields():
    run = minimize(Quadratic(), [1.0, 1.0], descent.Adam(lr=0.1), steps=3)
    with pytest.raises(ValueError, match=r"name must be a field of AdamState: one of \('m', 'v', 't', 'v_max'\); got 'velocity'"):
        run.state_history("velocity")
    with pytest.raises(ValueError, match=r"AdamState.v_max is None"):
        run.state_history("v_max")


def test_steps_to_reach_counts_from_the_closed_form():
    # λ = 1, α = 0.5, x_0 = 1: f(x_t) = ½·0.25^t, which is ≤ 1e-6 first at t = ⌈log(2e-6)/log(0.25)⌉ = 10.
    run = minimize(Quadratic((1.0,)), [1.0], GradientDescent(lr=0.5), steps=20)
    assert run.steps_to_reach(1e-6) == math.ceil(math.log(2e-6) / math.log(0.25)) == 10
    assert run.steps_to_reach(1.0) == 0  # already there at θ_0
    assert run.steps_to_reach(1e-300) is None
    assert run.steps_to_reach(1e-6, f_star=-1.0) is None  # nowhere within 1e-6 of −1
    with pytest.raises(ValueError, match=r"tol must be > 0"):
        run.steps_to_reach(0.0)


def test_steps_to_reach_needs_a_minimum():
    run = minimize(SquareNorm(), [1.0, 1.0], GradientDescent(lr=0.1), steps=5)
    with pytest.raises(ValueError, match=r"f_star is needed: the objective has no known minimum"):
        run.steps_to_reach(1e-3)
    assert run.steps_to_reach(0.5, f_star=0.0) is not None


def test_the_run_is_a_read_only_record_and_x0_is_not_touched():
    x0 = np.array([1.0, 2.0])
    run = minimize(Quadratic(), x0, GradientDescent(lr=0.1), steps=3)
    np.testing.assert_array_equal(x0, [1.0, 2.0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.stopped = "edited"
    with pytest.raises(ValueError, match="read-only"):
        run.points[0, 0] = 5.0


def test_integer_x0_is_accepted_as_float():
    run = minimize(Quadratic((1.0,)), [2], GradientDescent(lr=0.5), steps=1)
    assert run.points.dtype == np.float64 and run.points[1, 0] == 1.0


# -- divergence ----------------------------------------------------------------------------


def test_gradient_descent_beyond_2_over_L_stops_at_the_threshold_without_warnings():
    # λ = 1, α = 2.5: x_t = (−1.5)^t x_0 and f grows by 1.5² per step. With
    # f(θ_0) = 2 the threshold is 1e10·2, first passed at t = ⌈10/(2·log10 1.5)⌉ = 29.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning at all fails the test
        run = minimize(Quadratic((1.0,)), [2.0], GradientDescent(lr=2.5), steps=200)
    assert run.diverged and run.steps_taken == 29 == math.ceil(10 / (2 * math.log10(1.5)))
    assert run.stopped == f"stopped at step 29: the loss {run.losses[-1]:.3g} exceeded 2e+10 (diverged)"
    assert run.losses[-1] > 2e10 and run.losses[-2] <= 2e10  # the step past the threshold is kept as evidence
    assert all_stored_values_are_finite(run)
    assert len(run.states) == len(run.grads) == 29


def test_divergence_on_a_2d_quadratic_with_lr_above_2_over_L():
    f = Quadratic.with_condition_number(10.0, angle=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = minimize(f, [1.0, 1.0], GradientDescent(lr=2.1 / f.L), steps=5000)
    assert run.diverged and run.steps_taken < 5000
    assert re.match(r"stopped at step \d+: the loss .* exceeded .* \(diverged\)", run.stopped)
    assert all_stored_values_are_finite(run)
    # Just below 2/L the same run converges.
    assert not minimize(f, [1.0, 1.0], GradientDescent(lr=1.9 / f.L), steps=5000).diverged


def test_overflow_to_inf_is_caught_and_not_stored():
    # With the threshold out of the way the loss overflows first: ½x² = inf once |x| > 1.9e154.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = minimize(Quadratic((1.0,)), [1.0], GradientDescent(lr=1e10), steps=100, max_loss=1e308)
    assert run.stopped == f"stopped at step {run.steps_taken + 1}: the loss became non-finite (diverged)"
    assert all_stored_values_are_finite(run)


class SquareNorm:
    """f(θ) = |θ|², duck-typed (no base class, no minimum), with a gradient that fails on request."""

    def __init__(self, nan_below: float = -np.inf):
        self.nan_below = nan_below

    def __call__(self, theta):
        return float(np.sum(theta * theta))

    def grad(self, theta):
        # NaN once θ₀ drops below a threshold: a stand-in for a log or sqrt going out of its domain.
        return np.full_like(theta, np.nan) if theta[0] < self.nan_below else 2 * theta


def test_a_non_finite_gradient_stops_the_run_before_the_optimizer_sees_it():
    # GD with α = 0.25 halves θ each step: 1, 0.5, 0.25, 0.125; the gradient at θ_3 = 0.125 is NaN.
    run = minimize(SquareNorm(nan_below=0.2), [1.0, 1.0], GradientDescent(lr=0.25), steps=10)
    assert run.stopped == "stopped at step 4: the gradient at θ_3 became non-finite (diverged)"
    assert run.steps_taken == 3
    np.testing.assert_allclose(run.points[:, 0], [1.0, 0.5, 0.25, 0.125])
    assert all_stored_values_are_finite(run)


def test_max_loss_is_checked():
    with pytest.raises(ValueError, match=r"max_loss must exceed f\(x0\) = 2"):
        minimize(Quadratic((1.0,)), [2.0], GradientDescent(lr=0.1), steps=3, max_loss=1.0)
    run = minimize(Quadratic((1.0,)), [2.0], GradientDescent(lr=2.5), steps=100, max_loss=10.0)
    assert run.steps_taken == 2 and "exceeded 10 (diverged)" in run.stopped  # 2 → 4.5 → 10.125


# -- mini-batches --------------------------------------------------------------------------


class RecordingRegression(LinearRegressionMSE):
    """Keeps the index arrays that minimize asked for."""

    def __init__(self, *args):
        super().__init__(*args)
        self.batches = []

    def batch_grad(self, theta, indices):
        self.batches.append(np.array(indices))
        return super().batch_grad(theta, indices)


def test_the_same_seed_repeats_a_stochastic_run_and_another_seed_does_not():
    f = LinearRegressionMSE.noisy_line(n=60, seed=0)
    opt = descent.Adam(lr=0.05)
    first = minimize(f, [0.0, 0.0], opt, steps=50, batch_size=8, seed=11)
    again = minimize(f, [0.0, 0.0], opt, steps=50, batch_size=8, seed=11)
    other = minimize(f, [0.0, 0.0], opt, steps=50, batch_size=8, seed=12)
    np.testing.assert_array_equal(first.points, again.points)
    np.testing.assert_array_equal(first.grads, again.grads)
    assert not np.array_equal(first.points, other.points)
    assert (first.batch_size, first.seed) == (8, 11)


def test_each_epoch_uses_every_sample_once_and_the_last_batch_is_smaller():
    base = LinearRegressionMSE.noisy_line(n=10, seed=0)
    f = RecordingRegression(base.x, base.y)
    run = minimize(f, [0.0, 0.0], GradientDescent(lr=0.1), steps=9, batch_size=4, seed=0)
    assert [len(b) for b in f.batches] == [4, 4, 2] * 3
    epochs = [np.concatenate(f.batches[i:i + 3]) for i in (0, 3, 6)]
    for epoch in epochs:
        np.testing.assert_array_equal(np.sort(epoch), np.arange(10))
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled every epoch
    # The gradient recorded for step t is the mini-batch gradient at θ_{t−1}.
    for t in (1, 5, 9):
        np.testing.assert_allclose(run.grads[t - 1], base.batch_grad(run.points[t - 1], f.batches[t - 1]))
    # The losses are the full-data loss, not the mini-batch one.
    np.testing.assert_allclose(run.losses, [base(p) for p in run.points])


def test_full_size_batches_give_gradient_descent():
    f = LinearRegressionMSE.noisy_line(n=30, seed=0)
    stochastic = minimize(f, [0.0, 0.0], GradientDescent(lr=0.2), steps=40, batch_size=30, seed=5)
    full = minimize(f, [0.0, 0.0], GradientDescent(lr=0.2), steps=40)
    np.testing.assert_allclose(stochastic.points, full.points, rtol=1e-10, atol=1e-12)  # only the summation order differs


def test_sgd_with_small_batches_still_finds_the_line():
    f = LinearRegressionMSE.noisy_line(n=200, noise=0.3, seed=1)
    run = minimize(f, [0.0, 0.0], GradientDescent(lr=0.1), steps=4000, batch_size=10, seed=0)
    np.testing.assert_allclose(run.points[-500:].mean(axis=0), f.minimizers[0], atol=0.05)


# -- input checks --------------------------------------------------------------------------


class ValueOnly:
    def __call__(self, theta):
        return 0.0


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(steps=0), ValueError, r"steps must be >= 1, got 0"),
        (dict(steps=2.5), TypeError, r"steps must be an integer"),
        (dict(steps=True), TypeError, r"steps must be an integer"),
        (dict(x0=[np.nan, 1.0]), ValueError, r"x0 must be finite"),
        (dict(x0="origin"), TypeError, r"x0 must be an array of real numbers"),
        (dict(x0={"w": np.zeros(2)}), TypeError, r"x0 must be an array; minimize does not take a dict"),
        (dict(x0=[1.0, 2.0, 3.0]), ValueError, r"theta must have shape \(2,\)"),
        (dict(f=ValueOnly()), TypeError, r"f must be callable with a method f.grad\(x\)"),
        (dict(f=np.sum), TypeError, r"f must be callable with a method f.grad\(x\)"),
        (dict(optimizer="adam"), TypeError, r"optimizer must have methods init\(params\) and update\(grads, state, params\)"),
        (dict(optimizer=GradientDescent), TypeError, r"optimizer must be an optimizer instance such as GradientDescent\(lr=0.1\), not the class"),
        (dict(f=Quadratic), TypeError, r"f must be an objective instance such as Quadratic\(\), not the class"),
        (dict(seed=None, batch_size=4, f=LinearRegressionMSE.noisy_line(n=20)), TypeError, r"seed must be an integer >= 0 or a numpy Generator, got NoneType"),
        (dict(seed=-1), ValueError, r"seed must be an integer >= 0"),
        (dict(batch_size=4), TypeError, r"batch_size needs an objective with n_samples and batch_grad"),
        (dict(f=LinearRegressionMSE.noisy_line(n=20), batch_size=21), ValueError, r"batch_size must be between 1 and n_samples = 20, got 21"),
        (dict(f=LinearRegressionMSE.noisy_line(n=20), batch_size=0), ValueError, r"batch_size must be >= 1"),
        (dict(max_loss=np.nan), ValueError, r"max_loss must be a number above f\(x0\), or np.inf"),
        (dict(max_loss=-np.inf), ValueError, r"max_loss must exceed f\(x0\)"),
        (dict(max_loss="big"), TypeError, r"max_loss must be a real number \(np.inf switches the divergence stop off\)"),
    ],
)
def test_bad_inputs_are_rejected_with_a_message_naming_them(kwargs, error, message):
    arguments = dict(f=Quadratic(), x0=[1.0, 1.0], optimizer=GradientDescent(lr=0.1), steps=5) | kwargs
    with pytest.raises(error, match=message):
        minimize(**arguments)


def test_a_gradient_of_the_wrong_shape_is_an_error_not_a_broadcast():
    class ScalarGradient(SquareNorm):
        def grad(self, theta):
            return 1.0

    with pytest.raises(ValueError, match=r"f.grad must return an array of the shape of x0, \(2,\); got shape \(\)"):
        minimize(ScalarGradient(), [1.0, 1.0], GradientDescent(lr=0.1), steps=3)


def test_a_non_finite_starting_loss_is_an_error():
    class Log:
        def __call__(self, theta):
            return float(np.log(theta[0]))

        def grad(self, theta):
            return np.array([1 / theta[0]])

    with pytest.raises(ValueError, match=r"f\(x0\) must be finite, got -inf"):
        minimize(Log(), [0.0], GradientDescent(lr=0.1), steps=3)


# -- every optimizer on the convex objectives ----------------------------------------------

# Step counts are about 3x what each needs here, so the test is not brittle
# but still fails if an optimizer is, say, 10x slower than it should be.
# RMSProp gets a looser tolerance: near θ* its step g/√v stays ≈ ±lr however
# small g is, so with a constant lr it ends in a band of width ~lr around θ*
# (Adam's average m damps that oscillation, so Adam converges).
OPTIMIZERS = {
    "GradientDescent": (GradientDescent(lr=0.1), 2000, 1e-8),
    "Momentum ewa": (descent.Momentum(lr=0.1, beta=0.5), 2000, 1e-8),
    "Momentum heavy-ball Nesterov": (descent.Momentum(lr=0.05, beta=0.5, form="heavy_ball", nesterov=True), 2000, 1e-8),
    "AdaGrad": (descent.AdaGrad(lr=0.5), 600, 1e-8),
    "RMSProp": (descent.RMSProp(lr=0.01), 1000, 1e-3),
    "Adam": (descent.Adam(lr=0.05), 1000, 1e-8),
    "Adam AMSGrad": (descent.Adam(lr=0.05, amsgrad=True), 1000, 1e-8),
}
CONVEX = {
    "Quadratic κ=10": lambda: Quadratic.with_condition_number(10.0),
    "Quadratic κ=10 rotated": lambda: Quadratic.with_condition_number(10.0, angle=np.pi / 6),
    "LinearRegressionMSE": lambda: LinearRegressionMSE.noisy_line(),
}


@pytest.mark.parametrize("objective_name", list(CONVEX))
@pytest.mark.parametrize("optimizer_name", list(OPTIMIZERS))
def test_every_optimizer_reaches_the_minimum_of_convex_objectives(optimizer_name, objective_name):
    optimizer, steps, tol = OPTIMIZERS[optimizer_name]
    f = CONVEX[objective_name]()
    x0 = f.minimizers[0] + np.array([1.5, -1.0])
    run = minimize(f, x0, optimizer, steps=steps)
    assert not run.diverged
    assert run.steps_to_reach(tol) is not None, f"f − f* = {run.final_loss - f.minimum:.3g} after {steps} steps"
    assert run.final_loss - f.minimum <= tol  # and it stays there

