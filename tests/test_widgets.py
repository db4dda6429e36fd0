"""The live explorers draw exactly the runs minimize gives, say what is wrong instead of raising,
and redraw by moving their lines (no browser: widgets are driven by setting .value)."""

from __future__ import annotations

import html
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("ipywidgets", reason="descent.widgets needs ipywidgets 8 (in requirements.txt)")

from descent import Adam, GradientDescent, Momentum, Quadratic, RMSProp, minimize  # noqa: E402
from descent import widgets as W  # noqa: E402
from descent.explorers import OBJECTIVES, OPTIMIZERS  # noqa: E402
from descent.plots import loss_gap  # noqa: E402
from descent.theory import gd_lr_limit  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def lines(ax) -> dict:
    return {line.get_label(): line for line in ax.get_lines()}


def assert_drawn(line, run):
    """The line holds exactly the run's points (and is shown)."""
    assert line.get_visible()
    np.testing.assert_array_equal(line.get_xydata(), run.points)


@pytest.fixture(autouse=True)
def no_pyplot_figures_left_open():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "an explorer opened a pyplot figure"


@pytest.fixture(scope="module")
def explorer():
    return W.explore("Rosenbrock", ("GD", "Momentum", "Adam"), steps=120)


def explore_run(ex, name):
    """The run minimize gives for the explorer's current settings and optimizer ``name``."""
    c = {key: w.value for key, w in ex.controls.items()}
    f = ex.scene.objective
    optimizer = {
        "GD": lambda: GradientDescent(lr=c["lr"]),
        "Momentum": lambda: Momentum(lr=c["lr"], beta=c["beta"]),
        "Adam": lambda: Adam(lr=c["lr_adaptive"], beta1=c["beta1"], beta2=c["beta2"], eps=c["eps"]),
        "RMSProp": lambda: RMSProp(lr=c["lr_adaptive"], beta=c["beta"], eps=c["eps"]),
    }[name]()
    return minimize(f, (c["x0"], c["y0"]), optimizer, c["steps"])


# -- the general explorer -------------------------------------------------------------------------


@pytest.mark.parametrize("name, value, moved", [
    ("lr_adaptive", 0.05, "Adam"),
    ("beta1", 0.8, "Adam"),
    ("beta2", 0.99, "Adam"),
    ("eps", 1e-3, "Adam"),
    ("lr", 0.0005, "GD"),
    ("beta", 0.5, "Momentum"),
    ("steps", 60, "GD"),
    ("x0", -1.0, "Momentum"),
    ("y0", 1.5, "Adam"),
])
def test_moving_a_control_draws_exactly_the_run_minimize_gives(explorer, name, value, moved):
    explorer.controls[name].value = value
    assert explorer.error is None
    paths, losses = lines(explorer.scene.ax), lines(explorer.scene.ax_loss)
    for label in ("GD", "Momentum", "Adam"):
        run = explore_run(explorer, label)
        assert_drawn(paths[label], run)
        np.testing.assert_array_equal(losses[label].get_ydata(), loss_gap(run))
        assert explorer.runs[label].optimizer == run.optimizer
    assert explore_run(explorer, moved).optimizer == explorer.runs[moved].optimizer


def test_the_picture_is_a_png_that_changes_with_the_settings(explorer):
    before = bytes(explorer.image.value)
    assert before.startswith(PNG)
    explorer.controls["beta1"].value = 0.7 if explorer.controls["beta1"].value != 0.7 else 0.6
    after = bytes(explorer.image.value)
    assert after.startswith(PNG) and after != before
    assert "Adam: f − f* = " in explorer.status.value


