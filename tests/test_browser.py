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

import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from book_toc import in_ci, toc_files  # noqa: E402  (tests/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "_build" / "screenshots")
# Debian's chromium first; a Chrome also works (GitHub's runners have one).
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 60_000  # per browser action; the machine may be busy






PAGES = toc_files()
NOTEBOOK_PAGES = [e for e in PAGES if (ROOT / f"{e}.ipynb").exists()]

# ------------------------------------------------------------------ browser & server


def chromium_executable() -> str | None:
    """$CHROMIUM if set (only it), else the first of CHROMIUM_CANDIDATES found."""
    chosen = os.environ.get("CHROMIUM")
    for candidate in (chosen,) if chosen else CHROMIUM_CANDIDATES:
        path = candidate and (candidate if os.path.isabs(candidate) else shutil.which(candidate))
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "Playwright for Python is not installed (it is in requirements.txt)"
    executable = chromium_executable()
    if problem is None and executable is None:
        where = (
            f"CHROMIUM={os.environ['CHROMIUM']} is not an executable" if os.environ.get("CHROMIUM")
            else f"no Chromium ({', '.join(CHROMIUM_CANDIDATES)}) at /usr/bin or on PATH"
        )
        problem = f"{where} (Debian: `apt-get install chromium`; these tests never download a browser)"
    if problem:
        if in_ci():
            pytest.fail(f"CI is set but {problem}: .ci/run must install it.", pytrace=False)
        pytest.skip(problem)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS
        )
        yield chromium
        chromium.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path):
    """Serve folder on 127.0.0.1 (a free port) from a thread; yield the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def html(site) -> Path:
    """The built site (tests/test_book.py reports a failed build; pages built are still checked)."""
    result, folder, _ = site
    if not (folder / "index.html").is_file():
        pytest.fail(
            f"the site build produced no {folder / 'index.html'} (exit {result.returncode}): "
            "see test_site_builds_without_warnings",
            pytrace=False,
        )
    return folder


@pytest.fixture(scope="session")
def base_url(html):
    with serve(html) as url:
        yield url


# ----------------------------------------------------------------------- one visit

# Resolves once MathJax has typeset the page, the fonts are in and every image has
# loaded or failed (at most 20 s, so that a stuck page is reported, not waited on).
SETTLE = """async () => {
  const settle = (async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
    await document.fonts.ready;
    await Promise.all([...document.images].filter(i => !i.complete)
      .map(i => new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
  })();
  await Promise.race([settle, new Promise(r => setTimeout(r, 20000))]);
}"""

# What the page shows, read from the DOM once it has settled.
FACTS = r"""() => {
  const text = (e, n = 100) => (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, n);
  const maths = [...document.querySelectorAll('.math')];
  // TeX that MathJax did not typeset, in the text people read (code is skipped).
  const skip = 'pre, code, script, style, noscript, textarea, svg, mjx-container, mjx-assistive-mml';
  const tex = /\\\(|\\\)|\\\[|\\\]|\$\$|\\(?:begin|end)\{|\\(?:frac|alpha|beta|gamma|delta|epsilon|varepsilon|eta|theta|lambda|mu|nabla|sigma|sqrt|sum|prod|cdot|odot|mathbf|mathrm|hat|tilde|left|right|leq|geq|approx|infty|partial|top)(?![A-Za-z])|(?<![\w$\\])\$(?![\s$])[^$\n]{1,200}?(?<![\s\\])\$(?![\w$])/;
  const rawTex = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: n => n.parentElement && !n.parentElement.closest(skip)
      ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT });
  // where on the page: the enclosing exercise, solution or section (its anchor)
  const section = e => {
    const s = e.closest('.solution[id], .exercise[id], section[id]:not(#solution-content)');
    return s ? '#' + s.id : '(top)';
  };
  while (walker.nextNode()) {
    const node = walker.currentNode, value = node.nodeValue, m = value.match(tex);
    if (m) rawTex.push(value.slice(Math.max(0, m.index - 40), m.index + 60).replace(/\s+/g, ' ')
                       + '  (in ' + section(node.parentElement) + ')');
  }
  return {
    title: document.title,
    articleText: text(document.querySelector('article') || document.body, 200),
    math: maths.length,
    mathjaxLoaded: !!(window.MathJax && window.MathJax.version),
    mathjaxVersion: (window.MathJax && window.MathJax.version) || null,
    typeset: document.querySelectorAll('mjx-container').length,
    unrendered: maths.filter(m => !m.querySelector('mjx-container')).map(m => text(m)),
    mathErrors: [...document.querySelectorAll('mjx-merror, mjx-container [data-mjx-error]')]
      .map(e => e.getAttribute('data-mjx-error') || text(e)),
    undefinedMacros: [...document.querySelectorAll('mjx-assistive-mml [mathcolor="red"]')].map(e => text(e)),
    rawTex,
    images: [...document.images].map(i => ({
      src: (i.getAttribute('src') || '').slice(0, 90),
      alt: i.getAttribute('alt'),
      loaded: i.complete && i.naturalWidth > 0,
      where: section(i),
    })),
    fontsFailed: [...document.fonts].filter(f => f.status === 'error').map(f => f.family),
    solutions: document.querySelectorAll('.solution.dropdown').length,
    animations: document.querySelectorAll('.animation input[type=range]').length,
  };
}"""


@dataclass
class Visit:
    url: str
    status: int | None = None
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    outside: list[str] = field(default_factory=list)  # those not on the local server (blocked)
    failed: list[str] = field(default_factory=list)  # local ones that failed or got >= 400
    console_errors: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)  # of the interactions
    screenshot: Path | None = None


def _is_local(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    if origin.startswith("file:"):
        return parts.scheme == "file"
    return parts.scheme in ("http", "https") and f"{parts.scheme}://{parts.netloc}/" == origin


def _favicon(url: str) -> bool:
    # Chromium asks the server for /favicon.ico by itself (the site sets no favicon);
    # served from a folder, the site has none there. Not a request the page makes.
    return urlsplit(url).path == "/favicon.ico"


@contextmanager
def open_page(browser, url: str, origin: str):
    """A fresh page that records every request and error; outside requests are blocked."""
    visit = Visit(url)
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    pending: set = set()

    def on_request(request):
        visit.requests.append(request.url)
        if not _is_local(request.url, origin):
            visit.outside.append(request.url)
        else:
            pending.add(request)

    def on_done(request):
        pending.discard(request)

    def on_failed(request):
        pending.discard(request)
        if _is_local(request.url, origin) and not _favicon(request.url):
            visit.failed.append(f"{request.url} ({request.failure})")

    def on_response(response):
        if response.status >= 400 and not _favicon(response.url):
            visit.failed.append(f"{response.url} (HTTP {response.status})")

    def on_console(message):
        if message.type in ("error", "assert") and not _favicon(message.location.get("url", "")):
            where = message.location.get("url", "")
            visit.console_errors.append(f"{message.text[:300]}  [{where}]")

    context.route(lambda u: not _is_local(u, origin), lambda route: route.abort("blockedbyclient"))
    page = context.new_page()
    page.on("request", on_request)
    page.on("requestfinished", on_done)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.console_errors.append(f"uncaught: {error}"[:300]))
    try:
        response = page.goto(url, wait_until="load")
        visit.status = response.status if response is not None else None
        for attempt in range(3):  # a page that redirects (index.html) navigates meanwhile
            try:
                page.wait_for_load_state("load")
                page.evaluate(SETTLE)
                break
            except Exception as error:  # noqa: BLE001 - playwright's Error, imported lazily
                if "context was destroyed" not in str(error) or attempt == 2:
                    raise
        for _ in range(100):  # and no request under way (MathJax loads its fonts late)
            if not pending:
                break
            page.wait_for_timeout(100)
        visit.facts = page.evaluate(FACTS)
        yield page, visit
    finally:
        context.close()


def _src_digest(image) -> str:
    return hashlib.sha1((image.get_attribute("src") or "").encode()).hexdigest()


def try_solution(page) -> dict:
    """Click the first solution's title, on its words: its body must go from hidden to visible."""
    solution = page.locator(".solution.dropdown").first
    body = solution.locator(":scope > :not(.admonition-title)").first
    result = {"id": solution.get_attribute("id"), "hidden_before": not body.is_visible()}
    # Where a reader clicks: on the title's words ("Solution to Exercise 4.1", a link to the
    # exercise), not on the small toggle button at its end.
    # The mouse goes where the words are, and the page decides what receives the click.
    title = solution.locator(".admonition-title")
    title.scroll_into_view_if_needed()
    words = title.locator("a")
    box = (words if words.count() else title).first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    try:
        body.wait_for(state="visible", timeout=5_000)
    except Exception:  # noqa: BLE001 - reported below
        pass
    result["visible_after"] = body.is_visible()
    return result


