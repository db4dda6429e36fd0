"""The figures show the runs' own numbers, on the promised scales, with no global state left over."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descent  # noqa: E402
from descent import GradientDescent, Quadratic, Rosenbrock, Saddle, minimize  # noqa: E402
from descent.plots import plot_contours, plot_losses, plot_moments  # noqa: E402


def lines_by_label(ax) -> dict:
    return {line.get_label(): line for line in ax.get_lines()}


def legend_labels(ax) -> list:
    return [text.get_text() for text in ax.get_legend().get_texts()]


@pytest.fixture
def quadratic_runs():
    f = Quadratic.with_condition_number(10.0, angle=0.5)
    return {
        "slow": minimize(f, [-1.5, 1.0], GradientDescent(lr=0.05), steps=30),
        "fast": minimize(f, [1.0, 1.5], GradientDescent(lr=0.15), steps=30),
    }


@pytest.fixture(autouse=True)
def no_pyplot_figures_left_open():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "a plot function left a figure open in pyplot"


def assert_opaque_white(fig):
    assert matplotlib.colors.to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
    fig.savefig(io.BytesIO(), format="png")  # renders without pyplot


# -- plot_contours ---------------------------------------------------------------------------


def test_contour_paths_are_the_runs_points_with_their_labels(quadratic_runs):
    fig = plot_contours(None, quadratic_runs)
    (ax,) = fig.axes
    lines = lines_by_label(ax)
    for label, run in quadratic_runs.items():
        np.testing.assert_array_equal(lines[label].get_xydata(), run.points)
    assert legend_labels(ax) == ["slow", "fast", "minimum"]
    assert_opaque_white(fig)


def test_contour_window_minimizer_and_log_spaced_levels():
    f = Quadratic.with_condition_number(10.0)
    fig = plot_contours(f, levels=12)
    (ax,) = fig.axes
    assert ax.get_xlim() == f.window[0] and ax.get_ylim() == f.window[1]
    np.testing.assert_array_equal(lines_by_label(ax)["minimum"].get_xydata(), f.minimizers)
    (contours,) = [c for c in ax.collections if isinstance(c, matplotlib.contour.ContourSet)]
    gaps = np.asarray(contours.levels) - f.minimum
    assert len(gaps) == 12 and np.all(gaps > 0)
    ratios = gaps[1:] / gaps[:-1]
    np.testing.assert_allclose(ratios, ratios[0])  # equally spaced in log(f − f*)
    assert ax.get_title() == f.name


def test_explicit_levels_are_used_as_given():
    f = Rosenbrock()
    fig = plot_contours(f, levels=[1.0, 10.0, 100.0])
    (contours,) = [c for c in fig.axes[0].collections if isinstance(c, matplotlib.contour.ContourSet)]
    np.testing.assert_array_equal(contours.levels, [1.0, 10.0, 100.0])


def test_default_labels_name_the_optimizer_and_learning_rate():
    f = Rosenbrock()
    runs = [minimize(f, [-1.0, 1.0], GradientDescent(lr=0.001), steps=5), minimize(f, [-1.0, 1.0], descent.Adam(lr=0.02), steps=5)]
    fig = plot_contours(f, runs)
    assert legend_labels(fig.axes[0]) == ["GradientDescent (lr=0.001)", "Adam (lr=0.02)", "minimum"]
    assert legend_labels(plot_contours(f, runs[1]).axes[0]) == ["Adam (lr=0.02)", "minimum"]


def test_saddle_point_and_both_minima_are_marked():
    f = Saddle()
    lines = lines_by_label(plot_contours(f).axes[0])
    np.testing.assert_array_equal(lines["minima"].get_xydata(), f.minimizers)
    np.testing.assert_array_equal(lines["saddle point"].get_xydata(), [f.saddle_point])


def test_a_diverged_path_ends_in_a_cross():
    f = Quadratic.with_condition_number(10.0)
    run = minimize(f, [1.0, 1.0], GradientDescent(lr=0.25), steps=500)
    assert run.diverged
    ax = plot_contours(f, {"too fast": run}).axes[0]
    crosses = [line for line in ax.get_lines() if line.get_marker() == "x"]
    assert len(crosses) == 1
    np.testing.assert_array_equal(crosses[0].get_xydata(), [run.points[-1]])


def test_plot_contours_draws_on_a_given_axes(quadratic_runs):
    fig = matplotlib.figure.Figure()
    left, right = fig.subplots(1, 2)
    assert plot_contours(None, quadratic_runs, ax=right) is fig
    assert len(right.get_lines()) > 0 and len(left.get_lines()) == 0


def test_plot_contours_rejects_what_it_cannot_draw():
    run_1d = minimize(Quadratic((1.0,)), [1.0], GradientDescent(lr=0.1), steps=3)
    with pytest.raises(ValueError, match=r"window is needed: Quadratic\(κ=1\) has no window"):
        plot_contours(run_1d.objective)
    with pytest.raises(ValueError, match=r"plot_contours draws 2-D paths; the run 'a' has points of shape \(1,\)"):
        plot_contours(Quadratic(), {"a": run_1d})
    with pytest.raises(TypeError, match=r"runs must be a Run, a list of Runs or a dict"):
        plot_contours(Quadratic(), [np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"f is needed when no runs are given"):
        plot_contours()


# -- plot_losses -----------------------------------------------------------------------------


def test_losses_are_gaps_to_the_minimum_on_a_log_scale(quadratic_runs):
    fig = plot_losses(quadratic_runs)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    lines = lines_by_label(ax)
    for label, run in quadratic_runs.items():
        np.testing.assert_array_equal(lines[label].get_xdata(), np.arange(run.steps_taken + 1))
        np.testing.assert_array_equal(lines[label].get_ydata(), run.losses - run.objective.minimum)
    assert legend_labels(ax) == ["slow", "fast"]
    assert "f^*" in ax.get_ylabel()
    assert_opaque_white(fig)


def test_losses_without_a_known_minimum_show_f_itself():
    class Shifted:
        minimum = None

        def __call__(self, theta):
            return float(theta @ theta) + 3.0

        def grad(self, theta):
            return 2 * theta

    run = minimize(Shifted(), [1.0, 2.0], GradientDescent(lr=0.1), steps=10)
    ax = plot_losses({"shifted": run}).axes[0]
    np.testing.assert_array_equal(lines_by_label(ax)["shifted"].get_ydata(), run.losses)
    assert "f^*" not in ax.get_ylabel()


def test_losses_axis_stops_at_rounding_level():
    # GD with α = 1/λ lands on the minimum in one step: f − f* = 0 exactly afterwards.
    run = minimize(Quadratic((2.0,)), [1.0], GradientDescent(lr=0.5), steps=5)
    ax = plot_losses(run).axes[0]
    assert ax.get_ylim()[0] == pytest.approx(np.finfo(float).eps * run.losses[0])


def test_plot_losses_needs_runs():
    with pytest.raises(ValueError, match=r"runs is empty"):
        plot_losses([])


# -- plot_moments ----------------------------------------------------------------------------


@pytest.fixture
def adam_run():
    return minimize(Rosenbrock(), [-1.0, 1.5], descent.Adam(lr=0.02, beta1=0.8, beta2=0.99), steps=200)


def test_moments_show_the_state_and_the_correction_makes_step_1_equal_the_gradient(adam_run):
    fig = plot_moments(adam_run, coordinate=1)
    ax_m, ax_v = fig.axes
    m_lines, v_lines = lines_by_label(ax_m), lines_by_label(ax_v)
    raw_m = next(line for label, line in m_lines.items() if label == "$m_t$")
    raw_v = next(line for label, line in v_lines.items() if label == "$v_t$")
    m_hat = next(line for label, line in m_lines.items() if "hat m" in label)
    v_hat = next(line for label, line in v_lines.items() if "hat v" in label)
    np.testing.assert_array_equal(raw_m.get_xdata(), np.arange(1, 201))
    np.testing.assert_array_equal(raw_m.get_ydata(), adam_run.state_history("m")[:, 1])
    np.testing.assert_array_equal(raw_v.get_ydata(), adam_run.state_history("v")[:, 1])
    # m_1 = (1 − β₁) g_1 and v_1 = (1 − β₂) g_1², so the corrected values at t = 1 are g_1 and g_1².
    g1 = adam_run.grads[0, 1]
    assert m_hat.get_ydata()[0] == pytest.approx(g1, rel=1e-12)
    assert v_hat.get_ydata()[0] == pytest.approx(g1**2, rel=1e-12)
    # Far beyond 1/(1 − β) steps the correction factors are ≈ 1.
    assert m_hat.get_ydata()[-1] == pytest.approx(raw_m.get_ydata()[-1], rel=1e-12)
    assert ax_v.get_yscale() == "log" and ax_v.get_xscale() == "log"
    assert_opaque_white(fig)


def test_plot_moments_on_given_axes_and_bad_arguments(adam_run):
    fig = matplotlib.figure.Figure()
    axes = fig.subplots(2, 1)
    assert plot_moments(adam_run, 0, ax=axes) is fig
    with pytest.raises(ValueError, match=r"ax must be a sequence of 2 Axes"):
        plot_moments(adam_run, 0, ax=[axes[0]])
    with pytest.raises(ValueError, match=r"coordinate must index a parameter of shape \(2,\), got 5"):
        plot_moments(adam_run, coordinate=5)
    gd_run = minimize(Rosenbrock(), [-1.0, 1.5], GradientDescent(lr=0.001), steps=3)
    with pytest.raises(ValueError, match=r"plot_moments needs a run of an Adam-like optimizer"):
        plot_moments(gd_run)


def test_figures_display_as_png_in_ipython_without_pyplot():
    """A learner who never imports pyplot still sees the picture, not '<Figure ...>'."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        from matplotlib.figure import Figure

        shell.display_formatter.formatters["image/png"].type_printers.pop(Figure, None)
        run = minimize(Quadratic(), [1.0, 1.0], GradientDescent(0.1), 5)
        data, _ = shell.display_formatter.format(plot_losses(run))
        assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        InteractiveShell.clear_instance()


