"""The site: configuration, table of contents, stored notebooks and a full build.

The build is the README's one, `jupyter-book build . -W -n --keep-going`, into a
temporary folder: any Sphinx warning (a broken reference, a failing directive, a
missing citation...) makes it exit non-zero and fails test_site_builds_without_warnings.
"""

from __future__ import annotations

import html as html_module
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from book_toc import toc_files, toc_notebooks  # noqa: E402  (tests/ is on sys.path)
from harness import build_book, build_log, scratch_book  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
REPOSITORY = "https://github.com/descent-course/gd-to-adam"

# The first cell of every notebook: installs `descent` on Colab (and anywhere it is
# missing), does nothing where the course is installed, and is hidden on the site.
SETUP_CELL_SOURCE = """\
# Set-up for Colab and Binder: installs the course package `descent` when it is missing.
# Does nothing (and needs no network) where the course is installed.
try:
    import descent
except ImportError:
    %pip install -q "git+https://github.com/descent-course/gd-to-adam\""""
SETUP_CELL_TAG = "remove-cell"


# --------------------------------------------------------------------------- helpers


def source_of(entry: str) -> Path:
    candidates = [ROOT / f"{entry}{suffix}" for suffix in (".md", ".ipynb")]
    found = [path for path in candidates if path.exists()]
    assert len(found) == 1, f"_toc.yml entry {entry!r} must match exactly one .md or .ipynb: {found}"
    return found[0]


def book_pages() -> set[Path]:
    return {
        path
        for suffix in ("*.md", "*.ipynb")
        for path in BOOK.rglob(suffix)
        if ".ipynb_checkpoints" not in path.parts and "_build" not in path.parts
    }


def known_config_keys() -> dict:
    """Nested dict of the keys jupyter-book 1 accepts (default config + JSON schema)."""
    import jupyter_book.config as jb_config

    default = yaml.safe_load(jb_config.PATH_YAML_DEFAULT.read_text(encoding="utf8"))
    schema = json.loads(jb_config.PATH_JSON_SCHEMA.read_text(encoding="utf8"))

    def from_schema(node):
        return {k: from_schema(v) for k, v in node.get("properties", {}).items()}

    def merge(a, b):
        out = dict(a) if isinstance(a, dict) else {}
        for key, value in (b or {}).items():
            out[key] = merge(out.get(key), value) if isinstance(value, dict) else out.get(key, value)
        return out

    return merge(from_schema(schema), default)


# --------------------------------------------------------------- configuration & toc


def test_config_has_only_known_keys():
    """jupyter-book only prints a warning box for unknown keys; -W does not catch it."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))
    known = known_config_keys()
    unknown = []

    def check(node, allowed, path):
        for key, value in node.items():
            where = f"{path}{key}"
            if key not in allowed:
                unknown.append(where)
            elif isinstance(value, dict) and isinstance(allowed[key], dict) and where != "sphinx":
                check(value, allowed[key], where + ".")
            elif where == "sphinx":  # free-form: sphinx.config's Sphinx settings, local_extensions' module names
                check({k: v for k, v in value.items() if k not in ("config", "local_extensions")}, allowed[key], where + ".")

    check(config, known, "")
    assert not unknown, f"keys unknown to jupyter-book 1 in _config.yml: {unknown}"

    from jupyter_book.config import validate_yaml

    validate_yaml(config, raise_on_errors=True)


def test_config_required_settings():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["only_build_toc_files"] is True
    assert {"dollarmath", "amsmath", "colon_fence"} <= set(config["parse"]["myst_enable_extensions"])
    assert {"sphinx_exercise", "sphinx_proof"} <= set(config["sphinx"]["extra_extensions"])
    assert config["bibtex_bibfiles"] == ["references.bib"]
    assert config["repository"]["url"] == REPOSITORY


def test_every_page_is_in_the_toc_and_every_toc_entry_exists():
    """only_build_toc_files silently drops a page missing from _toc.yml: catch it here."""
    listed = {source_of(entry) for entry in toc_files()}
    stray = sorted(str(p.relative_to(ROOT)) for p in book_pages() - listed)
    assert not stray, f"pages in book/ that _toc.yml does not list (add them or move them out): {stray}"
    assert all(p.is_relative_to(BOOK) for p in listed), "_toc.yml must only list files in book/"


# ----------------------------------------------------------------- stored notebooks


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.name)
def test_notebook_starts_with_the_setup_cell(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "code" and first.source == SETUP_CELL_SOURCE, (
        f"{path.name}: the first cell must be the Colab/Binder set-up cell, exactly:\n"
        f"{SETUP_CELL_SOURCE}"
    )
    assert SETUP_CELL_TAG in first.metadata.get("tags", []), f"{path.name}: tag it {SETUP_CELL_TAG!r}"


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.name)
def test_notebook_is_stored_executed_and_clean(path):
    """Executed top to bottom in one kernel, python3 kernelspec, no timing metadata."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}; re-run it with "
        f"`python tools/execute_notebooks.py {path.relative_to(ROOT)}`"
    )
    timed = [i for i, c in enumerate(nb.cells) if "execution" in c.metadata]
    assert not timed, f"{path.name}: cells {timed} carry execution timing metadata"
    errors = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)
    ]
    assert not errors, f"{path.name}: cells {errors} stored an error"


