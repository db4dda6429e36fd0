"""The course as one printable book: every page of _toc.yml printed by Chromium, merged into a PDF.

    python tools/pdf.py [--site _build/html] [--output SITE/course.pdf]     (`make pdf`)

The built site is served on 127.0.0.1 and the system's Chromium (the one the browser
tests drive, through Playwright; never a downloaded browser) opens each page of
_toc.yml in order, waits until its maths is typeset (`MathJax.startup.promise` when
MathJax runs in the page; pre-rendered maths needs no wait), its fonts and images are
in, and prints it with the site's print stylesheet (book/_static/print.css: no
sidebars, header or buttons, solutions open, explorers as their static picture).
Then pypdf (pure Python) merges the pages behind a title page and a contents page
with page numbers, numbers the pages, and writes the outline (bookmarks): a chapter
per page of _toc.yml, its sections beneath.

Why Chromium and not Jupyter Book's LaTeX builder: the PDF shows what the site shows
(the same MathJax maths, the notebooks' figures and HTML outputs, the explorers'
pictures, the exercise and algorithm boxes), needs nothing beyond what the browser
tests already need, and takes about a minute; README.md, "A printable book".
"""

from __future__ import annotations

import argparse
import datetime as _dt
import html
import io
import re
import subprocess
import sys
import time
import unicodedata
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from descent.toc import toc_parts  # the one walker of _toc.yml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_browser import CHROMIUM_ARGS, SETTLE, chromium_executable  # noqa: E402  (shared with the browser tests)
from local_browser import serve as served  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PDF_NAME = "course.pdf"  # in the built site's root, where the intro page links
# A4 with book/_static/print.css's @page margins (16 mm left and right): the width the
# text is laid out in, in CSS pixels (96 per inch), so that what is measured before
# printing (wide equations) is measured at the printed width.
TEXT_WIDTH_PX = round((210 - 2 * 16) / 25.4 * 96)
TIMEOUT_MS = 120_000
SETTLE_SECONDS = 30  # a page whose fonts or images take longer is printed as it is, with a warning

# --------------------------------------------------------------------------- in the page

# Runs in each page once it has loaded and settled (local_browser.SETTLE): prepares it for
# print and returns what the book needs to know about it. `site` is the published site's
# address, which links to other pages are pointed at (they work from the PDF).
PREPARE = r"""async ({site, prefix}) => {
  document.documentElement.dataset.theme = 'light';
  document.documentElement.dataset.mode = 'light';
  const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;

  // Links to the site's other pages point at the published site; links inside the page
  // stay (Chromium makes them links inside the PDF, to named destinations). Every page
  // has its "exercises" or "summary": the ids get the page's prefix, so that the names
  // stay unique once the pages are merged and each link lands in its own chapter.
  // (the article's ids only: the theme's print header and buttons outside it are hidden by id)
  for (const e of article.querySelectorAll('[id]')) e.id = prefix + e.id;
  for (const a of article.querySelectorAll('a[href]')) {
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin !== location.origin) continue;
    if (url.pathname === location.pathname) {
      a.setAttribute('href', url.hash ? '#' + prefix + decodeURIComponent(url.hash.slice(1)) : '#');
      continue;
    }
    a.setAttribute('href', site + url.pathname.replace(/^\//, '') + url.hash);
  }

  // Display maths wider than the text shrinks to fit instead of being cut at the margin.
  let shrunk = 0;
  const displays = [...article.querySelectorAll('mjx-container[display="true"]')];
  for (const d of article.querySelectorAll('div.math')) if (!d.querySelector('mjx-container')) displays.push(d);
  for (const m of displays) {
    const room = (m.parentElement || m).clientWidth, wide = m.scrollWidth;
    const inner = m.firstElementChild ? m.firstElementChild.getBoundingClientRect().width : wide;
    const need = Math.max(wide, inner);
    if (room > 0 && need > room + 1) {
      m.style.fontSize = Math.floor(100 * room / need) + '%';
      m.style.overflow = 'visible';
      shrunk += 1;
    }
  }

  const words = e => {
    const c = e.cloneNode(true);
    c.querySelectorAll('a.headerlink, .headerlink').forEach(x => x.remove());
    return (c.textContent || '').replace(/\s+/g, ' ').trim();
  };
  const shown = e => e.getClientRects().length > 0;
  // The headings of the page's sections, and a link to each: Chromium writes a named
  // destination (its page and place) for every target of a link it prints, which tells
  // the book on which page each section starts. The links are invisible (a transparent
  // thin space at the end of the heading); a hidden box of links was not printed on
  // every page, so that each heading now carries its own.
  const headings = [...article.querySelectorAll('section[id] > h1, section[id] > h2, section[id] > h3')]
    .filter(shown).map(h => ({level: +h.tagName[1], title: words(h), id: h.parentElement.id, element: h}));
  for (const h of headings) {
    const a = document.createElement('a');
    a.href = '#' + h.id;
    a.className = 'pdf-anchor';
    a.setAttribute('aria-hidden', 'true');
    a.style.cssText = 'color:transparent!important;text-decoration:none;font-size:1px';
    a.textContent = '\u2009';
    h.element.appendChild(a);
    delete h.element;
  }
  const h1 = article.querySelector('h1');
  return {
    title: h1 ? words(h1) : document.title,
    headings,
    shrunk,
    images: [...article.querySelectorAll('img, svg image')].filter(shown).length,
    solutions: article.querySelectorAll('.solution').length,
    explorers: article.querySelectorAll('.descent-explorer').length,
  };
}"""

