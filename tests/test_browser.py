"""The built site in a real browser: offline, rendered, and working when clicked.

The site built once by the `site` fixture (tests/conftest.py, the build that
tests/test_book.py checks) is served on 127.0.0.1 by a threaded http.server, and one
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright for Python; never
a browser that Playwright downloads) visits every page in turn. For every page of
_toc.yml it checks that the page loads, logs no error to the console, requests
nothing from another host (every request is recorded; only 127.0.0.1 is let through),
that every maths element was typeset by MathJax 3 with no TeX left in the text, and
that every image has a real alt text. It also clicks: a solution opens, an
animation's slider changes its picture, the launch and download menus hold Binder,
Colab and the .ipynb; and the search page finds "bias correction".

A screenshot of each page of _toc.yml is kept in _build/screenshots/<page>.png
(SCREENSHOT_DIR to put them elsewhere), for people to look at.

Without Playwright or Chromium these tests are skipped with the reason; with CI set
they fail instead, since .ci/run installs both.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from book_toc import in_ci, toc_files  # noqa: E402  (tests/ is on sys.path)
from harness import (  # noqa: E402  (the shared harness: tests/harness.py)
    SCREENSHOTS,
    TIMEOUT_MS,
    Visit,
    build_book,
    build_log,
    check_loaded,
    check_maths,
    missing_alt,
    open_page,
    outside_assets,
    report,
    scratch_book,
    serve,
    try_animations,
    try_buttons,
    try_solution,
)

ROOT = Path(__file__).resolve().parent.parent
PAGES = toc_files()
NOTEBOOK_PAGES = [e for e in PAGES if (ROOT / f"{e}.ipynb").exists()]

# The fixtures `browser` (one headless Chromium), `built_site` (the built site's html folder,
# or fail) and `base_url` (it, served on 127.0.0.1) are in tests/conftest.py.

# ----------------------------------------------------------------------- one visit per page


class Visitor:
    """Visits each page once (lazily) and keeps what it saw for the tests that ask."""

    def __init__(self, browser, base_url: str):
        self.browser, self.base_url, self.visits = browser, base_url, {}
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # each run overwrites its pages' files

    def __call__(self, entry: str) -> Visit:
        if entry not in self.visits:
            try:
                self.visits[entry] = self._visit(entry)
            except Exception as error:  # noqa: BLE001 - kept, so the page is not retried by every test
                self.visits[entry] = error
        seen = self.visits[entry]
        if isinstance(seen, Exception):
            pytest.fail(f"{entry}: the visit failed: {type(seen).__name__}: {seen}", pytrace=False)
        return seen

    def _visit(self, entry: str) -> Visit:
        with open_page(self.browser, f"{self.base_url}{entry}.html", self.base_url) as (page, visit):
            if entry in PAGES:
                visit.screenshot = SCREENSHOTS / f"{Path(entry).name}.png"
                visit.results["screenshot_bytes"] = len(page.screenshot(path=str(visit.screenshot), full_page=True))
            if visit.facts.get("solutions"):
                visit.results["solution"] = try_solution(page)
            if visit.facts.get("animations"):
                visit.results["animations"] = try_animations(page)
            if entry in NOTEBOOK_PAGES:
                visit.results["buttons"] = try_buttons(page)
        return visit


@pytest.fixture(scope="session")
def visit(browser, base_url) -> Visitor:
    return Visitor(browser, base_url)



def test_built_pages_reference_no_outside_assets(built_site):
    """No tag of any built page, and no stylesheet of _static, fetches from another host.

    Runs without a browser. Links (<a href>: launch buttons, repository, citations)
    and <link rel=canonical> are not fetched and are allowed.
    """
    problems = []
    for path in sorted(built_site.rglob("*.html")):
        problems += [f"{path.relative_to(built_site)}: {u}" for u in outside_assets(path.read_text(encoding="utf8"))]
    for path in sorted((built_site / "_static").rglob("*.css")):
        css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf8", errors="replace"), flags=re.DOTALL)
        for url in re.findall(r"(?:url\(|@import\s+)\s*['\"]?((?:https?:)?//[^'\")\s;]+)", css):
            problems.append(f"{path.relative_to(built_site)}: {url}")
    assert not problems, report("assets fetched from another host", problems)

    # MathJax is the site's own copy, whole: the entry point and the fonts it uses.
    mathjax = built_site / "_static" / "mathjax"
    assert (mathjax / "tex-mml-chtml.js").is_file(), "MathJax was not copied into _static/mathjax"
    assert list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff")), "MathJax fonts missing"
    # pydata-sphinx-theme's Font Awesome (icons) is local too.
    assert list((built_site / "_static" / "vendor" / "fontawesome").rglob("*.woff2")), "Font Awesome webfonts missing"


# ----------------------------------------------------------------- every toc page


@pytest.mark.parametrize("entry", PAGES)
def test_page_loads(visit, entry):
    seen = visit(entry)
    problems = check_loaded(seen)
    assert not problems, report(f"{entry}: the page did not load cleanly", problems)
    assert seen.results.get("screenshot_bytes"), f"{entry}: no screenshot taken"


@pytest.mark.parametrize("entry", PAGES)
def test_page_has_no_console_errors(visit, entry):
    errors = visit(entry).console_errors
    assert not errors, report(f"{entry}: errors in the browser console", errors)


@pytest.mark.parametrize("entry", PAGES)
def test_page_requests_nothing_from_another_host(visit, entry):
    seen = visit(entry)
    assert not seen.outside, report(f"{entry}: requests to another host (blocked)", seen.outside)
    assert any(u.endswith(".html") for u in seen.requests)  # the recording works


@pytest.mark.parametrize("entry", PAGES)
def test_page_maths_is_typeset(visit, built_site, entry):
    seen = visit(entry)
    problems = check_maths(seen.facts, (built_site / f"{entry}.html").read_text(encoding="utf8"))
    assert not problems, report(f"{entry}: maths not rendered", problems)
    if seen.facts["math"]:
        assert seen.facts["mathjaxVersion"].startswith("3."), seen.facts["mathjaxVersion"]
        assert seen.facts["typeset"] >= seen.facts["math"]


@pytest.mark.parametrize("entry", PAGES)
def test_page_images_have_alt_text(visit, entry):
    """Notebook figures: set `mystnb: image: alt:` in the cell's metadata."""
    missing = [f"{i['src']} (alt={i['alt']!r}) in {i['where']}" for i in visit(entry).facts["images"] if missing_alt(i)]
    assert not missing, report(f"{entry}: images without alt text", missing)