def test_several_optimizers_give_several_lines_and_a_legend(explorer):
    picks = explorer.controls
    picks["RMSProp"].value = True
    try:
        (legend,) = explorer.scene.fig.legends
        assert [t.get_text() for t in legend.get_texts()] == ["GD", "Momentum", "RMSProp", "Adam"]
        shown = [label for label, line in lines(explorer.scene.ax).items() if line.get_visible()
                 and label in OPTIMIZERS]
        assert shown == ["GD", "Momentum", "RMSProp", "Adam"]
        assert_drawn(lines(explorer.scene.ax)["RMSProp"], explore_run(explorer, "RMSProp"))
        colours = {lines(explorer.scene.ax)[label].get_color() for label in shown}
        assert len(colours) == 4
    finally:
        picks["RMSProp"].value = False
    (legend,) = explorer.scene.fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["GD", "Momentum", "Adam"]
    assert not lines(explorer.scene.ax)["RMSProp"].get_visible()


@pytest.mark.parametrize("name, value, message", [
    ("lr", -0.1, "lr must be between 1e-05 and 1 (the range of its slider), got -0.1"),
    ("lr_adaptive", 0.0, "lr_adaptive must be between 1e-05 and 1 (the range of its slider), got 0.0"),
    ("eps", -1e-8, "eps must be between 1e-12 and 1e+00 (the range of its slider), got -1e-08"),
    ("x0", 1e200, "f(x0) must be finite"),
])
def test_invalid_settings_show_a_message_instead_of_raising(explorer, name, value, message):
    good = explorer.controls[name].value
    image, path = bytes(explorer.image.value), lines(explorer.scene.ax)["GD"].get_xydata().copy()
    explorer.controls[name].value = value  # typed in the box: must not raise
    try:
        assert message in explorer.error
        assert html.escape(message) in explorer.status.value and "color" in explorer.status.value
        assert bytes(explorer.image.value) == image  # the last valid picture stays
        np.testing.assert_array_equal(lines(explorer.scene.ax)["GD"].get_xydata(), path)
    finally:
        explorer.controls[name].value = good
    assert explorer.error is None and "⚠" not in explorer.status.value


def test_no_optimizer_picked_is_explained(explorer):
    picks = [explorer.controls[name] for name in OPTIMIZERS if explorer.controls[name].value]
    with explorer.hold():
        for box in picks:
            box.value = False
    assert "optimizers must be one or more of" in explorer.error
    with explorer.hold():
        for box in picks:
            box.value = True
    assert explorer.error is None


def test_a_new_objective_resets_its_learning_rates_and_start_and_redraws_once():
    ex = W.explore("Rosenbrock", ("GD", "Adam"), steps=50)
    calls = []
    show = ex.scene.show
    ex.scene.show = lambda **settings: calls.append(settings) or show(**settings)
    ex.controls["objective"].value = "Himmelblau"
    assert len(calls) == 1  # lr, lr_adaptive, x0 and y0 changed too, inside hold()
    setup = OBJECTIVES["Himmelblau"]
    assert (ex.controls["lr"].value, ex.controls["lr_adaptive"].value) == (setup.lr, setup.lr_adaptive)
    assert (ex.controls["x0"].value, ex.controls["y0"].value) == setup.x0
    assert ex.scene.objective.name == "Himmelblau" and ex.scene.ax.get_title() == "Himmelblau"
    assert_drawn(lines(ex.scene.ax)["Adam"], explore_run(ex, "Adam"))


def test_any_2d_objective_can_be_explored():
    f = Quadratic((1.0, 4.0))
    ex = W.explore(f, ("GD",), lr=0.2, steps=30, x0=(1.0, 1.0))
    assert ex.controls["objective"].value is f
    assert_drawn(lines(ex.scene.ax)["GD"], minimize(f, (1.0, 1.0), GradientDescent(lr=0.2), 30))
    with pytest.raises(ValueError, match="objective must be one of"):
        W.explore("Rosenbruck")


def test_the_fast_redraw_gives_the_same_picture_as_a_full_one(explorer):
    """Blitting (background kept, moving lines drawn on top) matches fig.canvas.draw()."""
    explorer.controls["beta1"].value = 0.75 if explorer.controls["beta1"].value != 0.75 else 0.65
    canvas = explorer.scene.fig.canvas
    explorer.scene.draw()
    fast = np.asarray(canvas.buffer_rgba()).copy()
    explorer.scene.draw(full=True)
    full = np.asarray(canvas.buffer_rgba()).copy()
    differ = np.any(np.abs(fast.astype(int) - full.astype(int)) > 40, axis=-1)
    # Only where a path crosses an axis spine is the order of drawing different.
    assert differ.mean() < 0.002


