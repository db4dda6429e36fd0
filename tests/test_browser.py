"""The built site in a real browser: offline, rendered, and working when clicked.

The site built once by the `site` fixture (tests/conftest.py, the build that
tests/test_book.py checks) is served on 127.0.0.1 by a threaded http.server, and one
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright for Python; never
a browser that Playwright downloads) visits every page in turn. For every page of
_toc.yml it checks that the page loads, logs no error to the console, requests
nothing from another host (every request is recorded; only 127.0.0.1 is let through),
that a first visit downloads no more than the weight budget (tests/test_site_weight.py),
that every maths element was typeset (at build time, by MathJax in Node: no page loads a
math engine) with no TeX left in the text, the numbered equations showing their numbers and
the links to them resolving, no display formula wider than a phone's text (390 px), and that
every image has a real alt text. The icons show, in light and dark mode, from the theme's icon
fonts (no Font Awesome script). It also clicks: a solution opens, the launch and download menus
hold Binder, Colab and the .ipynb; and the search page finds
"bias correction". Every page explorer on a page is live, and its paths are descent.minimize's.

A screenshot of each page of _toc.yml is kept in _build/screenshots/<page>.png
(SCREENSHOT_DIR to put them elsewhere), for people to look at: the first screen, or the
whole page with FULL_SCREENSHOTS=1.

Without Playwright or Chromium these tests are skipped with the reason; with CI set
they fail instead, since .ci/run installs both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from book_toc import toc_files
from explorer_checks import assert_paths_are_minimizes  # noqa: E402  (tests/ is on sys.path)
from test_site_weight import first_visit_problems  # noqa: E402  (the budget)
from harness import (  # noqa: E402  (the shared harness: tests/harness.py)
    ICONS,
    EXPLORER_STATES,
    FULL_SCREENSHOTS,
    SCREENSHOTS,
    SETTLE,
    Visit,
    check_icons,
    check_loaded,
    check_maths,
    missing_alt,
    open_page,
    outside_assets,
    page_problems,
    report,
    serve,
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
                visit.results["screenshot_bytes"] = len(page.screenshot(path=str(visit.screenshot), full_page=FULL_SCREENSHOTS))
            if visit.facts.get("solutions"):
                visit.results["solution"] = try_solution(page)
            if visit.facts.get("explorers"):
                visit.results["explorers"] = page.evaluate(EXPLORER_STATES)
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

    # The maths is typeset at build time: MathJax's fonts are served, no math engine is.
    static = built_site / "_static"
    assert list((static / "mathjax" / "fonts").glob("*.woff")), "MathJax's CHTML fonts missing from _static/mathjax/fonts"
    assert not list(static.rglob("tex-*.js")) and not list(static.rglob("*katex*.js")), "a math engine is served"
    # pydata-sphinx-theme's Font Awesome webfonts (icons) are local too, and its script is gone.
    assert list((static / "vendor" / "fontawesome").rglob("*.woff2")), "Font Awesome webfonts missing"
    assert not (static / "scripts" / "fontawesome.js").exists(), "fontawesome.js is still served"


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
def test_a_first_visit_is_within_the_weight_budget(visit, base_url, entry):
    """What the visit downloaded (a fresh context: an empty cache), against tests/test_site_weight.py's budget."""
    problems = first_visit_problems(entry, visit(entry).transfer, f"{base_url}{entry}.html", base_url)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("entry", PAGES)
def test_page_shows_one_search_field(visit, entry):
    """At 1280 px the sidebar has the search field; the theme's top strip showed a second (course.css hides it)."""
    shown = visit(entry).facts["searchFields"]
    assert shown == 1, f"{entry}: {shown} search fields shown"


@pytest.mark.parametrize("entry", PAGES)
def test_page_maths_is_typeset(visit, built_site, entry):
    seen = visit(entry)
    problems = check_maths(seen.facts, (built_site / f"{entry}.html").read_text(encoding="utf8"), seen.requests)
    assert not problems, report(f"{entry}: maths not rendered", problems)


# The text column of a 390 px-wide phone (the theme leaves 16 px either side), measured in Chromium.
# A formula is drawn as wide at every window width, so the visit at 1280 px can tell.
PHONE_TEXT_PX = 390 - 2 * 16


@pytest.mark.parametrize("entry", PAGES)
def test_page_display_maths_fits_a_phone(visit, entry):
    """No display formula is wider than a phone's text: a wide one is split into aligned lines."""
    wide = [f"{d['number'] or 'unnumbered'} in {d['where']}: {d['width']} px ({d['tex']!r})"
            for d in visit(entry).facts["displayMaths"] if d["width"] > PHONE_TEXT_PX]
    assert not wide, report(f"{entry}: display formulas wider than a 390 px phone's {PHONE_TEXT_PX} px of text", wide)