@pytest.mark.parametrize("entry", NOTEBOOK_PAGES)
def test_launch_and_download_buttons(visit, entry):
    found = visit(entry).results["buttons"]
    name = f"{entry}.ipynb"
    assert found.get("binder") and f"lab/tree/{name}" in found["binder"], found
    assert found.get("colab") and found["colab"].endswith(f"/blob/main/{name}"), found
    assert found.get("ipynb") and found["ipynb"].endswith(f"_sources/{name}"), found


def test_the_downloadable_notebooks_are_served(built_site):
    for entry in NOTEBOOK_PAGES:
        assert (built_site / "_sources" / f"{entry}.ipynb").is_file(), f"_sources/{entry}.ipynb missing"


def test_solutions_open_on_click(visit):
    seen = {entry: visit(entry) for entry in PAGES}
    tried = {e: v.results["solution"] for e, v in seen.items() if "solution" in v.results}
    if not tried:
        pytest.skip("no page of _toc.yml has a solution dropdown (`:class: dropdown` on {solution})")
    broken = [f"{e}: {r}" for e, r in tried.items() if not (r["hidden_before"] and r["visible_after"])]
    assert not broken, report("solutions that were not folded, or did not open on a click", broken)


def test_animation_sliders_change_the_picture(visit):
    seen = {entry: visit(entry) for entry in PAGES}
    tried = {e: v.results["animations"] for e, v in seen.items() if "animations" in v.results}
    if not tried:
        pytest.skip(
            "no page of _toc.yml has an animation (matplotlib to_jshtml: <input type=range> "
            "inside .animation); test_widgets_and_animation_in_a_scratch_book checks the mechanism"
        )
    broken = [f"{e}: {r}" for e, rs in tried.items() for r in rs if not r.get("changed")]
    assert not broken, report("animations whose slider did not change the picture", broken)


def test_other_pages_load_offline_without_errors(browser, built_site, base_url):
    """index.html (the redirect), search.html, genindex.html and any other built page."""
    problems = []
    for path in sorted(built_site.glob("*.html")):
        with open_page(browser, base_url + path.name, base_url) as (page, seen):
            problems += [f"{path.name}: {p}" for p in check_loaded(seen) + seen.console_errors]
            problems += [f"{path.name}: request to {u}" for u in seen.outside]
            if path.name == "index.html" and not page.url.endswith(f"{PAGES[0]}.html"):
                problems.append(f"index.html: ended on {page.url}, not on {PAGES[0]}.html")
    assert not problems, report("pages outside the toc", problems)


def test_search_finds_bias_correction(browser, base_url):
    """The intro mentions bias correction: the search page must list it."""
    assert "bias correction" in (ROOT / "book" / "intro.md").read_text(encoding="utf8").lower()
    with open_page(browser, base_url + "search.html?q=bias+correction", base_url) as (page, seen):
        page.locator("#search-results .search-summary").filter(has_text="found").wait_for()
        hits = [a.get_attribute("href") for a in page.locator("#search-results ul.search li a").all()]
    assert any(h and h.split("?")[0].endswith("book/intro.html") for h in hits), hits
    assert not seen.outside, seen.outside
    assert not seen.console_errors, seen.console_errors