def test_a_diverged_run_is_reported_not_raised():
    ex = W.explore("Quadratic (κ = 10, turned 30°)", ("GD",), lr=0.25, steps=400)
    assert ex.error is None
    run = ex.runs["GD"]
    assert run.diverged and run.stopped in ex.status.value
    assert ex.scene.paths["GD"].cross.get_visible()


# -- the chapter explorers -------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [1, 2])
def test_lr_limit_explorer_runs_gradient_descent_at_the_ratio_of_2_over_L(dim):
    ex = W.lr_limit_explorer(dim=dim, steps=30)
    f = ex.scene.f
    for ratio in (0.3, 0.97, 1.1):
        ex.controls["ratio"].value = ratio
        run = minimize(f, ex.scene.x0, GradientDescent(lr=ratio * gd_lr_limit(f.L)), 30)
        xy = run.points if dim == 2 else np.column_stack([run.points[:, 0], run.losses])
        np.testing.assert_array_equal(lines(ex.scene.ax)["gradient descent"].get_xydata(), xy)
        assert (run.losses[-1] > run.losses[0]) == (ratio > 1) == ("diverges" in ex.scene.ax_loss.get_title())
        assert f"{ratio:.2f} × 2/L" in ex.scene.ax.get_title()


def test_momentum_explorer_shows_the_weights_and_both_paths():
    ex = W.momentum_explorer(steps=40)
    scene = ex.scene
    ex.controls["beta"].value, ex.controls["lr"].value = 0.8, 0.25
    momentum = minimize(scene.f, scene.x0, Momentum(lr=0.25, beta=0.8), 40)
    gd = minimize(scene.f, scene.x0, GradientDescent(lr=0.25), 40)
    assert_drawn(lines(scene.ax)["momentum"], momentum)
    assert_drawn(lines(scene.ax)["gradient descent (β = 0)"], gd)
    np.testing.assert_allclose(scene.weights.get_ydata(), 0.8 ** np.arange(scene.ages))
    np.testing.assert_allclose(scene.window_line.get_xdata()[1], 5.0)  # 1/(1 − β)
    assert "window 1/(1 − β) = 5 steps" in scene.note.get_text()


