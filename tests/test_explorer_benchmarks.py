"""How long a live explorer takes from a slider change to the new picture (pytest-benchmark).

Each benchmark moves a control the way a reader does (``control.value = x``):
the widget's callback runs minimize for the new settings, moves the lines
(``set_data``), draws the figure on its Agg canvas and encodes the PNG that
the ``ipywidgets.Image`` shows. The values alternate, so every call redraws.
Timed with

    pytest tests/test_explorer_benchmarks.py --benchmark-enable --benchmark-only

The target, from the issue: at most 100 ms for a 500-step run on a 2-D
objective. ``test_full_redraw_*`` time the same callback with a full
``fig.canvas.draw()`` instead of the kept background (see
``descent.scenes.Scene.draw``), for comparison. As in test_benchmarks.py,
nothing asserts a time (a loaded machine must not fail the tests); run
without --benchmark-enable, each benchmark runs once as a plain test and
checks the picture holds the run minimize gives.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("ipywidgets", reason="descent.widgets needs ipywidgets 8 (in requirements.txt)")

from descent import Adam, GradientDescent, Momentum, Rosenbrock, minimize  # noqa: E402
from descent import widgets as W  # noqa: E402
from descent.plots import png_bytes  # noqa: E402

STEPS = 500
X0 = (-1.5, 2.0)


def mover(explorer, name, values):
    """A function that sets the control to the next of ``values`` (cycling): one slider move.

    The cycle starts at a value the control does not have, so that every call
    redraws (a first call that does nothing would make pytest-benchmark
    calibrate for a microsecond function and run thousands of calls per round).
    """
    current = explorer.controls[name].value
    values = sorted(values, key=lambda value: value == current)
    assert values[0] != current
    cycle = itertools.cycle(values)

    def move():
        explorer.controls[name].value = next(cycle)
        assert explorer.error is None, explorer.error
        return explorer

    return move


def adam_path(explorer):
    return {line.get_label(): line for line in explorer.scene.ax.get_lines()}["Adam"].get_xydata()


def expected_adam(explorer):
    c = {name: w.value for name, w in explorer.controls.items()}
    adam = Adam(lr=c["lr_adaptive"], beta1=c["beta1"], beta2=c["beta2"], eps=c["eps"])
    return minimize(Rosenbrock(), X0, adam, STEPS).points


# One explorer of each kind for the module (making one draws its contours and lays out its figure,
# 0.5-1 s): each benchmark moves a control away from its current value, and checks what it shows
# against minimize for the explorer's settings then, whatever an earlier benchmark left.
@pytest.fixture(scope="module")
def adam_explorer():
    return W.explore("Rosenbrock", ("Adam",), lr_adaptive=0.05, steps=STEPS, x0=X0)


@pytest.fixture(scope="module")
def three_explorer():
    return W.explore("Rosenbrock", ("GD", "Momentum", "Adam"), lr=0.001, lr_adaptive=0.05, steps=STEPS, x0=X0)


@pytest.mark.benchmark(group="slider-to-picture, Rosenbrock, 500 steps")
def test_adam_slider_to_picture(benchmark, adam_explorer):
    explorer = benchmark(mover(adam_explorer, "beta1", [0.8, 0.9]))
    np.testing.assert_array_equal(adam_path(explorer), expected_adam(explorer))


@pytest.mark.benchmark(group="slider-to-picture, Rosenbrock, 500 steps")
def test_three_optimizers_slider_to_picture(benchmark, three_explorer):
    explorer = benchmark(mover(three_explorer, "lr_adaptive", [0.04, 0.05]))
    np.testing.assert_array_equal(adam_path(explorer), expected_adam(explorer))
    gd = minimize(Rosenbrock(), X0, GradientDescent(lr=0.001), STEPS).points
    np.testing.assert_array_equal(explorer.scene.paths["GD"].path.get_xydata(), gd)


@pytest.mark.benchmark(group="slider-to-picture, Rosenbrock, 500 steps")
def test_full_redraw_adam(benchmark, adam_explorer):
    """The same callback with a full fig.canvas.draw(): what keeping the background saves."""
    scene, settings = adam_explorer.scene, adam_explorer._settings()
    cycle = itertools.cycle([0.8, 0.9])

    def callback():
        scene.show(**dict(settings, beta1=next(cycle)))
        scene.draw(full=True)  # fig.canvas.draw() of everything
        return png_bytes(scene.fig)

    assert benchmark(callback).startswith(b"\x89PNG")


@pytest.mark.benchmark(group="parts of one update, Adam on Rosenbrock, 500 steps")
def test_part_minimize(benchmark):
    run = benchmark(minimize, Rosenbrock(), X0, Adam(lr=0.05), STEPS)
    assert run.steps_taken == STEPS


@pytest.mark.benchmark(group="parts of one update, Adam on Rosenbrock, 500 steps")
def test_part_draw_kept_background(benchmark, adam_explorer):
    benchmark(adam_explorer.scene.draw)


@pytest.mark.benchmark(group="parts of one update, Adam on Rosenbrock, 500 steps")
def test_part_draw_everything(benchmark, adam_explorer):
    benchmark(adam_explorer.scene.fig.canvas.draw)


@pytest.mark.benchmark(group="parts of one update, Adam on Rosenbrock, 500 steps")
def test_part_png(benchmark, adam_explorer):
    assert benchmark(png_bytes, adam_explorer.scene.fig).startswith(b"\x89PNG")


@pytest.mark.benchmark(group="chapter explorers: slider-to-picture")
@pytest.mark.parametrize("make, name, values", [
    (W.lr_limit_explorer, "ratio", [0.9, 0.95]),
    (W.momentum_explorer, "beta", [0.5, 0.6]),
    (W.rmsprop_explorer, "eps", [1e-8, 1e-4]),
    (W.rmsprop_explorer, "angle", [30.0, 45.0]),
    (W.adam_bias_explorer, "beta2", [0.999, 0.9999]),
], ids=["ch1-ratio", "ch2-beta", "ch3-eps", "ch3-angle", "ch4-beta2"])
def test_chapter_explorer_slider_to_picture(benchmark, make, name, values):
    explorer = benchmark(mover(make(), name, values))
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    if name == "beta":
        scene, beta = explorer.scene, explorer.controls["beta"].value
        run = minimize(scene.f, scene.x0, Momentum(lr=explorer.controls["lr"].value, beta=beta), scene.steps)
        np.testing.assert_array_equal(scene.momentum.path.get_xydata(), run.points)
