"""The course's explorers, each declared once: objective, runs, controls, start and steps.

An explorer is a :class:`Declaration`: which objective it shows, which runs
it draws (an optimizer class of :mod:`descent` and its keyword arguments per
label), its start θ_0 and number of steps, and its :class:`Control` s (name,
label, range, step, default, format). Two things are built from these
declarations:

- the kernel explorers of :mod:`descent.widgets` (one ipywidget per control),
- the page explorers of :mod:`descent.page` (sliders in the reader's browser,
  with the update rules ported to JavaScript), which read the same
  declaration as JSON.

So a default, a range or a keyword is written here and nowhere else.

Objective and run keywords are *templates*: a plain value, ``{"$": name}``
(the value of control ``name``), or ``{"$": name, "times": k}`` (that value
times k, e.g. α = ratio × 2/L). :func:`resolve` reads them, in Python; the
page's JavaScript reads them the same way. A run with ``"when": name`` is
drawn only while the checkbox control ``name`` is on.

Values outside a control's range are refused (:meth:`Control.check`), never
clamped: an explorer runs what it was asked to run or says why it cannot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import objectives as _objectives
from .optimizers.adagrad import AdaGrad
from .optimizers.adam import Adam
from .optimizers.gradient_descent import GradientDescent
from .optimizers.momentum import Momentum
from .optimizers.rmsprop import RMSProp
from .theory import gd_lr_limit

__all__ = ["Control", "Declaration", "OBJECTIVES", "OPTIMIZERS", "DECLARATIONS", "resolve", "make_objective",
           "objective_spec", "explore_declaration", "explore_settings"]


#: The optimizer classes an explorer may name (all of them exported by ``descent`` under these names).
OPTIMIZER_CLASSES = {cls.__name__: cls for cls in (GradientDescent, Momentum, AdaGrad, RMSProp, Adam)}


@dataclass(frozen=True)
class Control:
    """One control of an explorer: a slider (``low``..``high`` by ``step``), a checkbox or a choice.

    ``scale="log"``: the slider moves log10 of the value, ``low``, ``high`` and
    ``step`` being values (``step`` a factor per notch). ``options``: the value is
    one of them (a choice). ``notches``: a slider that stops at these values
    only (any value of the range may still be set from code). ``fmt``: how
    the value is printed (a format spec).
    """

    name: str
    label: str
    default: object
    low: float | None = None
    high: float | None = None
    step: float | None = None
    fmt: str = ".2f"
    scale: str = "linear"
    options: tuple = ()
    integer: bool = False
    notches: tuple = ()

    @property
    def kind(self) -> str:
        if self.options:
            return "choice"
        if isinstance(self.default, bool):
            return "bool"
        return "int" if self.integer else "float"

    def check(self, value):
        """``value`` if this control can take it; ValueError naming the control and its range otherwise."""
        kind = self.kind
        if kind == "choice":
            if value not in self.options:
                shown = ", ".join(map(repr, self.options))
                raise ValueError(f"{self.name} must be one of {shown}; got {value!r}")
            return value
        if kind == "bool":
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{self.name} must be True or False, got {value!r}")
            return bool(value)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{self.name} must be a number, got {type(value).__name__} {value!r}")
        if kind == "int" and float(value) != int(value):
            raise ValueError(f"{self.name} must be a whole number, got {value!r}")
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise ValueError(f"{self.name} must be between {self.low:{self.fmt}} and {self.high:{self.fmt}} "
                             f"(the range of its slider), got {value!r}")
        return int(value) if kind == "int" else float(value)

    def as_json(self) -> dict:
        return {"name": self.name, "label": self.label, "default": self.default, "low": self.low,
                "high": self.high, "step": self.step, "fmt": self.fmt, "scale": self.scale,
                "options": list(self.options), "kind": self.kind, "notches": list(self.notches)}


@dataclass(frozen=True)
class Declaration:
    """An explorer: its objective, runs, start, steps and controls (see the module docstring)."""

    name: str
    title: str
    objective: dict          # {"name": class in descent, "kwargs": template}, or {"choice": control name}
    # label → {"optimizer": class name, "kwargs": template, "colour", "faint", "when", "strong_when"};
    # "strong_when": {control: value} draws the run faint unless the control has that value.
    runs: dict
    x0: tuple
    steps: int
    controls: tuple = ()
    window: tuple | None = None  # default: the objective's own

    def control(self, name: str) -> Control:
        for control in self.controls:
            if control.name == name:
                return control
        raise KeyError(f"{self.name} has no control {name!r}; it has {', '.join(c.name for c in self.controls)}")

    def defaults(self) -> dict:
        return {control.name: control.default for control in self.controls}

    def settings(self, **given) -> dict:
        """The defaults with ``given`` on top, each value checked against its control."""
        unknown = set(given) - {c.name for c in self.controls}
        if unknown:
            names = ", ".join(c.name for c in self.controls)
            raise TypeError(f"{self.name} has no control {', '.join(sorted(unknown))}; its controls are {names}")
        values = {**self.defaults(), **given}
        return {c.name: c.check(values[c.name]) for c in self.controls}

    def make_objective(self, settings: dict):
        return make_objective(self.objective_for(settings))

    def objective_for(self, settings: dict) -> dict:
        """{"name", "kwargs"} of the objective for these settings (kwargs resolved)."""
        if "choice" in self.objective:
            return OBJECTIVES[settings[self.objective["choice"]]].spec
        return {"name": self.objective["name"], "kwargs": resolve(self.objective.get("kwargs", {}), settings)}

    def optimizers(self, settings: dict) -> dict:
        """label → optimizer instance, for the runs these settings draw."""
        return {label: OPTIMIZER_CLASSES[spec["optimizer"]](**resolve(spec.get("kwargs", {}), settings))
                for label, spec in self.runs.items() if settings.get(spec.get("when"), True)}

    def faint(self, label: str, settings: dict) -> bool:
        """Whether run ``label`` is drawn faint: declared so, or its ``strong_when`` is not met."""
        run = self.runs[label]
        strong = run.get("strong_when", {})
        return bool(run.get("faint")) or any(settings.get(k) != v for k, v in strong.items())

    def as_json(self) -> dict:
        return {"name": self.name, "title": self.title, "objective": self.objective, "runs": self.runs,
                "x0": list(self.x0), "steps": self.steps, "controls": [c.as_json() for c in self.controls]}


def resolve(template, settings: dict):
    """A template with every ``{"$": name[, "times": k]}`` replaced by the setting (times k)."""
    if isinstance(template, dict):
        if "$" in template:
            value = settings[template["$"]]
            return value * template["times"] if "times" in template else value
        return {key: resolve(value, settings) for key, value in template.items()}
    if isinstance(template, (list, tuple)):
        return [resolve(value, settings) for value in template]
    return template


def make_objective(spec: dict):
    """``getattr(descent, spec["name"])(**spec["kwargs"])``: the objective a spec names."""
    return getattr(_objectives, spec["name"])(**spec.get("kwargs", {}))


def objective_spec(f) -> dict:
    """{"name", "kwargs"} that rebuild ``f`` with :func:`make_objective` (objectives of descent only)."""
    name = type(f).__name__
    kwargs = {
        "Quadratic": lambda: {"eigenvalues": f.eigenvalues.tolist(), "angle": f.angle},
        "Rosenbrock": lambda: {"a": f.a, "b": f.b},
        "LinearRegressionMSE": lambda: {"x": f.x.tolist(), "y": f.y.tolist()},
        "Saddle": dict, "Himmelblau": dict, "Beale": dict,
    }.get(name)
    if kwargs is None or type(f) is not getattr(_objectives, name, None):
        raise TypeError(f"objective_spec knows the objectives of descent.objectives; got {name}")
    return {"name": name, "kwargs": kwargs()}


# -- the general explorer: objectives and optimizers to pick --------------------------------------


@dataclass(frozen=True)
class Setup:
    """An objective of the general explorer, with a start point and learning rates that suit it."""

    make: object         # () -> Objective
    x0: tuple
    lr: float            # α of gradient descent and momentum
    lr_adaptive: float   # α of AdaGrad, RMSProp and Adam
    spec: dict = field(default=None, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "spec", objective_spec(self.make()))


OBJECTIVES = {
    "Quadratic (κ = 10, turned 30°)": Setup(lambda: _objectives.Quadratic.with_condition_number(10.0, angle=math.pi / 6),
                                           (-1.6, 1.2), 0.1, 0.05),
    "Rosenbrock": Setup(_objectives.Rosenbrock, (-1.5, 2.0), 0.001, 0.1),
    "Saddle": Setup(_objectives.Saddle, (-1.8, 0.01), 0.05, 0.05),
    "Himmelblau": Setup(_objectives.Himmelblau, (0.0, -4.5), 0.01, 0.1),
    "Beale": Setup(_objectives.Beale, (1.0, -1.0), 0.01, 0.05),
    "Linear regression (MSE)": Setup(_objectives.LinearRegressionMSE.noisy_line, (-0.5, 1.5), 0.1, 0.05),
}
#: What the general explorer uses for an objective that is not in OBJECTIVES.
OTHER_OBJECTIVE = dict(lr=0.01, lr_adaptive=0.01, x0=(0.0, 0.0))

#: name → (class, keyword template). The two learning rates differ in kind:
#: gradient descent and momentum step by α·g, so their α is in units of θ per
#: unit of gradient; the adaptive methods step by about α per coordinate, so
#: theirs is a length in θ. ``lr`` is the first, ``lr_adaptive`` the second.
#: β is Momentum's and RMSProp's; Momentum is the course's average form,
#: v = βv + (1 − β)g.
OPTIMIZERS = {
    "GD": ("GradientDescent", {"lr": {"$": "lr"}}),
    "Momentum": ("Momentum", {"lr": {"$": "lr"}, "beta": {"$": "beta"}}),
    "AdaGrad": ("AdaGrad", {"lr": {"$": "lr_adaptive"}, "eps": {"$": "eps"}}),
    "RMSProp": ("RMSProp", {"lr": {"$": "lr_adaptive"}, "beta": {"$": "beta"}, "eps": {"$": "eps"}}),
    "Adam": ("Adam", {"lr": {"$": "lr_adaptive"}, "beta1": {"$": "beta1"}, "beta2": {"$": "beta2"},
                      "eps": {"$": "eps"}}),
}


def explore_declaration(objective="Quadratic (κ = 10, turned 30°)", optimizers=("GD", "Momentum", "Adam"), *,
                        steps: int = 200) -> Declaration:
    """The general explorer: any objective of :data:`OBJECTIVES`, the optimizers of :data:`OPTIMIZERS`.

    Its learning rates and start default to what :data:`OBJECTIVES` gives
    ``objective``; picking another objective resets them to that one's.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(map(repr, OBJECTIVES))}; got {objective!r}")
    unknown = [name for name in optimizers if name not in OPTIMIZERS]
    if unknown or not optimizers:
        raise ValueError(f"optimizers must be one or more of {', '.join(OPTIMIZERS)}; got {tuple(optimizers)!r}")
    setup = OBJECTIVES[objective]
    controls = (
        Control("objective", "objective", objective, options=tuple(OBJECTIVES)),
        *(Control(name, name, name in optimizers) for name in OPTIMIZERS),
        Control("lr", "α (GD, Momentum)", setup.lr, 1e-5, 1.0, 10 ** 0.05, ".3g", "log"),
        Control("lr_adaptive", "α (AdaGrad, RMSProp, Adam)", setup.lr_adaptive, 1e-5, 1.0, 10 ** 0.05, ".3g",
                "log"),
        Control("eps", "ε", 1e-8, 1e-12, 1.0, 10 ** 0.25, ".0e", "log"),
        Control("beta", "β (momentum, RMSProp)", 0.9, 0.0, 0.99, 0.01),
        Control("beta1", "β₁ (Adam)", 0.9, 0.0, 0.99, 0.01),
        Control("beta2", "β₂ (Adam)", 0.999, 0.9, 0.9999, 0.0001, ".4f"),
        Control("steps", "steps", steps, 10, 2000, 10, "d", integer=True),
    )
    runs = {name: {"optimizer": cls, "kwargs": kwargs, "colour": f"C{i}", "when": name}
            for i, (name, (cls, kwargs)) in enumerate(OPTIMIZERS.items())}
    return Declaration("explore", "Every optimizer on every objective", {"choice": "objective"}, runs,
                       setup.x0, steps, controls)


