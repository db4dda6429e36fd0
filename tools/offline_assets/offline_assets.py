"""Sphinx extension: the site serves its JavaScript itself, so it works offline.

It also serves the course's own script and style for the page explorers
(``descent-explorer.js`` and ``.css``, package data of ``descent``, see
``descent/page.py``) from ``_static/`` on every page.

Out of the box the pages of a Jupyter Book load two things from CDNs:

- MathJax 3, on every page with maths (Sphinx's default ``mathjax_path`` is
  ``https://cdn.jsdelivr.net/npm/mathjax@3/...``);
- on a notebook page whose stored output holds ipywidgets (nbclient stores their
  state when it executes a notebook), require.js and ``@jupyter-widgets/html-manager``
  (myst-nb's default ``nb_ipywidgets_js``).

With this extension (``sphinx.extra_extensions`` in ``_config.yml``) the pages load
them from ``_static/`` instead:

- MathJax 3.2.2 comes from the PyPI package ``sphinx-mathjax-offline`` (pinned in
  requirements.txt; only its files are used, not its extension, so that the combined
  bundles the site never loads are not copied: 10 MB instead of 24 MB). It is copied
  to ``_static/mathjax/`` and ``mathjax_path`` points at its ``tex-mml-chtml.js``,
  the same bundle Sphinx takes from the CDN. Every component MathJax may load later
  (TeX extensions by autoload, the menu, the SVG output, the accessibility and
  speech modules and their data) is in that folder too.
- The widget JavaScript comes from the npm registry at build time, only when some
  page needs it: ``npm pack`` fetches the two pinned packages below into the
  git-ignored folder ``.offline_assets/`` of the book (set ``OFFLINE_ASSETS_CACHE``
  to use another folder), their sha512 is checked against the one recorded here, and
  ``require.js`` and ``embed-amd.js`` (with the Font Awesome fonts it uses) are copied
  to ``_static/ipywidgets/``. Widgets from the ``@jupyter-widgets/base``,
  ``controls`` and ``output`` modules (everything ipywidgets provides) then render
  with no outside request; a third-party widget library would still be fetched from
  jsdelivr by ``embed-amd.js``, and tests/test_browser.py reports that request.

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
committed to the repository. A failed fetch (no ``npm``, no registry) is a Sphinx
warning, hence an error under ``-W``.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
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

# ------------------------------------------------------------------ ipywidgets (npm)

WIDGETS_FOLDER = "ipywidgets"  # under _static/


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    integrity: str  # the registry's sha512 of the tarball (`npm view NAME@VERSION dist.integrity`)
    files: tuple[str, ...]  # members of the tarball to copy (glob patterns), flattened


NPM_PACKAGES = (
    NpmPackage(
        "requirejs",
        "2.3.8",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        ("package/require.js",),
    ),
    # 1.0.x is the html-manager of ipywidgets 8 (controls 2.0.0, base 2.0.0, output 1.0.0).
    NpmPackage(
        "@jupyter-widgets/html-manager",
        "1.0.15",
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        (
            "package/dist/embed-amd.js",
            "package/dist/embed.js.LICENSE.txt",
            # Font Awesome, which embed-amd.js loads from its own folder
            "package/dist/*.woff2",
            "package/dist/*.woff",
            "package/dist/*.ttf",
            "package/dist/*.eot",
            "package/dist/*.svg",
        ),
    ),
)

# Before the two scripts, on the same pages: (1) each module of embed-amd.js takes its
# webpack public path (where its Font Awesome fonts are) from the folder of its
# require.js module URL, by default a folder under the page's own that does not
# exist: a require.js configuration, set as the global `require` before require.js
# loads, puts those URLs in _static/ipywidgets/ (the global the html-manager module
# reads is set too); (2) ipywidgets typesets widget labels with MathJax 2's
# `MathJax.Hub.Queue` (jupyter-widgets/ipywidgets#3829), which MathJax 3 does not have:
# once MathJax 3 is there (deferred scripts run before DOMContentLoaded) a Hub.Queue
# that hands the element to MathJax 3's typesetPromise is added.
WIDGETS_SETUP = f"""(function () {{
  var options = document.querySelector('script[src*="documentation_options.js"]');
  if (options) {{
    var folder = new URL("{WIDGETS_FOLDER}/", options.src).href;
    window.__jupyter_widgets_assets_path__ = folder;
    window.require = {{ paths: {{ "@jupyter-widgets/html-manager/dist": folder.slice(0, -1) }} }};
  }}
  document.addEventListener("DOMContentLoaded", function () {{
    var mj = window.MathJax;
    if (!mj || !mj.startup || mj.Hub) return;
    mj.Hub = {{ Queue: function () {{
      Array.prototype.forEach.call(arguments, function (command) {{
        if (Array.isArray(command) && command[0] === "Typeset" && command[2]) {{
          mj.startup.promise.then(function () {{ return mj.typesetPromise([command[2]]); }});
        }}
      }});
    }} }};
  }});
}})();"""

# myst-nb adds these (in this order) to every page with widget state; "" is an inline script.
IPYWIDGETS_JS = {
    "": {"body": WIDGETS_SETUP},
    f"{WIDGETS_FOLDER}/require.js": {},
    f"{WIDGETS_FOLDER}/embed-amd.js": {},
}


class FetchError(RuntimeError):
    pass


# ------------------------------------------------------------------------- config


def _configure(app, config) -> None:
    """Point MathJax and the widget scripts at _static/, unless _config.yml set them."""
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
        config.nb_ipywidgets_js = dict(IPYWIDGETS_JS)


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


# ------------------------------------------------------------------------------ npm


def integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def npm_tarball(package: NpmPackage, cache: Path) -> Path:
    """The package's tarball, from the cache or fetched with `npm pack`, checked."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f"{package.name.replace('@', '').replace('/', '-')}-{package.version}.tgz"
    if target.is_file() and integrity(target) == package.integrity:
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(
            "`npm` is not on PATH (install Node.js; on Debian `apt-get install npm`)"
        )
    spec = f"{package.name}@{package.version}"
    with tempfile.TemporaryDirectory(dir=cache, prefix=".fetch-") as tmp:
        try:
            result = subprocess.run(
                [npm, "pack", spec, "--json", "--ignore-scripts", "--pack-destination", tmp],
                cwd=tmp, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise FetchError(f"`npm pack {spec}` took more than 600 s") from None
        if result.returncode != 0:
            raise FetchError(f"`npm pack {spec}` failed:\n{result.stderr.strip()[-2000:]}")
        try:
            filename = json.loads(result.stdout)[0]["filename"]
        except (ValueError, LookupError, TypeError):
            raise FetchError(f"`npm pack {spec}` printed no tarball name:\n{result.stdout[-2000:]}") from None
        fetched = Path(tmp) / Path(filename).name
        if not fetched.is_file():
            raise FetchError(f"`npm pack {spec}` did not write {fetched.name}")
        got = integrity(fetched)
        if got != package.integrity:
            raise FetchError(f"{spec}: sha512 {got} is not the pinned {package.integrity}")
        os.replace(fetched, target)  # atomic: concurrent builds see a whole file or none
    return target


def copy_npm_files(package: NpmPackage, cache: Path, destination: Path) -> list[str]:
    """Copy the package's wanted files, flattened, into destination; return their names."""
    destination.mkdir(parents=True, exist_ok=True)
    copied, matched = [], set()
    with tarfile.open(npm_tarball(package, cache)) as archive:
        for member in archive.getmembers():
            patterns = {p for p in package.files if fnmatch.fnmatch(member.name, p)}
            if member.isfile() and patterns:
                name = Path(member.name).name  # flattened: no path from the archive is used
                (destination / name).write_bytes(archive.extractfile(member).read())
                copied.append(name)
                matched |= patterns
    if matched != set(package.files):
        raise FetchError(
            f"{package.name}@{package.version}: nothing in the tarball matches "
            f"{sorted(set(package.files) - matched)}"
        )
    return copied


def cache_folder(app) -> Path:
    return Path(os.environ.get("OFFLINE_ASSETS_CACHE") or Path(app.srcdir) / ".offline_assets")


def pages_with_widgets(app) -> list[str]:
    """Documents to which myst-nb adds the (local) widget scripts."""
    try:
        from myst_nb.sphinx_ import NbMetadataCollector
    except ImportError:
        return []
    pages = []
    for docname in sorted(app.env.all_docs):
        scripts = NbMetadataCollector.get_js_files(app.env, docname).values()
        if any(path and path.startswith(f"{WIDGETS_FOLDER}/") for path, _ in scripts):
            pages.append(docname)
    return pages


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
    widgets = pages_with_widgets(app)
    if widgets:
        cache = cache_folder(app)
        for package in NPM_PACKAGES:
            try:
                copy_npm_files(package, cache, static / WIDGETS_FOLDER)
            except FetchError as error:
                logger.warning(
                    "pages with ipywidgets (%s) need the JavaScript of the npm package %s@%s, "
                    "fetched at build time, and it could not be had: %s",
                    ", ".join(widgets), package.name, package.version, error,
                    type="offline_assets", subtype="npm",
                )


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
