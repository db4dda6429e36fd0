"""The warmup-then-cosine checker: the right step passes, each classic mistake is named."""

import math

import pytest

from descent.schedule_checks import check_warmup_cosine_step


def multiplier(t, w, T):
    return t / w if t <= w else 0.5 * (1 + math.cos(math.pi * (t - w - 1) / (T - w)))


def right(theta, g, t, lr, warmup_steps, total_steps):
    return theta - lr * multiplier(t, warmup_steps, total_steps) * g


def test_the_right_step_passes():
    result = check_warmup_cosine_step(right)
    assert result.passed, result.message
    assert "matches descent.Scheduled(GradientDescent(lr=0.1), LinearWarmup(3, Cosine(9)))" in result.message


def with_multiplier(fn):
    def step(theta, g, t, lr, warmup_steps, total_steps):
        return theta - lr * fn(t, warmup_steps, total_steps) * g
    return step


@pytest.mark.parametrize(
    "wrong, named",
    [
        (lambda t, w, T: (t - 1) / w if t <= w else multiplier(t, w, T), "the warmup starts at 0"),
        (lambda t, w, T: t / w if t <= w else 0.5 * (1 + math.cos(math.pi * (t - 1) / T)), "does not start again"),
        (lambda t, w, T: t / w if t <= w else 0.5 * (1 + math.cos(math.pi * (t - w) / (T - w))), "one step ahead"),
        (lambda t, w, T: 0.5 * (1 + math.cos(math.pi * (t - 1) / T)), "there is no warmup"),
    ],
)
def test_each_mistake_is_named(wrong, named):
    result = check_warmup_cosine_step(with_multiplier(wrong))
    assert not result.passed
    assert named in result.message


def test_uphill_and_unknown_mistakes():
    def uphill(theta, g, t, lr, warmup_steps, total_steps):
        return theta + lr * multiplier(t, warmup_steps, total_steps) * g

    assert "goes uphill" in check_warmup_cosine_step(uphill).message
    odd = with_multiplier(lambda t, w, T: 0.5)
    message = check_warmup_cosine_step(odd).message
    assert "first at step t = 1, in theta" in message


def test_stub_raising_is_reported():
    def stub(theta, g, t, lr, warmup_steps, total_steps):
        raise NotImplementedError("write the step")

    result = check_warmup_cosine_step(stub)
    assert result.status == "not written" and not result.passed
    assert result.message == "stub is not written yet: fill in the function, then run this cell again."


def test_other_settings_and_bad_arguments():
    assert check_warmup_cosine_step(right, lr=0.5, warmup_steps=5, total_steps=12).passed
    with pytest.raises(ValueError, match="total_steps must exceed warmup_steps = 3, got 3"):
        check_warmup_cosine_step(right, total_steps=3)
    with pytest.raises(ValueError, match="lr must be > 0"):
        check_warmup_cosine_step(right, lr=0.0)
