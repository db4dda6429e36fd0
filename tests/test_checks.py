"""The exercise checkers: right answers pass however they are written; each real mistake is named.

Every wrong function below is written the way a learner or a tutorial writes
it (by hand, not with the package), and each test asserts on the words the
learner reads.
"""

import functools
import re

import numpy as np
import pytest

from descent.checks import (
    NOT_WRITTEN,
    CheckResult,
    check_adagrad_step,
    check_adam_step,
    check_function,
    check_gd_step,
    check_momentum_step,
    check_rmsprop_step,
)

# --- right answers, three ways each: plain; other names and intermediate variables; returning a list


def gd_step(theta, g, lr):
    return theta - lr * g


def gd_renamed(x, grad, alpha):
    update = alpha * grad
    x_next = x - update
    return x_next


def gd_list(theta, g, lr):
    return [theta - lr * g]


def momentum_step(theta, g, m, lr, beta):
    m = beta * m + (1 - beta) * g
    return theta - lr * m, m


def momentum_renamed(params, grad, velocity, alpha, b):
    decayed = b * velocity
    new_velocity = decayed + (1 - b) * grad
    return params - alpha * new_velocity, new_velocity


def momentum_list(theta, g, m, lr, beta):
    m = beta * m + (1 - beta) * g
    return [theta - lr * m, m]


def adagrad_step(theta, g, s, lr, eps):
    s = s + g**2
    return theta - lr * g / (np.sqrt(s) + eps), s


def adagrad_renamed(w, grad, total, alpha, epsilon):
    total_new = total + grad * grad
    scale = alpha / (total_new**0.5 + epsilon)
    return w - scale * grad, total_new


def adagrad_list(theta, g, s, lr, eps):
    s = s + g**2
    return [theta - lr * g / (np.sqrt(s) + eps), s]