# ------------------------------------------------------------------------ the front matter

FRONT_CSS = """
@page { size: A4; margin: 25mm 22mm 25mm 22mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; color: #111;
       font-size: 10.5pt; line-height: 1.35; margin: 0; }
.title-page { height: 240mm; display: flex; flex-direction: column; break-after: page; }
.title-page h1 { font-size: 30pt; line-height: 1.15; margin: 40mm 0 6mm; font-weight: 600; }
.title-page .subtitle { font-size: 13pt; color: #333; max-width: 140mm; }
.title-page .author { font-size: 13pt; margin-top: 14mm; }
.title-page .colophon { margin-top: auto; font-size: 9pt; color: #444; }
.title-page .colophon p { margin: 0.25em 0; }
h2.contents { font-size: 20pt; font-weight: 600; margin: 0 0 6mm; }
.part { font-weight: 600; font-size: 11pt; margin: 5mm 0 1.5mm; text-transform: uppercase;
        letter-spacing: 0.04em; color: #444; }
.entry { display: flex; align-items: baseline; gap: 1.5mm; break-inside: avoid; }
.entry .dots { flex: 1; border-bottom: 1px dotted #999; transform: translateY(-0.3em); }
.entry .page { min-width: 8mm; text-align: right; font-variant-numeric: tabular-nums; }
.entry.chapter { font-weight: 600; margin-top: 2mm; }
.entry.section { margin-left: 7mm; font-size: 9.5pt; color: #222; }
"""


def front_matter_html(book: "Book", contents: list[tuple[str, str, int | None]]) -> str:
    """The title page and the contents; contents: (kind, text, page) with kind part/chapter/section."""
    e = html.escape
    colophon = [
        f"Read online: {e(book.site_url)}" if book.site_url else "",
        f"This PDF: {e(book.site_url + PDF_NAME)}" if book.site_url else "",
        f"Built {e(book.built)}" + (f" from commit {e(book.commit)}" if book.commit else "") + ".",
        e(book.licence),
    ]
    lines = []
    for kind, text, page in contents:
        if kind == "part":
            lines.append(f'<div class="part">{e(text)}</div>')
        else:
            number = "" if page is None else str(page)
            lines.append(f'<div class="entry {kind}"><span class="text">{e(text)}</span>'
                         f'<span class="dots"></span><span class="page">{number}</span></div>')
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(book.title)}</title>
<style>{FRONT_CSS}</style></head><body>
<section class="title-page">
  <h1>{e(book.title)}</h1>
  <div class="subtitle">{e(book.subtitle)}</div>
  <div class="author">{e(book.author)}</div>
  <div class="colophon">{''.join(f'<p>{c}</p>' for c in colophon if c)}</div>