def try_animations(page) -> list[dict]:
    """Move every animation's slider to its end: the picture must change."""
    results = []
    for index, animation in enumerate(page.locator(".animation").all()):
        slider = animation.locator("input[type=range]").first
        image = animation.locator("img").first
        if not slider.count() or not image.count():
            results.append({"index": index, "error": "no <input type=range> and <img> inside"})
            continue
        animation.scroll_into_view_if_needed()
        before = _src_digest(image)
        low, high = slider.get_attribute("min") or "0", slider.get_attribute("max") or "0"
        slider.focus()
        page.keyboard.press("End")  # as a reader would: the input event moves the frame
        page.wait_for_timeout(200)
        moved_to = slider.input_value()
        after = _src_digest(image)
        results.append(
            {"index": index, "min": low, "max": high, "value": moved_to, "changed": before != after}
        )
    return results


def try_buttons(page) -> dict:
    """Open the launch and download menus: Binder, Colab and the .ipynb must show."""
    found = {}
    for label, links in (
        ("Launch interactive content", {"binder": "mybinder.org", "colab": "colab.research.google.com"}),
        ("Download this page", {"ipynb": ".ipynb"}),
    ):
        button = page.locator(f'button[aria-label="{label}"]')
        if not button.count():
            found[label] = "no button"
            continue
        button.first.click()
        for name, needle in links.items():
            link = page.locator(f'.dropdown-menu.show a[href*="{needle}"]').first
            try:
                link.wait_for(state="visible", timeout=5_000)
                found[name] = link.get_attribute("href")
            except Exception:  # noqa: BLE001 - reported by the test
                found[name] = None
        page.keyboard.press("Escape")
    return found


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


