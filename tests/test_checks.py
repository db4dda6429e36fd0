"""The exercise checkers: a right answer passes, each classic mistake is named."""

import numpy as np
import pytest

from descent.checks import (
    check_adagrad_step,
    check_adam_step,
    check_gd_step,
    check_momentum_step,
    check_rmsprop_step,
)


def gd_step(theta, g, lr):
    return theta - lr * g


def momentum_step(theta, g, v, lr, beta):
    v = beta * v + (1 - beta) * g
    return theta - lr * v, v


def adagrad_step(theta, g, s, lr, eps):
    s = s + g**2
    return theta - lr * g / (np.sqrt(s) + eps), s


def rmsprop_step(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@pytest.mark.parametrize(
    "check, fn",
    [
        (check_gd_step, gd_step),
        (check_momentum_step, momentum_step),
        (check_adagrad_step, adagrad_step),
        (check_rmsprop_step, rmsprop_step),
        (check_adam_step, adam_step),
    ],
)
def test_correct_solutions_pass(check, fn):
    result = check(fn)
    assert result.passed, result.message
    assert "matches descent." in result.message


def test_gd_uphill():
    def gd_up(theta, g, lr):
        return theta + lr * g

    result = check_gd_step(gd_up)
    assert not result.passed and "goes uphill" in result.message


def test_momentum_heavy_ball_form_is_named():
    def heavy(theta, g, v, lr, beta):
        v = beta * v + g
        return theta - lr * v, v

    assert "heavy-ball form" in check_momentum_step(heavy).message


def test_momentum_old_velocity_is_named():
    def old(theta, g, v, lr, beta):
        return theta - lr * v, beta * v + (1 - beta) * g

    assert "old velocity" in check_momentum_step(old).message


def test_adagrad_missing_sqrt_is_named():
    def no_root(theta, g, s, lr, eps):
        s = s + g**2
        return theta - lr * g / (s + eps), s

    assert "square root is missing" in check_adagrad_step(no_root).message


def test_rmsprop_eps_inside_is_named():
    def inside(theta, g, v, lr, beta, eps):
        v = beta * v + (1 - beta) * g**2
        return theta - lr * g / np.sqrt(v + eps), v

    # ε must be large enough relative to the tiny gradients of the stream to tell the two apart.
    result = check_rmsprop_step(inside, eps=1e-4)
    assert not result.passed and "inside the square root" in result.message


def test_adam_missing_bias_correction_is_named_with_the_factor():
    def uncorrected(theta, g, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        return theta - lr * m / (np.sqrt(v) + eps), m, v

    result = check_adam_step(uncorrected)
    assert not result.passed
    assert "no bias correction" in result.message and "3.16 times" in result.message


def test_adam_t_from_zero_is_named():
    def from_zero(theta, g, m, v, t, lr, beta1, beta2, eps):
        return adam_step(theta, g, m, v, t - 1, lr, beta1, beta2, eps)

    # t - 1 = 0 at the first call divides by zero: the checker must neither crash nor warn.
    result = check_adam_step(from_zero)
    assert not result.passed and "counted from 0" in result.message


def test_adam_eps_inside_is_named():
    def inside(theta, g, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v

    assert "inside the square root" in check_adam_step(inside, eps=1e-4).message


def test_adam_corrected_state_is_named():
    def keeps_corrected(theta, g, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m, v = m / (1 - beta1**t), v / (1 - beta2**t)
        return theta - lr * m / (np.sqrt(v) + eps), m, v

    assert "keep the raw m and v" in check_adam_step(keeps_corrected).message


def test_unknown_mistake_points_at_the_first_difference():
    def half(theta, g, m, v, t, lr, beta1, beta2, eps):
        new, m, v = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
        return new, m, v * 0.5

    result = check_adam_step(half)
    assert not result.passed and "first at step t = 1, in v" in result.message


def test_errors_in_learner_code_are_reported_not_raised():
    def broken(theta, g, m, v, t, lr, beta1, beta2, eps):
        return undefined_name  # noqa: F821

    result = check_adam_step(broken)
    assert not result.passed and "raised NameError" in result.message and "t = 1" in result.message


def test_wrong_number_of_returned_values_is_explained():
    def only_theta(theta, g, m, v, t, lr, beta1, beta2, eps):
        return theta

    result = check_adam_step(only_theta)
    assert "returned 1 value(s); it should return 3: theta_new, m_new, v_new" in result.message


def test_wrong_shape_is_explained():
    def scalar(theta, g, v, lr, beta):
        return 0.0, v

    assert "shapes" in check_momentum_step(scalar).message


def test_the_checker_does_not_let_the_learner_mutate_its_data():
    def in_place(theta, g, v, lr, beta):
        v *= beta
        v += (1 - beta) * g
        theta -= lr * v
        return theta, v

    assert check_momentum_step(in_place).passed


def test_not_a_function():
    assert "expected a function" in check_gd_step(42).message
