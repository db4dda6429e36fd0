"""The weight budget of the built site: what a first visit downloads, and the whole site under 30 MB.

Measured in Chromium over the served site, during tests/test_browser.py's one visit of each page
of _toc.yml (a fresh browser context: an empty cache), which sums every response's body;
`first_visit_problems` below says what is over. A first visit to any page
transfers at most 2.5 MB in all (its HTML, figures, the theme's styles, scripts and fonts,
MathJax's fonts), and the page's own HTML plus its figures (_images/) at most 1.5 MB
(MB = 2**20 bytes). The maths is typeset at build time (no math engine is loaded), the icons
come from the theme's fonts cut to the icons used (no fontawesome.js) and the figures are
re-encoded losslessly: tools/offline_assets. Without the browser, `page_weight` sums a page's
file and its images' files.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote


FIRST_VISIT_BUDGET = 2.5 * 1024**2  # everything a first visit downloads
OWN_BUDGET = 1.5 * 1024**2  # the page's HTML and its figures
PAGE_BUDGET = 2 * 1024**2
SITE_BUDGET = 30 * 1024**2
IMG_SRC = re.compile(r'<img[^>]*\ssrc="([^"#?]+)"')


def page_weight(page: Path) -> int:
    """Bytes of ``page`` plus the distinct local image files it references."""
    text = page.read_text(encoding="utf8")
    images = set()
    for src in IMG_SRC.findall(text):
        if src.startswith(("data:", "http://", "https://")):
            continue  # data: images are already in the HTML; outside images are forbidden elsewhere
        path = (page.parent / unquote(src)).resolve()
        if path.is_file():
            images.add(path)
    return page.stat().st_size + sum(p.stat().st_size for p in images)


def test_page_weight_counts_html_and_images(tmp_path):
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "a.png").write_bytes(b"x" * 1000)
    page = tmp_path / "p.html"
    page.write_text('<img alt="a" src="_images/a.png"><img alt="b" src="_images/a.png">', encoding="utf8")
    assert page_weight(page) == page.stat().st_size + 1000


def _megabytes(size: float) -> str:
    return f"{size / 1024**2:.2f} MB"


def first_visit_problems(entry: str, sizes: dict[str, int], page_url: str, base_url: str) -> list[str]:
    """What is over the budget in a first visit's downloads (URL -> bytes), with the biggest items named."""
    if page_url not in sizes:
        return [f"{entry}: the page itself was not recorded ({len(sizes)} responses)"]
    own = {u: n for u, n in sizes.items() if u == page_url or "/_images/" in u}
    total, own_total = sum(sizes.values()), sum(own.values())

    def biggest(items: dict) -> str:
        top = sorted(items.items(), key=lambda item: -item[1])[:8]
        return "\n  ".join(f"{_megabytes(n)}  {u.removeprefix(base_url)}" for u, n in top)

    problems = []
    if total > FIRST_VISIT_BUDGET:
        problems.append(f"{entry}: a first visit transfers {_megabytes(total)} in {len(sizes)} responses, over "
                        f"{_megabytes(FIRST_VISIT_BUDGET)}; the biggest:\n  {biggest(sizes)}")
    if own_total > OWN_BUDGET:
        problems.append(f"{entry}: its HTML and figures weigh {_megabytes(own_total)}, over "
                        f"{_megabytes(OWN_BUDGET)}; the biggest:\n  {biggest(own)}")
    return problems


def test_first_visit_problems_name_what_is_over_and_the_biggest_item():
    base = "http://127.0.0.1:1/"
    page = base + "book/a.html"
    light = {page: 100_000, base + "_static/theme.css": 400_000, base + "_images/f.png": 200_000}
    assert first_visit_problems("book/a", light, page, base) == []
    heavy = dict(light, **{base + "_images/big.png": int(1.6 * 1024**2)})
    problems = first_visit_problems("book/a", heavy, page, base)
    assert len(problems) == 1 and "HTML and figures weigh 1.89 MB, over 1.50 MB" in problems[0]
    assert problems[0].index("_images/big.png") < problems[0].index("book/a.html")  # biggest first
    fonts = dict(light, **{base + "_static/font.woff2": int(2.2 * 1024**2)})
    assert "a first visit transfers 2.87 MB in 4 responses, over 2.50 MB" in first_visit_problems("book/a", fonts, page, base)[0]
    assert first_visit_problems("book/a", {}, page, base) == ["book/a: the page itself was not recorded (0 responses)"]


def test_no_page_exceeds_the_budget(built_site):
    weights = {p.relative_to(built_site).as_posix(): page_weight(p) for p in built_site.rglob("*.html")}
    heavy = {name: f"{w / 1024**2:.2f} MB" for name, w in weights.items() if w > PAGE_BUDGET}
    assert not heavy, f"pages over {PAGE_BUDGET / 1024**2:.0f} MB: {heavy}"
    assert len(weights) >= 8


def test_site_is_under_the_budget(built_site):
    total = sum(p.stat().st_size for p in built_site.rglob("*") if p.is_file())
    assert total < SITE_BUDGET, f"the built site is {total / 1024**2:.1f} MB, over {SITE_BUDGET / 1024**2:.0f} MB"
