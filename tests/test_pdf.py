"""The printable book (`make pdf`, tools/pdf.py), read back with pypdf.

The whole book takes a minute to print and half a minute to read back, a third of the
suite's budget: the suite prints a sample instead, the intro (front matter), two chapters
that hold exercises with solutions, figures, equations and a page explorer, and the
bibliography, all through the same code. `BOOK_PDF=whole pytest tests/test_pdf.py` prints
and checks the whole book (the Pages workflow does, before publishing it).

The book is printed once per session from the site that tests/test_book.py builds
(`built_site`) with the session's Chromium (`browser`), into a temporary folder (not
into the shared site, whose weight tests/test_site_weight.py measures). What it must
hold is read from the built HTML, not from the tool: every chapter of _toc.yml in
order under the title the site gives it, in the text and in the outline; no TeX left
unrendered; every solution's text (so the solutions printed open); the figures of
every chapter; a page count within bounds set by how much text the site has.

`check_*` return a list of problems, so that the same checks are shown to fail on a
broken book (test_checks_fail_on_a_book_missing_a_chapter).
"""

from __future__ import annotations

import html as html_module
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest

from book_toc import toc_files  # noqa: F401  (puts tools/ on sys.path)
from harness import RAW_TEX_PATTERN

pypdf = pytest.importorskip("pypdf", reason="pypdf is in requirements.txt")
import pdf as book_pdf  # noqa: E402  (tools/pdf.py)

ROOT = Path(__file__).resolve().parent.parent
WHOLE = os.environ.get("BOOK_PDF", "") == "whole"
SAMPLE = ("book/intro", "book/03_adagrad_rmsprop", "book/07_where_adam_fails", "book/bibliography")
PAGES = toc_files() if WHOLE else [entry for entry in toc_files() if entry in SAMPLE]
# what the site must show of the printed pages, so that the checks have something to find
FEWEST_SOLUTIONS, FEWEST_FIGURES = (10, 20) if WHOLE else (2, 6)

# TeX that MathJax would have typeset: the browser tests' pattern (tests/harness.py)
RAW_TEX = re.compile(RAW_TEX_PATTERN)
# How much of the site's text one printed page holds: at most a full page of small code
# (A4, 178 mm wide, 9-10 pt: about 90 characters by 60 lines), at least a few lines
# beside a figure. The book's page count must fall between the bounds they give.
MOST_CHARACTERS_PER_PAGE = 90 * 60
FEWEST_CHARACTERS_PER_PAGE = 600


def strip_tags(fragment: str) -> str:
    return html_module.unescape(re.sub(r"<[^>]+>", " ", fragment))


# ------------------------------------------------------------------ what the site says


def article(html: str) -> str:
    start = html.find("<article")
    end = html.find("</article>", start)
    return html[start:end] if start >= 0 else html


def site_title(html: str) -> str:
    """The page's h1 as the site shows it ("4. Adam"), without its headerlink."""
    h1 = re.search(r"<h1>(.*?)</h1>", article(html), re.DOTALL).group(1)
    h1 = re.sub(r'<a class="headerlink".*?</a>', "", h1, flags=re.DOTALL)
    return re.sub(r"\s+", " ", strip_tags(h1)).strip()


def solution_sentences(html: str) -> list[str]:
    """A sentence of prose from each solution of the page (its first paragraph without maths)."""
    found = []
    for block in re.split(r'<div class="solution dropdown admonition"', article(html))[1:]:
        for paragraph in re.findall(r"<p>(.*?)</p>", block[:20000], re.DOTALL):
            if 'class="math' in paragraph or "<code" in paragraph:
                continue
            words = strip_tags(paragraph).split()
            if len(words) >= 6:
                found.append(" ".join(words[:8]))
                break
    return found


def figure_count(html: str) -> int:
    """Pictures the page shows: notebook figures and images, and each explorer's background."""
    body = article(html)
    return len(re.findall(r'<img [^>]*src="(?:\.\./)?_images/', body)) + len(re.findall(r'<img [^>]*src="data:image/', body)) \
        + len(re.findall(r'<image class="descent-background"', body))


@dataclass
class Site:
    titles: list[str]
    solutions: dict[str, list[str]]
    figures: dict[str, int]
    characters: int


def read_site(built_site: Path) -> Site:
    titles, solutions, figures, characters = [], {}, {}, 0
    for entry in PAGES:
        html = (built_site / f"{entry}.html").read_text(encoding="utf8")
        titles.append(site_title(html))
        solutions[entry] = solution_sentences(html)
        figures[entry] = figure_count(html)
        text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", article(html), flags=re.DOTALL)
        characters += len(book_pdf.letters(strip_tags(text)))
    return Site(titles, solutions, figures, characters)


# ---------------------------------------------------------------------- what the PDF says


