"""The kernel-free explorers: one frame per value, each frame the run minimize gives, under the size budget."""

from __future__ import annotations

import base64
import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from descent import Adam, GradientDescent, Momentum, Quadratic, RMSProp, minimize  # noqa: E402
from descent import animations as A  # noqa: E402
from descent.plots import png_bytes  # noqa: E402
from descent.theory import gd_lr_limit  # noqa: E402


def frames_of(page: str) -> list[bytes]:
    """The PNG frames embedded in a to_jshtml page, in order."""
    found = re.findall(r'frames\[(\d+)\] = "data:image/png;base64,([^"]*)"', page)
    assert [int(k) for k, _ in found] == list(range(len(found)))
    return [base64.b64decode(data.replace("\\\n", "").replace("\\n", "")) for _, data in found]


def path(ax, label):
    return {line.get_label(): line for line in ax.get_lines()}[label].get_xydata()


@pytest.fixture(autouse=True)
def no_pyplot_figures_left_open():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "an animation opened a pyplot figure"


# What frame k must show: the runs minimize gives for the k-th value, checked on the scene's lines.

def check_lr_limit(scene, settings):
    run = minimize(scene.f, scene.x0, GradientDescent(lr=settings["ratio"] * gd_lr_limit(scene.f.L)), scene.steps)
    points = run.points if scene.dim == 2 else np.column_stack([run.points[:, 0], run.losses])
    np.testing.assert_array_equal(path(scene.ax, "gradient descent"), points)


def check_momentum(scene, settings):
    run = minimize(scene.f, scene.x0, Momentum(lr=settings["lr"], beta=settings["beta"]), scene.steps)
    np.testing.assert_array_equal(path(scene.ax, "momentum"), run.points)
    np.testing.assert_allclose(scene.weights.get_ydata(), settings["beta"] ** np.arange(scene.ages))


def check_rmsprop(scene, settings):
    optimizer = RMSProp(lr=settings["lr"], beta=scene.beta, eps=settings["eps"],
                        eps_inside_sqrt=settings["eps_inside_sqrt"])
    angle = math.radians(settings["angle"])
    c, s = math.cos(angle), math.sin(angle)
    turned = minimize(Quadratic(scene.eigenvalues, angle=angle), np.array([[c, -s], [s, c]]) @ scene.x0,
                      optimizer, scene.steps)
    np.testing.assert_array_equal(path(scene.ax_a, "RMSProp"), minimize(scene.aligned, scene.x0, optimizer,
                                                                        scene.steps).points)
    np.testing.assert_array_equal(path(scene.ax_r, "RMSProp"), turned.points)


def check_adam(scene, settings):
    for flag, label in scene.LABELS.items():
        adam = Adam(lr=scene.lr, beta1=scene.beta1, beta2=settings["beta2"], bias_correction=flag)
        np.testing.assert_array_equal(path(scene.ax, label), minimize(scene.f, scene.x0, adam, scene.steps).points)


def check_explore(scene, settings):
    adam = Adam(lr=settings["lr_adaptive"], beta1=settings["beta1"], beta2=settings["beta2"], eps=settings["eps"])
    run = minimize(scene.objective, (settings["x0"], settings["y0"]), adam, settings["steps"])
    np.testing.assert_array_equal(path(scene.ax, "Adam"), run.points[: settings["upto"] + 1])
    assert scene.ax.get_title().endswith(f"step {settings['upto']} of {settings['steps']}")


ANIMATIONS = {  # name: (make the default animation, number of frames, what frame k shows, its value)
    "lr_limit": (A.lr_limit_animation, 21, check_lr_limit, "ratio"),
    "lr_limit_1d": (lambda: A.lr_limit_animation(dim=1), 21, check_lr_limit, "ratio"),
    "momentum": (A.momentum_animation, 20, check_momentum, "beta"),
    "rmsprop_eps": (A.rmsprop_animation, 21, check_rmsprop, "eps"),
    "rmsprop_angle": (lambda: A.rmsprop_animation("angle"), 19, check_rmsprop, "angle"),
    "adam_bias": (A.adam_bias_animation, 16, check_adam, "beta2"),
    "explore": (A.explore_animation, None, check_explore, "upto"),
}


@pytest.fixture(scope="module", params=list(ANIMATIONS))
def made(request):
    make, count, check, value = ANIMATIONS[request.param]
    animation = make()
    return request.param, animation, count, check, value


def test_one_frame_per_value(made):
    name, animation, count, _, _ = made
    frames = frames_of(animation.data)
    assert len(frames) == len(animation.frames) == (count if count is not None else len(frames))
    assert f"new Array({len(frames)})" in animation.data
    assert all(frame.startswith(b"\x89PNG\r\n\x1a\n") for frame in frames)


def test_the_picture_changes_with_the_slider(made):
    _, animation, _, _, _ = made
    frames = frames_of(animation.data)
    assert len(set(frames)) == len(frames)


def test_frame_k_shows_the_run_minimize_gives_for_the_kth_value(made):
    name, animation, _, check, value = made
    scene, frames = animation.scene, animation.frames
    pictures = frames_of(animation.data)
    values = [settings[value] for settings in frames]
    assert values == sorted(values) and len(set(values)) == len(values)
    for k in (0, len(frames) // 2, len(frames) - 1):
        scene.show(**frames[k])
        check(scene, frames[k])
        scene.draw()
        # And the stored picture is that figure, pixel for pixel.
        assert png_bytes(scene.fig, 64, compress_level=9) == pictures[k], f"{name}: frame {k}"


def test_each_animation_is_under_the_size_budget(made):
    name, animation, _, _, _ = made
    size = len(animation.data.encode("utf8"))
    assert size < A.SIZE_BUDGET, f"{name}: {size / 1000:.0f} kB"


def test_the_page_says_what_the_slider_does_and_describes_the_picture(made):
    _, animation, _, _, _ = made
    assert animation.data.startswith('<p class="descent-animation-caption"><em>The slider ')
    assert re.search(r'<img alt="[^"]{20,}" id="_anim_img', animation.data)
    assert 'value="once"' in animation.data and re.search(r'id="_anim_radio1_\w+"\s+checked', animation.data)


def test_the_same_animation_gives_the_same_html():
    """nbval compares stored outputs: no random ids, no varying bytes."""
    first = A.lr_limit_animation([0.4, 0.8], steps=10).data
    second = A.lr_limit_animation([0.4, 0.8], steps=10).data
    assert first == second
    third = A.lr_limit_animation([0.4, 0.9], steps=10).data
    (id_first,) = set(re.findall(r"_anim_img(\w+)", first))
    (id_third,) = set(re.findall(r"_anim_img(\w+)", third))
    assert id_first != id_third and id_first.startswith("lrlimit")


def test_y_limits_are_the_same_in_every_frame():
    animation = A.momentum_animation([0.0, 0.5, 0.9], steps=30)
    scene = animation.scene
    limits = []
    for settings in animation.frames:
        scene.show(**settings)
        limits.append([ax.get_ylim() for ax in scene.fig.axes])
    assert limits[0] == limits[1] == limits[2]


def test_too_big_an_animation_is_refused():
    with pytest.raises(ValueError, match="exceeds"):
        A.lr_limit_animation(np.linspace(0.1, 1.0, 40), dpi=200)


@pytest.mark.parametrize("call, message", [
    (lambda: A.rmsprop_animation("beta"), "parameter must be 'eps' or 'angle'"),
    (lambda: A.lr_limit_animation([]), "values is empty"),
    (lambda: A.lr_limit_animation(dim=3), "dim must be 1 or 2"),
])
def test_bad_arguments_are_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()
