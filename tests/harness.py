"""The shared harness of the tests: the site build, the browser, the pages it visits.

One copy of what several test files need:

- `jupyter_book_command()` and `build_book()`: the README's build, `jupyter-book
  build . -W -n --keep-going`, with the venv's jupyter-book; `scratch_book()` makes a
  book of a few pages with the course's own _config.yml and references.bib;
- `strip_ansi()`: a log without its colours;
- the browser: `chromium_executable()`, `launch_browser()` (the system's Chromium
  through Playwright, skipped with the reason where missing, failing under CI),
  `serve()` (a folder on 127.0.0.1), `open_page()` (one visit that records every
  request, console error and what the page shows), the interactions (`try_*`) and the
  checks (`check_loaded`, `check_maths`, `check_icons`, `missing_alt`, `outside_assets`).
  A visit is a first visit (a fresh browser context: an empty cache), so it also
  records what the page downloads (`Visit.transfer`, for the weight budget).

The fixtures built on them (`site`, `built_site`, `browser`, `base_url`,
`no_pyplot_figures_left_open`) are in tests/conftest.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from book_toc import in_ci  # (also puts tools/ on sys.path)
from local_browser import CHROMIUM_ARGS, CHROMIUM_CANDIDATES, SETTLE, chromium_executable, serve  # noqa: F401  (tools/, shared with make pdf)

ROOT = Path(__file__).resolve().parent.parent
BUILD_OPTIONS = ["-W", "-n", "--keep-going"]  # every Sphinx warning fails the build, after reporting all
BUILD_TIMEOUT_SECONDS = 900
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "_build" / "screenshots")
# The first screen of each page by default; FULL_SCREENSHOTS=1 for whole pages (4-5 s more per chapter).
FULL_SCREENSHOTS = os.environ.get("FULL_SCREENSHOTS", "") not in ("", "0")
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 60_000  # per browser action; the machine may be busy

# ------------------------------------------------------------------------ the build


def jupyter_book_command() -> list[str]:
    """jupyter-book of the Python running the tests (the venv's), else the one on PATH."""
    exe = Path(sys.executable).with_name("jupyter-book")
    return [str(exe) if exe.exists() else shutil.which("jupyter-book") or "jupyter-book"]


def build_book(folder: Path, *extra: str, env: dict | None = None, started=None,
               options=BUILD_OPTIONS) -> subprocess.CompletedProcess:
    """`jupyter-book build . -W -n --keep-going` in folder (its log in .stdout/.stderr).

    ``options`` replaces ``-W -n --keep-going`` (``()``: a build whose warnings do not fail it).
    ``started``, if given, is called with the build's process as soon as it runs (so that
    whoever started the build in a thread can stop it).
    """
    command = jupyter_book_command() + ["build", ".", *options, *extra]
    with subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, stdin=subprocess.DEVNULL) as process:
        if started is not None:
            started(process)
        try:
            stdout, stderr = process.communicate(timeout=BUILD_TIMEOUT_SECONDS)
        except BaseException:  # a timeout, or Ctrl-C: no build left running
            process.kill()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def strip_ansi(text: str) -> str:
    """The text without its terminal colour codes (Sphinx colours its log)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def build_log(result: subprocess.CompletedProcess) -> str:
    return strip_ansi(result.stdout + "\n" + result.stderr)


def scratch_book(folder: Path, root: str = "book/page") -> Path:
    """A book in folder with the course's _config.yml, references.bib, static, extra and template files, local extensions and one page, `root`.

    The caller writes the page (folder / f"{root}.md" or .ipynb); returns folder.
    """
    (folder / Path(root).parent).mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "_config.yml", folder / "_config.yml")
    shutil.copy(ROOT / "references.bib", folder / "references.bib")
    shutil.copytree(ROOT / "book" / "_static", folder / "book" / "_static", dirs_exist_ok=True)  # html_static_path
    shutil.copytree(ROOT / "book" / "_extra", folder / "book" / "_extra", dirs_exist_ok=True)  # html_extra_path
    shutil.copytree(ROOT / "book" / "_templates", folder / "book" / "_templates", dirs_exist_ok=True)  # templates_path
    shutil.copytree(ROOT / "book" / "_ext", folder / "book" / "_ext", dirs_exist_ok=True)  # local_extensions
    (folder / "_toc.yml").write_text(f"format: jb-book\nroot: {root}\n", encoding="utf8")
    return folder


# ------------------------------------------------------------------------- browser


@contextmanager
def launch_browser():
    """One headless Chromium (yielded); skips with the reason where it cannot, fails under CI."""
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

# ----------------------------------------------------------------------- one visit

# A page is settled by local_browser.SETTLE (fonts, images and two frames; at most 20 s, so that
# a stuck page is reported, not waited on), shared with make pdf.
# Scripts of a math engine (MathJax, KaTeX): no page loads one, its maths is typeset at build time.
MATH_ENGINE = re.compile(r"mathjax|katex|tex-(?:mml-)?(?:chtml|svg)|mml-(?:chtml|svg)", re.IGNORECASE)

# TeX that MathJax would have typeset, left as text: \( \[ $$, an environment, a macro, or $...$
# around something. One pattern for the pages (FACTS, in the browser) and the printed book
# (tests/test_pdf.py): JavaScript's RegExp and Python's re read it alike, but for \w, which is
# ASCII in JavaScript and Unicode in Python (the book's check lets $...$ pass beside an é).
RAW_TEX_PATTERN = r"\\\(|\\\)|\\\[|\\\]|\$\$|\\(?:begin|end)\{|\\(?:frac|alpha|beta|gamma|delta|epsilon|varepsilon|eta|theta|lambda|mu|nabla|sigma|sqrt|sum|prod|cdot|odot|mathbf|mathrm|hat|tilde|left|right|leq|geq|approx|infty|partial|top)(?![A-Za-z])|(?<![\w$\\])\$(?![\s$])[^$\n]{1,200}?(?<![\s\\])\$(?![\w$])"

# What the page shows, read from the DOM once it has settled.
FACTS = r"""() => {
  const text = (e, n = 100) => (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, n);
  const maths = [...document.querySelectorAll('.math')];
  // TeX that MathJax did not typeset, in the text people read (code is skipped).
  const skip = 'pre, code, script, style, noscript, textarea, svg, mjx-container, mjx-assistive-mml';
  const tex = new RegExp(RAW_TEX_PATTERN);
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
  // numbered equations (Sphinx's div.math#equation-..., its number in span.eqno) and the links to them
  const numberOf = (e, n = 40) => text(e, n).replace(/#$/, '');  // an .eqno's text ends in its '#' link
  const equations = [...document.querySelectorAll('div.math[id^="equation-"]')].map(d => ({
    id: d.id, number: numberOf(d.querySelector('.eqno') || d), typeset: !!d.querySelector('mjx-container') }));
  const references = [...document.querySelectorAll('a[href*="#equation-"]')]
    .filter(a => !a.closest('.eqno'))
    .map(a => { const url = new URL(a.href, location.href);
      return { href: a.getAttribute('href'), text: text(a, 40),
               samePage: url.pathname === location.pathname,
               resolves: url.pathname !== location.pathname || !!document.getElementById(decodeURIComponent(url.hash.slice(1))) }; });
  // display formulas: how wide each one is drawn (its mjx-math; the same at every window width)
  const displayMaths = [...document.querySelectorAll('mjx-container[display="true"]')].map(c => {
    const math = c.closest('.math'), number = math && math.querySelector(':scope > .eqno');
    return { width: Math.ceil(c.querySelector('mjx-math').getBoundingClientRect().width),
             number: number ? numberOf(number) : null, where: section(c), tex: text(c.querySelector('mjx-assistive-mml') || c, 60) };
  }).filter(d => d.width > 0);  // a formula in a closed solution is not drawn
  return {
    title: document.title,
    articleText: text(document.querySelector('article') || document.body, 200),
    math: maths.length,
    mathGlobal: typeof window.MathJax !== 'undefined' || typeof window.katex !== 'undefined',
    scripts: [...document.scripts].map(s => s.src).filter(Boolean),
    typeset: document.querySelectorAll('mjx-container').length,
    equations,
    displayMaths,
    references,
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
    explorers: document.querySelectorAll('.descent-explorer').length,
    // the search fields a reader sees (the theme draws one in the sidebar and one in its top strip)
    searchFields: [...document.querySelectorAll('.search-button-field')]
      .filter(e => e.getBoundingClientRect().height > 0 && getComputedStyle(e).visibility !== 'hidden').length,
  };
}""".replace("RAW_TEX_PATTERN", json.dumps(RAW_TEX_PATTERN))


@dataclass
class Visit:
    url: str
    status: int | None = None
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    outside: list[str] = field(default_factory=list)  # those not on the local server (blocked)
    failed: list[str] = field(default_factory=list)  # local ones that failed or got >= 400
    console_errors: list[str] = field(default_factory=list)
    # what the first visit downloaded once the page had settled: URL -> bytes of the body as sent
    transfer: dict[str, int] = field(default_factory=dict)
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


@contextmanager
def open_page(browser, url: str, origin: str, viewport: dict = VIEWPORT):
    """A fresh page that records every request and error; outside requests are blocked.

    ``origin``: the site's root URL, or "file:" for a page opened from the disk (then only
    file:// is local). ``viewport``: the window, ``{"width": ..., "height": ...}`` in CSS pixels.
    """
    visit = Visit(url)
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    pending: set = set()
    downloaded: dict[str, int] = {}

    def on_request(request):
        visit.requests.append(request.url)
        if not _is_local(request.url, origin):
            visit.outside.append(request.url)
        else:
            pending.add(request)

    def on_done(request):
        pending.discard(request)
        # the body's bytes as they came over the wire (encoded), which is what a reader downloads;
        # read from the browser's own count rather than by fetching each body into Python
        try:
            size = request.sizes()["responseBodySize"]
        except Exception:  # noqa: BLE001 - a request the browser no longer knows: its header says
            response = request.response()
            size = int((response.headers or {}).get("content-length", 0)) if response is not None else 0
        downloaded[request.url] = downloaded.get(request.url, 0) + size

    def on_failed(request):
        pending.discard(request)
        if _is_local(request.url, origin):
            visit.failed.append(f"{request.url} ({request.failure})")

    def on_response(response):
        if response.status >= 400:
            visit.failed.append(f"{response.url} (HTTP {response.status})")

    def on_console(message):
        if message.type in ("error", "assert"):
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
        # A page that redirects (index.html) may navigate at any moment of this: then start again
        # on the page it went to (a destroyed context is what Playwright says then).
        for attempt in range(3):
            try:
                page.wait_for_load_state("load")
                page.evaluate(SETTLE)
                for _ in range(100):  # and no request under way (a font or figure asked for late)
                    if not pending:
                        break
                    page.wait_for_timeout(100)
                visit.transfer = dict(downloaded)  # before any click or screenshot asks for more
                visit.facts = page.evaluate(FACTS)
                break
            except Exception as error:  # noqa: BLE001 - playwright's Error, imported lazily
                if "context was destroyed" not in str(error) or attempt == 2:
                    raise
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
    # exercise), not on the small toggle button at its end. The mouse goes where the words
    # are, and the page decides what receives the click.
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


# Every page explorer's state() once the script has made them live (descent/page.py's contract).
EXPLORER_STATES = """async () => {
  const all = [...document.querySelectorAll('.descent-explorer')];
  for (let i = 0; i < 100 && document.querySelectorAll('.descent-explorer-live').length < all.length; i++)
    await new Promise(r => setTimeout(r, 50));
  return all.map(e => e.descentExplorer ? e.descentExplorer.state() : null);
}"""


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


def page_problems(visit: Visit, http: bool = True) -> list[str]:
    """Everything that went wrong on an opened page: check_loaded's, its console errors, requests to another host."""
    return check_loaded(visit, http) + visit.console_errors + [f"request to {u}" for u in visit.outside]


def check_maths(facts: dict, static_html: str, requests: list[str] = ()) -> list[str]:
    """Every formula typeset (at build time), no TeX left, numbered equations and their links whole, no math engine."""
    problems = []
    expected = len(re.findall(r'class="(?:[^"]* )?math[ "]', static_html))  # Sphinx's maths nodes
    if facts["math"] < expected:
        problems.append(f"{facts['math']} .math elements in the browser, {expected} in the HTML")
    if expected and facts["typeset"] < expected:
        problems.append(f"{facts['typeset']} typeset formulas (mjx-container) for {expected} .math elements")
    engines = [u for u in [*facts["scripts"], *requests]
               if urlsplit(u).path.endswith(".js") and MATH_ENGINE.search(urlsplit(u).path)]
    problems += [f"a math engine is loaded: {u}" for u in dict.fromkeys(engines)]
    if facts["mathGlobal"]:
        problems.append("window.MathJax or window.katex is defined: a math engine runs in the page")
    problems += [f"not typeset: {m!r}" for m in facts["unrendered"]]
    problems += [f"MathJax error: {m!r}" for m in facts["mathErrors"]]
    problems += [f"undefined TeX macro: {m!r}" for m in facts["undefinedMacros"]]
    problems += [f"raw TeX in the text: ...{m}..." for m in facts["rawTex"]]
    for equation in facts["equations"]:
        if not re.fullmatch(r"\(\d+(?:\.\d+)*\)", equation["number"]):
            problems.append(f"equation #{equation['id']} shows no number (its .eqno reads {equation['number']!r})")
        if not equation["typeset"]:
            problems.append(f"equation #{equation['id']} is not typeset")
    for reference in facts["references"]:
        if not reference["resolves"]:
            problems.append(f"link {reference['href']} ({reference['text']!r}) to an equation not on the page")
        elif reference["samePage"] and not re.search(r"\d", reference["text"]):
            problems.append(f"link {reference['href']} to an equation shows no number: {reference['text']!r}")
    return problems


def report(title: str, problems: list[str]) -> str:
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


# ----------------------------------------------------------------------------- icons

# Every Font Awesome icon of the page, drawn by the theme's icon fonts: the <i class="fa-...">
# of the buttons, and the ::before/::after of the theme's own styles (admonitions, breadcrumbs,
# external links). For each: its character, whether it shows (laid out, visible, not 0×0) and
# whether the icon font holds its glyph: drawn on a canvas with the icon's font it must leave
# ink, and not what a family that does not exist draws (a glyph cut from the font falls back).
ICONS = r"""async () => {
  const draw = (ch, font) => {
    const c = document.createElement('canvas'); c.width = c.height = 40;
    const x = c.getContext('2d'); x.font = font; x.textBaseline = 'top'; x.fillText(ch, 4, 4);
    return x.getImageData(0, 0, 40, 40).data.filter((v, i) => i % 4 === 3).join(',');
  };
  const out = [];
  for (const element of document.body.querySelectorAll('*')) {
    for (const pseudo of ['::before', '::after']) {
      const style = getComputedStyle(element, pseudo);
      if (!/Font Awesome/.test(style.fontFamily)) continue;
      const ch = (style.content || '').replace(/^"|"$/g, '');
      if (!ch || ch === 'none' || ch === 'normal') continue;
      const font = `${style.fontStyle} ${style.fontWeight} 32px ${style.fontFamily}`;
      await document.fonts.load(font, ch).catch(() => null);  // failed: no ink below
      const glyph = draw(ch, font);
      const box = element.getBoundingClientRect();
      out.push({
        classes: (typeof element.className === 'string' ? element.className : '').replace(/\s+/g, ' ').trim()
          + (element.matches('[class*="fa-"]') ? '' : ' ' + element.tagName.toLowerCase() + pseudo),
        character: ch.codePointAt(0).toString(16),
        shown: element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && box.width > 0 && box.height > 0,
        ink: /[1-9]/.test(glyph) && glyph !== draw(ch, `${style.fontStyle} ${style.fontWeight} 32px "no such font"`),
        where: (element.closest('[id], button, a') || element).outerHTML.slice(0, 80),
      });
    }
  }
  return out;
}"""


def check_icons(icons: list[dict], must_show: tuple[str, ...] = ()) -> list[str]:
    """No icon without its glyph; every icon whose classes hold one of must_show is shown."""
    problems = [f"icon {i['classes']!r} has no glyph in the icon font (character {i['character']}) at {i['where']}"
                for i in icons if not i["ink"]]
    for name in must_show:
        if not any(name in i["classes"].split() and i["shown"] for i in icons):
            problems.append(f"no {name} icon shown")
    return problems