# -- the drawing vocabulary: colours given, artists returned, bad shapes refused --------------------


def test_colors_give_each_run_its_colour_on_contours_and_losses(quadratic_runs):
    from matplotlib.colors import to_rgba

    ax_paths = plot_contours(None, quadratic_runs, colors=["crimson", "teal"]).axes[0]
    ax_loss = plot_losses(quadratic_runs, colors=["crimson", "teal"]).axes[0]
    for label, colour in zip(quadratic_runs, ["crimson", "teal"]):
        assert to_rgba(lines_by_label(ax_paths)[label].get_color()) == to_rgba(colour)
        assert to_rgba(lines_by_label(ax_loss)[label].get_color()) == to_rgba(colour)
    with pytest.raises(ValueError, match=r"colors must give one colour per run \(2\), got 1"):
        plot_contours(None, quadratic_runs, colors=["red"])


def test_draw_contours_returns_what_it_drew():
    from descent.plots import draw_contours, new_figure

    fig, (ax,) = new_figure()
    drawn = draw_contours(ax, Saddle(), levels=7, resolution=40)
    assert drawn.lines in ax.collections and len(drawn.levels) == 7
    np.testing.assert_array_equal(drawn.lines.levels, drawn.levels)
    assert [m.get_label() for m in drawn.markers] == ["minima", "saddle point"]
    assert all(m in ax.get_lines() for m in drawn.markers)