# --------------------------------------------------------------------- what to check


def missing_alt(image: dict) -> bool:
    """No alt, an empty one, or Sphinx's stand-in: the image's own path."""
    alt = (image["alt"] or "").strip()
    return (
        not alt
        or alt == image["src"]
        or "_images/" in alt
        or re.search(r"\.(png|jpe?g|gif|svg|webp)$", alt, re.IGNORECASE) is not None
    )


def check_loaded(visit: Visit, http: bool = True) -> list[str]:
    problems = []
    if http and visit.status != 200:
        problems.append(f"HTTP status {visit.status}")
    if not visit.facts.get("articleText"):
        problems.append("the page shows no text")
    problems += [f"local request failed: {f}" for f in visit.failed]
    problems += [f"image not displayed: {i['src']} in {i['where']}" for i in visit.facts.get("images", []) if not i["loaded"]]
    problems += [f"font failed to load: {f}" for f in visit.facts.get("fontsFailed", [])]
    return problems


def check_maths(facts: dict, static_html: str) -> list[str]:
    problems = []
    expected = len(re.findall(r'class="(?:[^"]* )?math[ "]', static_html))  # Sphinx's maths nodes
    if expected:
        if not facts["mathjaxLoaded"]:
            problems.append("the page has maths but MathJax did not load")
        if facts["math"] < expected:
            problems.append(f"{facts['math']} .math elements in the browser, {expected} in the HTML")
    problems += [f"not typeset: {m!r}" for m in facts["unrendered"]]
    problems += [f"MathJax error: {m!r}" for m in facts["mathErrors"]]
    problems += [f"undefined TeX macro: {m!r}" for m in facts["undefinedMacros"]]
    problems += [f"raw TeX in the text: ...{m}..." for m in facts["rawTex"]]
    return problems


def _report(title: str, problems: list[str]) -> str:
    return f"{title}:\n  " + "\n  ".join(problems)


# ------------------------------------------------------------- the built HTML itself

ASSET_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
# <link rel=...> values whose href the browser fetches
FETCHED_LINKS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload",
                 "prefetch", "manifest", "mask-icon"}


