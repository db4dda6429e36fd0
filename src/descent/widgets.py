"""Live explorers for a running kernel (ipywidgets 8): one call each.

==========================  ======================================================================
``explore()``               any objective, one or several optimizers; α, β, β₁, β₂, ε, steps, θ_0
``lr_limit_explorer()``     ch. 1: gradient descent on a quadratic, α as a multiple of 2/L
``momentum_explorer()``     ch. 2: β, the averaging window and momentum's path
``rmsprop_explorer()``      ch. 3: RMSProp's ε (inside or outside √) on an aligned and a turned valley
``adam_bias_explorer()``    ch. 4: Adam's bias correction on/off and β₂
``kernel_note()``           the line to show above a live explorer on the static site
==========================  ======================================================================

Each returns an :class:`Explorer`, a widget (a VBox: controls, picture,
status line) around a scene of :mod:`descent.animations`. Moving a control
runs :func:`descent.minimize` for the new settings, moves the scene's lines
to the new run (``set_data``; the figure is not rebuilt), draws the figure
and swaps the picture. Invalid settings (say a learning rate typed as -0.1)
do not raise: the status line says what is wrong, in red, and the picture
keeps the last valid settings.

How the picture is shown: the figure is drawn by matplotlib's Agg backend
and its pixels are sent as PNG bytes to an ``ipywidgets.Image``. This works
wherever ipywidgets does (JupyterLab, Notebook 7, VS Code, Colab, Binder)
without ipympl or any other extension, swaps the picture in place with no
flicker (clearing and refilling an ``Output`` widget blinks and scrolls),
and leaves the kernel's pyplot backend and figure list untouched.
Drawing plus encoding takes well under 100 ms for a 500-step run
(tests/test_explorer_benchmarks.py).

On the static site nothing runs, so put :func:`kernel_note` above each live
explorer and the kernel-free animation from :mod:`descent.animations` next to it.
"""

from __future__ import annotations

import html
from contextlib import contextmanager

try:
    import ipywidgets as widgets
except ImportError as error:  # pragma: no cover - ipywidgets is in requirements.txt
    raise ImportError("descent.widgets needs ipywidgets 8: pip install 'ipywidgets>=8'") from error

from .animations import (
    OBJECTIVES,
    png_bytes,
    OPTIMIZERS,
    AdamBiasScene,
    ExploreScene,
    LRLimitScene,
    MomentumScene,
    RMSPropScene,
)

__all__ = ["Explorer", "explore", "lr_limit_explorer", "momentum_explorer", "rmsprop_explorer",
           "adam_bias_explorer", "kernel_note", "png_bytes"]

KERNEL_NOTE = ("**Live explorer.** The live version of this explorer needs a running kernel: open this page "
               "in Binder or Colab with the rocket button at the top{extra}.")


def kernel_note(extra: str = "") -> "IPython.display.Markdown":  # noqa: F821
    """The one-line note to show above a live explorer, so the static page shows no blank box.

    ``extra`` is appended to the sentence, e.g. ``"; below, an animation shows the same picture"``.
    """
    from IPython.display import Markdown

    return Markdown(KERNEL_NOTE.format(extra=extra))


class Explorer(widgets.VBox):
    """Controls, the scene's picture and a status line; moving a control redraws the picture.

    Attributes: ``controls`` (name → widget; set ``controls[name].value`` to
    move one from code), ``scene`` (its ``fig`` holds the plotted data),
    ``runs`` ({label: Run} now shown), ``image``, ``status``, and ``error``
    (the message of the last invalid settings, or None).
    """

    def __init__(self, scene, controls: dict, *, title: str = "", settings=None, rows=None):
        self.scene, self.controls, self.title = scene, controls, title
        self.runs, self.error, self._shown = {}, None, None
        self._settings = settings or (lambda: {name: w.value for name, w in controls.items()})
        self._holding = 0
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.status = widgets.HTML()
        wrap = widgets.Layout(flex_flow="row wrap", align_items="center")
        rows = rows if rows is not None else [list(controls.values())]
        boxes = [widgets.HBox(row, layout=wrap) for row in rows]
        header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        super().__init__(header + boxes + [self.image, self.status])
        for control in controls.values():
            control.observe(self._changed, names="value")
        self.refresh()

    def __repr__(self) -> str:
        return f"Explorer({self.title!r}; live: needs a running kernel)"

    def _changed(self, change) -> None:
        self.refresh()

    @contextmanager
    def hold(self):
        """Change several controls and redraw once, at the end."""
        self._holding += 1
        try:
            yield self
        finally:
            self._holding -= 1
            self.refresh()

    def refresh(self) -> None:
        """Run the scene for the controls' values and show the result, or say what is invalid."""
        if self._holding:
            return
        settings = self._settings()
        if settings == self._shown and self.error is None:
            return  # e.g. a second observer of the same change
        try:
            runs = self.scene.show(**settings)
        except (ValueError, TypeError) as error:
            self.error = str(error)
            self.status.value = (f'<span style="color:#b00020">⚠ {html.escape(self.error)}. '
                                 "The picture still shows the last valid settings.</span>")
            return
        self.runs, self.error, self._shown = runs, None, settings
        self.scene.draw()
        self.image.value = png_bytes(self.scene.fig)
        self.status.value = f'<span style="font-size:90%">{html.escape(self.scene.describe(runs))}</span>'


