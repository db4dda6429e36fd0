"""Sphinx extension: the site serves its JavaScript itself, so it works offline.

It also serves the course's own script and style for the page explorers
(``descent-explorer.js`` and ``.css``, package data of ``descent``, see
``descent/page.py``) from ``_static/`` on every page.

Out of the box the pages of a Jupyter Book load MathJax 3 from a CDN, on every page
with maths (Sphinx's default ``mathjax_path`` is ``https://cdn.jsdelivr.net/npm/mathjax@3/...``).
With this extension (``sphinx.extra_extensions`` in ``_config.yml``) the pages load
it from ``_static/`` instead: MathJax 3.2.2 comes from the PyPI package
``sphinx-mathjax-offline`` (pinned in requirements.txt; only its files are used, not
its extension, so that the combined bundles the site never loads are not copied:
10 MB instead of 24 MB). It is copied to ``_static/mathjax/`` and ``mathjax_path``
points at its ``tex-mml-chtml.js``, the same bundle Sphinx takes from the CDN. Every
component MathJax may load later (TeX extensions by autoload, the menu, the SVG
output, the accessibility and speech modules and their data) is in that folder too.

The site shows no ipywidgets: its explorers are the page explorers above, and the
kernel widgets are for learners (their cells are removed from the site). So that a
stored widget state could never make a page fetch require.js and
``@jupyter-widgets/html-manager`` from a CDN (myst-nb's default ``nb_ipywidgets_js``),
that setting is emptied: a widget output would show its text instead.

One more outside request is removed from the pages: matplotlib's ``to_jshtml``
animations (the course's static explorers, stored as notebook outputs) start with
``<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/...">``
for the icons of their play/step buttons. The theme already ships Font Awesome 6,
which draws the same ``fa fa-play``, ``fa-step-forward``... names (v4 names are
aliases in v6), so that link is dropped from the pages at build time.

Two console errors that every page raised in a browser are also fixed here, so that
tests/test_browser.py can require a clean console:

- sphinx-thebe's inline ``<script>const THEBE_JS_URL = ...</script>`` was included
  twice in every page, and the second copy throws "Identifier 'THEBE_JS_URL' has
  already been declared": identical scripts are now written once per page. (Thebe
  is off, ``launch_buttons.thebe: false``, so the thebe bundle at the unpkg address
  in that script is never fetched: no page has a button that loads it.)
- pydata-sphinx-theme logs "Got invalid theme mode" on a first visit when
  ``html_context["default_mode"]`` is empty, as Jupyter Book leaves it: it is set to
  ``auto``, what the theme then falls back to anyway (follow the reader's system).

These settings (``mathjax_path``, ``nb_ipywidgets_js``, ``default_mode``) are only
changed while they hold their default value: one set in ``_config.yml`` wins. Nothing third-party is
committed to the repository. A missing MathJax package is a Sphinx warning, hence an
error under ``-W``.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
from importlib import metadata
from pathlib import Path

from sphinx.util import logging

__version__ = "0.1.0"

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------ MathJax

MATHJAX_DISTRIBUTION = "sphinx-mathjax-offline"  # PyPI; 0.0.2 holds MathJax 3.2.2
MATHJAX_FOLDER = "mathjax"  # under _static/
MATHJAX_ENTRY = "tex-mml-chtml.js"  # what Sphinx loads from the CDN by default
MATHJAX_PATH = f"{MATHJAX_FOLDER}/{MATHJAX_ENTRY}"  # relative: Sphinx prefixes _static/
# Files at the top of the MathJax folder that the page never loads when it starts from
# MATHJAX_ENTRY: the other combined bundles (MathJax loads components, never bundles),
# node-main.js (for Node) and latest.js (which loads MathJax from a CDN).
MATHJAX_UNUSED = ("tex-*.js", "mml-*.js", "latest.js", "node-main.js")

class FetchError(RuntimeError):
    pass


# ------------------------------------------------------------------------- config


def _configure(app, config) -> None:
    """Point MathJax at _static/ and load no widget scripts, unless _config.yml set them."""
    from sphinx.ext.mathjax import MATHJAX_URL

    if config.mathjax_path == MATHJAX_URL:
        config.mathjax_path = MATHJAX_PATH
    if not (config.html_context or {}).get("default_mode"):  # pydata-sphinx-theme reads it there
        config.html_context = {**(config.html_context or {}), "default_mode": "auto"}
    try:
        from myst_nb.core.config import ipywidgets_js_factory
    except ImportError:  # myst-nb absent or reorganised: nothing to do for widgets
        return
    if "nb_ipywidgets_js" in config and config.nb_ipywidgets_js == ipywidgets_js_factory():
        config.nb_ipywidgets_js = {}


# -------------------------------------------------------------------------- MathJax


def mathjax_source() -> Path:
    """The MathJax folder of the installed sphinx-mathjax-offline."""
    try:
        dist = metadata.distribution(MATHJAX_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise FetchError(
            f"the PyPI package {MATHJAX_DISTRIBUTION} is not installed: "
            "`pip install -r requirements.txt`"
        ) from None
    folder = Path(dist.locate_file(f"{MATHJAX_DISTRIBUTION}/static/mathjax"))
    if not (folder / MATHJAX_ENTRY).is_file():
        raise FetchError(f"{folder / MATHJAX_ENTRY} is missing: reinstall {MATHJAX_DISTRIBUTION}")
    return folder


def copy_mathjax(static: Path) -> None:
    source = mathjax_source()

    def unused(folder: str, names: list[str]) -> set[str]:
        if Path(folder) != source:
            return set()
        return {
            n for n in names
            if n != MATHJAX_ENTRY and any(fnmatch.fnmatch(n, p) for p in MATHJAX_UNUSED)
        }

    shutil.copytree(source, static / MATHJAX_FOLDER, ignore=unused, dirs_exist_ok=True)


# ------------------------------------------------------------------------ the build


# The <link> to Font Awesome 4 on a CDN at the top of every matplotlib to_jshtml output.
MATPLOTLIB_FONT_AWESOME = re.compile(
    r'<link\s+rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/font-awesome/[^"]*"\s*/?>\n?'
)


def _drop_cdn_font_awesome(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if isinstance(body, str) and "maxcdn.bootstrapcdn.com/font-awesome/" in body:
        context["body"] = MATPLOTLIB_FONT_AWESOME.sub("", body)


def _write_each_script_once(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated <script> entries (same source, same attributes and body)."""
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        # an inline script's filename is None or "" depending on how it was added
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted(map(str, attributes.items()))))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _copy_assets(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    if app.config.mathjax_path == MATHJAX_PATH:
        try:
            copy_mathjax(static)
        except FetchError as error:
            logger.warning("MathJax cannot be served from the site: %s", error,
                           type="offline_assets", subtype="mathjax")


def _drop_developer_files(app, exception) -> None:
    """Remove from _static what no browser requests: source maps and the theme's gettext catalogs.

    The theme's JavaScript ships with ``*.map`` files (3.4 MB, read only by a
    developer's debugger) and its translation catalogs (``locales/``, used by
    Sphinx at build time); without them the site fits its 30 MB budget
    (tests/test_site_weight.py).
    """
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    for path in static.rglob("*.map"):
        path.unlink()
    shutil.rmtree(static / "locales", ignore_errors=True)


# ----------------------------------------------------------- the course's page explorers

# The page explorers (descent.page) are notebook outputs: an SVG picture and a JSON declaration.
# Their script and style are the course's own code, package data of descent: they are served
# from _static/ on every page (22 kB, cached), and the script does nothing on a page without one.
PAGE_EXPLORER_JS, PAGE_EXPLORER_CSS = "descent-explorer.js", "descent-explorer.css"


def _serve_page_explorers(app, config) -> None:
    try:
        from descent.page import static_folder
    except ImportError as error:  # the course package is missing: say so (an error under -W)
        logger.warning("the page explorers' script cannot be served: %s", error,
                       type="offline_assets", subtype="explorers")
        return
    config.html_static_path = [*config.html_static_path, str(static_folder())]
    app.add_js_file(PAGE_EXPLORER_JS, defer="defer")
    app.add_css_file(PAGE_EXPLORER_CSS)


def setup(app):
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("config-inited", _serve_page_explorers)
    app.connect("config-inited", _configure, priority=900)  # after myst-nb's own
    app.connect("html-page-context", _write_each_script_once, priority=950)  # after the others
    app.connect("html-page-context", _drop_cdn_font_awesome)
    app.connect("build-finished", _copy_assets)
    app.connect("build-finished", _drop_developer_files)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