def test_a_movable_run_moves_to_another_run(quadratic_runs):
    from descent.plots import MovableRun, new_figure

    fig, (ax, ax_loss) = new_figure(2)
    moved = MovableRun(ax, ax_loss, "C3", "run")
    for run in quadratic_runs.values():
        moved.set_run(run)
        np.testing.assert_array_equal(moved.path.get_xydata(), run.points)
        np.testing.assert_array_equal(moved.loss.get_ydata(), run.losses)  # f* = 0
    moved.set_style(colour="black", linewidth=0.5)
    assert moved.path.get_color() == "black" and moved.path.get_linewidth() == 0.5


@pytest.mark.parametrize("kwargs, message", [
    (dict(window=((0, 1),)), r"window must be \(\(x_min, x_max\), \(y_min, y_max\)\)"),
    (dict(window=((1, 0), (0, 1))), "window must be finite with x_min < x_max"),
    (dict(window=((0, np.inf), (0, 1))), "window must be finite"),
    (dict(resolution=1), "resolution must be an int >= 2"),
    (dict(resolution=2.5), "resolution must be an int >= 2"),
    (dict(levels=0), "levels must be an int >= 1 or an increasing"),
    (dict(levels=[[1, 2], [3, 4]]), "levels must be an int >= 1 or an increasing 1-D sequence"),
    (dict(levels=[3.0, 1.0, 2.0]), "levels must be an int >= 1 or an increasing 1-D sequence"),
    (dict(levels=[]), "levels must be an int >= 1 or an increasing 1-D sequence"),
])
def test_contour_arguments_of_the_wrong_shape_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_contours(Quadratic(), **kwargs)


def test_loss_plot_of_a_run_that_starts_at_the_minimum_does_not_warn():
    import warnings

    run = minimize(Quadratic(), [0.0, 0.0], GradientDescent(lr=0.1), steps=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_losses(run)
        fig.canvas.draw() if hasattr(fig.canvas, "draw") else None
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig).draw()
    low, high = fig.axes[0].get_ylim()
    assert low == pytest.approx(np.finfo(float).eps) and high > low
