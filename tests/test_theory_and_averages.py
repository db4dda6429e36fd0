"""The formulas of descent.theory and descent.averages against runs and sums done by hand."""

import math

import numpy as np
import pytest

from descent import GradientDescent, Momentum, Quadratic, minimize
from descent.averages import bias_factor, ewa, ewa_weights, half_life, averaging_window
from descent.replay import replay
from descent.theory import gd_lr_limit, gd_optimal_lr, gd_optimal_rate, gd_rate, momentum_optimal


def measured_rate(run, last=50):
    """Per-step factor of ‖θ_t‖ over the last steps (θ* = 0)."""
    norms = np.linalg.norm(run.points, axis=1)
    return (norms[-1] / norms[-1 - last]) ** (1 / last)


def test_gd_limit_and_rate_by_hand():
    assert gd_lr_limit(4.0) == 0.5
    assert gd_optimal_lr(1.0, 9.0) == 0.2
    assert gd_optimal_rate(9.0) == 0.8
    assert gd_rate(0.2, 1.0, 9.0) == pytest.approx(0.8)  # |1 − 0.2| = |1 − 1.8| = 0.8


def test_gd_rate_matches_a_run():
    f = Quadratic.with_condition_number(20.0, angle=0.4)
    lr = gd_optimal_lr(f.mu, f.L)
    run = minimize(f, [1.0, 1.0], GradientDescent(lr), 200)
    assert measured_rate(run) == pytest.approx(gd_optimal_rate(f.condition_number), rel=1e-3)


def test_gd_diverges_just_above_the_limit_and_not_just_below():
    f = Quadratic.with_condition_number(10.0)
    limit = gd_lr_limit(f.L)
    assert not minimize(f, [1.0, 1.0], GradientDescent(0.99 * limit), 2000).diverged
    assert minimize(f, [1.0, 1.0], GradientDescent(1.01 * limit), 5000).diverged


def test_momentum_optimum_by_hand_and_by_run():
    opt = momentum_optimal(1.0, 9.0)  # √κ = 3: rate 1/2, β 1/4, α (2/4)² = 1/4
    assert opt == pytest.approx((0.25, 0.25, 0.5))
    f = Quadratic.with_condition_number(100.0, angle=0.3)
    best = momentum_optimal(f.mu, f.L)
    run = minimize(f, [1.0, 1.0], Momentum(best.lr, best.beta, form="heavy_ball"), 400)
    assert measured_rate(run, last=100) == pytest.approx(best.rate, rel=0.02)
    assert best.rate < gd_optimal_rate(f.condition_number)


def test_curvature_errors():
    with pytest.raises(ValueError, match="mu must be <= L"):
        gd_optimal_lr(2.0, 1.0)
    with pytest.raises(ValueError, match="L must be > 0"):
        gd_lr_limit(0.0)


def test_ewa_matches_the_unrolled_sum():
    rng = np.random.default_rng(0)
    xs = rng.normal(size=30)
    beta = 0.8
    a = ewa(xs, beta)
    for t in (1, 7, 30):
        assert a[t - 1] == pytest.approx(ewa_weights(beta, t) @ xs[:t], rel=1e-12)


def test_weights_sum_to_the_bias_factor_and_correction_recovers_a_constant():
    assert ewa_weights(0.9, 5).sum() == pytest.approx(1 - 0.9**5)
    assert bias_factor(0.9, 5) == pytest.approx(1 - 0.9**5)
    np.testing.assert_allclose(ewa(np.full(20, 3.0), 0.99, bias_correction=True), 3.0, rtol=1e-12)
    assert ewa(np.full(20, 3.0), 0.99)[0] == pytest.approx(0.03)


def test_window_is_not_the_half_life():
    assert averaging_window(0.9) == pytest.approx(10.0)
    assert half_life(0.9) == pytest.approx(6.58, abs=0.01)
    assert 0.9 ** half_life(0.9) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="beta must be > 0 for a half-life"):
        half_life(0.0)
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        averaging_window(1.0)


def test_ewa_is_momentum_velocity():
    """Average-form momentum's velocity is exactly the ewa of the gradients it saw."""
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(10, 2))
    final_state = replay(Momentum(lr=0.1, beta=0.7), grads).states[-1]
    np.testing.assert_allclose(final_state.velocity, ewa(grads, 0.7)[-1], rtol=1e-12)
