"""Learning-rate schedules: values by hand, the Scheduled wrapper's identities, and the errors."""

import math

import numpy as np
import pytest

from descent import Adam, AdamW, GradientDescent, Momentum, Quadratic, minimize
from descent.online import inverse_sqrt
from descent.schedules import (Cosine, InverseSqrt, InverseTime, LinearWarmup, Scheduled, StepDecay,
                               multipliers)


def test_step_decay_by_hand():
    assert multipliers(StepDecay(every=2, factor=0.5), 5) == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_inverse_time_by_hand():
    assert multipliers(InverseTime(tau=2.0), 4) == pytest.approx([1.0, 2 / 3, 0.5, 0.4])


def test_inverse_sqrt_with_tau_1_is_online_inverse_sqrt():
    schedule = InverseSqrt(1.0)
    for t in (1, 2, 9, 100):
        assert schedule(t) == pytest.approx(inverse_sqrt(t)) == pytest.approx(1 / math.sqrt(t))


def test_cosine_by_hand():
    schedule = Cosine(total_steps=4, floor=0.2)
    # η_t = 0.2 + 0.8 · ½(1 + cos(π(t − 1)/4)); η_3 is at the quarter turn, the middle of the range.
    expected = [1.0, 0.2 + 0.4 * (1 + math.cos(math.pi / 4)), 0.6, 0.2 + 0.4 * (1 + math.cos(3 * math.pi / 4)), 0.2, 0.2]
    assert multipliers(schedule, 6) == pytest.approx(expected)


def test_warmup_then_schedule_restarts_its_count():
    schedule = LinearWarmup(4, then=StepDecay(every=1, factor=0.5))
    assert multipliers(schedule, 7) == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0, 0.5, 0.25])
    assert multipliers(LinearWarmup(2), 4) == [0.5, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("schedule", [StepDecay(3), InverseTime(5), InverseSqrt(5), Cosine(10), LinearWarmup(1)])
def test_every_schedule_starts_at_one(schedule):
    assert schedule(1) == 1.0


def test_robbins_monro_partial_sums():
    # Σ η_t grows without bound for 1/t (like log n); Σ η_t² converges (to π²/6 for τ = 1), and for 1/√t it does not.
    inverse_time = np.array(multipliers(InverseTime(1.0), 20000))
    assert inverse_time.sum() > math.log(20000)
    assert (inverse_time**2).sum() == pytest.approx(math.pi**2 / 6, abs=1e-4)
    inverse_root = np.array(multipliers(InverseSqrt(1.0), 20000))
    assert (inverse_root**2).sum() == pytest.approx(inverse_time.sum())


def test_scheduled_gd_equals_the_hand_loop():
    f = Quadratic((1.0, 10.0), angle=0.3)
    schedule = Cosine(30)
    run = minimize(f, np.array([1.0, -2.0]), Scheduled(GradientDescent(0.15), schedule), 30)
    theta = np.array([1.0, -2.0])
    for t in range(1, 31):
        theta = theta - 0.15 * schedule(t) * f.grad(theta)
        np.testing.assert_allclose(run.points[t], theta, rtol=1e-13, atol=1e-15)
    assert run.state_history("scale").tolist() == pytest.approx(multipliers(schedule, 30))


@pytest.mark.parametrize("make", [lambda lr: Adam(lr), lambda lr: AdamW(lr, weight_decay=0.1),
                                  lambda lr: Momentum(lr, 0.9)])
def test_a_constant_multiplier_is_the_same_optimizer_with_a_scaled_lr(make):
    f = Quadratic((1.0, 10.0), angle=0.3)
    x0 = np.array([1.0, -2.0])
    scaled = minimize(f, x0, Scheduled(make(0.05), lambda t: 0.4), 100)
    plain = minimize(f, x0, make(0.02), 100)
    np.testing.assert_allclose(scaled.points, plain.points, rtol=1e-12, atol=1e-14)


def test_the_inner_state_is_the_unscheduled_state():
    # m and v do not contain α: the schedule changes the steps, and through them the gradients, nothing else.
    adam = Adam(0.01)
    state = Scheduled(adam, Cosine(5)).init(np.zeros(2))
    g = np.array([0.5, -2.0])
    _, state = Scheduled(adam, Cosine(5)).update(g, state)
    _, reference = adam.update(g, adam.init(np.zeros(2)))
    np.testing.assert_array_equal(state.inner.m, reference.m)
    np.testing.assert_array_equal(state.inner.v, reference.v)
    assert (state.t, state.scale) == (1, 1.0)


def test_scheduled_keeps_the_dtype_and_dicts():
    opt = Scheduled(GradientDescent(0.1), InverseTime(1.0))
    params = {"w": np.ones(3, dtype=np.float32), "b": np.zeros(1, dtype=np.float32)}
    state = opt.init(params)
    _, state = opt.update({"w": np.ones(3, np.float32), "b": np.ones(1, np.float32)}, state, params)
    step, state = opt.update({"w": np.ones(3, np.float32), "b": np.ones(1, np.float32)}, state, params)
    assert step["w"].dtype == np.float32
    np.testing.assert_allclose(step["w"], -0.05)
    assert state.t == 2 and state.scale == 0.5


def test_lr_is_the_base_learning_rate():
    assert Scheduled(Adam(0.003), Cosine(10)).lr == 0.003


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: StepDecay(0), ValueError, r"every must be >= 1, got 0"),
        (lambda: StepDecay(10, factor=1.0), ValueError, r"factor must be in \(0, 1\)"),
        (lambda: StepDecay(10, factor=-0.5), ValueError, r"factor must be > 0"),
        (lambda: StepDecay(2.5), TypeError, r"every must be an integer"),
        (lambda: InverseTime(0.0), ValueError, r"tau must be > 0"),
        (lambda: InverseSqrt(-1.0), ValueError, r"tau must be > 0"),
        (lambda: Cosine(0), ValueError, r"total_steps must be >= 1"),
        (lambda: Cosine(10, floor=1.0), ValueError, r"floor must be in \[0, 1\)"),
        (lambda: LinearWarmup(0), ValueError, r"steps must be >= 1"),
        (lambda: LinearWarmup(5, then=0.5), TypeError, r"then must be a schedule"),
        (lambda: Scheduled(GradientDescent(0.1), 0.5), TypeError, r"schedule must be a function of the step t"),
        (lambda: Scheduled("sgd", Cosine(5)), TypeError, r"optimizer must have init\(params\)"),
        (lambda: Cosine(5)(0), ValueError, r"t must be >= 1, got 0"),
        (lambda: multipliers(Cosine(5), 0), ValueError, r"steps must be >= 1"),
    ],
)
def test_bad_arguments_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("bad", [-0.1, math.inf, math.nan, "1"])
def test_a_schedule_returning_a_bad_multiplier_is_refused(bad):
    opt = Scheduled(GradientDescent(0.1), lambda t: bad)
    with pytest.raises(ValueError, match=r"the schedule must return a finite number >= 0, got .* at t = 1"):
        opt.update(np.ones(2), opt.init(np.zeros(2)))
