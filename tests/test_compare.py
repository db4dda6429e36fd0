"""descent.compare: settling times, the learning-rate search and the table, against cases solved by hand."""

import math

import numpy as np
import pytest

from descent import Adam, GradientDescent, Momentum, Quadratic, RMSProp, Rosenbrock, minimize
from descent.compare import Problem, compare_optimizers, lr_grid, steps_table, steps_to_settle, tune_lr, winners
from descent.theory import gd_lr_limit, gd_optimal_lr


def test_lr_grid_is_powers_of_ten_and_lines_up():
    assert lr_grid(1e-3, 1, 1) == pytest.approx([1e-3, 1e-2, 1e-1, 1.0])
    grid = lr_grid(1e-2, 10, 3)
    assert grid[0] == pytest.approx(1e-2) and grid[-1] == pytest.approx(10.0)
    assert len(grid) == 3 * 3 + 1
    assert np.allclose(np.diff(np.log10(grid)), 1 / 3)
    assert set(np.round(lr_grid(0.05, 1, 3), 12)) <= set(np.round(lr_grid(1e-3, 10, 3), 12))  # same points
    with pytest.raises(ValueError, match="low must be <= high"):
        lr_grid(1.0, 0.1)


def test_settle_equals_reach_for_a_monotone_run():
    # Gradient descent below 1/L on a quadratic decreases f at every step.
    f = Quadratic((1.0, 4.0))
    run = minimize(f, [1.0, 1.0], GradientDescent(0.1), 300)
    assert steps_to_settle(run, 1e-6) == run.steps_to_reach(1e-6) is not None


def test_rmsprop_touches_the_tolerance_but_does_not_settle():
    # With a constant α, RMSProp ends in an oscillation of size ~α/2 around the minimum of a
    # 1-D quadratic, where f − f* ≈ ½ λ (α/2)² = 1.25e-3 > tol: it passes through tol, then leaves.
    f = Quadratic((1.0,))
    run = minimize(f, [1.0], RMSProp(0.1, beta=0.9), 1000)
    assert run.steps_to_reach(1e-6) is not None
    assert steps_to_settle(run, 1e-6) is None
    assert run.losses[-200:].max() > 1e-4


def test_settle_is_none_for_a_diverged_run_and_zero_when_already_there():
    f = Quadratic((1.0, 10.0))
    run = minimize(f, [1.0, 1.0], GradientDescent(1.1 * gd_lr_limit(f.L)), 2000)
    assert run.diverged and steps_to_settle(run, 1e-6) is None
    run = minimize(f, [1e-5, 0.0], GradientDescent(0.01), 10)
    assert steps_to_settle(run, 1e-6) == 0
    assert steps_to_settle(run, 1e-3, f_star=-1.0) is None  # f − f* = 1 + 5e-11 > 1e-3 throughout


def test_tune_lr_finds_one_step_convergence_on_a_1d_quadratic():
    # On f = ½ L θ², gradient descent with α = 1/L lands on θ* = 0 in one step: nothing can beat it.
    f = Quadratic((4.0,))
    tuning = tune_lr(f, [1.0], GradientDescent, [0.1, 0.2, 0.25, 0.3, 0.4, 0.6], steps=200, tol=1e-12)
    assert tuning.lr == 0.25 and tuning.steps == 1
    assert tuning.run.final_point == pytest.approx([0.0])
    assert tuning.closest is tuning.run


def test_tune_lr_picks_the_optimal_gd_learning_rate_of_theory():
    # α* = 2/(μ + L) gives the best rate (κ − 1)/(κ + 1); a grid around it must pick it,
    # and never the learning rates past 2/L, which diverge.
    f = Quadratic.with_condition_number(10.0, angle=0.3)
    best = gd_optimal_lr(f.mu, f.L)
    grid = [best / 2, best / 1.5, best / 1.2, best, 1.05 * best, 1.1 * gd_lr_limit(f.L), 2 * gd_lr_limit(f.L)]
    for patience in (2, None):
        tuning = tune_lr(f, [1.0, -0.5], GradientDescent, grid, steps=2000, tol=1e-10, patience=patience)
        assert tuning.lr == pytest.approx(best)
        outcomes = {trial.lr: trial.outcome for trial in tuning.trials}
        assert outcomes[2 * gd_lr_limit(f.L)] == outcomes[1.1 * gd_lr_limit(f.L)] == "diverged"
    # Largest first, every lr tried once with patience=None:
    assert [t.lr for t in tuning.trials] == sorted(grid, reverse=True)


