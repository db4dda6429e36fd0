"""The explorers' pictures as scenes: figures whose artists are made once and moved.

A scene is a matplotlib figure whose artists (path lines, loss curves,
titles) are made once, with the vocabulary of :mod:`descent.plots`;
``scene.show(**settings)`` runs :func:`descent.minimize` for those settings
(the controls of the scene's :class:`~descent.explorers.Declaration`),
moves the artists to the new runs with ``set_data``/``set_text`` and
returns the runs, ``{label: Run}``; ``scene.draw()`` renders it on its Agg
canvas, redrawing only what moved (:meth:`Scene.draw`). The kernel explorers
(:mod:`descent.widgets`) drive them; the site's page explorers
(:mod:`descent.page`) draw the same runs in the reader's browser.

==========================  =======================================  ====================================
scene                       declaration (:mod:`descent.explorers`)   what it draws
==========================  =======================================  ====================================
:class:`ExploreScene`       ``explore_declaration()``                any objective, any optimizers, losses
:class:`LRLimitScene`       ``LR_LIMIT``                             GD at α = ratio × 2/L, loss, theory
:class:`MomentumScene`      ``MOMENTUM``                             β's weights, momentum beside GD
:class:`RMSPropScene`       ``RMSPROP``                              an aligned and a turned valley
:class:`AdamBiasScene`      ``ADAM_BIAS``                            Adam with/without bias correction
==========================  =======================================  ====================================
"""

from __future__ import annotations

import math

import numpy as np

from .explorers import ADAM_BIAS, LR_LIMIT, MOMENTUM, OBJECTIVES, OTHER_OBJECTIVE, RMSPROP, explore_declaration
from .objectives import Quadratic
from .optimizers.gradient_descent import GradientDescent
from .plots import MovableRun, draw_contours, log_limits, loss_axes, loss_gap, new_figure
from .run import minimize
from .theory import gd_lr_limit, gd_rate

__all__ = ["Scene", "ExploreScene", "LRLimitScene", "MomentumScene", "RMSPropScene", "AdamBiasScene", "pin_layout"]

_FACE = "white"
_GREY = "0.5"


class Scene:
    """A figure and ``show(**settings) -> {label: Run}``; see the module docstring.

    ``dynamic`` lists the artists that ``show`` changes (paths, curves,
    titles); everything else is the *background*. :meth:`draw` renders the
    background once, keeps its pixels, and on later calls pastes them back and
    draws only the dynamic artists on top (blitting), until the background
    changes: other axis limits, or a new ``version`` (bumped by a scene when
    it redraws contours or a legend). That is what keeps a live explorer's
    redraw fast. Axes in ``_autoscaled`` get y-limits fitted to the picture
    (whole decades, kept while the curves fit them: see :meth:`_set_ylim`).
    """

    fig = None
    dynamic: list = []
    version = 0
    relayout = False  # True: place the axes again at the next full draw (new tick labels, say)
    _autoscaled: list = []
    _background = _background_key = None

    def show(self, **settings) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, runs: dict) -> str:
        """One line for the live explorer's status: how each run ended."""
        parts = []
        for label, run in runs.items():
            if run.stopped:
                parts.append(f"{label}: {run.stopped}")
            else:
                parts.append(f"{label}: f − f* = {loss_gap(run)[-1]:.3g} after {run.steps_taken} steps")
        return "; ".join(parts)

    def draw(self, full: bool = False) -> None:
        """Render the figure on its Agg canvas: the kept background plus the dynamic artists.

        ``full=True`` (or any change of the background) draws everything with
        ``fig.canvas.draw()`` first. Either way the canvas then holds the
        whole picture (``fig.canvas.buffer_rgba()``). The first full draw
        places the axes (constrained layout); later ones keep those positions
        (see :func:`pin_layout`), which costs a third of the time.
        """
        canvas = self.fig.canvas
        key = (self.version, tuple((ax.get_xlim(), ax.get_ylim()) for ax in self.fig.axes))
        dynamic = sorted(self.dynamic, key=lambda artist: artist.get_zorder())
        if full or self._background is None or key != self._background_key:
            if self._background is None or self.relayout:
                self.fig.set_layout_engine("constrained")
            for artist in dynamic:
                artist.set_animated(True)  # left out of the background
            try:
                canvas.draw()
            finally:
                for artist in dynamic:
                    artist.set_animated(False)
            if self._background is None or self.relayout:
                pin_layout(self.fig)
                self.relayout = False
            self._background, self._background_key = canvas.copy_from_bbox(self.fig.bbox), key
        else:
            canvas.restore_region(self._background)
        for artist in dynamic:
            if artist.get_visible():
                self.fig.draw_artist(artist)

    def _set_ylim(self, ax, lo: float, hi: float) -> None:
        """Show at least [lo, hi]: keep the current limits while they fit.

        Keeping them while [lo, hi] fits and fills enough of them (within
        a factor 2.5 on a linear axis, 8 decades on a log axis) means that
        most changes of a slider keep the background, which is redrawn fast.
        """
        low, high = ax.get_ylim()
        if self._background is not None and low <= lo and hi <= high:
            if ax.get_yscale() == "log":
                fits = math.log10(high / low) <= math.log10(hi / lo) + 8
            else:
                fits = high - low <= 2.5 * (hi - lo)
            if fits:
                return
        ax.set_ylim(lo, hi)

    def _fit_losses(self, ax, runs) -> None:
        lo, hi = log_limits([loss_gap(run) for run in runs])
        self._set_ylim(ax, 10.0 ** math.floor(math.log10(lo)), 10.0 ** math.ceil(math.log10(hi)))