@pytest.mark.parametrize("entry", PAGES)
def test_page_images_have_alt_text(visit, entry):
    """Notebook figures: set `mystnb: image: alt:` in the cell's metadata."""
    missing = [f"{i['src']} (alt={i['alt']!r}) in {i['where']}" for i in visit(entry).facts["images"] if missing_alt(i)]
    assert not missing, report(f"{entry}: images without alt text", missing)


@pytest.mark.parametrize("entry", NOTEBOOK_PAGES)
def test_launch_and_download_buttons(visit, entry):
    found = visit(entry).results["buttons"]
    name = f"{entry}.ipynb"
    # The learner edition (tools/editions): Binder and Colab open it from the `learner`
    # branch that the Pages workflow fills, and the download button serves it from the site.
    assert found.get("binder") and f"/learner?urlpath=lab/tree/{name}" in found["binder"], found
    assert found.get("colab") and found["colab"].endswith(f"/blob/learner/{name}"), found
    assert found.get("ipynb") and found["ipynb"].endswith(f"_editions/learner/{name}"), found


def test_numbered_equations_and_their_references(visit):
    """The chapters number their equations (Sphinx's numbers, beside the typeset formula) and link to them."""
    seen = {entry: visit(entry).facts for entry in PAGES}
    equations = sum(len(f["equations"]) for f in seen.values())
    references = sum(len(f["references"]) for f in seen.values())
    assert equations >= 10 and references >= 5, (equations, references)  # each one is checked in check_maths


# A notebook page (the launch and download buttons are on those only), the lightest: it shows
# every kind of icon a chapter does (the same fa-* classes as chapter 4's), and loads in 0.8 s, not 2 s.
ICON_PAGE = "book/instructors"
SHOWN_ICONS = ("fa-github", "fa-rocket", "fa-download", "fa-expand", "fa-magnifying-glass", "fa-bars", "fa-list")
MENU_ICONS = {  # the header's drop-down menus: their icons show once opened
    "Source repositories": ("fa-github", "fa-pencil-alt", "fa-lightbulb"),
    "Launch interactive content": (),  # Binder's and Colab's logos are images (checked as images)
    "Download this page": ("fa-file", "fa-file-pdf"),
}
SWITCH_ICONS = ("fa-sun", "fa-moon", "fa-circle-half-stroke")


def test_icons_show(browser, base_url):
    """Every icon of a notebook page shows, without fontawesome.js, in light and in dark mode: the header's,
    the menus' when opened, the theme's own (admonitions, breadcrumbs), and the light/dark/auto
    switch's in each of its three states. Each has its glyph in the theme's icon fonts (cut to the
    icons used). One visit: the reader's system setting is switched in the page (the theme follows it)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    problems = []
    try:
        page = context.new_page()
        page.goto(f"{base_url}{ICON_PAGE}.html", wait_until="load")
        page.evaluate(SETTLE)
        for mode in ("light", "dark"):
            page.emulate_media(color_scheme=mode)
            page.wait_for_function(f"document.documentElement.dataset.theme === {mode!r}")
            problems += [f"{mode}: {p}" for p in check_icons(page.evaluate(ICONS), SHOWN_ICONS)]
            for label, names in MENU_ICONS.items():
                page.locator(f'button[aria-label="{label}"]').first.click()
                page.locator(".dropdown-menu.show").first.wait_for(state="visible")
                problems += [f"{mode}: {label} menu: {p}" for p in check_icons(page.evaluate(ICONS), names)]
                page.keyboard.press("Escape")
        switch = page.locator("button.theme-switch-button").first
        states = set()
        for _ in range(3):  # auto -> light -> dark (the order the theme cycles in)
            shown = [i["classes"] for i in page.evaluate(ICONS) if i["shown"] and i["ink"]
                     and set(i["classes"].split()) & set(SWITCH_ICONS)]
            if len(shown) != 1:
                problems.append(f"theme switch in mode {page.evaluate('document.documentElement.dataset.mode')!r} shows {shown}")
            states.update(shown)
            switch.click()
        if len(states) != 3:
            problems.append(f"the theme switch showed {sorted(states)}, not its three icons")
        scripts = page.evaluate("[...document.scripts].map(s => s.src).filter(s => s.includes('fontawesome'))")
        problems += [f"Font Awesome's script is loaded: {s}" for s in scripts]
    finally:
        context.close()
    assert not problems, report(f"{ICON_PAGE}: icons", problems)


def test_the_downloadable_notebooks_are_served(built_site):
    for entry in NOTEBOOK_PAGES:
        learner = built_site / "_editions" / "learner" / f"{entry}.ipynb"
        assert learner.is_file(), f"_editions/learner/{entry}.ipynb missing"


def test_solutions_open_on_click(visit):
    seen = {entry: visit(entry) for entry in PAGES}
    tried = {e: v.results["solution"] for e, v in seen.items() if "solution" in v.results}
    if not tried:
        pytest.skip("no page of _toc.yml has a solution dropdown (`:class: dropdown` on {solution})")
    broken = [f"{e}: {r}" for e, r in tried.items() if not (r["hidden_before"] and r["visible_after"])]
    assert not broken, report("solutions that were not folded, or did not open on a click", broken)


def test_site_page_explorers_are_live_and_run_minimize(visit, built_site):
    """Every explorer the built site shows runs in the page, offline, and draws minimize's paths."""
    pages = [e for e in PAGES if 'class="descent-explorer"' in (built_site / f"{e}.html").read_text(encoding="utf8")]
    assert pages, "no page of _toc.yml shows a page explorer (descent.page)"
    assert (built_site / "_static" / "descent-explorer.js").is_file()
    for entry in pages:
        states = visit(entry).results.get("explorers")
        assert states and all(states), f"{entry}: explorers not made live by descent-explorer.js: {states}"
        for shown in states:
            assert_paths_are_minimizes(shown)