def test_a_chapter_read_from_file_urls(browser, built_site):
    """Opened as a file (no server), a chapter still shows its maths, icons and figures.

    The search page lists results there too, but shows no excerpts: the browser
    refuses the fetch() it uses on file:// (README.md says to serve the folder).
    """
    entry = NOTEBOOK_PAGES[0] if NOTEBOOK_PAGES else PAGES[0]
    url = (built_site / f"{entry}.html").as_uri()
    with open_page(browser, url, "file:") as (page, seen):
        problems = check_loaded(seen, http=False)
        problems += check_maths(seen.facts, (built_site / f"{entry}.html").read_text(encoding="utf8"))
        problems += seen.console_errors + [f"request to {u}" for u in seen.outside]
    assert not problems, report(f"{entry} from {url}", problems)


# ------------------------------------------------- widgets and animations, proven on a fixture

FIXTURE_MARKDOWN = r"""# Fixture

Inline $\alpha_t = \alpha / \sqrt{t}$ and displayed

$$
\hat m_t = \frac{m_t}{1 - \beta_1^t}
$$
"""


def _animation_html() -> str:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1.5), dpi=40)
    axes = figure.add_subplot()
    (line,) = axes.plot([0, 1], [0, 0])
    axes.set_ylim(-1, 3)

    def frame(i):
        line.set_ydata([0, i])
        return (line,)

    page = FuncAnimation(figure, frame, frames=3).to_jshtml(default_mode="once")
    return page.replace('<img id="_anim_img', '<img alt="A line that tilts up, one frame per step." id="_anim_img', 1)


def fixture_notebook():
    import nbformat
    from ipywidgets import IntSlider
    from ipywidgets.embed import embed_data

    data = embed_data(views=[IntSlider(value=3, min=0, max=10, description=r"steps \(t\)")])
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": data["manager_state"]}
    nb.cells = [
        nbformat.v4.new_markdown_cell(FIXTURE_MARKDOWN),
        nbformat.v4.new_code_cell("explorer", execution_count=1, outputs=[
            nbformat.v4.new_output("display_data", data={
                "application/vnd.jupyter.widget-view+json": data["view_specs"][0],
                "text/plain": "IntSlider(value=3, description='steps \\\\(t\\\\)', max=10)",
            }),
        ]),
        nbformat.v4.new_code_cell("animation", execution_count=2, outputs=[
            nbformat.v4.new_output("display_data", data={
                "text/html": _animation_html(), "text/plain": "<IPython.core.display.HTML object>",
            }),
        ]),
    ]
    return nb


def test_widgets_and_animation_in_a_scratch_book(browser, tmp_path):
    """What no chapter may show yet, built with the course's _config.yml and checked offline.

    A notebook with stored ipywidgets state (nbclient stores it when a notebook
    displays widgets) makes myst-nb load require.js and @jupyter-widgets/html-manager:
    tools/offline_assets fetches them from npm at build time and serves them from
    _static/ipywidgets. And a to_jshtml animation's slider must change its picture.
    """
    import nbformat

    if shutil.which("npm") is None and not in_ci():
        pytest.skip("npm is not installed: a page with widgets needs it at build time (tools/offline_assets)")
    scratch_book(tmp_path, "book/fixture")
    nbformat.write(fixture_notebook(), tmp_path / "book" / "fixture.ipynb")
    env = {**os.environ, "OFFLINE_ASSETS_CACHE": str(ROOT / ".offline_assets")}  # fetch once per clone
    result = build_book(tmp_path, env=env)
    assert result.returncode == 0, "scratch book with widgets failed to build:\n" + build_log(result)[-4000:]
    built = tmp_path / "_build" / "html"
    page_html = (built / "book" / "fixture.html").read_text(encoding="utf8")
    assert "_static/ipywidgets/require.js" in page_html and "_static/ipywidgets/embed-amd.js" in page_html
    assert not outside_assets(page_html), outside_assets(page_html)

    with serve(built) as url, open_page(browser, url + "book/fixture.html", url) as (page, seen):
        slider = page.locator(".widget-slider, .jupyter-widgets .widget-hslider").first
        slider.wait_for(state="visible", timeout=TIMEOUT_MS)
        widget_text = page.locator(".jupyter-widgets").first.inner_text()
        # its label is typeset by MathJax 3 through tools/offline_assets' MathJax.Hub shim
        label = page.locator(".jupyter-widgets .widget-label mjx-container")
        try:
            label.first.wait_for(state="attached", timeout=10_000)
        except Exception:  # noqa: BLE001 - reported below
            pass
        label_maths = label.count()
        animations = try_animations(page)
        page.wait_for_timeout(300)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "scratch-book-widgets-and-animation.png"), full_page=True)
        requested = list(seen.requests)
    assert not seen.outside, report("requests to another host", seen.outside)
    assert not seen.console_errors, report("console errors", seen.console_errors)
    assert not check_loaded(seen), check_loaded(seen)
    assert not check_maths(seen.facts, page_html), check_maths(seen.facts, page_html)
    assert "steps" in widget_text and "3" in widget_text, widget_text
    assert label_maths == 1, "the widget's label \\(t\\) was not typeset"
    assert any(u.endswith("_static/ipywidgets/embed-amd.js") for u in requested)
    assert animations and all(a["changed"] for a in animations), animations