def rmsprop_step(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def rmsprop_renamed(w, grad, sq_avg, alpha, rho, epsilon):
    sq_avg_new = rho * sq_avg + (1 - rho) * np.square(grad)
    denominator = np.sqrt(sq_avg_new) + epsilon
    return w - alpha * (grad / denominator), sq_avg_new


def rmsprop_list(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return [theta - lr * g / (np.sqrt(v) + eps), v]


def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_renamed(w, grad, mean, var, step, alpha, b1, b2, epsilon):
    mean_new = b1 * mean + (1 - b1) * grad
    var_new = b2 * var + (1 - b2) * grad * grad
    # Keras's way of writing the correction: fold it into the learning rate (same numbers, ε aside)
    corrected_mean = mean_new / (1 - b1**step)
    corrected_var = var_new / (1 - b2**step)
    direction = corrected_mean / (np.sqrt(corrected_var) + epsilon)
    return w - alpha * direction, mean_new, var_new


def adam_list(theta, g, m, v, t, lr, beta1, beta2, eps):
    return list(adam_step(theta, g, m, v, t, lr, beta1, beta2, eps))


RIGHT = [
    (check_gd_step, gd_step),
    (check_gd_step, gd_renamed),
    (check_gd_step, gd_list),
    (check_momentum_step, momentum_step),
    (check_momentum_step, momentum_renamed),
    (check_momentum_step, momentum_list),
    (check_adagrad_step, adagrad_step),
    (check_adagrad_step, adagrad_renamed),
    (check_adagrad_step, adagrad_list),
    (check_rmsprop_step, rmsprop_step),
    (check_rmsprop_step, rmsprop_renamed),
    (check_rmsprop_step, rmsprop_list),
    (check_adam_step, adam_step),
    (check_adam_step, adam_renamed),
    (check_adam_step, adam_list),
]


@pytest.mark.parametrize("check, fn", RIGHT, ids=lambda x: getattr(x, "__name__", ""))
def test_right_answers_pass_however_written(check, fn):
    result = check(fn)
    assert result.passed and result.status == "passed", result.message
    assert re.fullmatch(rf"{fn.__name__} matches descent\.\w+\(.*\) on all 12 steps\. Well done!", result.message)
    assert result._repr_markdown_().startswith("✓ ")


# --- each mistake, named -----------------------------------------------------------------------------


def gd_uphill(theta, g, lr):
    return theta + lr * g


def gd_no_lr(theta, g, lr):
    return theta - g


def gd_returns_step(theta, g, lr):
    return -lr * g


def momentum_heavy_ball(theta, g, m, lr, beta):
    m = beta * m + g
    return theta - lr * m, m


def momentum_old_velocity(theta, g, m, lr, beta):
    return theta - lr * m, beta * m + (1 - beta) * g


def momentum_uphill(theta, g, m, lr, beta):
    m = beta * m + (1 - beta) * g
    return theta + lr * m, m


def momentum_swapped(theta, g, m, lr, beta):
    m = (1 - beta) * m + beta * g
    return theta - lr * m, m


def momentum_returns_step(theta, g, m, lr, beta):
    m = beta * m + (1 - beta) * g
    return -lr * m, m


def momentum_no_lr(theta, g, m, lr, beta):
    m = beta * m + (1 - beta) * g
    return theta - m, m


def adagrad_uphill(theta, g, s, lr, eps):
    s = s + g**2
    return theta + lr * g / (np.sqrt(s) + eps), s


def adagrad_no_root(theta, g, s, lr, eps):
    s = s + g**2
    return theta - lr * g / (s + eps), s


def adagrad_eps_inside(theta, g, s, lr, eps):
    s = s + g**2
    return theta - lr * g / np.sqrt(s + eps), s


def adagrad_sum_of_g(theta, g, s, lr, eps):
    s = s + g
    return theta - lr * g / (np.sqrt(s) + eps), s


def adagrad_no_eps(theta, g, s, lr, eps):
    s = s + g**2
    return theta - lr * g / np.sqrt(s), s


def adagrad_returns_step(theta, g, s, lr, eps):
    s = s + g**2
    return -lr * g / (np.sqrt(s) + eps), s


def rmsprop_uphill(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta + lr * g / (np.sqrt(v) + eps), v


def rmsprop_no_root(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta - lr * g / (v + eps), v


def rmsprop_eps_inside(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta - lr * g / np.sqrt(v + eps), v


def rmsprop_average_of_g(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g
    return theta - lr * g / (np.sqrt(v) + eps), v


def rmsprop_no_eps(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta - lr * g / np.sqrt(v), v


def rmsprop_swapped(theta, g, v, lr, beta, eps):
    v = (1 - beta) * v + beta * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def rmsprop_old_v(theta, g, v, lr, beta, eps):
    return theta - lr * g / (np.sqrt(v) + eps), beta * v + (1 - beta) * g**2


def rmsprop_no_lr(theta, g, v, lr, beta, eps):
    v = beta * v + (1 - beta) * g**2
    return theta - g / (np.sqrt(v) + eps), v


def _adam(theta, g, m, v, t, lr, beta1, beta2, eps, *, correct_m=True, correct_v=True, root=True):
    """A learner's Adam with switches for the slips below (written by hand, as a learner would)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t) if correct_m else m
    v_hat = v / (1 - beta2**t) if correct_v else v
    denominator = (np.sqrt(v_hat) if root else v_hat) + eps
    return theta - lr * m_hat / denominator, m, v


def adam_only_m_hat(theta, g, m, v, t, lr, beta1, beta2, eps):
    return _adam(theta, g, m, v, t, lr, beta1, beta2, eps, correct_v=False)


def adam_only_v_hat(theta, g, m, v, t, lr, beta1, beta2, eps):
    return _adam(theta, g, m, v, t, lr, beta1, beta2, eps, correct_m=False)


def adam_uncorrected(theta, g, m, v, t, lr, beta1, beta2, eps):
    return _adam(theta, g, m, v, t, lr, beta1, beta2, eps, correct_m=False, correct_v=False)


def adam_no_root(theta, g, m, v, t, lr, beta1, beta2, eps):
    """The square root forgotten, as in a widely read tutorial's full listing."""
    return _adam(theta, g, m, v, t, lr, beta1, beta2, eps, root=False)


def adam_betas_swapped(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, g, m, v, t, lr, beta2, beta1, eps)


def adam_eps_inside(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v


def adam_no_eps(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, g, m, v, t, lr, beta1, beta2, 0.0)


def adam_t_from_zero(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, g, m, v, t - 1, lr, beta1, beta2, eps)


def adam_t_plus_one(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, g, m, v, t + 1, lr, beta1, beta2, eps)


def adam_corrected_state(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m, v = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_uphill(theta, g, m, v, t, lr, beta1, beta2, eps):
    new, m, v = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
    return 2 * theta - new, m, v


def adam_returns_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    new, m, v = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
    return new - theta, m, v


def adam_no_lr(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, g, m, v, t, 1.0, beta1, beta2, eps)


MISTAKES = [
    (check_gd_step, gd_uphill, "uphill", "your step goes uphill: θ moves by −α g_t, so subtract, do not add."),
    (check_gd_step, gd_no_lr, "lr_missing", "the learning rate is missing"),
    (check_gd_step, gd_returns_step, "returned_step", "you returned the step Δ_t instead of the new point"),
    (check_momentum_step, momentum_heavy_ball, "heavy_ball", "you wrote the heavy-ball form m = βm + g"),
    (check_momentum_step, momentum_old_velocity, "old_velocity", "the step uses the old velocity m_{t−1}"),
    (check_momentum_step, momentum_uphill, "uphill", "your step goes uphill: θ moves by −α m_t"),
    (check_momentum_step, momentum_swapped, "swapped", "β and 1 − β are swapped"),
    (check_momentum_step, momentum_returns_step, "returned_step", "you returned the step Δ_t"),
    (check_momentum_step, momentum_no_lr, "lr_missing", "the learning rate is missing"),
    (check_adagrad_step, adagrad_uphill, "uphill", "your step goes uphill"),
    (check_adagrad_step, adagrad_no_root, "no_root", "the square root is missing: divide g by √s + ε"),
    (check_adagrad_step, adagrad_eps_inside, "eps_inside", "ε is inside the square root; here it goes outside"),
    (check_adagrad_step, adagrad_sum_of_g, "g_not_squared", "s must add the square g², not g itself."),
    (check_adagrad_step, adagrad_no_eps, "eps_missing", "ε is missing: divide g by √s + ε"),
    (check_adagrad_step, adagrad_returns_step, "returned_step", "you returned the step Δ_t"),
    (check_rmsprop_step, rmsprop_uphill, "uphill", "your step goes uphill"),
    (check_rmsprop_step, rmsprop_no_root, "no_root", "the square root is missing: divide g by √v + ε"),
    (check_rmsprop_step, rmsprop_eps_inside, "eps_inside", "ε is inside the square root (the Keras/optax convention)"),
    (check_rmsprop_step, rmsprop_average_of_g, "g_not_squared", "the average must be of g², not g."),
    (check_rmsprop_step, rmsprop_no_eps, "eps_missing", "ε is missing: divide g by √v + ε"),
    (check_rmsprop_step, rmsprop_swapped, "swapped", "β and 1 − β are swapped in the average of g²"),
    (check_rmsprop_step, rmsprop_old_v, "old_v", "the step divides by the old average v_{t−1}"),
    (check_rmsprop_step, rmsprop_no_lr, "lr_missing", "the learning rate is missing"),
    (check_adam_step, adam_only_m_hat, "only_m_hat", "only m is bias-corrected: divide v by 1 − β₂ᵗ too"),
    (check_adam_step, adam_only_v_hat, "only_v_hat", "only v is bias-corrected: divide m by 1 − β₁ᵗ too"),
    (check_adam_step, adam_uncorrected, "no_correction", "there is no bias correction"),
    (check_adam_step, adam_no_root, "no_root", "the square root is missing: divide m̂ by √v̂ + ε"),
    (check_adam_step, adam_betas_swapped, "betas_swapped", "β₁ and β₂ are swapped"),
    (check_adam_step, adam_eps_inside, "eps_inside", "ε is inside the square root; Algorithm 1 adds it outside"),
    (check_adam_step, adam_no_eps, "eps_missing", "ε is missing: divide m̂ by √v̂ + ε"),
    (check_adam_step, adam_t_from_zero, "t_from_0", "t is counted from 0"),
    (check_adam_step, adam_t_plus_one, "t_plus_1", "t is one too large"),
    (check_adam_step, adam_corrected_state, "corrected_state", "keep the raw m and v"),
    (check_adam_step, adam_uphill, "uphill", "your step goes uphill: θ moves by −α m̂_t/(√v̂_t + ε)"),
    (check_adam_step, adam_returns_step, "returned_step", "you returned the step Δ_t"),
    (check_adam_step, adam_no_lr, "lr_missing", "the learning rate is missing"),
]


@pytest.mark.parametrize("check, fn, key, words", MISTAKES, ids=lambda x: getattr(x, "__name__", None))
def test_each_mistake_is_named_alone(check, fn, key, words):
    result = check(fn)
    assert not result.passed and result.status == "failed"
    assert result.mistakes == (key,), result.message
    assert result.message.startswith(f"{fn.__name__} differs from descent.")
    assert words in result.message
    assert "first at step" not in result.message  # named, not left as a raw difference
    assert result._repr_markdown_().startswith("✗ ")  # no emoji: every default font has ✓ ✗ ✎


def test_forgotten_eps_is_named_not_shown_as_two_equal_numbers():
    """Issue 10: this used to print "you returned [0.468377 …], expected [0.468377 …]"."""
    message = check_rmsprop_step(rmsprop_no_eps).message
    assert "ε is missing" in message and "you returned" not in message


def test_adam_no_correction_gives_the_factor():
    assert "(1 − β₁)/√(1 − β₂) ≈ 3.16 times too large here" in check_adam_step(adam_uncorrected).message
    assert "only ≈ 0.32 times the corrected one" in check_adam_step(adam_uncorrected, beta2=0.9).message


def test_two_slips_at_once_are_both_named():
    def heavy_ball_uphill(theta, g, m, lr, beta):
        m = beta * m + g
        return theta + lr * m, m

    result = check_momentum_step(heavy_ball_uphill)
    assert set(result.mistakes) == {"heavy_ball", "uphill"}
    assert "in 2 ways, which together give exactly your numbers" in result.message
    assert "(1) " in result.message and "heavy-ball form" in result.message and "goes uphill" in result.message


def test_three_slips_at_once_in_adam():
    def tutorial(theta, g, m, v, t, lr, beta1, beta2, eps):
        # no correction, no root, and the step added: three slips in one line
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        return theta + lr * m / (v + eps), m, v

    result = check_adam_step(tutorial)
    assert result.mistakes == ("no_correction", "no_root", "uphill")
    assert "in 3 ways, which together give exactly your numbers: (1) there is no bias correction" in result.message
    assert "(2) the square root is missing" in result.message and "(3) your step goes uphill" in result.message


def test_an_unknown_mistake_shows_numbers_that_differ_and_their_relative_difference():
    def slightly_off(theta, g, m, v, t, lr, beta1, beta2, eps):
        new, m, v = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
        return new, m, v * (1 + 1e-7)

    result = check_adam_step(slightly_off)
    assert result.mistakes == ("unexplained",)
    assert "first at step t = 1, in v:" in result.message
    mine, theirs = re.search(r"you returned (\[.*?\]), expected (\[.*?\])", result.message).groups()
    assert mine != theirs  # enough digits that the two numbers read differently
    assert "largest relative difference 1e-07" in result.message
    assert "compare your lines with the update rule" in result.message


# --- how the function is called and what it returns ----------------------------------------------


def test_parameters_in_another_order_are_bound_by_name():
    """Issue 10: a right momentum step with its parameters reordered was told "β and 1 − β are swapped"."""

    def reordered(theta, g, m, beta, lr):
        m = beta * m + (1 - beta) * g
        return theta - lr * m, m

    def keywords_first(lr, beta, theta, m, g):
        return momentum_step(theta, g, m, lr, beta)

    assert check_momentum_step(reordered).passed
    assert check_momentum_step(keywords_first).passed


def test_the_chapters_old_velocity_name_v_still_works():
    def with_v(theta, g, v, lr, beta):  # the stub of chapter 2 before the rename to m
        return momentum_step(theta, g, v, lr, beta)

    assert check_momentum_step(with_v).passed


def test_any_callable_works():
    class Step:
        def __call__(self, theta, g, lr):
            return theta - lr * g

    assert check_gd_step(lambda theta, g, lr: theta - lr * g).passed
    assert check_gd_step(Step()).passed
    assert check_adam_step(functools.partial(adam_step, lr=123.0)).passed  # the checker's lr is passed by name
    assert check_adam_step(functools.partial(adam_step, eps=1e-8)).passed
    assert check_gd_step(lambda *args: args[0] - args[2] * args[1]).passed  # *args: called in the expected order


def test_a_callable_without_a_readable_signature_is_called_in_the_expected_order():
    class Unreadable:
        __signature__ = "unreadable"  # inspect.signature raises TypeError on it

        def __call__(self, theta, g, lr):
            return theta - lr * g

    assert check_gd_step(Unreadable()).message.startswith("Unreadable matches descent.GradientDescent(lr=0.1)")
    # A numpy function is a callable too: np.add(theta, g, lr) takes lr as its `out` and refuses; said, not raised.
    assert check_gd_step(np.add).message.startswith("add raised TypeError: return arrays must be of ArrayType")


def test_a_signature_that_cannot_be_filled_states_the_expected_one():
    def too_few(theta, g):
        return theta - 0.1 * g

    result = check_momentum_step(too_few)
    assert result.mistakes == ("signature",)
    assert result.message == (
        "too_few(theta, g) cannot be called as the exercise asks: it takes 2 parameter(s), and the checker passes 5. "
        "Write it as momentum_step(theta, g, m, lr, beta) -> (theta_new, m_new)."
    )

    def extra(theta, g, lr, *, clip):
        return theta - lr * g

    assert "its parameter 'clip' is not one the checker can fill" in check_gd_step(extra).message


def test_returned_none_asks_about_return():
    def forgot(theta, g, m, lr, beta):
        m = beta * m + (1 - beta) * g
        theta - lr * m

    result = check_momentum_step(forgot)
    assert result.message == "forgot returned None — did you forget `return`? It should return theta_new, m_new."


def test_wrong_number_of_returned_values():
    def only_theta(theta, g, m, v, t, lr, beta1, beta2, eps):
        return adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)[0]

    def two(theta, g, m, v, t, lr, beta1, beta2, eps):
        return adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)[:2]

    assert check_adam_step(only_theta).message == (
        "only_theta returned 1 value (an array of shape (3,)); it should return 3: theta_new, m_new, v_new."
    )
    assert check_adam_step(two).message == "two returned 2 values; it should return 3: theta_new, m_new, v_new."


def test_an_array_of_rows_and_a_tuple_are_accepted():
    def stacked(theta, g, m, lr, beta):
        return np.array(momentum_step(theta, g, m, lr, beta))

    assert check_momentum_step(stacked).passed
    assert check_gd_step(lambda theta, g, lr: tuple(theta - lr * g)).passed  # θ as a tuple of numbers


def test_wrong_shape_and_not_numbers():
    def scalar(theta, g, m, lr, beta):
        return 0.0, m

    assert check_momentum_step(scalar).message == (
        "scalar returned theta_new with shape (); it should have the shape of theta, (3,) (at step t = 1)."
    )
    assert "something that is not an array of real numbers (str)" in check_gd_step(lambda theta, g, lr: "θ").message


def test_in_place_updates_are_named_even_when_the_numbers_are_right():
    """Issue 10: `theta -= lr * g` was told "Well done!" though the chapter's loop then overwrote theta0."""

    def in_place(theta, g, v, lr, beta):
        v *= beta
        v += (1 - beta) * g
        theta -= lr * v
        return theta, v

    result = check_momentum_step(in_place)
    assert not result.passed and result.mistakes == ("mutation",)
    assert result.message.startswith("in_place changes its input `theta` and `v` in place")
    assert result.message.endswith("Apart from that, your numbers are right.")


def test_in_place_and_wrong():
    def in_place_uphill(theta, g, lr):
        theta += lr * g
        return theta

    result = check_gd_step(in_place_uphill)
    assert result.mistakes == ("mutation", "uphill")
    assert "changes its input `theta` in place" in result.message and "Also: " in result.message


def test_the_stub_as_handed_out_is_not_written_yet():
    def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
        raise NotImplementedError("write the update, then run this cell again")

    result = check_adam_step(adam_step)
    assert result.status == NOT_WRITTEN and not result.passed
    assert result.message == "adam_step is not written yet: fill in the function, then run this cell again."
    assert result._repr_markdown_().startswith("✎ ")


def test_errors_in_the_learners_code_are_reported_with_their_line():
    def broken(theta, g, m, v, t, lr, beta1, beta2, eps):
        m_new = beta1 * m + (1 - beta1) * g
        return undefined_name, m_new, v  # noqa: F821

    result = check_adam_step(broken)
    assert result.mistakes == ("raised",)
    assert result.message == (
        "broken raised NameError: name 'undefined_name' is not defined "
        "(at step t = 1, in the line `return undefined_name, m_new, v  # noqa: F821`)."
    )


def test_not_a_function():
    assert check_gd_step(42).message == "expected a function gd_step(theta, g, lr) -> theta_new, got int."


def test_the_checkers_own_hyperparameters_are_validated_like_the_optimizers():
    with pytest.raises(ValueError, match=r"lr must be > 0, got -0.1"):
        check_gd_step(gd_step, lr=-0.1)
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\), got 1.0"):
        check_adam_step(adam_step, beta2=1.0)
    with pytest.raises(ValueError, match=r"eps must be >= 0"):
        check_rmsprop_step(rmsprop_step, eps=-1.0)
    with pytest.raises(TypeError, match=r"beta must be a real number, got str"):
        check_momentum_step(momentum_step, beta="0.9")


def test_other_hyperparameters_are_passed_and_checked():
    assert check_adam_step(adam_step, lr=0.1, beta1=0.5, beta2=0.9, eps=1e-6).passed
    # With ε = 0 asked for, forgetting ε is no mistake, and the checker does not claim one.
    assert check_rmsprop_step(rmsprop_no_eps, eps=0.0).passed


# --- the engine, for checkers of other functions --------------------------------------------------------


def test_the_engine_checks_any_function_of_arrays():
    """A checker for a learning-rate schedule α_t = α/√t, built on check_function as another module would."""
    ts = np.arange(1, 6)

    def drive(call):
        return [call({"t": t, "lr": 0.5}) for t in ts]  # each call gives a tuple of arrays (here one: lr_t)

    kwargs = dict(
        label="α/√t", signature="decay(t, lr) -> lr_t", parameters=("t", "lr"), returns=("lr_t",), drive=drive,
        expected=[(np.asarray(0.5 / np.sqrt(t)),) for t in ts],
        candidates=lambda: [(("t_from_0",), lambda values: (np.asarray(0.5 / np.sqrt(values["t"] + 1)),))],
        explain={"t_from_0": "t starts at 1."},
    )
    assert check_function(lambda t, lr: lr / np.sqrt(t), **kwargs).passed
    result = check_function(lambda t, lr: lr / np.sqrt(t + 1), **kwargs)
    assert result.message == "your function differs from α/√t: t starts at 1."
    assert isinstance(result, CheckResult) and result.mistakes == ("t_from_0",)
    # Two explanations that fit equally well are both given.
    kwargs["candidates"] = lambda: [
        (("t_from_0",), lambda values: (np.asarray(0.5 / np.sqrt(values["t"] + 1)),)),
        (("other",), lambda values: (np.asarray(0.5 / np.sqrt(values["t"] + 1)),)),
    ]
    kwargs["explain"]["other"] = "or something else."
    result = check_function(lambda t, lr: lr / np.sqrt(t + 1), **kwargs)
    assert result.message == (
        "your function differs from α/√t, and your numbers fit more than one explanation: t starts at 1. Or: or something else."
    )


def test_check_step_builds_a_checker_for_another_optimizer():
    """Nesterov momentum, checked by the engine of the check_*_step functions (as schedule_checks does)."""
    from descent import Momentum, momentum_rule
    from descent.checks import check_step

    def check_nesterov_step(fn, lr=0.1, beta=0.9):
        def mistaken_rule(choice):
            return lambda g, m, t: momentum_rule(g, m, lr, beta, nesterov="no_look_ahead" not in choice.values())

        return check_step(fn, Momentum(lr, beta, nesterov=True), name="nesterov_step", state={"m": "velocity"},
                          hyper={"lr": lr, "beta": beta}, pass_t=False, rule_slips={"look": ("no_look_ahead",)},
                          mistaken_rule=mistaken_rule, explain={"no_look_ahead": "step along β m_t + (1 − β) g_t."},
                          formula="−α (β m_t + (1 − β) g_t)")

    def nesterov_step(theta, g, m, lr, beta):
        m = beta * m + (1 - beta) * g
        return theta - lr * (beta * m + (1 - beta) * g), m

    def nesterov_uphill(theta, g, m, lr, beta):
        m = beta * m + (1 - beta) * g
        return theta + lr * m, m

    assert check_nesterov_step(nesterov_step).message.startswith("nesterov_step matches descent.Momentum(lr=0.1, beta=0.9)")
    result = check_nesterov_step(nesterov_uphill)
    assert result.mistakes == ("no_look_ahead", "uphill")
    assert "(1) step along β m_t + (1 − β) g_t. (2) your step goes uphill: θ moves by −α (β m_t + (1 − β) g_t)" in result.message


def test_nan_from_the_learners_code_is_said():
    def subtracts_squares(theta, g, s, lr, eps):
        s = s - g**2  # the root of a negative number is NaN
        return theta - lr * g / (np.sqrt(s) + eps), s

    message = check_adagrad_step(subtracts_squares).message
    assert "first at step t = 1, in theta:" in message
    assert "your values include NaN (a square root of a negative number, or 0/0?)" in message
