"""The explorers on the static site without a kernel: one pre-rendered frame per value of one control.

:func:`animate` shows a scene of :mod:`descent.scenes` once per value of one
control (the others at their declared defaults, :mod:`descent.explorers`)
and stores each picture as a PNG in the page that matplotlib's ``to_jshtml``
makes (the same ``HTMLWriter`` and player), whose slider scrubs through the
values in the browser with no kernel. Each picture's title states its value;
a caption above says what the slider changes. The live page explorers of
:mod:`descent.page` replace these on the chapters; the animations stay for a
picture of one parameter's sweep (and a notebook's HTML export).

Weight. No page of the site may exceed 2 MB, so every animation must stay
under :data:`SIZE_BUDGET` (800 kB of HTML; tests/test_animations.py measures
each one). The page embeds every frame as a base64 PNG, so its size is about
frames × (PNG size) × 4/3. Each frame is the figure reduced to 64 colours
(:func:`descent.plots.png_bytes`); 16–22 frames of an 8.4–9 × 3.1–3.4 inch
figure at :data:`DPI` = 80 take 250–600 kB. The axis limits are the same in
every frame, so that only the data move.

Why not ``FuncAnimation(...).to_jshtml()`` itself: ``Animation.save`` redraws
the whole figure for every frame and stores full-colour PNGs; feeding the
same writer with the scene's own frames is three times faster (a chapter's
notebook must run in 20 s) and makes pages a third of the size.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import tempfile
from pathlib import Path

import numpy as np

from .explorers import MOMENTUM, RMSPROP, explore_settings
from .plots import png_bytes
from .scenes import AdamBiasScene, ExploreScene, LRLimitScene, MomentumScene, RMSPropScene, Scene

__all__ = ["SIZE_BUDGET", "DPI", "animate", "explore_animation", "lr_limit_animation", "momentum_animation",
           "rmsprop_animation", "adam_bias_animation"]

#: Upper bound, in bytes, for the HTML of one animation (the site's pages must stay under 2 MB).
SIZE_BUDGET = 800_000
#: Resolution of the animation frames (the live explorers draw at 90 dpi).
DPI = 80


# -- animations -----------------------------------------------------------------------------------


def _stable_ids(page: str, name: str) -> str:
    """Replace the random id matplotlib gives an animation by one made from its content.

    The same animation then gives the same HTML on every run (nbval compares
    stored outputs), and two different animations on one page get different ids.
    """
    match = re.search(r'id="_anim_img([0-9a-f]{32})"', page)
    if match is None:  # pragma: no cover - matplotlib changed its template
        return page
    digest = hashlib.sha1(page.replace(match.group(1), "").encode()).hexdigest()[:12]
    return page.replace(match.group(1), f"{re.sub(r'[^A-Za-z0-9]', '', name)}{digest}")


def _html_writer(scene: Scene, colours: int, fps: float):
    """matplotlib's HTMLWriter (the player of ``to_jshtml``), fed with the scene's own frames.

    ``Animation.save`` would redraw the whole figure for every frame and
    store it as a full-colour PNG; this writer takes the scene's blitted
    canvas and a palette PNG instead: three times faster, and a third of the
    size, for the same page.
    """
    from matplotlib.animation import HTMLWriter

    class SceneHTMLWriter(HTMLWriter):
        def grab_frame(self, **savefig_kwargs):
            scene.draw()
            frame = base64.encodebytes(png_bytes(scene.fig, colours, compress_level=9)).decode("ascii")
            self._total_bytes += len(frame)
            if self._total_bytes >= self._bytes_limit:
                raise ValueError(f"the animation exceeds {self._bytes_limit / 1e6:.1f} MB: use fewer frames, "
                                 "a smaller figure or a lower dpi")
            self._saved_frames.append(frame)

    return SceneHTMLWriter(fps=fps, embed_frames=True, default_mode="once", embed_limit=SIZE_BUDGET / 2**20)


def animate(scene: Scene, frames: list, *, caption: str = "", alt: str = "", name: str = "anim", fps: float = 3,
            colours: int = 64):
    """``scene`` shown at each settings dict of ``frames``, as a kernel-free HTML animation.

    Returns ``IPython.display.HTML``: the page of matplotlib's ``to_jshtml``
    (the same player, written by the same ``HTMLWriter``), with one PNG per
    settings dict (reduced to ``colours`` colours), a slider to scrub through
    them, ``caption`` (say what the slider changes) above, and ``alt`` as the
    image's alternative text. The y-limits are fixed over all frames and the
    layout after the first, so that only the data move. Raises ValueError
    beyond :data:`SIZE_BUDGET`. The result also keeps ``scene`` and
    ``frames``: ``scene.show(**frames[k])`` redraws frame k.
    """
    from IPython.display import HTML

    if not frames:
        raise ValueError("frames is empty: give at least one settings dict")
    scene._memo = {}
    try:
        scene.freeze(frames)
        writer = _html_writer(scene, colours, fps)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder, "animation.html")
            with writer.saving(scene.fig, path, dpi=scene.fig.dpi):
                for settings in frames:
                    scene.show(**settings)
                    writer.grab_frame()
            page = path.read_text(encoding="utf8")
    finally:
        scene._memo = None
    page = _stable_ids(page, name)
    if alt:
        page = page.replace('<img id="_anim_img', f'<img alt="{html.escape(alt)}" id="_anim_img', 1)
    head = f'<p class="descent-animation-caption"><em>{html.escape(caption)}</em></p>\n' if caption else ""
    result = HTML(head + page)
    result.scene, result.frames = scene, frames  # what made it: tests check frame k against frames[k]
    return result


def _values(values, default) -> list:
    values = list(default if values is None else values)
    if not values:
        raise ValueError("values is empty: give the values the slider should scrub through")
    return values


def lr_limit_animation(ratios=None, *, dim: int = 2, steps: int | None = None, figsize=(8.4, 3.2),
                       dpi: float = DPI):
    """Chapter 1, kernel-free: gradient descent as α goes from 0.1 × 2/L to 1.1 × 2/L (the slider)."""
    ratios = _values(ratios, np.round(np.linspace(0.1, 1.1, 21), 3))
    scene = LRLimitScene(dim=dim, steps=steps, figsize=figsize, dpi=dpi)
    return animate(scene, [dict(ratio=r) for r in ratios], name="lrlimit",
                   caption=f"The slider sets the learning rate α from {ratios[0]:g} × 2/L to {ratios[-1]:g} × 2/L "
                           f"({len(ratios)} values); each picture's title gives its value.",
                   alt="Gradient descent on a quadratic: its path and its loss for one learning rate.")


def momentum_animation(betas=None, *, lr: float | None = None, steps: int | None = None, figsize=(9.0, 3.1),
                       dpi: float = DPI):
    """Chapter 2, kernel-free: the weights, path and loss of momentum as β goes from 0 to 0.95.

    ``lr`` defaults to the α of :data:`descent.explorers.MOMENTUM`.
    """
    betas = _values(betas, np.round(np.linspace(0.0, 0.95, 20), 3))
    lr = MOMENTUM.control("lr").default if lr is None else lr
    scene = MomentumScene(steps=steps, figsize=figsize, dpi=dpi)
    return animate(scene, [dict(beta=b, lr=lr) for b in betas], name="momentum",
                   caption=f"The slider sets momentum's β from {betas[0]:g} to {betas[-1]:g} ({len(betas)} values) "
                           f"at α = {lr:g}; each picture's title gives its value.",
                   alt="Momentum's weights on past gradients, its path on a valley beside gradient descent, "
                       "and the losses.")


def rmsprop_animation(parameter: str = "eps", values=None, *, figsize=(9.0, 3.3), dpi: float = DPI, **settings):
    """Chapter 3, kernel-free: RMSProp on an aligned and a turned valley as ε (or the angle) changes.

    ``parameter="eps"``: ε from 1e-8 to 100 on a log scale;
    ``parameter="angle"``: the angle of the turned valley from 0° to 90°.
    The other controls of :data:`descent.explorers.RMSPROP` (``eps``,
    ``eps_inside_sqrt``, ``angle``, ``lr``) are their defaults or ``settings``.
    """
    if parameter == "eps":
        values = _values(values, 10.0 ** np.arange(-8, 2.5, 0.5))
        what = f"ε from {values[0]:.0e} to {values[-1]:.0e}"
    elif parameter == "angle":
        values = _values(values, np.arange(0.0, 91.0, 5.0))
        what = f"the angle of the right-hand valley from {values[0]:g}° to {values[-1]:g}°"
    else:
        raise ValueError(f"parameter must be 'eps' or 'angle', got {parameter!r}")
    fixed = RMSPROP.settings(**settings)
    frames = [RMSPROP.settings(**{**fixed, parameter: float(v)}) for v in values]
    scene = RMSPropScene(figsize=figsize, dpi=dpi)
    return animate(scene, frames, name=f"rmsprop{parameter}",
                   caption=f"The slider sets {what} ({len(values)} values); each picture's title gives its value.",
                   alt="RMSProp and gradient descent on a valley along the axes and on a turned valley, "
                       "and their losses.")


def adam_bias_animation(beta2s=None, *, figsize=(8.4, 3.3), dpi: float = DPI):
    """Chapter 4, kernel-free: Adam with and without bias correction as β₂ goes from 0.9 to 0.9999."""
    beta2s = _values(beta2s, np.round(1 - 10.0 ** np.linspace(-1, -4, 16), 6))
    scene = AdamBiasScene(figsize=figsize, dpi=dpi)
    return animate(scene, [dict(beta2=float(b)) for b in beta2s], name="adambias",
                   caption=f"The slider sets β₂ from {beta2s[0]:g} to {beta2s[-1]:g} ({len(beta2s)} values, evenly "
                           "spaced in log(1 − β₂)); each picture's title gives its value.",
                   alt="Adam's paths on x² + y² with and without bias correction, and the size of its steps.")


def explore_animation(objective="Himmelblau", optimizers=("GD", "Momentum", "Adam"), *, frames: int = 25,
                      figsize=(8.4, 3.4), dpi: float = DPI, **given):
    """The general explorer, kernel-free: the optimizers' paths growing step by step (the slider).

    ``given`` (lr, lr_adaptive, beta, beta1, beta2, eps, steps, x0) on top of
    :func:`descent.explorers.explore_settings`' defaults for ``objective``.
    """
    settings = explore_settings(objective, optimizers, **given)
    steps = settings["steps"]
    shown = np.unique(np.round(np.geomspace(1, steps, frames)).astype(int))  # early steps move the most
    scene = ExploreScene(figsize=figsize, dpi=dpi, resolution=150)
    return animate(scene, [dict(settings, upto=int(n)) for n in shown], name="explore",
                   caption=f"The slider moves through the steps, from 1 to {steps} ({len(shown)} pictures); "
                           "each picture's title gives the step.",
                   alt="Optimizers' paths on the contours of an objective and their loss curves, up to one step.")