def explore_settings(objective, optimizers, **given) -> dict:
    """The general explorer's settings: ``given`` on top of the declared defaults for ``objective``.

    ``lr``, ``lr_adaptive`` and ``x0`` default to what :data:`OBJECTIVES`
    gives the objective (:data:`OTHER_OBJECTIVE` for any other objective);
    the kernel explorer and the page explorer both start from here.
    """
    named = isinstance(objective, str)
    setup = OBJECTIVES.get(objective) if named else None
    declared = explore_declaration(objective if setup else next(iter(OBJECTIVES)), optimizers)
    base = {k: v for k, v in declared.defaults().items() if k not in declared.runs and k != "objective"}
    base.update(dict(lr=setup.lr, lr_adaptive=setup.lr_adaptive, x0=setup.x0) if setup else OTHER_OBJECTIVE)
    given = {k: v for k, v in given.items() if v is not None}
    settings = {**base, **given}
    x0, y0 = settings.pop("x0")
    return dict(settings, objective=objective, optimizers=tuple(optimizers), x0=x0, y0=y0)


# -- one explorer per chapter -----------------------------------------------------------------------

_LR_LIMIT_EIGENVALUES = (1.0, 10.0)

LR_LIMIT = Declaration(
    "lr_limit", "The learning-rate limit: α below and above 2/L",
    {"name": "Quadratic", "kwargs": {"eigenvalues": list(_LR_LIMIT_EIGENVALUES), "angle": 0.0}},
    {"gradient descent": {"optimizer": "GradientDescent", "colour": "C0",
                          "kwargs": {"lr": {"$": "ratio", "times": gd_lr_limit(max(_LR_LIMIT_EIGENVALUES))}}}},
    (-1.6, 1.5), 40,
    (Control("ratio", "α / (2/L)", 0.9, 0.05, 1.25, 0.01),),
)

