"""The weight budget of the built site: no page over 2 MB, the whole site under 30 MB.

A page's weight is its HTML (animations embed their frames there) plus the
images it shows from _images/; the theme's scripts, styles and fonts are
shared by every page and cached, so they count once, in the site total.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

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


@pytest.fixture(scope="module")
def html(site):
    result, html_dir, _ = site
    if result.returncode != 0:
        pytest.fail("the site build failed: see test_site_builds_without_warnings")
    return html_dir


def test_no_page_exceeds_the_budget(html):
    weights = {p.relative_to(html).as_posix(): page_weight(p) for p in html.rglob("*.html")}
    heavy = {name: f"{w / 1024**2:.2f} MB" for name, w in weights.items() if w > PAGE_BUDGET}
    assert not heavy, f"pages over {PAGE_BUDGET / 1024**2:.0f} MB: {heavy}"
    assert len(weights) >= 8


def test_site_is_under_the_budget(html):
    total = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
    assert total < SITE_BUDGET, f"the built site is {total / 1024**2:.1f} MB, over {SITE_BUDGET / 1024**2:.0f} MB"
