"""Page explorers: the chapters' explorers live on the static site, computed in the reader's browser.

``page_explorer(name)`` returns an object that a notebook displays as one
HTML bundle:

- the contour picture, drawn at build time by :func:`descent.plots.draw_contours`
  (the same drawing as every other figure), as a PNG inside an SVG;
- the paths of the default settings, drawn by this module in that SVG over
  the picture: the reader's first picture is in the HTML, before any script runs
  (and in JupyterLab, where no script runs, it is what the cell shows);
- the explorer's :class:`~descent.explorers.Declaration` as JSON.

On the site, ``descent-explorer.js`` (package data in ``descent/static/``,
copied into ``_static/`` and added to every page by the course's Sphinx
extension, tools/offline_assets) reads the JSON, adds the controls, and
recomputes the paths in the browser with its port of descent's update rules
and objectives whenever a slider moves or the reader clicks (or drags) on the
contours to set θ_0; it also draws the losses, and steps through one update
at a time with its numbers (θ_t, f(θ_t), g_t, and m_t, v_t or the other
state of the optimizer), the next update drawn as an arrow.

Test contract (tests/test_page_explorers.py): the element with class
``descent-explorer`` has a ``descentExplorer`` property with ``state()``,
``{objective: {name, kwargs}, x0, steps, runs: {label: {optimizer, kwargs,
path}}}``, so that ``descent.minimize(getattr(descent, name)(**kwargs), x0,
getattr(descent, optimizer)(**kwargs), steps).points`` is each path; and
``set(partialState)``, which changes controls (``x0`` included) as a reader
would, and refuses values outside a control's range.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import math
from importlib import resources

import numpy as np

from .explorers import DECLARATIONS, OBJECTIVES, Declaration, explore_declaration
from .plots import draw_contours, new_figure, png_bytes
from .run import DIVERGENCE_FACTOR, minimize

__all__ = ["page_explorer", "PageExplorer", "STATIC_FILES", "static_folder"]

#: The files the site serves for the page explorers (in descent/static/).
STATIC_FILES = ("descent-explorer.js", "descent-explorer.css")
FIGSIZE, DPI, COLOURS = (4.6, 4.2), 90, 64


def static_folder():
    """The folder of :data:`STATIC_FILES` (a ``pathlib.Path`` inside the installed package)."""
    return resources.files("descent") / "static"


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _rotating(declaration: Declaration) -> str | None:
    """The control that turns the objective (its ``angle``, in degrees), if one does."""
    angle = declaration.objective.get("kwargs", {}).get("angle")
    return angle["$"] if isinstance(angle, dict) else None


def _picture(f, window=None, levels=20, field: bool = False) -> dict:
    """The contour picture of ``f``: its PNG and where its axes are (pixels, from the top left) and show.

    ``field``: the axes, labels and markers only, and the contour lines as a
    second, transparent PNG over a window wide enough to be turned about the
    origin by any angle (the page turns it with the objective's angle).
    """
    fig, (ax,) = new_figure(1, FIGSIZE, DPI)
    drawn = draw_contours(ax, f, window=window, levels=levels, resolution=150)
    ax.set_title(f.name, fontsize="medium")
    if field:
        drawn.lines.set_visible(False)
    fig.canvas.draw()
    box, height = ax.get_window_extent(), fig.canvas.get_width_height(physical=True)[1]
    (x_min, x_max), (y_min, y_max) = ax.get_xlim(), ax.get_ylim()
    picture = {
        "image": _data_uri(png_bytes(fig, COLOURS, compress_level=9)),
        "size": list(fig.canvas.get_width_height(physical=True)),
        "axes": {"left": box.x0, "top": height - box.y1, "width": box.width, "height": box.height,
                 "xlim": [x_min, x_max], "ylim": [y_min, y_max]},
        "minimum": getattr(f, "minimum", None),
    }
    if field:
        wide = math.hypot(max(abs(x_min), abs(x_max)), max(abs(y_min), abs(y_max)))
        scale = box.width / (x_max - x_min)  # pixels per unit (equal aspect)
        side = 2 * wide * scale / DPI
        layer, (lax,) = new_figure(1, (side, side), DPI)
        layer.set_layout_engine("none")
        layer.patch.set_alpha(0.0)
        lax.set_position([0, 0, 1, 1])
        lax.set_axis_off()
        draw_contours(lax, f, levels=drawn.levels, window=((-wide, wide), (-wide, wide)), resolution=200,
                      markers=False, labels=False)
        layer.canvas.draw()
        picture["field"] = {"image": _data_uri(png_bytes(layer, COLOURS, compress_level=9, transparent=True)),
                            "window": wide}
    return picture


def _pixels(picture: dict, points) -> list:
    g = picture["axes"]
    (x0, x1), (y0, y1) = g["xlim"], g["ylim"]
    return [(g["left"] + (x - x0) / (x1 - x0) * g["width"], g["top"] + (y1 - y) / (y1 - y0) * g["height"])
            for x, y in points]


class PageExplorer:
    """An explorer for the static page: ``_repr_html_`` is the bundle described in the module docstring."""

    def __init__(self, declaration: Declaration, settings: dict, x0, caption: str = "", alt: str = ""):
        self.declaration, self.settings, self.x0 = declaration, settings, tuple(float(v) for v in x0)
        self.caption, self.alt = caption, alt or f"{declaration.title}: optimizer paths on the contours"
        self.colours = {label: _hex(run["colour"]) for label, run in declaration.runs.items()}
        choice = declaration.objective.get("choice")
        self.rotate = _rotating(declaration)
        self.shown = settings[choice] if choice else ""

    @functools.cached_property
    def pictures(self) -> dict:
        """label → contour picture (see :func:`_picture`); drawn when first asked for, by the HTML.

        The general explorer has one per objective of its menu, the others one (label "").
        """
        declaration, rotate = self.declaration, self.rotate
        if declaration.objective.get("choice"):
            pictures = {}
            for label, setup in OBJECTIVES.items():
                picture = _picture(setup.make())
                picture["objective"] = setup.spec
                picture["defaults"] = {"lr": setup.lr, "lr_adaptive": setup.lr_adaptive, "x0": list(setup.x0)}
                pictures[label] = picture
            return pictures
        # A turned objective is drawn at angle 0, its contours turned by the page.
        flat = {**self.settings, rotate: 0.0} if rotate else self.settings
        return {"": _picture(declaration.make_objective(flat), declaration.window, field=rotate is not None)}

    def runs(self) -> dict:
        """label → Run of the settings shown first (what the static picture draws)."""
        f = self.declaration.make_objective(self.settings)
        steps = self.settings.get("steps", self.declaration.steps)
        return {label: minimize(f, self.x0, optimizer, steps)
                for label, optimizer in self.declaration.optimizers(self.settings).items()}

    def data(self) -> dict:
        return {"declaration": self.declaration.as_json(), "settings": self.settings, "x0": list(self.x0),
                "pictures": self.pictures, "colours": self.colours, "rotate": self.rotate,
                "divergence_factor": DIVERGENCE_FACTOR, "loss_label": "f(θ_t) − f*"}

    def _repr_html_(self) -> str:
        data = json.dumps(self.data(), ensure_ascii=False, sort_keys=True)
        uid = f"descent-explorer-{self.declaration.name}-{hashlib.sha1(data.encode()).hexdigest()[:10]}"
        picture = self.pictures[self.shown]
        width, height = picture["size"]
        g = picture["axes"]
        layers = []
        if "field" in picture:
            wide = picture["field"]["window"]
            (left, top), (right, bottom) = _pixels(picture, [(-wide, wide), (wide, -wide)])
            angle = self.settings[self.rotate]
            (cx, cy), = _pixels(picture, [(0.0, 0.0)])
            layers.append(f'<image class="descent-field" href="{picture["field"]["image"]}" x="{left:.2f}" '
                          f'y="{top:.2f}" width="{right - left:.2f}" height="{bottom - top:.2f}" '
                          f'transform="rotate({-angle:g} {cx:.2f} {cy:.2f})"/>')
        paths = []
        for label, run in self.runs().items():
            xy = _pixels(picture, run.points)
            points = " ".join(f"{x:.2f},{y:.2f}" for x, y in xy)
            colour = self.colours[label]
            faint = ' class="descent-faint"' if self.declaration.faint(label, self.settings) else ""
            paths.append(f'<g data-run="{html.escape(label)}"{faint}><polyline class="descent-path" fill="none" '
                         f'stroke="{colour}" points="{points}"/><circle class="descent-start" r="6" fill="none" '
                         f'stroke="{colour}" cx="{xy[0][0]:.2f}" cy="{xy[0][1]:.2f}"/></g>')
        legend = " ".join(f'<span style="color:{self.colours[label]}">●</span> {html.escape(label)}'
                          for label in self.declaration.runs)
        caption = f" {html.escape(self.caption)}" if self.caption else ""
        return (
            f'<div class="descent-explorer" id="{uid}">\n'
            f'<p class="descent-explorer-title"><strong>{html.escape(self.declaration.title)}.</strong>{caption}</p>\n'
            f'<p class="descent-explorer-legend">{legend}</p>\n'
            f'<div class="descent-explorer-figure"><svg class="descent-explorer-plot" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{html.escape(self.alt)}">'
            f'<image class="descent-background" href="{picture["image"]}" width="{width}" height="{height}"/>'
            f'<clipPath id="{uid}-clip"><rect x="{g["left"]:.2f}" y="{g["top"]:.2f}" width="{g["width"]:.2f}" '
            f'height="{g["height"]:.2f}"/></clipPath><g clip-path="url(#{uid}-clip)">{"".join(layers)}'
            f'<g class="descent-paths">{"".join(paths)}</g></g></svg></div>\n'
            '<p class="descent-explorer-note">On the course\'s website this explorer is live: move its sliders, '
            'click on the contours to start elsewhere, step through the updates. In a running notebook, use the '
            'live explorer of the next cell.</p>\n'
            f'<script type="application/json" class="descent-explorer-data">{data.replace("</", "<" + chr(92) + "/")}'
            '</script>\n</div>'
        )

    def __repr__(self) -> str:
        return f"PageExplorer({self.declaration.name!r}): live on the course's website, computed in the browser"


def _hex(colour) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour)


def page_explorer(name, *, x0=None, caption: str = "", alt: str = "", **given) -> PageExplorer:
    """The page explorer of a declaration of :data:`descent.explorers.DECLARATIONS` (or a Declaration).

    ``given``: values for its controls (checked against their ranges), ``x0``
    the start (default: the declaration's). For ``"explore"``, ``objective``
    and ``optimizers`` pick the general explorer's first objective and runs.
    """
    if isinstance(name, Declaration):
        declaration = name
    elif name == "explore":
        declaration = explore_declaration(given.pop("objective", "Himmelblau"),
                                          given.pop("optimizers", ("GD", "Momentum", "Adam")))
    elif name in DECLARATIONS:
        declaration = DECLARATIONS[name]
    else:
        raise ValueError(f"name must be one of {', '.join(map(repr, DECLARATIONS))} or a Declaration; got {name!r}")
    settings = declaration.settings(**given)
    start = declaration.x0 if x0 is None else x0
    if np.shape(start) != (2,) or not np.all(np.isfinite(start)):
        raise ValueError(f"x0 must be a finite point (x, y), got {x0!r}")
    return PageExplorer(declaration, settings, start, caption, alt)