def _slider(kind, description, value, low, high, step, fmt=None, **extra):
    style = {"description_width": "initial"}
    kwargs = dict(value=value, min=low, max=high, step=step, description=description, style=style,
                  continuous_update=True, **extra)
    if fmt is not None:
        kwargs["readout_format"] = fmt
    return kind(**kwargs)


def _number(description, value, width="160px"):
    return widgets.FloatText(value=value, description=description, style={"description_width": "initial"},
                             layout=widgets.Layout(width=width))


# -- the general explorer -------------------------------------------------------------------------


def explore(objective="Quadratic (κ = 10, turned 30°)", optimizers=("GD", "Momentum", "Adam"), *, lr=None,
            lr_adaptive=None, beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
            steps: int = 200, x0=None, dpi: float = 90) -> Explorer:
    """Pick an objective and optimizers, set α, β, β₁, β₂, ε, the steps and θ_0; see the paths and losses.

    ``objective`` is a name of :data:`descent.animations.OBJECTIVES` or any 2-D
    objective. There are two learning rates: ``lr`` for GD and Momentum
    (a step α·g) and ``lr_adaptive`` for AdaGrad, RMSProp and Adam (a step of
    about α per coordinate), since no single α suits both kinds; they and θ_0
    default to values that suit the objective, and are reset when another
    objective is picked. β is used by Momentum and RMSProp, β₁ and β₂ by Adam,
    ε by AdaGrad, RMSProp and Adam. Learning rates and ε are typed, since
    sensible values span several decades.
    """
    choices = [(name, name) for name in OBJECTIVES]
    if not isinstance(objective, str):
        choices.append((getattr(objective, "name", type(objective).__name__), objective))
    elif objective not in OBJECTIVES:
        names = ", ".join(map(repr, OBJECTIVES))
        raise ValueError(f"objective must be one of {names} or a 2-D objective; got {objective!r}")
    setup = OBJECTIVES.get(objective) if isinstance(objective, str) else None
    start = x0 if x0 is not None else (setup.x0 if setup else (0.0, 0.0))
    picks = {name: widgets.Checkbox(value=name in optimizers, description=name, indent=False,
                                    layout=widgets.Layout(width="auto", margin="0 12px 0 0"))
             for name in OPTIMIZERS}
    controls = dict(
        objective=widgets.Dropdown(options=choices, value=objective, description="objective"),
        **picks,
        lr=_number("α (GD, Momentum)", lr if lr is not None else (setup.lr if setup else 0.01), "200px"),
        lr_adaptive=_number("α (AdaGrad, RMSProp, Adam)", lr_adaptive if lr_adaptive is not None
                            else (setup.lr_adaptive if setup else 0.01), "260px"),
        eps=_number("ε", eps),
        beta=_slider(widgets.FloatSlider, "β (momentum, RMSProp)", beta, 0.0, 0.99, 0.01),
        beta1=_slider(widgets.FloatSlider, "β₁ (Adam)", beta1, 0.0, 0.99, 0.01),
        beta2=_slider(widgets.FloatSlider, "β₂ (Adam)", beta2, 0.9, 0.9999, 0.0001, ".4f"),
        steps=_slider(widgets.IntSlider, "steps", steps, 10, 2000, 10),
        x0=_number("θ₀ x", float(start[0]), "130px"),
        y0=_number("θ₀ y", float(start[1]), "130px"),
    )

    def settings():
        values = {name: w.value for name, w in controls.items() if name not in picks}
        values["optimizers"] = tuple(name for name, box in picks.items() if box.value)
        return values

    c, made = controls, []

    def new_objective(change):  # observes before the explorer does: one redraw, with the new defaults
        chosen = OBJECTIVES.get(change["new"]) if isinstance(change["new"], str) else None
        if chosen is not None and made:
            with made[0].hold():
                c["lr"].value, c["lr_adaptive"].value = chosen.lr, chosen.lr_adaptive
                c["x0"].value, c["y0"].value = chosen.x0

    c["objective"].observe(new_objective, names="value")
    made.append(Explorer(ExploreScene(dpi=dpi), controls, settings=settings,
                         rows=[[c["objective"], *picks.values()],
                               [c["lr"], c["lr_adaptive"], c["eps"], c["x0"], c["y0"]],
                               [c["beta"], c["beta1"], c["beta2"], c["steps"]]]))
    return made[0]


