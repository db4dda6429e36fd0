"""The course's drawing vocabulary: paths on contours, loss curves, Adam's moments, and their pieces.

The three figures (:func:`plot_contours`, :func:`plot_losses`,
:func:`plot_moments`) are made of pieces that the explorers
(:mod:`descent.scenes`, :mod:`descent.widgets`, :mod:`descent.page`) use
too, so that a path, a contour map or a loss axis looks the same everywhere:
:func:`new_figure`, :func:`draw_contours` (returns its artists),
:class:`MovableRun` (a run drawn once and moved with ``set_run``),
:func:`loss_axes`, :func:`loss_gap`, :func:`log_limits` and :func:`png_bytes`.
Colours: ``colors=`` (one per run) on the figures; the default is the
matplotlib cycle C0, C1, …

Every function draws on ``ax`` when one is given and otherwise on a new
figure, and returns the figure. New figures are made with
``matplotlib.figure.Figure``, not pyplot, so nothing is left open in pyplot's
global list (no "more than 20 figures" warning, no figure shown twice in a
notebook), and they have an opaque white face so they stay readable on a
dark page.

``runs`` may be one :class:`~descent.run.Run`, a list of runs, or a dict
``{label: run}``; without a dict each run is labelled by its optimizer's
class name and learning rate, e.g. "Adam (lr=0.01)".
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_contours", "plot_losses", "plot_moments", "new_figure", "draw_contours", "Contours", "MovableRun",
           "loss_axes", "loss_gap", "log_limits", "png_bytes"]

_FACE = "white"


def _new_axes(ax, nrows: int = 1, figsize=(6.0, 5.0)):
    """(figure, axes): the caller's axes and their figure, or a new white figure."""
    if ax is not None:
        axes = list(ax) if nrows > 1 else [ax]
        if len(axes) != nrows:
            raise ValueError(f"ax must be a sequence of {nrows} Axes, got {len(axes)}")
        return axes[0].figure.figure, axes  # .figure.figure: the top figure, also for a subfigure
    # Imported here, not at the top: matplotlib takes ~1 s to import, and
    # `import descent` should not cost that to code that never plots.
    from matplotlib.figure import Figure

    _show_figures_in_ipython(Figure)
    fig = Figure(figsize=figsize, layout="constrained", facecolor=_FACE)
    axes = fig.subplots(nrows, 1, sharex=True, squeeze=False)[:, 0]
    for a in axes:
        a.set_facecolor(_FACE)
    return fig, list(axes)


def _show_figures_in_ipython(figure_class) -> None:
    """Let a returned Figure display as a PNG in Jupyter even if pyplot was never imported.

    IPython shows a Figure as an image only once a matplotlib backend registered a
    formatter for it (``%matplotlib inline`` or ``import matplotlib.pyplot``); a
    learner who only calls descent's plot functions would otherwise see
    ``<Figure size 600x500 with 1 Axes>``. An existing formatter is kept.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    png = shell.display_formatter.formatters["image/png"]
    if figure_class not in png.type_printers:
        from IPython.core.pylabtools import print_figure

        png.for_type(figure_class, lambda fig: print_figure(fig, "png", bbox_inches="tight"))


def run_label(run) -> str:
    """"Adam (lr=0.01)": the optimizer's class name and learning rate, if it has one."""
    name = type(run.optimizer).__name__
    lr = getattr(run.optimizer, "lr", None)
    return f"{name} (lr={lr:g})" if lr is not None else name


def _labelled(runs) -> list:
    """[(label, run), ...] from a Run, a list of Runs or a dict label → Run."""
    if runs is None:
        return []
    if isinstance(runs, dict):
        pairs = list(runs.items())
    else:
        pairs = [(None, run) for run in (runs if isinstance(runs, (list, tuple)) else [runs])]
    for label, run in pairs:
        if not all(hasattr(run, name) for name in ("points", "losses", "optimizer", "objective")):
            where = f" for {label!r}" if label is not None else ""
            raise TypeError(f"runs must be a Run, a list of Runs or a dict label → Run; got {type(run).__name__}{where}")
    return [(run_label(run) if label is None else label, run) for label, run in pairs]


def _log_levels(values: np.ndarray, count: int, floor: float) -> np.ndarray:
    """``count`` levels f_low + geomspace(lo, hi): equally many per decade of f − f_low.

    Near a minimum f − f* grows like the squared distance, so equally spaced
    levels would crowd at the rim and leave the interesting middle empty. The
    range skips the top 2% of the grid (the corners of a window, where
    polynomials such as Beale's reach 1e5) and spans at most four decades:
    the rings further down are too small to see.
    """
    gaps = values - floor
    hi = np.quantile(gaps, 0.98)
    lo = max(np.quantile(gaps, 0.002), hi * 1e-4)
    if not (np.isfinite(hi) and hi > lo > 0):
        raise ValueError("cannot choose contour levels: f is (nearly) constant over the window; pass levels= explicitly")
    return floor + np.geomspace(lo, hi, count)