@dataclass
class Printed:
    path: Path
    reader: object
    texts: list[str]  # one per page
    images: list[int]  # image objects drawn on each page
    chapters: list[tuple[str, int]]  # the outline's top level: (title, first page index)
    seconds: float

    def without(self, pages: range, title: str) -> "Printed":
        """The same book without some pages and without the outline entry `title`."""
        kept = [i for i in range(len(self.texts)) if i not in pages]
        return Printed(self.path, self.reader, [self.texts[i] for i in kept], [self.images[i] for i in kept],
                       [(t, kept.index(p)) for t, p in self.chapters if t != title and p in kept], 0.0)


def image_count(resources, seen=None) -> int:
    """Image XObjects a page's resources hold, those inside its form XObjects too (read, never decoded)."""
    seen = set() if seen is None else seen
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if resources is not None else None
    count = 0
    for ref in (xobjects.get_object().values() if xobjects is not None else ()):
        key = getattr(ref, "idnum", None)
        if key is not None and key in seen:
            continue
        seen.add(key)
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            count += 1
        elif obj.get("/Subtype") == "/Form":
            count += image_count(obj.get("/Resources"), seen)
    return count


def read_pdf(path: Path, seconds: float = 0.0) -> Printed:
    reader = pypdf.PdfReader(path)
    texts = [page.extract_text() or "" for page in reader.pages]
    images = [image_count(page.get("/Resources")) for page in reader.pages]
    chapters = [(str(item.title), reader.get_destination_page_number(item))
                for item in reader.outline if not isinstance(item, list)]
    return Printed(path, reader, texts, images, chapters, seconds)


def chapter_ranges(printed: Printed, site: Site) -> dict[str, range]:
    """Each toc page's pages in the PDF, from the outline entry titled as the site titles it."""
    starts = dict(printed.chapters)
    ranges, found = {}, [(entry, starts[t]) for entry, t in zip(PAGES, site.titles) if t in starts]
    for (entry, first), following in zip(found, found[1:] + [(None, len(printed.texts))]):
        ranges[entry] = range(first, following[1])
    return ranges


def check_chapters(printed: Printed, site: Site) -> list[str]:
    """Every toc page's title, in order, in the outline and on the page the outline gives."""
    problems = []
    outline = [t for t, _ in printed.chapters]
    missing = [t for t in site.titles if t not in outline]
    problems += [f"not in the outline: {t!r}" for t in missing]
    listed = [t for t in outline if t in site.titles]
    if listed != [t for t in site.titles if t in outline]:
        problems.append(f"the outline's chapters are out of order: {listed}")
    pages = [page for title, page in printed.chapters if title in site.titles]
    if pages != sorted(pages):
        problems.append(f"chapters do not start on increasing pages: {pages}")
    for title, page in printed.chapters:
        if title in site.titles and book_pdf.letters(title) not in book_pdf.letters(printed.texts[page]):
            problems.append(f"{title!r} is not printed on its page {page + 1}")
    # and in the text, in order, after the contents
    body = book_pdf.letters("".join(printed.texts[min(pages, default=0):]))
    at = 0
    for title in site.titles:
        where = body.find(book_pdf.letters(title), at)
        if where < 0:
            problems.append(f"{title!r} is not in the text after the previous chapter")
        else:
            at = where
    return problems


def check_no_raw_tex(printed: Printed, built_site: Path) -> list[str]:
    """No TeX in the text but what the site's code shows as code (e.g. a matplotlib label r"$\\alpha$")."""
    code = ""
    for entry in PAGES:
        html = (built_site / f"{entry}.html").read_text(encoding="utf8")
        code += book_pdf.letters("".join(strip_tags(c) for c in re.findall(r"<pre>.*?</pre>", html, re.DOTALL)))
    problems = []
    for index, text in enumerate(printed.texts):
        for line in text.splitlines():
            if RAW_TEX.search(line) and book_pdf.letters(line) not in code:
                problems.append(f"page {index + 1}: {line.strip()[:120]!r}")
    return problems


def check_solutions(printed: Printed, site: Site) -> list[str]:
    ranges = chapter_ranges(printed, site)
    problems = []
    for entry, sentences in site.solutions.items():
        text = book_pdf.letters("".join(printed.texts[i] for i in ranges.get(entry, range(0))))
        problems += [f"{entry}: the solution's text {s!r} is not printed" for s in sentences if book_pdf.letters(s) not in text]
    return problems


def check_figures(printed: Printed, site: Site) -> list[str]:
    ranges = chapter_ranges(printed, site)
    problems = []
    for entry, expected in site.figures.items():
        pages = ranges.get(entry, range(0))
        images = sum(printed.images[i] for i in pages)
        if images < expected:
            problems.append(f"{entry}: {images} images printed, the site shows {expected}")
    return problems