</section>
<section><h2 class="contents">Contents</h2>
{chr(10).join(lines)}
</section></body></html>"""


# ----------------------------------------------------------------------------- the book


@dataclass
class Chapter:
    file: str  # as in _toc.yml: book/04_adam
    part: str | None
    title: str = ""
    pdf: bytes = b""
    pages: int = 0
    start: int = 0  # index of its first page in the merged PDF
    headings: list[tuple[int, str, int]] = field(default_factory=list)  # (level, title, page in the chapter)
    facts: dict = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class Book:
    title: str
    subtitle: str
    author: str
    licence: str
    site_url: str
    built: str
    commit: str
    chapters: list[Chapter]


def read_book(root: Path) -> Book:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf8"))
    site_url = (config.get("html", {}) or {}).get("baseurl", "") or ""
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    chapters = [Chapter(file, caption) for caption, files in toc_parts(root) for file in files]
    return Book(
        title=config.get("title", "The course"),
        subtitle="An open course that builds the optimizers of deep learning one idea at a time: "
                 "gradient descent, momentum, AdaGrad, RMSProp, Adam and its variants.",
        author=config.get("author", ""),
        licence="Code: MIT licence. Text and figures: CC BY 4.0.",
        site_url=site_url,
        built=_dt.date.today().isoformat(),
        commit=commit,
        chapters=chapters,
    )


@contextmanager
def launched_chromium():
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    if executable is None:
        raise SystemExit("no Chromium found (Debian: `apt-get install chromium`, or set CHROMIUM=/path/to/chrome); "
                         "the book is printed by the system's browser, never one that Playwright downloads")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS)
        try:
            yield browser
        finally:
            browser.close()


def letters(text: str) -> str:
    """Only letters and digits: what the HTML and the PDF's text of it share (line breaks, ligatures (ﬁ)
    and missing glyphs (emoji) differ). Also used by tests/test_pdf.py to compare the two."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text))


def print_chapter(context, base: str, chapter: Chapter, site_url: str, log) -> None:
    from pypdf import PdfReader

    start = time.perf_counter()
    page = context.new_page()
    try:
        page.emulate_media(media="print")  # measured as printed (the print stylesheet applies)
        page.goto(f"{base}{chapter.file}.html", wait_until="load")
        prefix = re.sub(r"\W+", "-", chapter.file) + "--"
        settled = page.evaluate(SETTLE, SETTLE_SECONDS * 1000)
        facts = page.evaluate(PREPARE, {"site": site_url, "prefix": prefix})
        if not settled:
            log(f"  warning: {chapter.file} was not ready after {SETTLE_SECONDS} s (fonts or images); printed as it was")
        # Not tagged (outline=True needs it): a third slower, and the headings' pages come
        # from the named destinations instead (PREPARE).
        chapter.pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        page.close()
    reader = PdfReader(io.BytesIO(chapter.pdf))
    chapter.pages = len(reader.pages)
    chapter.title = facts["title"]
    destinations = reader.named_destinations
    chapter.headings = []
    texts: list[str] | None = None
    previous = 0
    for heading in facts["headings"]:
        destination = destinations.get(heading["id"]) or destinations.get("/" + heading["id"])
        if destination is not None:
            index = reader.get_destination_page_number(destination)
        else:
            # Chromium left out the destinations of some pages (05_side_by_side: none at all);
            # then the heading's page is the first, from the previous heading's on, showing its words.
            if texts is None:
                texts = [letters(p.extract_text() or "") for p in reader.pages]
            words = letters(heading["title"])
            index = next((i for i in range(previous, len(texts)) if words in texts[i]), None)
            if index is None:
                log(f"  warning: {chapter.file}: no page found for the section {heading['title']!r}")
                continue
        previous = index
        chapter.headings.append((heading["level"], heading["title"], index))
    chapter.facts = facts
    chapter.seconds = time.perf_counter() - start


# ----------------------------------------------------------------- numbering the pages

FOLIO_FONT = "/CourseFolio"