MOMENTUM = Declaration(
    "momentum", "Momentum: how far back it remembers",
    {"name": "Quadratic", "kwargs": {"eigenvalues": [1.0, 10.0], "angle": 0.4}},
    {"gradient descent": {"optimizer": "GradientDescent", "kwargs": {"lr": {"$": "lr"}}, "colour": "0.5",
                          "faint": True},
     "momentum": {"optimizer": "Momentum", "kwargs": {"lr": {"$": "lr"}, "beta": {"$": "beta"}}, "colour": "C1"}},
    (-1.7, 1.2), 60,
    (Control("beta", "β", 0.5, 0.0, 0.99, 0.01), Control("lr", "α (lr)", 0.19, 0.01, 0.5, 0.01)),
)

#: RMSProp's β in chapter 3's explorer (fixed: the lesson is ε and the angle).
RMSPROP_BETA = 0.9
RMSPROP = Declaration(
    "rmsprop", "RMSProp: one step size per coordinate, and ε",
    {"name": "Quadratic", "kwargs": {"eigenvalues": [1.0, 25.0], "angle": {"$": "angle", "times": math.pi / 180}}},
    {"gradient descent": {"optimizer": "GradientDescent", "kwargs": {"lr": {"$": "lr"}}, "colour": "0.5",
                          "faint": True},
     "RMSProp": {"optimizer": "RMSProp", "colour": "C2",
                 "kwargs": {"lr": {"$": "lr"}, "beta": RMSPROP_BETA, "eps": {"$": "eps"},
                            "eps_inside_sqrt": {"$": "eps_inside_sqrt"}}}},
    (-1.5, 1.0), 150,
    (Control("eps", "ε", 1e-8, 1e-8, 100.0, 10 ** 0.25, ".0e", "log"),
     Control("eps_inside_sqrt", "ε inside the root: √(v + ε)", False),
     Control("angle", "angle of the valley (°)", 45.0, 0.0, 90.0, 5.0, ".0f"),
     Control("lr", "α (lr)", 0.05, 0.005, 0.2, 0.005, ".3f")),
)