def pin_layout(fig) -> None:
    """Keep every position of the last draw: no layout engine, titles and axis labels where they are.

    Without this, every draw would measure all tick labels again to place the
    axes, their titles and their labels: most of the time of a redraw.
    """
    fig.set_layout_engine("none")
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_label_coords(*axis.label.get_position(), transform=axis.label.get_transform())
        ax.set_title(ax.get_title(), y=1.0)  # an explicit y: not moved above the ticks at each draw


# -- the general explorer ---------------------------------------------------------------------------


class ExploreScene(Scene):
    """Contours with one path per optimizer, and the loss curves; any objective, any optimizers.

    ``show(objective, optimizers, lr, lr_adaptive, beta, beta1, beta2, eps, steps, x0, y0, upto=None)``:
    ``objective`` is a name of :data:`~descent.explorers.OBJECTIVES` or a 2-D
    objective, ``optimizers`` names of :data:`~descent.explorers.OPTIMIZERS`
    (each keeps its colour, the one its declaration gives; see there for the
    two learning rates); ``upto`` shows only the first steps (the animation
    scrubs through them). The values are checked against the controls of
    :func:`~descent.explorers.explore_declaration`: outside a slider's range
    is refused, not clamped.
    """

    declaration = explore_declaration()

    def __init__(self, *, figsize=(10.0, 4.2), dpi: float = 90, resolution: int = 200):
        self.fig, (self.ax, self.ax_loss) = new_figure(2, figsize, dpi, width_ratios=(1.0, 1.25))
        self._autoscaled = [self.ax_loss]
        self.resolution = resolution
        self.objective = self._objective_key = self._legend = self._shown = None
        self.paths = {}

    def _set_objective(self, objective) -> None:
        key = objective if isinstance(objective, str) else id(objective)
        if key == self._objective_key:
            return
        if isinstance(objective, str):
            if objective not in OBJECTIVES:
                raise ValueError(f"objective must be one of {', '.join(map(repr, OBJECTIVES))}, got {objective!r}")
            objective = OBJECTIVES[objective].make()
        if getattr(objective, "dim", None) != 2:
            raise ValueError(f"the explorer draws 2-D objectives; got {objective!r}")
        # New axes, not ax.cla(): the title and label positions that pin_layout fixed survive cla()
        # and would squeeze the new contour panel into a sliver at the next constrained layout.
        self.fig.clear()
        self._legend = None
        self.ax, self.ax_loss = self.fig.subplots(1, 2, width_ratios=(1.0, 1.25))
        for ax in (self.ax, self.ax_loss):
            ax.set_facecolor(_FACE)
        contours = draw_contours(self.ax, objective, resolution=self.resolution)
        self.ax.set_title(objective.name)
        self.paths = {name: MovableRun(self.ax, self.ax_loss, run["colour"], name)
                      for name, run in self.declaration.runs.items()}
        loss_axes(self.ax_loss, 1, getattr(objective, "minimum", None) is not None, title="loss (log scale)")
        self.dynamic = [a for p in self.paths.values() for a in p.artists] + contours.markers + [self.ax.title]
        self.objective, self._objective_key, self._shown = objective, key, None
        self.version += 1
        self.relayout = True

    def show(self, *, objective, optimizers, lr, lr_adaptive, beta, beta1, beta2, eps, steps, x0=None, y0=None,
             upto=None) -> dict:
        unknown = [name for name in optimizers if name not in self.declaration.runs]
        if unknown or not optimizers:
            raise ValueError(f"optimizers must be one or more of {', '.join(self.declaration.runs)}; "
                             f"got {tuple(optimizers)!r}")
        settings = self.declaration.settings(lr=lr, lr_adaptive=lr_adaptive, beta=beta, beta1=beta1, beta2=beta2,
                                             eps=eps, steps=steps, **{name: name in optimizers
                                                                      for name in self.declaration.runs})
        built = self.declaration.optimizers(settings)
        self._set_objective(objective)
        if x0 is None or y0 is None:
            x0, y0 = OBJECTIVES[objective].x0 if isinstance(objective, str) else OTHER_OBJECTIVE["x0"]
        runs = {name: minimize(self.objective, (x0, y0), opt, steps) for name, opt in built.items()}
        for name, artists in self.paths.items():
            artists.set_visible(name in runs)
            if name in runs:
                artists.set_run(runs[name], upto=upto)
        self.ax_loss.set_xlim(0, steps)
        self._fit_losses(self.ax_loss, runs.values())
        if self._shown != tuple(runs):  # the legend changes only with the set of optimizers
            if self._legend is not None:
                self._legend.remove()
            handles = [self.paths[name].path for name in runs]
            self._legend = self.fig.legend(handles=handles, loc="outside upper center", ncols=len(handles),
                                           frameon=False)
            self._shown = tuple(runs)
            self.version += 1
        step = f": step {min(upto, steps)} of {steps}" if upto is not None else ""
        self.ax.set_title(f"{self.objective.name}{step}")
        return runs