def test_other_pages_load_offline_without_errors(browser, built_site, base_url):
    """index.html (the redirect), search.html, genindex.html and any other built page."""
    problems = []
    for path in sorted(built_site.glob("*.html")):
        with open_page(browser, base_url + path.name, base_url) as (page, seen):
            problems += [f"{path.name}: {p}" for p in page_problems(seen)]
            if path.name == "index.html" and not page.url.endswith(f"{PAGES[0]}.html"):
                problems.append(f"index.html: ended on {page.url}, not on {PAGES[0]}.html")
    assert not problems, report("pages outside the toc", problems)


def test_search_finds_bias_correction(browser, base_url):
    """The intro mentions bias correction: the search page must list it."""
    assert "bias correction" in (ROOT / "book" / "intro.md").read_text(encoding="utf8").lower()
    with open_page(browser, base_url + "search.html?q=bias+correction", base_url) as (page, seen):
        page.locator("#search-results .search-summary").filter(has_text="found").wait_for()
        hits = [a.get_attribute("href") for a in page.locator("#search-results ul.search li a").all()]
        page.wait_for_function("document.querySelectorAll('#search-results ul.search li p.context').length > 3")
        excerpts = page.locator("#search-results ul.search li p.context").all_inner_texts()
    assert any(h and h.split("?")[0].endswith("book/intro.html") for h in hits), hits
    # The excerpts are the pages' text, maths included: typeset at build time, it reads as
    # symbols (the assistive MathML's text), never as the TeX it was written in.
    tex = [e for e in excerpts if re.search(r"\\\(|\\\[|\\(?:frac|hat|beta|alpha|sqrt|mathbf|nabla)\b|\$", e)]
    assert not tex, report("search excerpts showing TeX", tex)
    assert not seen.outside, seen.outside
    assert not seen.console_errors, seen.console_errors


def test_a_chapter_read_from_file_urls(browser, built_site):
    """Opened as a file (no server), a chapter still shows its maths, icons and figures.

    The search page lists results there too, but shows no excerpts: the browser
    refuses the fetch() it uses on file:// (README.md says to serve the folder).
    """
    # the shortest chapter that has both (the load is the same code for all; a long one costs seconds)
    def shows_maths_and_figures(entry):
        page_html = (built_site / f"{entry}.html").read_text(encoding="utf8")
        return "<mjx-container" in page_html and re.search(r'<img [^>]*src="[^"]*_images/', page_html) is not None
    chapters = [e for e in NOTEBOOK_PAGES if shows_maths_and_figures(e)] or PAGES[:1]
    entry = min(chapters, key=lambda e: (built_site / f"{e}.html").stat().st_size)
    url = (built_site / f"{entry}.html").as_uri()
    with open_page(browser, url, "file:") as (page, seen):
        problems = page_problems(seen, http=False)
        problems += check_maths(seen.facts, (built_site / f"{entry}.html").read_text(encoding="utf8"), seen.requests)
    assert not problems, report(f"{entry} from {url}", problems)


def test_settle_waits_for_an_image_that_arrives_late(browser):
    """page.evaluate(SETTLE) with no limit waits (up to 20 s) for the page's images; Playwright passes
    null for the missing argument, which once made it give up at once."""
    import base64
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pixel = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

    class Late(BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(0.5)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(pixel)))
            self.end_headers()
            self.wfile.write(pixel)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Late)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        page.set_content(f'<img alt="late" src="http://127.0.0.1:{server.server_port}/late.png">',
                         wait_until="domcontentloaded")
        assert page.evaluate(SETTLE) is True
        assert page.evaluate("document.images[0].complete && document.images[0].naturalWidth") == 1
    finally:
        page.close()
        server.shutdown()
        server.server_close()
