"""The noise floor of GD on a quadratic: the formula by hand, against a long run, and the errors."""

import numpy as np
import pytest

from descent import GradientDescent, LinearRegressionMSE, Quadratic, minimize
from descent.noise import AdditiveNoise, gd_noise_floor, minibatch_gradient_cov


def test_floor_by_hand_on_a_diagonal_quadratic():
    # Σ_i α σ_i² / (2 (2 − αλ_i)) with λ = (1, 10), σ² = (1, 4), α = 0.1: 0.1/(2·1.9) + 0.4/(2·1)
    floor = gd_noise_floor(np.diag([1.0, 10.0]), np.diag([1.0, 4.0]), 0.1)
    assert floor == pytest.approx(0.1 / 3.8 + 0.4 / 2.0)


def test_floor_is_invariant_under_rotation():
    angle = 0.6
    R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    A, S = np.diag([1.0, 10.0]), np.diag([1.0, 4.0])
    assert gd_noise_floor(R @ A @ R.T, R @ S @ R.T, 0.1) == pytest.approx(gd_noise_floor(A, S, 0.1))


def test_measured_floor_agrees_with_the_prediction():
    q = Quadratic((1.0, 10.0), angle=0.4)
    f = AdditiveNoise(q, sigma=(1.0, 0.5), seed=3)
    run = minimize(f, np.zeros(2), GradientDescent(0.1), 20000)
    measured = np.mean(run.losses[1000:] - q.minimum)
    # 19 000 correlated samples: a few per cent of statistical error
    assert measured == pytest.approx(gd_noise_floor(q.hessian(), f.noise_cov, 0.1), rel=0.1)


def test_additive_noise_keeps_the_objective_and_repeats_with_a_seed():
    q = Quadratic((1.0, 10.0))
    a, b = AdditiveNoise(q, 0.3, seed=1), AdditiveNoise(q, 0.3, seed=1)
    theta = np.array([0.2, -0.1])
    assert a(theta) == q(theta) and a.minimum == q.minimum
    np.testing.assert_array_equal(a.grad(theta), b.grad(theta))
    assert not np.array_equal(a.grad(theta), q.grad(theta))
    np.testing.assert_array_equal(a.noise_cov, np.diag([0.09, 0.09]))
    np.testing.assert_array_equal(AdditiveNoise(q, 0.0).grad(theta), q.grad(theta))
    np.testing.assert_array_equal(a.hessian(), q.hessian())


def test_minibatch_covariance_is_exact_for_the_full_batch_and_scales_as_one_over_b():
    line = LinearRegressionMSE.noisy_line(n=50, seed=0)
    theta = line.minimizers[0]
    np.testing.assert_allclose(minibatch_gradient_cov(line, theta, 50), 0.0, atol=1e-15)
    one, five = minibatch_gradient_cov(line, theta, 1), minibatch_gradient_cov(line, theta, 5)
    np.testing.assert_allclose(five, one * (50 - 5) / (49 * 5))


def test_minibatch_covariance_matches_sampled_batches():
    line = LinearRegressionMSE.noisy_line(n=30, seed=1)
    theta = line.minimizers[0] + 0.1
    rng = np.random.default_rng(0)
    draws = np.array([line.batch_grad(theta, rng.choice(30, size=4, replace=False)) for _ in range(40000)])
    np.testing.assert_allclose(np.cov(draws, rowvar=False), minibatch_gradient_cov(line, theta, 4), rtol=0.05)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: gd_noise_floor(np.diag([1.0, 10.0]), np.eye(2), 0.2), ValueError, r"lr must be < 2/L = 0.2"),
        (lambda: gd_noise_floor(np.diag([1.0, -1.0]), np.eye(2), 0.1), ValueError, r"hessian must be positive definite"),
        (lambda: gd_noise_floor(np.eye(2), np.eye(3), 0.1), ValueError, r"noise_cov must be a 2×2 matrix"),
        (lambda: gd_noise_floor(np.array([[1.0, 2.0], [0.0, 1.0]]), np.eye(2), 0.1), ValueError, r"hessian must be symmetric"),
        (lambda: gd_noise_floor(np.eye(2), np.eye(2), 0.0), ValueError, r"lr must be > 0"),
        (lambda: minibatch_gradient_cov(Quadratic(), np.zeros(2), 1), TypeError, r"f must have n_samples"),
        (lambda: minibatch_gradient_cov(LinearRegressionMSE.noisy_line(n=10), np.zeros(2), 11), ValueError,
         r"batch_size must be between 1 and n_samples = 10"),
        (lambda: AdditiveNoise(Quadratic(), -1.0), ValueError, r"sigma must be a number or a 1-D array"),
        (lambda: AdditiveNoise(3.0, 1.0), TypeError, r"objective must be callable"),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