# -- chapter 1: the learning-rate limit -----------------------------------------------------------


class LRLimitScene(Scene):
    """Gradient descent on a quadratic with α = ratio · 2/L: converges below ratio 1, diverges above.

    2-D (``dim=2``): the quadratic of :data:`~descent.explorers.LR_LIMIT`, path
    on the contours. 1-D: f = ½Lθ² (L = 2 unless ``eigenvalues`` say
    otherwise), the iterates on the parabola. Right: the loss and the rate
    theory predicts, f(θ_0)·ρ^{2t} with ρ = max |1 − αλ|. ``show(ratio)``.
    """

    declaration = LR_LIMIT

    def __init__(self, *, dim: int = 2, eigenvalues=None, x0=None, steps: int | None = None, figsize=(9.0, 3.6),
                 dpi: float = 90):
        if dim not in (1, 2):
            raise ValueError(f"dim must be 1 or 2, got {dim!r}")
        declared = self.declaration.make_objective(self.declaration.defaults())
        eigenvalues = eigenvalues if eigenvalues is not None else (declared.eigenvalues if dim == 2 else (2.0,))
        self.f = Quadratic(eigenvalues)
        if self.f.dim != dim:
            raise ValueError(f"give {dim} eigenvalue(s) for dim={dim}, got {eigenvalues!r}")
        self.x0 = np.asarray(x0 if x0 is not None else (self.declaration.x0 if dim == 2 else (1.5,)), dtype=float)
        self.steps, self.dim = steps if steps is not None else self.declaration.steps, dim
        self.fig, (self.ax, self.ax_loss) = new_figure(2, figsize, dpi)
        self._autoscaled = [self.ax_loss]
        if dim == 2:
            markers = draw_contours(self.ax, self.f, resolution=150).markers
        else:
            grid = np.linspace(-2.0, 2.0, 200)
            top = self.f(np.array([2.0]))
            self.ax.plot(grid, self.f(grid[None, :]), color=_GREY, lw=1.2)
            markers = self.ax.plot([0.0], [0.0], "*", ms=15, color="gold", mec="black", mew=0.8, label="minimum")
            self.ax.set(xlim=(-2.0, 2.0), ylim=(-0.08 * top, 1.05 * top), xlabel="θ", ylabel="f(θ)")
        (label, run), = self.declaration.runs.items()
        self.gd = MovableRun(self.ax, self.ax_loss, run["colour"], label)
        (self.theory,) = self.ax_loss.plot([], [], ":", color="0.2", lw=1.5, zorder=4,
                                           label=r"theory: $f(\theta_0)\,\rho^{2t}$")
        loss_axes(self.ax_loss, self.steps)
        self.ax_loss.legend(loc="lower left", fontsize="small")
        self.dynamic = self.gd.artists + [self.theory, self.ax.title, self.ax_loss.title] + markers

    def show(self, *, ratio) -> dict:
        ratio = self.declaration.control("ratio").check(ratio)
        lr = ratio * gd_lr_limit(self.f.L)
        run = minimize(self.f, self.x0, GradientDescent(lr=lr), self.steps)
        points = run.points if self.dim == 2 else np.column_stack([run.points[:, 0], run.losses])
        self.gd.set_run(run, points=points)
        rho = gd_rate(lr, self.f.mu, self.f.L)
        t = np.arange(self.steps + 1)
        with np.errstate(over="ignore"):
            self.theory.set_data(t, run.losses[0] * rho ** (2.0 * t))
        self._fit_losses(self.ax_loss, [run])
        self.ax.set_title(f"α = {ratio:.2f} × 2/L = {lr:.3g}")
        verdict = "bounces for ever" if math.isclose(rho, 1.0) else ("converges" if rho < 1 else "diverges")
        self.ax_loss.set_title(f"ρ = max|1 − αλ| = {rho:.3g}: {verdict}")
        return {"gradient descent": run}

    def describe(self, runs: dict) -> str:
        lr, L = runs["gradient descent"].optimizer.lr, self.f.L
        rho = gd_rate(lr, self.f.mu, L)
        return (f"α = {lr:.4g}, 2/L = {gd_lr_limit(L):.4g}: the error is multiplied by ρ = {rho:.3g} per step; "
                + super().describe(runs))