# -- one explorer per chapter -------------------------------------------------------------------------


def lr_limit_explorer(*, dim: int = 2, ratio: float = 0.9, steps: int = 40, dpi: float = 90) -> Explorer:
    """Chapter 1: gradient descent on a quadratic with α = ratio × 2/L (the slider, up to 1.25)."""
    scene = LRLimitScene(dim=dim, steps=steps, dpi=dpi)
    controls = dict(ratio=_slider(widgets.FloatSlider, "α  /  (2/L)", ratio, 0.05, 1.25, 0.01))
    return Explorer(scene, controls, title="The learning-rate limit: α below and above 2/L")


def momentum_explorer(*, beta: float = 0.5, lr: float = 0.19, steps: int = 60, dpi: float = 90) -> Explorer:
    """Chapter 2: momentum's β (its window 1/(1 − β)) and α, beside gradient descent with the same α."""
    scene = MomentumScene(steps=steps, dpi=dpi)
    controls = dict(beta=_slider(widgets.FloatSlider, "β", beta, 0.0, 0.99, 0.01),
                    lr=_slider(widgets.FloatSlider, "α (lr)", lr, 0.01, 0.5, 0.01))
    return Explorer(scene, controls, title="Momentum: how far back it remembers")


def rmsprop_explorer(*, eps: float = 1e-8, eps_inside_sqrt: bool = False, angle: float = 45.0, lr: float = 0.05,
                     dpi: float = 90) -> Explorer:
    """Chapter 3: RMSProp's ε (log slider), ε inside or outside the root, and the valley's angle."""
    scene = RMSPropScene(dpi=dpi)
    controls = dict(
        eps=widgets.FloatLogSlider(value=eps, base=10, min=-8, max=2, step=0.25, description="ε",
                                   readout_format=".0e", style={"description_width": "initial"}),
        eps_inside_sqrt=widgets.Checkbox(value=eps_inside_sqrt, description="ε inside the root: √(v + ε)",
                                         indent=False, layout=widgets.Layout(width="auto")),
        angle=_slider(widgets.FloatSlider, "angle of the right valley (°)", angle, 0.0, 90.0, 5.0, ".0f"),
        lr=_slider(widgets.FloatSlider, "α (lr)", lr, 0.005, 0.2, 0.005, ".3f"),
    )
    return Explorer(scene, controls, title="RMSProp: one step size per coordinate, and ε")


def adam_bias_explorer(*, beta2: float = 0.999, bias_correction: bool = True, dpi: float = 90) -> Explorer:
    """Chapter 4: Adam on x² + y² from (3, 4), α = 0.02; β₂ and the bias correction on or off.

    The run with the checkbox's setting is drawn strong, the other faint.
    """
    options = [0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999]
    if beta2 not in options:
        options = sorted(options + [beta2])
    scene = AdamBiasScene(dpi=dpi)
    controls = dict(
        beta2=widgets.SelectionSlider(options=options, value=beta2, description="β₂",
                                      style={"description_width": "initial"}),
        bias_correction=widgets.Checkbox(value=bias_correction, description="bias correction", indent=False),
    )
    return Explorer(scene, controls, title="Adam's bias correction")