def outside_assets(page: str) -> list[str]:
    """URLs on another host that a page's tags make the browser fetch."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            names = ASSET_ATTRIBUTES.get(tag, ())
            if tag == "link" and FETCHED_LINKS & set((attrs.get("rel") or "").lower().split()):
                names = ("href",)
            for name in names:
                for value in re.split(r",\s*", attrs.get(name) or ""):
                    url = value.strip().split(" ")[0]
                    if re.match(r"^(https?:)?//", url, re.IGNORECASE):
                        found.append(f"<{tag} {name}={url}>")
            for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", attrs.get("style") or ""):
                found.append(f"<{tag} style=url({url})>")

    Parser().feed(page)
    return found


def test_built_pages_reference_no_outside_assets(html):
    """No tag of any built page, and no stylesheet of _static, fetches from another host.

    Runs without a browser. Links (<a href>: launch buttons, repository, citations)
    and <link rel=canonical> are not fetched and are allowed.
    """
    problems = []
    for path in sorted(html.rglob("*.html")):
        problems += [f"{path.relative_to(html)}: {u}" for u in outside_assets(path.read_text(encoding="utf8"))]
    for path in sorted((html / "_static").rglob("*.css")):
        css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf8", errors="replace"), flags=re.DOTALL)
        for url in re.findall(r"(?:url\(|@import\s+)\s*['\"]?((?:https?:)?//[^'\")\s;]+)", css):
            problems.append(f"{path.relative_to(html)}: {url}")
    assert not problems, _report("assets fetched from another host", problems)

    # MathJax is the site's own copy, whole: the entry point and the fonts it uses.
    mathjax = html / "_static" / "mathjax"
    assert (mathjax / "tex-mml-chtml.js").is_file(), "MathJax was not copied into _static/mathjax"
    assert list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff")), "MathJax fonts missing"
    # pydata-sphinx-theme's Font Awesome (icons) is local too.
    assert list((html / "_static" / "vendor" / "fontawesome").rglob("*.woff2")), "Font Awesome webfonts missing"


# ----------------------------------------------------------------- every toc page


@pytest.mark.parametrize("entry", PAGES)
def test_page_loads(visit, entry):
    seen = visit(entry)
    problems = check_loaded(seen)
    assert not problems, _report(f"{entry}: the page did not load cleanly", problems)
    assert seen.results.get("screenshot_bytes"), f"{entry}: no screenshot taken"


@pytest.mark.parametrize("entry", PAGES)
def test_page_has_no_console_errors(visit, entry):
    errors = visit(entry).console_errors
    assert not errors, _report(f"{entry}: errors in the browser console", errors)


@pytest.mark.parametrize("entry", PAGES)
def test_page_requests_nothing_from_another_host(visit, entry):
    seen = visit(entry)
    assert not seen.outside, _report(f"{entry}: requests to another host (blocked)", seen.outside)
    assert any(u.endswith(".html") for u in seen.requests)  # the recording works


@pytest.mark.parametrize("entry", PAGES)
def test_page_maths_is_typeset(visit, html, entry):
    seen = visit(entry)
    problems = check_maths(seen.facts, (html / f"{entry}.html").read_text(encoding="utf8"))
    assert not problems, _report(f"{entry}: maths not rendered", problems)
    if seen.facts["math"]:
        assert seen.facts["mathjaxVersion"].startswith("3."), seen.facts["mathjaxVersion"]
        assert seen.facts["typeset"] >= seen.facts["math"]


@pytest.mark.parametrize("entry", PAGES)
def test_page_images_have_alt_text(visit, entry):
    """Notebook figures: set `mystnb: image: alt:` in the cell's metadata."""
    missing = [f"{i['src']} (alt={i['alt']!r}) in {i['where']}" for i in visit(entry).facts["images"] if missing_alt(i)]
    assert not missing, _report(f"{entry}: images without alt text", missing)


@pytest.mark.parametrize("entry", NOTEBOOK_PAGES)
def test_launch_and_download_buttons(visit, entry):
    found = visit(entry).results["buttons"]
    name = f"{entry}.ipynb"
    # The learner edition (tools/editions): Binder and Colab open it from the `learner`
    # branch that the Pages workflow fills, and the download button serves it from the site.
    assert found.get("binder") and f"/learner?urlpath=lab/tree/{name}" in found["binder"], found
    assert found.get("colab") and found["colab"].endswith(f"/blob/learner/{name}"), found
    assert found.get("ipynb") and found["ipynb"].endswith(f"_editions/learner/{name}"), found


def test_the_downloadable_notebooks_are_served(html):
    for entry in NOTEBOOK_PAGES:
        assert (html / "_editions" / "learner" / f"{entry}.ipynb").is_file(), f"_editions/learner/{entry}.ipynb missing"