def test_references_bib_parses_and_has_the_course_entries():
    from pybtex.database import parse_file

    entries = parse_file(str(ROOT / "references.bib")).entries
    assert set(entries) >= {
        "kingma2015adam",
        "polyak1964some",
        "nesterov1983method",
        "duchi2011adaptive",
        "tieleman2012rmsprop",
        "sutskever2013importance",
        "ruder2016overview",
        "goh2017why",
        "reddi2018convergence",
        "loshchilov2019decoupled",
    }


# ----------------------------------------------------------------------- site build


# The `site` fixture (the one build of the site, shared with tests/test_browser.py)
# and `built_site` (its html folder, or fail) are in tests/conftest.py.


def test_site_builds_without_warnings(site):
    result, html, seconds = site
    if result.returncode != 0:
        log = build_log(result)
        warnings = [line for line in log.splitlines() if re.search(r"WARNING|ERROR|CRITICAL", line)]
        pytest.fail(
            f"`jupyter-book build . -W -n --keep-going` exited {result.returncode}.\n"
            "Warnings and errors:\n" + "\n".join(warnings or ["(none found; full log below)"])
            + "\n\n--- full log (last 6000 characters) ---\n" + log[-6000:],
            pytrace=False,
        )
    print(f"site built in {seconds:.1f} s")


def _page(html: Path, name: str) -> str:
    path = html / name
    assert path.exists(), f"{name} was not built"
    return path.read_text(encoding="utf8")


def _source_text(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return path.read_text(encoding="utf8")


def test_every_toc_page_is_built_with_its_buttons(built_site):
    html = built_site
    root = toc_files()[0]
    assert f"{root}.html" in _page(html, "index.html")  # the site's root redirects to it

    for entry in toc_files():
        source = source_of(entry)
        page = _page(html, f"{entry}.html")
        text = _source_text(source)
        assert f"{REPOSITORY}/issues" in page, f"{entry}: issues button"
        assert f"{REPOSITORY}/edit/main/{source.relative_to(ROOT)}" in page, f"{entry}: edit button"
        if source.suffix == ".ipynb":  # a notebook page's download button serves its learner edition
            assert f'_editions/learner/{entry}.ipynb"' in page, f"{entry}: download button"
        else:
            assert f'_sources/{source.relative_to(ROOT)}"' in page, f"{entry}: download button"
        if "{prf:algorithm}" in text:
            assert 'class="proof algorithm' in page, f"{entry}: prf:algorithm not rendered"
        if re.search(r"\{solution\}[^\n]*\n(?::[^\n]*\n)*:class: dropdown", text):
            assert 'class="solution dropdown' in page, f"{entry}: solution not folded in a dropdown"
        if source.suffix == ".ipynb":
            name = source.relative_to(ROOT)
            assert "%pip install" not in page, f"{entry}: the set-up cell must be hidden (remove-cell)"
            assert f"mybinder.org/v2/gh/descent-course/gd-to-adam/learner?urlpath=lab/tree/{name}" in page
            assert f"colab.research.google.com/github/descent-course/gd-to-adam/blob/learner/{name}" in page


def test_tab_titles_name_the_page_then_the_book_once(built_site):
    """The browser tab: "<page> — <book>", and the home page (whose heading is the book's title) the title once."""
    book = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))["title"]

    def tab(entry: str) -> str:
        found = re.search(r"<title>(.*?)</title>", _page(built_site, f"{entry}.html"), re.DOTALL)
        return html_module.unescape(found.group(1)).strip()

    assert tab(toc_files()[0]) == book
    for entry in toc_files()[1:]:
        title = tab(entry)
        assert title.endswith(f" — {book}") and title.count(book) == 1, f"{entry}: tab title {title!r}"
        assert title.removesuffix(f" — {book}").strip(), f"{entry}: no page name in the tab title {title!r}"