def page_bounds(site: Site) -> tuple[int, int]:
    """Fewest pages: the text at its densest, and a page per toc entry; most: at its sparsest, plus a page per figure."""
    low = max(len(PAGES), site.characters // MOST_CHARACTERS_PER_PAGE)
    high = site.characters // FEWEST_CHARACTERS_PER_PAGE + sum(site.figures.values()) + 2 * len(PAGES)
    return low, high


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def site_facts(built_site) -> Site:
    return read_site(built_site)


@pytest.fixture(scope="session")
def printed(built_site, browser, tmp_path_factory) -> Printed:
    output = tmp_path_factory.mktemp("book") / book_pdf.PDF_NAME
    start = time.perf_counter()
    book_pdf.build_pdf(built_site, output, browser=browser, log=lambda *args: None, only=None if WHOLE else PAGES)
    return read_pdf(output, time.perf_counter() - start)


# -------------------------------------------------------------------------------- tests


def test_every_chapter_in_order(printed, site_facts):
    problems = check_chapters(printed, site_facts)
    assert not problems, "\n".join(problems)
    assert len(site_facts.titles) == len(PAGES)


def test_outline_lists_the_chapters(printed, site_facts):
    chapters = [title for title, _ in printed.chapters if title in site_facts.titles]
    assert chapters == site_facts.titles
    # and their sections beneath them
    assert sum(isinstance(item, list) for item in printed.reader.outline) >= len(PAGES) // 2


def test_no_raw_tex_in_the_text(printed, built_site):
    problems = check_no_raw_tex(printed, built_site)
    assert not problems, "TeX left in the PDF's text:\n" + "\n".join(problems[:20])


def test_solutions_are_printed_open(printed, site_facts):
    assert sum(map(len, site_facts.solutions.values())) >= FEWEST_SOLUTIONS, "the site's solutions were not found in its HTML"
    problems = check_solutions(printed, site_facts)
    assert not problems, "\n".join(problems)


def test_figures_are_printed(printed, site_facts):
    assert sum(site_facts.figures.values()) >= FEWEST_FIGURES, "the site's figures were not found in its HTML"
    problems = check_figures(printed, site_facts)
    assert not problems, "\n".join(problems)


def test_page_count_is_plausible(printed, site_facts):
    low, high = page_bounds(site_facts)
    assert low <= len(printed.texts) <= high, (len(printed.texts), (low, high))


def test_contents_and_page_numbers(printed, site_facts):
    """The contents page lists the chapters with the page numbers printed at the foot of their first page."""
    first_chapter = min(page for _, page in printed.chapters if _ in site_facts.titles)
    contents = "\n".join(printed.texts[:first_chapter])
    assert "Contents" in contents
    for title, page in printed.chapters:
        if title not in site_facts.titles:
            continue
        number = page - first_chapter + 1
        assert re.search(re.escape(title) + r"[\s.]*" + str(number) + r"\b", contents), (title, number)
        assert re.search(r"\b" + str(number) + r"\s*$", printed.texts[page].strip()), (title, number)


def test_site_links_to_the_book(built_site):
    """The intro's link opens SITE/course.pdf, where `make pdf` writes the book; without it, a placeholder that says how."""
    intro = (built_site / "book" / "intro.html").read_text(encoding="utf8")
    links = [h for h in re.findall(r'<a [^>]*href="([^"]+)"', article(intro)) if h.split("#")[0].endswith(".pdf")]
    assert links, "the intro page has no link to the PDF"
    target = urljoin("http://site/book/intro.html", links[0])
    assert target == f"http://site/{book_pdf.PDF_NAME}", target
    placeholder = pypdf.PdfReader(built_site / book_pdf.PDF_NAME)
    assert "make pdf" in placeholder.pages[0].extract_text()


def test_the_sample_is_pages_of_the_toc(tmp_path):
    assert set(SAMPLE) <= set(toc_files()), "a page of the tests' sample is no longer in _toc.yml"
    with pytest.raises(ValueError, match="only must name pages of _toc.yml; not in it: book/nowhere"):
        book_pdf.build_pdf(tmp_path, only=["book/intro", "book/nowhere"])


def test_placeholder_is_current(tmp_path):
    """book/_extra/course.pdf is what `python tools/pdf.py --placeholder` writes."""
    book_pdf.write_placeholder(tmp_path / "fresh.pdf")
    read = lambda p: pypdf.PdfReader(p).pages[0].extract_text()  # noqa: E731
    assert read(ROOT / book_pdf.PLACEHOLDER) == read(tmp_path / "fresh.pdf")


def test_checks_fail_on_a_book_missing_a_chapter(printed, site_facts):
    """The book without one chapter (its pages and its outline entry) fails the checks."""
    victim = site_facts.titles[len(PAGES) // 2]
    broken = printed.without(chapter_ranges(printed, site_facts)[PAGES[len(PAGES) // 2]], victim)
    assert len(broken.texts) < len(printed.texts)
    problems = check_chapters(broken, site_facts)
    assert any(victim in p for p in problems), problems
    assert check_solutions(broken, site_facts), "the missing chapter's solutions were not missed"
    assert check_figures(broken, site_facts), "the missing chapter's figures were not missed"
