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
status line) around a scene of :mod:`descent.scenes`, with one control per
:class:`~descent.explorers.Control` of the explorer's declaration
(:mod:`descent.explorers`: ranges, steps and defaults are written there once).
Arguments outside a control's range are refused with a ValueError that names
the range; they are not clamped to it. Moving a control
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

On the static site nothing runs in a kernel: the chapters show the page
explorers of :mod:`descent.page` there (tagged ``site-only``) and these
widgets to learners (tagged ``learner-only``).
"""

from __future__ import annotations

import html
import math
from contextlib import contextmanager

try:
    import ipywidgets as widgets
except ImportError as error:  # pragma: no cover - ipywidgets is in requirements.txt
    raise ImportError("descent.widgets needs ipywidgets 8: pip install 'ipywidgets>=8'") from error

from .explorers import ADAM_BIAS, LR_LIMIT, MOMENTUM, OBJECTIVES, RMSPROP, explore_declaration, explore_settings
from .plots import png_bytes
from .scenes import AdamBiasScene, ExploreScene, LRLimitScene, MomentumScene, RMSPropScene

__all__ = ["Explorer", "explore", "lr_limit_explorer", "momentum_explorer", "rmsprop_explorer",
           "adam_bias_explorer", "kernel_note", "control_widget"]

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


def control_widget(control, value=None, *, typed: bool = False):
    """The ipywidget for a :class:`~descent.explorers.Control`, at ``value`` (default: the control's default).

    A slider over the control's range (log sliders for log-scale controls,
    a selection slider for one with notches), a checkbox or a dropdown;
    ``typed``: a number box instead of a slider, for values that span decades.
    """
    value = control.default if value is None else value
    style = {"description_width": "initial"}
    common = dict(value=value, description=control.label, style=style)
    if control.kind == "choice":
        return widgets.Dropdown(options=[(str(o), o) for o in control.options], **common)
    if control.kind == "bool":
        return widgets.Checkbox(indent=False, layout=widgets.Layout(width="auto", margin="0 12px 0 0"), **common)
    if typed:
        return widgets.FloatText(layout=widgets.Layout(width="200px"), **common)
    if control.notches:
        options = sorted(set(control.notches) | {value})
        return widgets.SelectionSlider(options=options, **common)
    slider = dict(continuous_update=True, readout_format=control.fmt, **common)
    if control.kind == "int":
        return widgets.IntSlider(min=control.low, max=control.high, step=control.step, **slider)
    if control.scale == "log":
        return widgets.FloatLogSlider(base=10, min=math.log10(control.low), max=math.log10(control.high),
                                      step=math.log10(control.step), **slider)
    return widgets.FloatSlider(min=control.low, max=control.high, step=control.step, **slider)


def _controls(declaration, given: dict, **options) -> dict:
    """name → widget for every control of ``declaration``, at the (checked) values ``given``."""
    settings = declaration.settings(**given)  # refuses values outside a control's range
    return {c.name: control_widget(c, settings[c.name], **options.get(c.name, {})) for c in declaration.controls}


def _number(description, value, width="160px"):
    return widgets.FloatText(value=value, description=description, style={"description_width": "initial"},
                             layout=widgets.Layout(width=width))


# -- the general explorer -------------------------------------------------------------------------


def explore(objective="Quadratic (κ = 10, turned 30°)", optimizers=("GD", "Momentum", "Adam"), *, lr=None,
            lr_adaptive=None, beta=None, beta1=None, beta2=None, eps=None, steps=None, x0=None,
            dpi: float = 90) -> Explorer:
    """Pick an objective and optimizers, set α, β, β₁, β₂, ε, the steps and θ_0; see the paths and losses.

    ``objective`` is a name of :data:`descent.explorers.OBJECTIVES` or any 2-D
    objective. There are two learning rates: ``lr`` for GD and Momentum
    (a step α·g) and ``lr_adaptive`` for AdaGrad, RMSProp and Adam (a step of
    about α per coordinate), since no single α suits both kinds; they and θ_0
    default to values that suit the objective, and are reset when another
    objective is picked. β is used by Momentum and RMSProp, β₁ and β₂ by Adam,
    ε by AdaGrad, RMSProp and Adam. Learning rates and ε are typed, since
    sensible values span several decades. Every other default, and every
    range, is that of :func:`descent.explorers.explore_declaration`.
    """
    choices = [(name, name) for name in OBJECTIVES]
    if not isinstance(objective, str):
        choices.append((getattr(objective, "name", type(objective).__name__), objective))
    elif objective not in OBJECTIVES:
        names = ", ".join(map(repr, OBJECTIVES))
        raise ValueError(f"objective must be one of {names} or a 2-D objective; got {objective!r}")
    settings = explore_settings(objective, optimizers, lr=lr, lr_adaptive=lr_adaptive, beta=beta, beta1=beta1,
                                beta2=beta2, eps=eps, steps=steps, x0=x0)
    declaration = explore_declaration(objective if isinstance(objective, str) else next(iter(OBJECTIVES)),
                                      settings["optimizers"])
    named = {k: settings[k] for k in ("lr", "lr_adaptive", "beta", "beta1", "beta2", "eps", "steps")}
    built = _controls(declaration, named, lr={"typed": True}, lr_adaptive={"typed": True}, eps={"typed": True})
    built["objective"] = widgets.Dropdown(options=choices, value=objective, description="objective")
    picks = {name: built[name] for name in declaration.runs}
    controls = dict(objective=built["objective"], **picks,
                    **{k: built[k] for k in ("lr", "lr_adaptive", "eps", "beta", "beta1", "beta2", "steps")},
                    x0=_number("θ₀ x", float(settings["x0"]), "130px"),
                    y0=_number("θ₀ y", float(settings["y0"]), "130px"))

    def current():
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
    made.append(Explorer(ExploreScene(dpi=dpi), controls, settings=current,
                         rows=[[c["objective"], *picks.values()],
                               [c["lr"], c["lr_adaptive"], c["eps"], c["x0"], c["y0"]],
                               [c["beta"], c["beta1"], c["beta2"], c["steps"]]]))
    return made[0]


# -- one explorer per chapter -------------------------------------------------------------------------


def lr_limit_explorer(*, dim: int = 2, ratio: float | None = None, steps: int | None = None,
                      dpi: float = 90) -> Explorer:
    """Chapter 1: gradient descent on a quadratic with α = ratio × 2/L (the slider, up to 1.25)."""
    controls = _controls(LR_LIMIT, {} if ratio is None else {"ratio": ratio})
    return Explorer(LRLimitScene(dim=dim, steps=steps, dpi=dpi), controls, title=LR_LIMIT.title)


def momentum_explorer(*, beta: float | None = None, lr: float | None = None, steps: int | None = None,
                      dpi: float = 90) -> Explorer:
    """Chapter 2: momentum's β (its window 1/(1 − β)) and α, beside gradient descent with the same α."""
    controls = _controls(MOMENTUM, {k: v for k, v in dict(beta=beta, lr=lr).items() if v is not None})
    return Explorer(MomentumScene(steps=steps, dpi=dpi), controls, title=MOMENTUM.title)


def rmsprop_explorer(*, dpi: float = 90, **given) -> Explorer:
    """Chapter 3: RMSProp's ε (log slider), ε inside or outside the root, and the valley's angle.

    ``given``: values for the controls of :data:`descent.explorers.RMSPROP` (eps, eps_inside_sqrt, angle, lr).
    """
    controls = _controls(RMSPROP, given)  # before the scene: a bad value is refused before anything is drawn
    return Explorer(RMSPropScene(dpi=dpi), controls, title=RMSPROP.title)


def adam_bias_explorer(*, dpi: float = 90, **given) -> Explorer:
    """Chapter 4: Adam on x² + y² from (3, 4); β₂ and the bias correction on or off.

    The run with the checkbox's setting is drawn strong, the other faint.
    ``given``: values for the controls of :data:`descent.explorers.ADAM_BIAS` (beta2, bias_correction).
    """
    controls = _controls(ADAM_BIAS, given)
    return Explorer(AdamBiasScene(dpi=dpi), controls, title=ADAM_BIAS.title)