# -- chapter 2: momentum and its averaging window ----------------------------------------------------


class MomentumScene(Scene):
    """The weights momentum gives past gradients, and its path beside gradient descent's.

    Left: the weight of g_{t−k} in v_t relative to that of g_t, βᵏ, against
    the age k (the same in the average form, where the weights are
    (1 − β)βᵏ, and in the heavy-ball form); the area under it is the window
    1/(1 − β), marked by a dashed line: a box of height 1 and that width holds
    the same total weight. Middle: momentum and gradient descent with the same
    α on the valley of :data:`~descent.explorers.MOMENTUM`. Right: their
    losses. ``show(beta, lr)``.
    """

    declaration = MOMENTUM

    def __init__(self, *, steps: int | None = None, ages: int = 60, figsize=(10.5, 3.5), dpi: float = 90):
        d = self.declaration
        self.f = d.make_objective(d.defaults())
        self.x0, self.steps, self.ages = np.asarray(d.x0, dtype=float), steps or d.steps, ages
        self.fig, (self.ax_w, self.ax, self.ax_loss) = new_figure(3, figsize, dpi, width_ratios=(1.0, 1.0, 1.1))
        self._autoscaled = [self.ax_loss]
        (self.weights,) = self.ax_w.plot([], [], "o-", color="C1", ms=3, lw=1.0)
        (self.window_line,) = self.ax_w.plot([], [], color="C1", ls="--", lw=1.2)
        self.note = self.ax_w.text(0.97, 0.8, "", transform=self.ax_w.transAxes, ha="right", va="top",
                                   fontsize="small", bbox=dict(facecolor="white", edgecolor="none", alpha=0.8))
        self.ax_w.set(xlim=(-1, ages), ylim=(0, 1.08), xlabel="age $k$ of the gradient (steps ago)",
                      ylabel=r"relative weight $\beta^k$ of $g_{t-k}$")
        self.ax_w.set_title("memory of past gradients", y=1.0)
        self.ax_w.grid(True, alpha=0.3)
        markers = draw_contours(self.ax, self.f, resolution=150).markers
        self.paths = {label: MovableRun(self.ax, self.ax_loss, run["colour"],
                                        "gradient descent (β = 0)" if label == "gradient descent" else label,
                                        faint=run.get("faint", False))
                      for label, run in d.runs.items()}
        self.gd, self.momentum = self.paths["gradient descent"], self.paths["momentum"]
        loss_axes(self.ax_loss, self.steps, title="loss (log scale)")
        self.ax_loss.legend(loc="lower left", fontsize="small")
        self.dynamic = (self.gd.artists + self.momentum.artists + markers
                        + [self.weights, self.window_line, self.note, self.ax.title])

    def show(self, *, beta, lr) -> dict:
        settings = self.declaration.settings(beta=beta, lr=lr)
        runs = {label: minimize(self.f, self.x0, optimizer, self.steps)
                for label, optimizer in self.declaration.optimizers(settings).items()}
        for label, run in runs.items():
            self.paths[label].set_run(run)
        ages = np.arange(self.ages)
        self.weights.set_data(ages, beta**ages)
        window = 1 / (1 - beta)
        self.window_line.set_data([0, window, window], [1, 1, 0])  # a box of the same area
        half = f"{math.log(2) / math.log(1 / beta):.1f}" if beta > 0 else "0"
        self.note.set_text(f"β = {beta:.2f}\nwindow 1/(1 − β) = {window:.3g} steps\nhalf-life = {half} steps")
        self._fit_losses(self.ax_loss, runs.values())
        self.ax.set_title(f"momentum β = {beta:.2f}, α = {lr:.3g}")
        return runs