def _colours(colors, count: int) -> list:
    """``count`` colours: the caller's ``colors`` (one per run), or the matplotlib cycle C0, C1, …"""
    if colors is None:
        return [f"C{index % 10}" for index in range(count)]
    colors = list(colors)
    if len(colors) != count:
        raise ValueError(f"colors must give one colour per run ({count}), got {len(colors)}")
    return colors


def _check_window(window) -> tuple:
    try:
        (x_min, x_max), (y_min, y_max) = window
        box = tuple(float(v) for v in (x_min, x_max, y_min, y_max))
    except (TypeError, ValueError):
        raise ValueError(f"window must be ((x_min, x_max), (y_min, y_max)), got {window!r}") from None
    if not all(np.isfinite(box)) or not (box[0] < box[1] and box[2] < box[3]):
        raise ValueError(f"window must be finite with x_min < x_max and y_min < y_max, got {window!r}")
    return (box[0], box[1]), (box[2], box[3])


def _check_resolution(resolution) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2 (grid points per axis), got {resolution!r}")
    return int(resolution)


def _check_levels(levels):
    if np.ndim(levels) == 0:
        if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 1:
            raise ValueError(f"levels must be an int >= 1 or an increasing 1-D sequence of values, got {levels!r}")
        return int(levels)
    values = np.asarray(levels, dtype=float)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)) or np.any(np.diff(values) <= 0):
        raise ValueError(f"levels must be an int >= 1 or an increasing 1-D sequence of finite values, got {levels!r}")
    return values


