"""The online problem of Reddi, Kale & Kumar and the projected run: by hand, and the result they prove."""

import dataclasses
import math

import numpy as np
import pytest

from descent import Adam, GradientDescent, Momentum
from descent.online import CyclicLinear, OnlineRun, inverse_sqrt, projected_run

C = 3.0
PAPER_ADAM = dict(lr=0.5, beta1=0.0, beta2=1 / (1 + C**2))  # Reddi et al., section 3: α < √(1 − β₂)


def hand_loop(problem, optimizer, x0, steps, decay=True):
    """The projected online loop written out, with the learning rate itself set to α/√t."""
    x = np.array([x0], dtype=float)
    state = optimizer.init(x)
    points, losses = [x], []
    for t in range(1, steps + 1):
        g = C if t % 3 == 1 else -1.0
        losses.append(g * x[0])
        opt_t = dataclasses.replace(optimizer, lr=optimizer.lr / math.sqrt(t)) if decay else optimizer
        step, state = opt_t.update(np.array([g]), state, x)
        x = np.minimum(np.maximum(x + step, -1.0), 1.0)
        points.append(x)
    return np.array(points), np.array(losses)


def test_slopes_follow_the_period():
    problem = CyclicLinear(C=C)
    assert [problem.slope(t) for t in range(1, 8)] == [C, -1, -1, C, -1, -1, C]
    np.testing.assert_array_equal(problem.slopes(7), [C, -1, -1, C, -1, -1, C])
    assert problem.loss(4, np.array([0.5])) == pytest.approx(1.5)
    np.testing.assert_array_equal(problem.grad(2, np.array([0.3])), [-1.0])
    with pytest.raises(ValueError, match="from t = 1"):
        problem.slope(0)


def test_best_point_and_best_totals_by_hand():
    problem = CyclicLinear(C=C)
    # One period sums to (C − 2)·x = x: smallest at x = −1.
    assert problem.best_point(3) == -1.0
    # After round 2 the slopes sum to C − 1 = 2 (best −2 at x = −1); after round 1 to 3.
    np.testing.assert_allclose(problem.best_totals(6), [-3, -2, -1, -4, -3, -2])
    # With C < 2 the small losses win and the best point is +1.
    assert CyclicLinear(C=1.5).best_point(30) == 1.0


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("decay", [True, False])
def test_projected_run_equals_the_hand_loop(amsgrad, decay):
    problem = CyclicLinear(C=C)
    optimizer = Adam(**PAPER_ADAM, amsgrad=amsgrad)
    run = projected_run(problem, optimizer, 0.2, 300, schedule=inverse_sqrt if decay else None)
    points, losses = hand_loop(problem, optimizer, 0.2, 300, decay=decay)
    np.testing.assert_allclose(run.points, points, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-13, atol=1e-15)
    assert np.all(np.abs(run.points) <= 1.0)
    assert len(run.states) == 300 and run.states[-1].t == 300


def test_regret_is_collected_loss_minus_best_fixed_point():
    problem = CyclicLinear(C=C)
    run = projected_run(problem, GradientDescent(0.1), 0.0, 30)
    slopes = problem.slopes(30)
    collected = np.cumsum(slopes * run.points[:-1, 0])
    best = np.array([min(np.sum(slopes[:t]) * x for x in (-1.0, 1.0)) for t in range(1, 31)])
    np.testing.assert_allclose(run.regret, collected - best)
    np.testing.assert_allclose(run.average_regret, run.regret / np.arange(1, 31))


def test_adam_goes_to_the_worst_point_and_amsgrad_to_the_best():
    """Reddi et al.'s Theorem 1 in numbers: average regret → 2(C − 2)/3 for Adam, → 0 for AMSGrad."""
    problem = CyclicLinear(C=C)
    adam = projected_run(problem, Adam(**PAPER_ADAM), 0.0, 6000)
    amsgrad = projected_run(problem, Adam(**PAPER_ADAM, amsgrad=True), 0.0, 6000)
    assert adam.points[-300:, 0].min() > 0.95
    assert amsgrad.points[-300:, 0].max() < -0.95
    assert adam.average_regret[-1] == pytest.approx(2 * (C - 2) / 3, abs=0.02)
    assert amsgrad.average_regret[-1] < 0.02


def test_the_paper_version_without_bias_correction_fails_the_same_way():
    problem = CyclicLinear(C=C)
    run = projected_run(problem, Adam(**PAPER_ADAM, bias_correction=False, eps=0.0), 1.0, 3000)
    assert run.points[-100:, 0].min() > 0.95


def test_gradient_descent_with_decaying_rate_finds_the_best_point():
    run = projected_run(CyclicLinear(C=C), Momentum(0.1, beta=0.0), 1.0, 3000)
    assert run.points[-30:, 0].max() < -0.95


def test_bad_input_raises():
    problem = CyclicLinear()
    with pytest.raises(ValueError, match="feasible set"):
        projected_run(problem, Adam(), 2.0, 10)
    with pytest.raises(TypeError, match="schedule"):
        projected_run(problem, Adam(), 0.0, 10, schedule=0.5)
    with pytest.raises(ValueError, match="low < high"):
        CyclicLinear(bounds=(1.0, -1.0))
    with pytest.raises(ValueError, match=">= 1"):
        projected_run(problem, Adam(), 0.0, 0)


def test_repr_and_read_only_record():
    run = projected_run(CyclicLinear(), Adam(0.1), 0.0, 5)
    assert isinstance(run, OnlineRun) and "5 rounds" in repr(run)
    with pytest.raises(ValueError):
        run.points[0, 0] = 1.0