# -- chapter 3: RMSProp, ε and the coordinate axes --------------------------------------------------


class RMSPropScene(Scene):
    """RMSProp on a valley along the coordinate axes and on the same valley turned, with its ε.

    The turned problem is the aligned one rotated by ``angle`` (start point
    included), so gradient descent (grey, same α) takes the same path turned
    and has the same losses; RMSProp, which divides each *coordinate* by its
    own √v, does not. ε is added to √v (outside) or to v
    (``eps_inside_sqrt``); a large ε turns RMSProp into gradient descent
    with step α/ε or α/√ε. ``show(eps, eps_inside_sqrt, angle, lr)``, the
    angle in degrees (the controls of :data:`~descent.explorers.RMSPROP`).
    The turned contours are the aligned ones drawn through a rotation, so a
    new angle moves them without recomputing them.
    """

    declaration = RMSPROP

    def __init__(self, *, steps: int | None = None, figsize=(10.5, 3.5), dpi: float = 90):
        from matplotlib.transforms import Affine2D

        d = self.declaration
        self.aligned = self.rotated = d.make_objective({**d.defaults(), "angle": 0.0})
        self.eigenvalues = tuple(self.aligned.eigenvalues)
        self.beta = d.runs["RMSProp"]["kwargs"]["beta"]
        self.x0, self.steps = np.asarray(d.x0, float), steps or d.steps
        self.fig, (self.ax_a, self.ax_r, self.ax_loss) = new_figure(3, figsize, dpi)
        self._autoscaled = [self.ax_loss]
        aligned = draw_contours(self.ax_a, self.aligned, resolution=150)
        # The same levels over a window wide enough to fill the plot at any angle (±2√2).
        wide = 2.0 * math.sqrt(2.0) + 0.1
        turned = draw_contours(self.ax_r, self.aligned, levels=aligned.levels, window=((-wide, wide),) * 2,
                               resolution=210)
        self.ax_r.set(xlim=self.ax_a.get_xlim(), ylim=self.ax_a.get_ylim())
        self.turned_contours = turned.lines
        self._rotation = Affine2D()
        self.turned_contours.set_transform(self._rotation + self.ax_r.transData)
        self.paths_a, self.paths_r = self._paths(self.ax_a, "-"), self._paths(self.ax_r, "--")
        loss_axes(self.ax_loss, self.steps)
        self.fig.legend(handles=[self.paths_a[0].loss, self.paths_a[1].loss, self.paths_r[1].loss],
                        labels=["gradient descent (same loss on both)", "RMSProp, aligned valley",
                                "RMSProp, turned valley"], loc="outside upper center", ncols=3, frameon=False)
        self.dynamic = ([a for p in self.paths_a + self.paths_r for a in p.artists] + [self.turned_contours]
                        + aligned.markers + turned.markers + [self.ax_r.title, self.ax_loss.title])

    def _paths(self, ax, ls):
        return tuple(MovableRun(ax, self.ax_loss, run["colour"], label, faint=run.get("faint", False), ls=ls)
                     for label, run in self.declaration.runs.items())

    def show(self, *, eps, eps_inside_sqrt, angle, lr) -> dict:
        settings = self.declaration.settings(eps=eps, eps_inside_sqrt=eps_inside_sqrt, angle=angle, lr=lr)
        optimizers = self.declaration.optimizers(settings)
        self.rotated = self.declaration.make_objective(settings)
        self._rotation.clear().rotate_deg(angle)
        c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        starts = {"aligned": self.x0, "turned": np.array([[c, -s], [s, c]]) @ self.x0}
        runs = {}
        for name, f, artists in (("aligned", self.aligned, self.paths_a), ("turned", self.rotated, self.paths_r)):
            for (label, optimizer), drawn in zip(optimizers.items(), artists):
                runs[f"{label}, {name}"] = minimize(f, starts[name], optimizer, self.steps)
                drawn.set_run(runs[f"{label}, {name}"])
        self._fit_losses(self.ax_loss, runs.values())
        where = "√(v + ε)" if eps_inside_sqrt else "√v + ε"
        self.ax_a.set_title("valley along the axes")
        self.ax_r.set_title(f"the same, turned by {angle:.0f}°")
        self.ax_loss.set_title(f"ε = {eps:.0e}, step ∝ g / ({where})")
        return runs