def _pdf_text(text: str) -> bytes:
    """A PDF string literal in WinAnsi (Latin-1 here): what Helvetica, a standard PDF font, can show."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def number_pages(writer, first: int, running: list[str], start_number: int = 1) -> None:
    """Page numbers and a running title at the foot of writer's pages from index `first` on.

    Drawn in Helvetica (one of the PDF's standard fonts, nothing embedded), as a content
    stream appended to each page: cheap, and the page's own drawing is left untouched.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))

    def stream(data: bytes):
        s = StreamObject()
        s.set_data(data)
        return writer._add_object(s)

    save = stream(b"q\n")
    for offset, page in enumerate(writer.pages[first:]):
        number = start_number + offset
        width = float(page.mediabox.width)
        left, right, size = 16 / 25.4 * 72, width - 16 / 25.4 * 72, 8.5
        digits = str(number)
        x_number = right - 0.556 * size * len(digits)  # Helvetica's digits are 0.556 em wide
        y = 9 / 25.4 * 72
        ops = (b"Q\nq 0.35 g BT " + FOLIO_FONT.encode() + b" %.1f Tf %.2f %.2f Td " % (size, left, y)
               + _pdf_text(running[offset]) + b" Tj ET BT " + FOLIO_FONT.encode()
               + b" %.1f Tf %.2f %.2f Td " % (size, x_number, y) + _pdf_text(digits) + b" Tj ET Q\n")
        resources = page["/Resources"].get_object() if "/Resources" in page else None
        if resources is None:
            resources = DictionaryObject()
            page[NameObject("/Resources")] = resources
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else None
        if fonts is None:
            fonts = DictionaryObject()
            resources[NameObject("/Font")] = fonts
        fonts[NameObject(FOLIO_FONT)] = font
        contents = page.get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([save, *existing, stream(ops)])


# ----------------------------------------------------------------------- the placeholder

PLACEHOLDER = Path("book/_extra") / PDF_NAME  # copied into every build's root (html_extra_path)
PLACEHOLDER_SUBJECT = "placeholder: this build of the site has no printable book"


def placeholder_lines(site_url: str) -> list[str]:
    return [
        "From Gradient Descent to Adam: the printable book",
        "",
        "This copy of the course's site was built without its PDF.",
        "To make it, run `make pdf` in the course's repository: it prints every page",
        "of the built site into this file (README.md, \"A printable book\").",
        "",
        "The published site has the book:",
        site_url + PDF_NAME,
    ]


def write_placeholder(path: Path, root: Path = ROOT) -> None:
    """The one-page PDF that the site's link opens where the book was not made (a plain `make site`).

    Committed as book/_extra/course.pdf and copied into every build by Sphinx
    (html_extra_path); `make pdf` writes the book over it. A reader of a build without
    the book gets this page, which says how to get it, instead of a missing file.
    """
    from pypdf import PdfWriter

    writer = PdfWriter()
    page = writer.add_blank_page(width=595.28, height=841.89)
    ops = b"".join(b"BT " + FOLIO_FONT.encode() + b" %d Tf 72 %.1f Td " % (14 if i == 0 else 11, 760 - 18 * i)
                   + _pdf_text(line) + b" Tj ET\n" for i, line in enumerate(placeholder_lines(read_book(root).site_url)) if line)
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject(FOLIO_FONT): font})})
    contents = StreamObject()
    contents.set_data(ops)
    page[NameObject("/Contents")] = writer._add_object(contents)
    writer.add_metadata({"/Title": "From Gradient Descent to Adam: the printable book (not in this build)",
                         "/Subject": PLACEHOLDER_SUBJECT})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        writer.write(handle)


# ------------------------------------------------------------------------------ building