def test_bibliography_renders_every_entry(built_site):
    from pybtex.database import parse_file

    html = built_site
    page = _page(html, "book/bibliography.html")
    entries = parse_file(str(ROOT / "references.bib")).entries
    missing = [key for key, entry in entries.items() if entry.persons["author"][0].last_names[0] not in page]
    assert not missing, f"not rendered in the bibliography: {missing}"


def test_bibliography_labels_read_as_the_citations_in_the_text(built_site):
    """Each entry's label is what a parenthetical citation of it shows: [Kingma and Ba, 2015], not [KB15]."""
    bibliography = _page(built_site, "book/bibliography.html")
    label_of = {ident: html_module.unescape(label) for ident, label in re.findall(
        r'<div class="citation" id="(id\d+)"[^>]*>\s*<span class="label"><span class="fn-bracket">\[</span>(.*?)'
        r'<span class="fn-bracket">\]', bibliography, re.DOTALL)}
    assert len(label_of) == len(_bib_keys()), f"labels found: {sorted(label_of.values())}"
    compared = []
    for entry in toc_files():
        for ident, text in re.findall(r'<a[^>]*href="[^"]*bibliography\.html#(id\d+)"[^>]*>([^<]*)</a>',
                                      _page(built_site, f"{entry}.html")):
            text = html_module.unescape(text)
            if re.search(r", \d{4}[a-z]?$", text):   # the whole citation: "Authors, year" (not {cite:t}'s year alone)
                compared.append((entry, text, label_of.get(ident)))
    assert compared, "no parenthetical citation found in the chapters"
    wrong = [f"{entry}: the text says {text!r}, the bibliography {label!r}" for entry, text, label in compared if text != label]
    assert not wrong, "\n".join(wrong)


def _bib_keys() -> list:
    from pybtex.database import parse_file

    return list(parse_file(str(ROOT / "references.bib")).entries)


def test_author_year_labels_name_one_two_or_the_first_and_et_al_and_tell_twins_apart():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from course_citations import AuthorYearLabels
    from pybtex.database import Entry, Person

    def entry(authors, year):
        return Entry("article", fields={"year": year}, persons={"author": [Person(a) for a in authors]})

    entries = [entry(["Polyak, Boris"], "1964"), entry(["Kingma, Diederik", "Ba, Jimmy"], "2015"),
               entry(["Duchi, John", "Hazan, Elad", "Singer, Yoram"], "2011"),
               entry(["Loshchilov, Ilya", "Hutter, Frank"], "2019"), entry(["Loshchilov, Ilya", "Hutter, Frank"], "2019"),
               entry(["van der Maaten, Laurens"], "2008")]
    assert list(AuthorYearLabels().format_labels(entries)) == [
        "Polyak, 1964", "Kingma and Ba, 2015", "Duchi et al., 2011",
        "Loshchilov and Hutter, 2019a", "Loshchilov and Hutter, 2019b", "van der Maaten, 2008"]


# A page that uses every feature the course relies on, built with the course's own
# _config.yml and references.bib in a scratch book: proves the configuration supports
# them whatever the chapters currently use.
FEATURES_PAGE = r"""# Features

$$
\theta_t = \theta_{t-1} - \alpha \, g_t
$$

\begin{align}
m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t
\end{align}

Adam {cite:p}`kingma2015adam`, as in {cite:t}`ruder2016overview`.

:::{prf:algorithm} Adam
:label: alg-features

1. $m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t$
:::

::::{exercise}
:label: ex-features

What does {prf:ref}`alg-features` do?
::::

::::{solution} ex-features
:class: dropdown

It averages.
::::

term
: definition

```{bibliography}
```
"""


@pytest.mark.site
def test_configuration_supports_every_feature(tmp_path):
    scratch_book(tmp_path, "book/features")
    (tmp_path / "book" / "features.md").write_text(FEATURES_PAGE, encoding="utf8")
    result = build_book(tmp_path)
    if result.returncode != 0:
        pytest.fail("scratch book with every feature failed to build:\n" + build_log(result)[-4000:], pytrace=False)
    page = (tmp_path / "_build" / "html" / "book" / "features.html").read_text(encoding="utf8")
    assert 'class="proof algorithm' in page
    assert 'class="solution dropdown' in page
    assert "Kingma and Ba, 2015" in page  # author_year citations
    assert "<dl" in page  # deflist
    # amsmath: typeset at build time (tools/offline_assets), an aligned table and no TeX left
    assert "<mjx-mtable" in page and "\\begin{align}" not in page