def test_the_screen_changes_the_cost_not_the_answer():
    # tune_lr(patience=None) skips full runs that cannot win; a plain exhaustive search must agree.
    f = Quadratic.with_condition_number(20.0, angle=0.5)
    grid = lr_grid(1e-3, 1, 3)
    for make in (GradientDescent, lambda lr: Momentum(lr, 0.9), Adam, RMSProp):
        settle = {lr: steps_to_settle(minimize(f, [1.0, 1.0], make(lr), 600), 1e-6) for lr in grid.tolist()}
        done = {lr: s for lr, s in settle.items() if s is not None}
        fewest = min(done.values())
        expected_lr = max(lr for lr, s in done.items() if s == fewest)  # ties: the larger lr
        tuning = tune_lr(f, [1.0, 1.0], make, grid, steps=600, tol=1e-6, patience=None)
        assert (tuning.lr, tuning.steps) == (expected_lr, fewest)
        assert len(tuning.trials) == len(grid)
        assert steps_to_settle(tuning.run, 1e-6) == fewest
        # Trials that settled record their true settling time; the others were slower or failed.
        for trial in tuning.trials:
            if trial.steps is not None:
                assert trial.steps == settle[trial.lr]
            else:
                assert trial.outcome in ("slower", "diverged", "not settled")
                assert settle[trial.lr] is None or settle[trial.lr] >= fewest


def test_patience_stops_early_and_can_only_lose():
    f = Quadratic.with_condition_number(20.0, angle=0.5)
    grid = lr_grid(1e-3, 1, 4)
    full = tune_lr(f, [1.0, 1.0], Adam, grid, steps=600, tol=1e-6, patience=None)
    quick = tune_lr(f, [1.0, 1.0], Adam, grid, steps=600, tol=1e-6, patience=1)
    assert len(quick.trials) < len(full.trials)
    assert quick.steps >= full.steps  # a shortcut: it may miss the best lr further down, never beat it


def test_ties_go_to_the_larger_learning_rate():
    # f = 2θ², θ_0 = 1, f_0 = 2, tol 0.5: one step suffices when |1 − 4α| ≤ 0.5, i.e. α in [1/8, 3/8].
    f = Quadratic((4.0,))
    tuning = tune_lr(f, [1.0], GradientDescent, [0.2, 0.3, 0.05], steps=50, tol=0.5)
    assert tuning.steps == 1 and tuning.lr == 0.3


def test_nothing_settles_gives_none_and_the_closest_run():
    f = Rosenbrock()
    tuning = tune_lr(f, [-1.2, 1.0], GradientDescent, [1e-4, 3e-4, 1.0], steps=50, tol=1e-8)
    assert not tuning.settled and tuning.lr is None and tuning.steps is None and tuning.run is None
    assert [t.outcome for t in tuning.trials] == ["diverged", "not settled", "not settled"]
    assert tuning.closest.optimizer.lr == 3e-4  # the larger of the two that did not diverge gets lower
    assert "no lr settled" in repr(tuning)


def test_tune_lr_rejects_bad_input():
    f = Quadratic()
    with pytest.raises(ValueError, match="non-empty"):
        tune_lr(f, [1.0, 1.0], GradientDescent, [], steps=10, tol=1e-3)
    with pytest.raises(ValueError, match="finite and > 0"):
        tune_lr(f, [1.0, 1.0], GradientDescent, [0.1, -0.1], steps=10, tol=1e-3)
    with pytest.raises(ValueError, match="patience"):
        tune_lr(f, [1.0, 1.0], GradientDescent, [0.1], steps=10, tol=1e-3, patience=0)
    with pytest.raises(ValueError, match="tol"):
        tune_lr(f, [1.0, 1.0], GradientDescent, [0.1], steps=10, tol=0.0)


def test_compare_and_table():
    problems = {
        "1-D": Problem(Quadratic((4.0,)), [1.0], 100),
        "Rosenbrock": Problem(Rosenbrock(), [-1.2, 1.0], 30),
    }
    optimizers = {"GD": GradientDescent, "Adam": Adam}
    results = compare_optimizers(problems, optimizers, [0.1, 0.25, 0.5], tol=1e-10)
    assert list(results) == ["1-D", "Rosenbrock"] and list(results["1-D"]) == ["GD", "Adam"]
    assert results["1-D"]["GD"].steps == 1 and winners(results["1-D"]) == ["GD"]
    assert winners(results["Rosenbrock"]) == []  # nothing reaches 1e-10 in 30 steps
    table = steps_table(results)
    lines = table.splitlines()
    assert lines[0] == "| objective | GD | Adam |"
    assert lines[2].startswith("| 1-D | **1** (α = 0.25) | ")
    assert lines[3] == "| Rosenbrock | — | — |"
    assert "α" not in steps_table(results, show_lr=False)
    assert "| **1**<br>α=0.25 |" in steps_table(results, lr_format="<br>α={lr:g}")
    with pytest.raises(ValueError, match="non-empty"):
        compare_optimizers({}, optimizers, [0.1], tol=1e-3)