@pytest.mark.parametrize("inside", [False, True])
def test_rmsprop_explorer_runs_the_aligned_and_the_turned_valley(inside):
    ex = W.rmsprop_explorer()
    scene = ex.scene
    with ex.hold():
        ex.controls["eps"].value, ex.controls["eps_inside_sqrt"].value = 1e-2, inside
        ex.controls["angle"].value, ex.controls["lr"].value = 30.0, 0.04
    optimizer = RMSProp(lr=0.04, beta=scene.beta, eps=1e-2, eps_inside_sqrt=inside)
    turned = Quadratic(scene.eigenvalues, angle=math.radians(30))
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    start = np.array([[c, -s], [s, c]]) @ scene.x0
    assert_drawn(lines(scene.ax_a)["RMSProp"], minimize(scene.aligned, scene.x0, optimizer, scene.steps))
    assert_drawn(lines(scene.ax_r)["RMSProp"], minimize(turned, start, optimizer, scene.steps))
    # Gradient descent does not see the turn: same losses, same path turned.
    gd_a, gd_r = ex.runs["gradient descent, aligned"], ex.runs["gradient descent, turned"]
    np.testing.assert_allclose(gd_a.losses, gd_r.losses, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(gd_a.points @ np.array([[c, -s], [s, c]]).T, gd_r.points, atol=1e-12)
    assert ("√(v + ε)" in scene.ax_loss.get_title()) == inside


def test_adam_bias_explorer_draws_both_runs_and_their_step_sizes():
    ex = W.adam_bias_explorer()
    scene = ex.scene
    f = Quadratic((2.0, 2.0))
    for beta2 in (0.99, 0.9999):
        ex.controls["beta2"].value = beta2
        for flag in (True, False):
            run = minimize(f, (3.0, 4.0), Adam(lr=0.02, beta2=beta2, bias_correction=flag), 400)
            label = scene.LABELS[flag]
            assert_drawn(lines(scene.ax)[label], run)
            sizes = lines(scene.ax_step)[label].get_ydata()
            np.testing.assert_allclose(sizes, np.abs(np.diff(run.points, axis=0)).max(axis=1) / 0.02)
        first = lines(scene.ax_step)[scene.LABELS[False]].get_ydata()[0]
        np.testing.assert_allclose(first, 0.1 / math.sqrt(1 - beta2), rtol=1e-6)  # (1 − β₁)/√(1 − β₂)
    ex.controls["bias_correction"].value = False
    assert lines(scene.ax)[scene.LABELS[False]].get_alpha() == 1.0
    assert lines(scene.ax)[scene.LABELS[True]].get_alpha() < 0.5


def test_kernel_note_is_one_line_of_markdown_about_the_rocket_button():
    note = W.kernel_note()
    text = note._repr_markdown_()
    assert "needs a running kernel" in text and "rocket button" in text and "\n" not in text.strip()
    assert W.kernel_note("; meanwhile, scrub the animation below")._repr_markdown_().endswith("below.")


def test_explorers_have_a_short_repr_for_the_static_page(explorer):
    assert repr(explorer) == "Explorer(''; live: needs a running kernel)"
    assert len(repr(W.lr_limit_explorer())) < 110  # ipywidgets cuts text/plain at 110 characters


def test_a_new_objective_keeps_the_layout_of_an_explorer_made_for_it():
    """The dropdown switch used to squeeze the contour panel into a sliver (pinned label positions)."""
    switched = W.explore("Rosenbrock", ("GD", "Adam"), steps=50)
    switched.controls["objective"].value = "Himmelblau"
    fresh = W.explore("Himmelblau", ("GD", "Adam"), steps=50)
    after = [ax.get_position().bounds for ax in switched.scene.fig.axes]
    expected = [ax.get_position().bounds for ax in fresh.scene.fig.axes]
    assert len(after) == len(expected) == 2
    np.testing.assert_allclose(after, expected, atol=0.01)
    width, height = after[0][2:]
    assert width > 0.25 and height > 0.6  # the contour panel is a panel, not a sliver


@pytest.mark.parametrize("make, message", [
    (lambda: W.explore("Rosenbrock", steps=100_000), r"steps must be between 10 and 2000 .*got 100000"),
    (lambda: W.explore("Rosenbrock", beta2=0.5), r"beta2 must be between 0.9000 and 0.9999 .*got 0.5"),
    (lambda: W.explore("Rosenbrock", eps=0), r"eps must be between 1e-12 and 1e\+00 .*got 0"),
    (lambda: W.momentum_explorer(beta=1.5), r"beta must be between 0.00 and 0.99 .*got 1.5"),
    (lambda: W.lr_limit_explorer(ratio=2.0), r"ratio must be between 0.05 and 1.25 .*got 2.0"),
    (lambda: W.rmsprop_explorer(eps=1e-9), r"eps must be between 1e-08 and 1e\+02 .*got 1e-09"),
    (lambda: W.rmsprop_explorer(angel=3), r"rmsprop has no control angel; its controls are eps, "),
    (lambda: W.adam_bias_explorer(beta2=0.8), r"beta2 must be between 0.9 and 0.9999 .*got 0.8"),
    (lambda: W.adam_bias_explorer(bias_correction="yes"), r"bias_correction must be True or False, got 'yes'"),
])
def test_values_outside_a_sliders_range_are_refused_not_clamped(make, message, monkeypatch):
    def no_figure(*args, **kwargs):
        raise AssertionError("a figure was made before the settings were checked")

    # refused before anything is drawn: a learner's typo costs no picture (and no wait)
    monkeypatch.setattr("descent.scenes.new_figure", no_figure)
    with pytest.raises((ValueError, TypeError), match=message):
        make()