# -- chapter 4: Adam's bias correction --------------------------------------------------------------


class AdamBiasScene(Scene):
    """Adam on f = x² + y² from (3, 4), with and without bias correction, for a given β₂.

    Left: both paths. Right: the size of each step in units of α, the largest
    coordinate |θ_{t,i} − θ_{t−1,i}| / α; with the correction it starts at 1,
    without it at (1 − β₁)/√(1 − β₂). ``show(beta2, bias_correction=None)``:
    the run with ``bias_correction`` (True/False) is drawn strong and the
    other faint; None draws both strong. Declared in
    :data:`~descent.explorers.ADAM_BIAS`.
    """

    declaration = ADAM_BIAS
    LABELS = {True: "with bias correction", False: "without bias correction"}

    def __init__(self, *, figsize=(9.5, 3.8), dpi: float = 90):
        d = self.declaration
        self.f = d.make_objective(d.defaults())
        self.lr, self.beta1 = (d.runs[self.LABELS[True]]["kwargs"][k] for k in ("lr", "beta1"))
        self.x0, self.steps = np.asarray(d.x0, float), d.steps
        self.fig, (self.ax, self.ax_step) = new_figure(2, figsize, dpi, width_ratios=(1.0, 1.3))
        x0 = d.x0
        self.fig.suptitle(f"Adam on $x^2 + y^2$ from ({x0[0]:g}, {x0[1]:g}), α = {self.lr:g}, β₁ = {self.beta1:g}")
        self._autoscaled = [self.ax_step]
        markers = draw_contours(self.ax, self.f, levels=np.arange(0.5, 6.5, 0.5) ** 2, window=d.window,
                                resolution=120).markers
        self.paths, self.step_lines = {}, {}
        for flag, label in self.LABELS.items():
            colour = d.runs[label]["colour"]
            self.paths[flag] = MovableRun(self.ax, None, colour, label)
            (self.step_lines[flag],) = self.ax_step.plot([], [], color=colour, lw=1.6, label=label)
        self.ax_step.axhline(1.0, color="0.3", ls=":", lw=1.2, label="α (step = 1)")
        self.ax_step.set_yscale("log")
        self.ax_step.set(xlim=(1, self.steps), xlabel="step $t$",
                         ylabel=r"$\max_i\,|\theta_{t,i} - \theta_{t-1,i}|\;/\;\alpha$")
        self.ax_step.grid(True, alpha=0.3)
        self.ax_step.legend(loc="upper right", fontsize="small")
        self.dynamic = ([a for p in self.paths.values() for a in p.artists] + list(self.step_lines.values())
                        + markers + [self.ax.title, self.ax_step.title])

    def show(self, *, beta2, bias_correction=None) -> dict:
        settings = self.declaration.settings(beta2=beta2)
        runs = {label: minimize(self.f, self.x0, optimizer, self.steps)
                for label, optimizer in self.declaration.optimizers(settings).items()}
        for flag, label in self.LABELS.items():
            run = runs[label]
            self.paths[flag].set_run(run)
            sizes = np.abs(np.diff(run.points, axis=0)).max(axis=1) / self.lr
            self.step_lines[flag].set_data(np.arange(1, len(sizes) + 1), sizes)
            strong = bias_correction is None or flag == bias_correction
            for artist in self.paths[flag].artists + [self.step_lines[flag]]:
                artist.set_alpha(1.0 if strong else 0.25)
        lo, hi = log_limits([line.get_ydata() for line in self.step_lines.values()] + [[1.0]])
        lo = max(lo, 1e-3)  # steps below α/1000 are a standstill: no need to see how small
        self._set_ylim(self.ax_step, 10.0 ** math.floor(math.log10(lo)), 10.0 ** math.ceil(math.log10(hi)))
        self.ax.set_title(f"paths, β₂ = {beta2:.4g}")
        first = (1 - self.beta1) / math.sqrt(1 - beta2)
        self.ax_step.set_title(f"step sizes; the first without correction is {first:.2f} α")
        return runs