def new_figure(ncols: int = 1, figsize=(6.0, 5.0), dpi: float = 100, width_ratios=None):
    """(figure, axes): a white figure with an Agg canvas and ``ncols`` axes side by side (no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained", facecolor=_FACE)
    FigureCanvasAgg(fig)
    axes = list(fig.subplots(1, ncols, width_ratios=width_ratios, squeeze=False)[0])
    for ax in axes:
        ax.set_facecolor(_FACE)
    return fig, axes


class Contours(NamedTuple):
    """What :func:`draw_contours` drew: the contour set, its levels and the ★/✕ markers (Line2D list)."""

    lines: object    # matplotlib ContourSet
    levels: np.ndarray
    markers: list


def draw_contours(ax, f, *, levels=20, window=None, resolution: int = 300, labels: bool = True,
                  markers: bool = True) -> Contours:
    """The contour lines of a 2-D objective on ``ax`` over ``window``, its minima ★ and saddle ✕.

    ``levels``, ``window`` and ``resolution`` as in :func:`plot_contours`.
    Sets the axis limits (equal aspect when the window is not too elongated),
    and, with ``labels``, the axis labels. Returns :class:`Contours`, so that a
    caller can move or restyle what was drawn without searching for it.
    """
    window = window if window is not None else getattr(f, "window", None)
    if window is None:
        raise ValueError(f"window is needed: {getattr(f, 'name', type(f).__name__)} has no window (is it 2-D?)")
    (x_min, x_max), (y_min, y_max) = _check_window(window)
    resolution = _check_resolution(resolution)
    levels = _check_levels(levels)
    X, Y = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    with np.errstate(over="ignore", invalid="ignore"):
        Z = np.asarray(f(np.stack([X, Y])), dtype=float)
    if np.ndim(levels) == 0:
        minimum = getattr(f, "minimum", None)
        floor = minimum if minimum is not None else float(np.nanmin(Z))
        levels = _log_levels(Z[np.isfinite(Z)], int(levels), floor)
    # Lines, not filled bands: the paths drawn on top stay the strongest colours.
    contours = ax.contour(X, Y, Z, levels=levels, cmap="viridis", linewidths=0.8, alpha=0.7, zorder=1)
    contours.set_label("_contours")  # keep the contour set out of the legend
    drawn = []
    minimizers = np.asarray(getattr(f, "minimizers", np.empty((0, 2))))
    if markers and len(minimizers):
        drawn += ax.plot(minimizers[:, 0], minimizers[:, 1], "*", ms=15, color="gold", mec="black", mew=0.8,
                         ls="none", label="minimum" if len(minimizers) == 1 else "minima", zorder=5)
    saddle = getattr(f, "saddle_point", None)
    if markers and saddle is not None:
        drawn += ax.plot(*saddle, "X", ms=10, color="white", mec="black", mew=1.0, ls="none",
                         label="saddle point", zorder=5)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    if 1 / 3 <= (y_max - y_min) / (x_max - x_min) <= 3:
        ax.set_aspect("equal")  # true angles: a rotated quadratic looks rotated by its angle
    if labels:
        x_label, y_label = getattr(f, "axis_labels", ("x", "y"))
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
    return Contours(contours, np.asarray(contours.levels), drawn)


class MovableRun:
    """One run on the contours (and its loss curve), drawn once and moved with :meth:`set_run`.

    A path through θ_0 … θ_n with a marker per step (thinned to ~150), θ_0
    circled, × at the end of a diverged run, and, if ``ax_loss`` is given, the
    curve f(θ_t) − f* on it. ``faint`` draws a thin, light reference line.
    :func:`plot_contours` and every explorer draw runs with this class.
    """

    def __init__(self, ax_path, ax_loss, colour, label, *, faint: bool = False, ls: str = "-"):
        width, alpha = (1.3, 0.7) if faint else (1.6, 1.0)
        style = dict(color=colour, alpha=alpha, zorder=2 if faint else 3)
        (self.path,) = ax_path.plot([], [], ls=ls, marker="o", lw=width, ms=2.5 if faint else 3.5, label=label,
                                    **style)
        (self.start,) = ax_path.plot([], [], "o", ms=9, mfc="none", mec=colour, mew=1.6, alpha=alpha,
                                     zorder=style["zorder"], label="_start")
        (self.cross,) = ax_path.plot([], [], "x", ms=10, mew=2.2, label="_diverged", **{**style, "zorder": 4})
        self.loss = None
        if ax_loss is not None:
            (self.loss,) = ax_loss.plot([], [], ls=ls, lw=width, label=label, **style)
        self.artists = [a for a in (self.path, self.start, self.cross, self.loss) if a is not None]

    def set_run(self, run, points=None, upto: int | None = None) -> None:
        """Show ``run`` (its first ``upto`` steps if given); ``points`` replaces run.points on the path axes."""
        points = run.points if points is None else points
        n = len(run.points) if upto is None else min(upto + 1, len(run.points))
        xy = points[:n]
        self.path.set_data(xy[:, 0], xy[:, 1])
        self.path.set_markevery(max(1, n // 150))
        self.start.set_data(xy[:1, 0], xy[:1, 1])
        self.cross.set_data(xy[-1:, 0], xy[-1:, 1])
        self.cross.set_visible(bool(getattr(run, "diverged", False)) and n == len(run.points))
        if self.loss is not None:
            self.loss.set_data(np.arange(n), loss_gap(run)[:n])

    def set_visible(self, visible: bool) -> None:
        for artist in self.artists:
            artist.set_visible(visible)

    def set_style(self, *, colour=None, linewidth=None, markersize=None, alpha=None) -> None:
        """Restyle the run's lines (colour of path, circle, cross and loss curve together)."""
        for artist in self.artists:
            if colour is not None:
                artist.set_color(colour)
                artist.set_markeredgecolor(colour)
            if alpha is not None:
                artist.set_alpha(alpha)
        if linewidth is not None:
            self.path.set_linewidth(linewidth)
        if markersize is not None:
            self.path.set_markersize(markersize)


def loss_gap(run) -> np.ndarray:
    """f(θ_t) − f* (f(θ_t) when the objective's minimum is unknown), what the loss panels show."""
    f_star = getattr(run.objective, "minimum", None)
    return run.losses - (f_star if f_star is not None else 0.0)


def loss_axes(ax, steps: int, relative: bool = True, title: str | None = None) -> None:
    """A log-scale loss panel like :func:`plot_losses` draws, for ``steps`` steps."""
    ax.set_yscale("log", nonpositive="clip")
    ax.set_xlim(0, steps)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$f(\theta_t) - f^*$" if relative else r"$f(\theta_t)$")
    ax.grid(True, which="major", alpha=0.3)
    if title:
        ax.set_title(title)


def log_limits(curves) -> tuple[float, float]:
    """y-limits for log-scale curves: their positive range, floored at 1e-16 of the largest."""
    values = np.concatenate([np.asarray(c, dtype=float).ravel() for c in curves] or [np.ones(1)])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return 1e-16, 1.0
    hi = values.max()
    lo = max(values.min(), hi * 1e-16)
    return lo / 2, hi * 2