def build_pdf(site: Path, output: Path | None = None, *, browser=None, root: Path = ROOT, log=print,
              only: list[str] | None = None) -> dict:
    """Print the built site `site` into one PDF at `output` (default site/course.pdf); return its figures.

    `browser` is a Playwright Chromium to use (the tests pass theirs); without it, the
    system's Chromium is launched for the build. `only` (toc entries, e.g. ["book/intro"])
    prints a book of those pages alone, in the toc's order (the tests' sample).
    """
    site = Path(site)
    output = Path(output) if output else site / PDF_NAME
    book = read_book(root)
    if only is not None:
        unknown = set(only) - {chapter.file for chapter in book.chapters}
        if unknown:
            raise ValueError(f"only must name pages of _toc.yml; not in it: {', '.join(sorted(unknown))}")
        book.chapters = [chapter for chapter in book.chapters if chapter.file in only]
    if not (site / "index.html").is_file():
        raise SystemExit(f"no built site in {site} (build it first: `make site`)")
    started = time.perf_counter()
    with served(site) as base, (nullcontext(browser) if browser is not None else launched_chromium()) as chromium:
        context = chromium.new_context(viewport={"width": TEXT_WIDTH_PX, "height": 1000}, color_scheme="light")
        context.set_default_timeout(TIMEOUT_MS)
        # the site's own files only: a page asking another host gets nothing (the PDF is built offline)
        context.route(lambda url: not url.startswith(base) and not url.startswith(("data:", "blob:", "about:")),
                      lambda route: route.abort("blockedbyclient"))
        try:
            for chapter in book.chapters:
                print_chapter(context, base, chapter, book.site_url, log)
                log(f"  {chapter.file}: {chapter.pages} pages, {chapter.seconds:.1f} s")

            # the body's page numbers start at 1 on the first chapter's first page
            number = 1
            contents: list[tuple[str, str, int | None]] = []
            part = object()
            for chapter in book.chapters:
                if chapter.part != part and chapter.part:
                    contents.append(("part", chapter.part, None))
                part = chapter.part
                chapter.start = number  # page number for now; page index once merged
                contents.append(("chapter", chapter.title, number))
                contents += [("section", title, number + index) for level, title, index in chapter.headings if level == 2]
                number += chapter.pages
            front_page = context.new_page()
            try:
                front_page.set_content(front_matter_html(book, contents), wait_until="load")
                front = front_page.pdf(prefer_css_page_size=True, print_background=True)
            finally:
                front_page.close()
        finally:
            context.close()

    figures = assemble(book, front, output)
    figures["seconds"] = time.perf_counter() - started
    return figures


def assemble(book: Book, front: bytes, output: Path) -> dict:
    """Merge the printed front matter and chapters into output: page numbers, outline, metadata."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front)), import_outline=False)
    front_pages = len(writer.pages)
    running = []
    for chapter in book.chapters:
        chapter.start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(chapter.pdf)), import_outline=False)
        running += [f"{book.title}  \u00b7  {chapter.title}"] * chapter.pages
    number_pages(writer, front_pages, running)

    writer.add_outline_item(title="Title page", page_number=0)
    writer.add_outline_item(title="Contents", page_number=min(1, front_pages - 1))
    for chapter in book.chapters:
        parents = {1: writer.add_outline_item(title=chapter.title, page_number=chapter.start)}
        top = min((level for level, _, _ in chapter.headings), default=1)
        for level, title, index in chapter.headings:
            if index == 0 and level == top and title == chapter.title:
                continue  # the chapter's own title
            depth = max(2, level - top + 1)
            if depth > 3:
                continue  # chapters and two levels of sections
            parent = parents.get(depth - 1) or parents[1]
            parents[depth] = writer.add_outline_item(title=title, page_number=chapter.start + index, parent=parent)
            for deeper in [d for d in parents if d > depth]:
                del parents[deeper]
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": book.title, "/Author": book.author,
                         "/Subject": "The course's book: every page of the site, in the order of its contents",
                         "/Creator": "tools/pdf.py (Chromium through Playwright, pypdf)"})
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "wb") as handle:
        writer.write(handle)
    return {
        "output": str(output),
        "pages": len(writer.pages),
        "front_pages": front_pages,
        "bytes": output.stat().st_size,
        "chapters": [{"file": c.file, "title": c.title, "start": c.start, "pages": c.pages,
                      "seconds": round(c.seconds, 2), **{k: c.facts.get(k) for k in ("images", "solutions", "explorers", "shrunk")}}
                     for c in book.chapters],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html", help="the built site (default: _build/html)")
    parser.add_argument("--output", type=Path, help=f"where to write the PDF (default: SITE/{PDF_NAME})")
    parser.add_argument("--placeholder", action="store_true",
                        help=f"write only the placeholder that builds without the book link to ({PLACEHOLDER})")
    args = parser.parse_args(argv)
    if args.placeholder:
        write_placeholder(args.output or ROOT / PLACEHOLDER)
        print(f"Wrote {args.output or PLACEHOLDER}")
        return 0
    print(f"Printing the pages of _toc.yml from {args.site} with Chromium:")
    result = build_pdf(args.site, args.output)
    print(f"\nThe book is in {result['output']}: {result['pages']} pages, "
          f"{result['bytes'] / 1024**2:.1f} MB, made in {result['seconds']:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