def test_solutions_open_on_click(visit):
    seen = {entry: visit(entry) for entry in PAGES}
    tried = {e: v.results["solution"] for e, v in seen.items() if "solution" in v.results}
    if not tried:
        pytest.skip("no page of _toc.yml has a solution dropdown (`:class: dropdown` on {solution})")
    broken = [f"{e}: {r}" for e, r in tried.items() if not (r["hidden_before"] and r["visible_after"])]
    assert not broken, _report("solutions that were not folded, or did not open on a click", broken)


def test_animation_sliders_change_the_picture(visit):
    seen = {entry: visit(entry) for entry in PAGES}
    tried = {e: v.results["animations"] for e, v in seen.items() if "animations" in v.results}
    if not tried:
        pytest.skip(
            "no page of _toc.yml has an animation (matplotlib to_jshtml: <input type=range> "
            "inside .animation); test_widgets_and_animation_in_a_scratch_book checks the mechanism"
        )
    broken = [f"{e}: {r}" for e, rs in tried.items() for r in rs if not r.get("changed")]
    assert not broken, _report("animations whose slider did not change the picture", broken)


def test_other_pages_load_offline_without_errors(browser, html, base_url):
    """index.html (the redirect), search.html, genindex.html and any other built page."""
    problems = []
    for path in sorted(html.glob("*.html")):
        with open_page(browser, base_url + path.name, base_url) as (page, seen):
            problems += [f"{path.name}: {p}" for p in check_loaded(seen) + seen.console_errors]
            problems += [f"{path.name}: request to {u}" for u in seen.outside]
            if path.name == "index.html" and not page.url.endswith(f"{PAGES[0]}.html"):
                problems.append(f"index.html: ended on {page.url}, not on {PAGES[0]}.html")
    assert not problems, _report("pages outside the toc", problems)


def test_search_finds_bias_correction(browser, base_url):
    """The intro mentions bias correction: the search page must list it."""
    assert "bias correction" in (ROOT / "book" / "intro.md").read_text(encoding="utf8").lower()
    with open_page(browser, base_url + "search.html?q=bias+correction", base_url) as (page, seen):
        page.locator("#search-results .search-summary").filter(has_text="found").wait_for()
        hits = [a.get_attribute("href") for a in page.locator("#search-results ul.search li a").all()]
    assert any(h and h.split("?")[0].endswith("book/intro.html") for h in hits), hits
    assert not seen.outside, seen.outside
    assert not seen.console_errors, seen.console_errors


def test_a_chapter_read_from_file_urls(browser, html):
    """Opened as a file (no server), a chapter still shows its maths, icons and figures.

    The search page lists results there too, but shows no excerpts: the browser
    refuses the fetch() it uses on file:// (README.md says to serve the folder).
    """
    entry = NOTEBOOK_PAGES[0] if NOTEBOOK_PAGES else PAGES[0]
    url = (html / f"{entry}.html").as_uri()
    with open_page(browser, url, "file:") as (page, seen):
        problems = check_loaded(seen, http=False)
        problems += check_maths(seen.facts, (html / f"{entry}.html").read_text(encoding="utf8"))
        problems += seen.console_errors + [f"request to {u}" for u in seen.outside]
    assert not problems, _report(f"{entry} from {url}", problems)


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
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/fixture\n", encoding="utf8")
    nbformat.write(fixture_notebook(), tmp_path / "book" / "fixture.ipynb")
    exe = Path(sys.executable).with_name("jupyter-book")
    command = [str(exe) if exe.exists() else "jupyter-book", "build", ".", "-W", "-n", "--keep-going"]
    env = {**os.environ, "OFFLINE_ASSETS_CACHE": str(ROOT / ".offline_assets")}  # fetch once per clone
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
    )
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert result.returncode == 0, "scratch book with widgets failed to build:\n" + log[-4000:]
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
    assert not seen.outside, _report("requests to another host", seen.outside)
    assert not seen.console_errors, _report("console errors", seen.console_errors)
    assert not check_loaded(seen), check_loaded(seen)
    assert not check_maths(seen.facts, page_html), check_maths(seen.facts, page_html)
    assert "steps" in widget_text and "3" in widget_text, widget_text
    assert label_maths == 1, "the widget's label \\(t\\) was not typeset"
    assert any(u.endswith("_static/ipywidgets/embed-amd.js") for u in requested)
    assert animations and all(a["changed"] for a in animations), animations