def png_bytes(fig, colours: int | None = 64, compress_level: int = 1, *, transparent: bool = False) -> bytes:
    """The pixels of the figure's Agg canvas as PNG bytes (draw the canvas first).

    With ``colours`` the picture is reduced to that many colours first (an
    adaptive palette): a line drawing looks the same, and the PNG is about a
    third of the size and quicker to make. None keeps every colour.
    ``transparent`` keeps the alpha channel (for a layer drawn over another).
    """
    from PIL import Image

    canvas = fig.canvas
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    if not transparent:
        image = image.convert("RGB")
    if colours is not None:
        image = image.quantize(colours, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=compress_level)
    return buffer.getvalue()


def plot_contours(f=None, runs=None, ax=None, *, levels=20, window=None, resolution: int = 300,
                  legend: bool = True, title: str | None = None, colors=None) -> Figure:
    """Contours of a 2-D objective with optimizer paths on top.

    Parameters
    ----------
    f:
        The objective; it is evaluated on a grid as ``f(np.stack([X, Y]))``
        (coordinates on the first axis, see :mod:`descent.objectives`).
        None: the objective of the first run.
    runs:
        Runs to draw: a Run, a list of Runs, or a dict ``{label: run}``. Each
        path is one line through θ_0, θ_1, … with a marker per step (thinned
        to about 150 markers on long runs); θ_0 is circled, and a diverged
        run ends in × (:class:`MovableRun`).
    levels:
        An int: that many levels, log-spaced in f − f* (f* the known minimum,
        else the lowest value on the grid) so that the valley floor is drawn
        as finely as the walls. A sequence: these values of f, increasing.
    window:
        ((x_min, x_max), (y_min, y_max)); default ``f.window``.
    resolution:
        Grid points per axis (an int >= 2).
    colors:
        One colour per run (any matplotlib colour); default C0, C1, …

    Known minimisers are marked ★ and a saddle point (``f.saddle_point``) ✕.
    """
    pairs = _labelled(runs)
    if f is None:
        if not pairs:
            raise ValueError("f is needed when no runs are given")
        f = pairs[0][1].objective
    for label, run in pairs:
        if run.points.ndim != 2 or run.points.shape[1] != 2:
            raise ValueError(f"plot_contours draws 2-D paths; the run {label!r} has points of shape {run.points.shape[1:]}")
    colours = _colours(colors, len(pairs))
    if ax is None:
        window = window if window is not None else getattr(f, "window", None)
        _check_window(window) if window is not None else None  # refuse a bad window before making a figure
    fig, (ax,) = _new_axes(ax)
    drawn = draw_contours(ax, f, levels=levels, window=window, resolution=resolution)
    paths = []
    for (label, run), colour in zip(pairs, colours):
        moved = MovableRun(ax, None, colour, label)
        moved.set_run(run)
        paths.append(moved.path)
    ax.set_title(title if title is not None else getattr(f, "name", type(f).__name__))
    if legend and (pairs or drawn.markers):
        ax.legend(handles=paths + drawn.markers, loc="best", framealpha=0.9, fontsize="small")
    return fig


def plot_losses(runs, ax=None, *, title: str | None = None, colors=None) -> Figure:
    """f(θ_t) − f* against the step t, on a log scale (f(θ_t) when f* is unknown).

    A straight line on this plot is linear convergence, f(θ_t) − f* ∝ rᵗ, and
    its slope is log r. f* is each run's ``objective.minimum``; if any run's
    objective has none, every run is drawn as f(θ_t), which must then be > 0
    to appear on the log scale. The y axis
    stops at machine precision relative to the plotted values: below that
    the differences are rounding, and an exact 0 is drawn at the bottom edge.
    A diverged run ends in ×. ``colors``: one colour per run (default C0, C1, …).
    A run that starts at the minimum (f − f* = 0 throughout) is drawn along
    the bottom edge, with the y axis down to machine precision of f*'s scale.
    """
    pairs = _labelled(runs)
    if not pairs:
        raise ValueError("runs is empty: pass a Run, a list of Runs or a dict label → Run")
    fig, (ax,) = _new_axes(ax, figsize=(6.5, 4.0))
    known = [getattr(run.objective, "minimum", None) is not None for _, run in pairs]
    relative = all(known)
    scale, lowest, highest = 0.0, np.inf, 0.0
    for (label, run), colour in zip(pairs, _colours(colors, len(pairs))):
        f_star = run.objective.minimum if relative else 0.0
        values = run.losses - f_star
        steps = np.arange(len(values))
        ax.plot(steps, values, color=colour, lw=1.6, label=label)
        if getattr(run, "diverged", False):
            ax.plot(steps[-1], values[-1], "x", ms=10, mew=2.2, color=colour)
        scale = max(scale, abs(values[0]), abs(f_star))
        lowest, highest = min(lowest, values.min()), max(highest, values.max())
    # The scale of the numbers (1 if every value and f* are 0): below eps times it, differences are rounding.
    bottom = np.finfo(float).eps * (scale if scale > 0 else 1.0)
    if highest <= bottom:  # nothing above the floor (a run that starts at the minimum): nothing to autoscale
        ax.set_ylim(bottom, bottom * 1e3)  # before the log scale, which would warn about no positive values
    ax.set_yscale("log", nonpositive="clip")
    if bottom < highest and lowest < bottom:
        ax.set_ylim(bottom=bottom)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$f(\theta_t) - f^*$" if relative else r"$f(\theta_t)$")
    if title is not None:
        ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", framealpha=0.9, fontsize="small")
    return fig