#: The β₂ values of chapter 4's explorer (a selection: β₂ matters on the scale of 1 − β₂).
ADAM_BIAS_BETA2S = (0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999)
ADAM_BIAS_LR, ADAM_BIAS_BETA1 = 0.02, 0.9
ADAM_BIAS = Declaration(
    "adam_bias", "Adam's bias correction",
    {"name": "Quadratic", "kwargs": {"eigenvalues": [2.0, 2.0], "angle": 0.0}},  # ½ θᵀ(2I)θ = x² + y²
    {label: {"optimizer": "Adam", "colour": colour, "strong_when": {"bias_correction": flag},
             "kwargs": {"lr": ADAM_BIAS_LR, "beta1": ADAM_BIAS_BETA1, "beta2": {"$": "beta2"},
                        "bias_correction": flag}}
     for label, flag, colour in (("with bias correction", True, "C0"), ("without bias correction", False, "C3"))},
    (3.0, 4.0), 400,
    (Control("beta2", "β₂", 0.999, 0.9, 0.9999, 0.0001, ".4g", notches=ADAM_BIAS_BETA2S),
     Control("bias_correction", "bias correction (drawn strong)", True)),
    window=((-1.5, 4.5), (-1.5, 4.5)),
)

DECLARATIONS = {d.name: d for d in (LR_LIMIT, MOMENTUM, RMSPROP, ADAM_BIAS, explore_declaration())}