def plot_moments(run, coordinate=0, ax=None, *, title: str | None = None) -> Figure:
    """Adam's averages over the steps, raw and bias-corrected, for one coordinate of θ.

    Top: the gradient g_t, its average m_t and m̂_t = m_t / (1 − β₁ᵗ).
    Bottom (log scale): g_t², v_t and v̂_t = v_t / (1 − β₂ᵗ).
    Since m_0 = v_0 = 0, the raw averages start too small by the factors
    1 − β₁ᵗ and 1 − β₂ᵗ; the corrected ones follow g_t and g_t² from step 1.

    ``run`` must come from an Adam-like optimizer: states with fields m, v
    and t, an optimizer with ``beta1`` and ``beta2``. ``coordinate`` indexes
    θ (an int, or a tuple for parameters with more than one axis). ``ax``, if
    given, is a pair of Axes (for m and for v).
    """
    state = run.states[0] if run.states else None
    fields = getattr(type(state), "_fields", ())
    if not {"m", "v", "t"} <= set(fields) or not hasattr(run.optimizer, "beta1") or not hasattr(run.optimizer, "beta2"):
        raise ValueError(
            "plot_moments needs a run of an Adam-like optimizer that took at least one step (states with m, v and t; "
            f"an optimizer with beta1 and beta2); got {type(run.optimizer).__name__} with state {type(state).__name__}"
        )
    index = (slice(None),) + np.index_exp[coordinate]
    try:
        g = run.grads[index]
    except (IndexError, TypeError):
        raise ValueError(f"coordinate must index a parameter of shape {run.points.shape[1:]}, got {coordinate!r}") from None
    if g.ndim != 1:
        raise ValueError(f"coordinate must pick one entry of a parameter of shape {run.points.shape[1:]}, got {coordinate!r}")
    m, v = run.state_history("m")[index], run.state_history("v")[index]
    t = run.state_history("t")
    beta1, beta2 = run.optimizer.beta1, run.optimizer.beta2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)

    fig, (ax_m, ax_v) = _new_axes(ax, nrows=2, figsize=(6.5, 6.0))
    grey = dict(color="0.55", lw=1.0)
    ax_m.plot(t, g, label="$g_t$ (gradient)", **grey)
    ax_m.plot(t, m, color="C0", lw=1.6, ls="--", label="$m_t$")
    ax_m.plot(t, m_hat, color="C0", lw=1.6, label=r"$\hat m_t = m_t\,/\,(1-\beta_1^t)$")
    ax_m.axhline(0.0, color="0.8", lw=0.8, zorder=0)
    ax_v.plot(t, g * g, label="$g_t^2$", **grey)
    ax_v.plot(t, v, color="C1", lw=1.6, ls="--", label="$v_t$")
    ax_v.plot(t, v_hat, color="C1", lw=1.6, label=r"$\hat v_t = v_t\,/\,(1-\beta_2^t)$")
    ax_v.set_yscale("log", nonpositive="clip")
    # Log steps: the correction matters over the first 1/(1 − β) steps (10 for
    # β₁ = 0.9, 1000 for β₂ = 0.999), and a log axis shows both time scales.
    ax_v.set_xscale("log")
    ax_v.set_xlabel("step $t$")
    name = f"θ[{coordinate}]" if np.ndim(coordinate) == 0 else f"θ[{', '.join(map(str, coordinate))}]"
    ax_m.set_ylabel(f"first moment of {name}")
    ax_v.set_ylabel(f"second moment of {name}")
    ax_m.set_title(title if title is not None else f"{run_label(run)}, β₁ = {beta1:g}, β₂ = {beta2:g}: coordinate {name}")
    for a in (ax_m, ax_v):
        a.legend(loc="best", framealpha=0.9, fontsize="small")
        a.grid(True, alpha=0.3)
    return fig
