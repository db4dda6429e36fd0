"""The learner, instructor and nbgrader editions of the notebooks (tools/editions).

The first tests convert small hand-written notebooks, with links made by hand, and
check the exact markdown and code that come out. The others read the editions that the
site build wrote (the `site` fixture of conftest.py) for every notebook of _toc.yml.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from book_toc import toc_files

editions = pytest.importorskip("course_editions", reason="tools/editions is installed by requirements.txt (-e ./tools/editions)")

SITE = "https://example.org/course"


def links() -> "editions.Links":
    return editions.Links(
        labels={"sec-why": ("book/ch", "sec-why", "Why it works")},
        numbers={
            "ch-ex-step": ("book/ch", "ch-ex-step", "3.1"),
            "ch-ex-hand": ("book/ch", "ch-ex-hand", "3.2"),
            "ch-eq-step": ("book/ch", "equation-ch-eq-step", "3.4"),
            "ch-alg": ("book/ch", "ch-alg", "3.1"),
            "ch-fig-path": ("book/ch", "ch-fig-path", "3.2"),
        },
        kinds={"ch-fig-path": "Fig.", "ch-alg": "Algorithm", "ch-ex-step": "Exercise"},
        titles={"book/other": "The other chapter"},
        citations={"kingma2015adam": ("Kingma and Ba", "2015"), "reddi2018": ("Reddi et al.", "2018")},
        page_url=lambda page: f"{SITE}/{page}.html",
    )


def page(nb, edition="learner") -> "editions.Page":
    return editions.Page("book/ch", links(), editions.glue_values(nb), edition)


def glue_output(name: str, text: str) -> dict:
    prefix = "application/papermill.record/"
    return nbformat.v4.new_output(
        "display_data", data={prefix + "text/plain": text},
        metadata={"scrapbook": {"name": name, "mime_prefix": prefix}},
    )


def chapter() -> nbformat.NotebookNode:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    glue_cell = code('from descent.book import remember\nratio = 0.123456\nremember("ratio", ratio)',
                     metadata={"tags": ["remove-cell"]})
    glue_cell.outputs = [glue_output("ratio", "0.123456")]
    return nbformat.v4.new_notebook(cells=[
        md("(sec-why)=\n# A chapter\n\nAs {cite:p}`kingma2015adam` and {cite:t}`reddi2018` say, see {doc}`other`, "
           "{ref}`sec-why`, {eq}`ch-eq-step`, {prf:ref}`ch-alg` and {numref}`ch-fig-path`; "
           "the ratio is {glue:text}`ratio:.2f` ([up](#a-chapter))."),
        glue_cell,
        md("```{math}\n:label: ch-eq-step\n\\Delta_t = -\\alpha g_t\n```\n\n"
           ":::{prf:algorithm} Descent\n:label: ch-alg\n\n1. step\n:::\n\n:::{note}\nA note.\n:::"),
        code("for t in range(3):\n    remember(f'x{t}', t)\nprint('kept')  # NBVAL_IGNORE_OUTPUT"),
        md("::::{exercise} Write the step\n:label: ch-ex-step\n\nFill in `step`.\n::::"),
        code("def step(theta, g, lr):\n    '''One step.'''\n    raise NotImplementedError('write it')"),
        code("check_gd_step(step)"),
        md(":::{solution-start} ch-ex-step\n:class: dropdown\n:::\n\nSubtract."),
        code("def step(theta, g, lr):\n    '''One step.'''\n    new = theta - lr * g\n    return new\n\n\ncheck_gd_step(step)"),
        md(":::{solution-end}\n:::\n\n:::{exercise}\n:label: ch-ex-hand\n\nBy hand.\n:::\n\n"
           ":::{solution} ch-ex-hand\n:class: dropdown\n\nIt is 2.\n:::"),
        code("print('after the exercises')", metadata={"tags": ["site-only"]}),
    ])


def sources(nb, kind):
    return ["".join(c.source) for c in nb.cells if c.cell_type == kind]


def test_learner_edition_is_plain_markdown_without_solutions():
    nb = chapter()
    learner = editions.make_edition(nb, "learner", page(nb))
    text = "\n\n".join(sources(learner, "markdown"))
    assert text.startswith("# A chapter\n\nAs [[Kingma and Ba, 2015]](https://example.org/course/book/bibliography.html)")
    assert "[Reddi et al. [2018]](https://example.org/course/book/bibliography.html)" in text
    assert f"[The other chapter]({SITE}/book/other.html)" in text
    assert f"[Why it works]({SITE}/book/ch.html#sec-why)" in text
    assert f"[(3.4)]({SITE}/book/ch.html#equation-ch-eq-step)" in text
    assert f"[Algorithm 3.1]({SITE}/book/ch.html#ch-alg)" in text
    assert f"[Fig. 3.2]({SITE}/book/ch.html#ch-fig-path)" in text
    assert "the ratio is 0.12 (" in text and f"([up]({SITE}/book/ch.html#a-chapter))" in text
    assert "$$\n\\Delta_t = -\\alpha g_t \\tag{3.4}\n$$" in text
    assert "**Algorithm 3.1** (Descent)\n\n1. step" in text
    assert "> **Note.** A note." in text
    assert "**Exercise 3.1** (Write the step)\n\nFill in `step`." in text
    assert "**Exercise 3.2**\n\nBy hand." in text
    assert "Subtract" not in text and "It is 2" not in text and "Solution" not in text
    assert not re.search(r"\{[a-z:-]+\}`|^:::|^```\{|^\(\S+\)=", text, re.M)
    code = sources(learner, "code")
    assert learner.cells[1].metadata["jupyter"] == {"source_hidden": True}
    assert all(cell.outputs == [] for cell in learner.cells if cell.cell_type == "code")
    ids = {cell.id for cell in nb.cells}   # the source's ids, so that a rebuild rewrites nothing
    assert all(cell.id in ids for cell in learner.cells)
    assert editions.make_edition(nb, "learner", page(nb)) == learner
    # the glue calls vanished (the loop of them too), and the site-only cell and the solution;
    # what the site's hidden cell computes stays, collapsed
    assert code == [
        "ratio = 0.123456",
        "print('kept')",
        "def step(theta, g, lr):\n    '''One step.'''\n    raise NotImplementedError('write it')",
        "check_gd_step(step)",
    ]


def test_instructor_edition_keeps_each_solution_under_its_exercise():
    nb = chapter()
    instructor = editions.make_edition(nb, "instructor", page(nb))
    cells = [(c.cell_type, "".join(c.source)) for c in instructor.cells]
    joined = "\n\n".join(text for _, text in cells)
    assert joined.index("**Exercise 3.1**") < joined.index("**Solution to Exercise 3.1**") < joined.index("new = theta - lr * g")
    assert "**Solution to Exercise 3.2**\n\nIt is 2." in joined
    assert "glue" not in joined and "remember" not in joined


def test_nbgrader_edition_marks_the_answer_and_grades_the_check():
    nb = chapter()
    graded = editions.make_edition(nb, "nbgrader", page(nb))
    marked = {c.metadata["nbgrader"]["grade_id"]: c for c in graded.cells if "nbgrader" in c.metadata}
    assert set(marked) == {"step-answer", "step-check"}
    answer, check = marked["step-answer"], marked["step-check"]
    assert answer.source == (
        "def step(theta, g, lr):\n    '''One step.'''\n    ### BEGIN SOLUTION\n    new = theta - lr * g\n"
        "    return new\n    ### END SOLUTION"
    )
    assert answer.metadata["nbgrader"]["solution"] is True and answer.metadata["nbgrader"]["locked"] is False
    assert check.source == "result = check_gd_step(step)\ndisplay(result)\nassert result.passed, result.message"
    assert check.metadata["nbgrader"] == {
        "grade": True, "grade_id": "step-check", "locked": True, "points": 1,
        "schema_version": 3, "solution": False, "task": False,
    }
    assert "Subtract" not in json.dumps(graded)   # still no written solution


def test_strip_glue_keeps_the_lesson_code():
    source = (
        "%matplotlib inline\nfrom myst_nb import glue\nfrom descent.book import remember\nimport numpy as np\n\n"
        "# the ratio, for the text\nremember('r', 1)\nx = 2\nfor k in (1, 2):\n    remember(f'k{k}', k)\n"
        "    y = k\nif x:\n    glue('x', x, display=False)\n"
    )
    assert editions.strip_glue(source) == "%matplotlib inline\nimport numpy as np\n\nx = 2\nfor k in (1, 2):\n    y = k"
    assert editions.strip_glue("remember('a', 1)\n# a comment only") == ""


def test_strip_glue_refuses_to_leave_broken_code():
    with pytest.raises(editions.EditionError, match="invalid code"):
        editions.strip_glue("for k in (1, 2):\n    remember(f'k{k}', k)\nelse:\n    remember('z', 0)\n")


def test_cell_names_follow_pythons_scoping():
    reads, defines = editions.cell_names(
        "x = x + 1\ndef f(a):\n    return a * k\nfor i in range(3):\n    total = i\n"
        "%matplotlib inline\nys = [z * w for z in zs]\nimport numpy as np\nclass C:\n    size = n"
    )
    assert reads == {"x", "k", "range", "get_ipython", "w", "zs", "n"}   # not a, i, z (bound where read)
    assert defines == {"x", "f", "i", "total", "ys", "np", "C"}


def test_an_edition_that_leaves_out_what_a_later_cell_reads_is_an_error():
    nb = chapter()
    # the solution (left out of the learner edition) defines a helper that a later cell uses
    solution = next(c for c in nb.cells if c.cell_type == "code" and "new = theta" in c.source)
    solution.source += "\n\n\ndef helper(theta):\n    return 2 * theta"
    nb.cells.append(nbformat.v4.new_code_cell("print(helper(1.0))"))
    with pytest.raises(editions.EditionError, match=(
            r"code cell 7 reads 'helper', which only code cell 5 defines, and that cell is not in the edition")):
        editions.make_edition(nb, "learner", page(nb))
    assert "helper" in json.dumps(editions.make_edition(nb, "instructor", page(nb)))  # it keeps the solution
    # defined again by a cell the edition keeps, or only a parameter of a kept function: nothing is lost
    nb.cells.insert(-1, nbformat.v4.new_code_cell("def helper(theta):\n    return theta + theta"))
    editions.make_edition(nb, "learner", page(nb))
    nb.cells[-2:] = [nbformat.v4.new_code_cell("def twice(helper):\n    return helper(helper)")]
    editions.make_edition(nb, "learner", page(nb))


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("{term}`gradient`", r"the role \{term\} has no plain-markdown form"),
        (":::{figure} x.png\n:::", r"the directive \{figure\} has no plain-markdown form"),
        ("{eq}`nowhere`", r"\{eq\}`nowhere`: no numbered"),
        ("{glue:text}`missing:.2f`", "the notebook glued no value named 'missing'"),
        ("{cite:p}`nobody2020`", "no entry 'nobody2020' in the bibliography"),
        (":::{note}\nunclosed", "unclosed fence"),
    ],
)
def test_markup_the_editions_cannot_render_is_an_error(markdown, message):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
    with pytest.raises(editions.EditionError, match=message):
        editions.make_edition(nb, "learner", page(nb))


def test_an_unknown_edition_is_refused():
    nb = chapter()
    with pytest.raises(ValueError, match="edition must be one of learner, instructor, nbgrader; got 'student'"):
        editions.make_edition(nb, "student", page(nb))


# ------------------------------------------------------------- the editions in the site

NOTEBOOKS = [f for f in toc_files() if (Path(__file__).parent.parent / f"{f}.ipynb").exists()]
# The chapters: the notebooks with exercises, which are handed out to learners. (The
# Instructors page reads the repository's files, and is for the repository's readers.)
def has_exercises(entry: str) -> bool:
    nb = nbformat.read(Path(__file__).parent.parent / f"{entry}.ipynb", as_version=4)
    return any(c.cell_type == "markdown" and re.search(r"^ {0,3}(:{3,}|`{3,})\{exercise", c.source, re.M) for c in nb.cells)


CHAPTERS = [f for f in NOTEBOOKS if has_exercises(f)]
LEFTOVER = re.compile(r"\{[a-z][\w:-]*\}`|^ {0,3}(:{3,}|`{3,})\{|^\([\w-]+\)=\s*$", re.M)


@pytest.fixture(scope="session")
def built(site):
    result, html, _ = site
    if result.returncode != 0:
        pytest.fail("the site build failed; see tests/test_book.py", pytrace=False)
    return html


def read(html: Path, edition: str, entry: str):
    return nbformat.read(html / editions.FOLDER / edition / f"{entry}.ipynb", as_version=4)


def count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text))


@pytest.mark.site
@pytest.mark.parametrize("entry", NOTEBOOKS)
def test_site_learner_edition_reads_clean_and_holds_no_solution(built, entry):
    learner, html = read(built, "learner", entry), (built / f"{entry}.html").read_text(encoding="utf8")
    markdown = "\n\n".join(sources(learner, "markdown"))
    leftovers = [m.group(0) for m in LEFTOVER.finditer(markdown)]
    assert not leftovers, f"{entry}: MyST markup left in the learner edition: {leftovers[:5]}"
    assert "Solution to Exercise" not in markdown
    glue_calls = [s for s in sources(learner, "code") if re.search(r"\b(glue|remember|glue_number)\(", s)]
    assert not glue_calls, f"{entry}: code cells still glue values: {glue_calls[:2]}"
    exercises = count(r'<div class="exercise[^"]*" id=', html)
    assert count(r"\*\*Exercise \d+\.\d+\*\*", markdown) == exercises
    stubs = [s for s in sources(learner, "code") if editions.is_stub(s)]
    for stub in stubs:  # every stub has its check cell in the edition
        name = editions.defined_function(stub).name
        assert any(editions.checked_function(s) == name for s in sources(learner, "code")), f"{entry}: no check cell for {name}"


@pytest.mark.site
@pytest.mark.parametrize("entry", NOTEBOOKS)
def test_site_instructor_edition_has_every_solution(built, entry):
    instructor = read(built, "instructor", entry)
    html = (built / f"{entry}.html").read_text(encoding="utf8")
    markdown = "\n\n".join(sources(instructor, "markdown"))
    assert count(r"\*\*Solution to Exercise \d+\.\d+\*\*", markdown) == count(r'<div class="solution[^"]*" id=', html)


@pytest.mark.site
@pytest.mark.parametrize("entry", NOTEBOOKS)
def test_site_edition_links_point_at_pages_and_anchors_that_exist(built, entry, repo_root):
    import yaml

    baseurl = yaml.safe_load((repo_root / "_config.yml").read_text())["html"]["baseurl"].rstrip("/")
    markdown = "\n\n".join(sources(read(built, "instructor", entry), "markdown"))
    missing = []
    for url in set(re.findall(rf"\]\(({re.escape(baseurl)}/[^)\s]+)\)", markdown)):
        path, _, anchor = url[len(baseurl) + 1:].partition("#")
        target = built / path
        if not target.is_file():
            missing.append(url)
        elif anchor and f'id="{anchor}"' not in target.read_text(encoding="utf8"):
            missing.append(url)
    assert not missing, f"{entry}: links to no page or anchor of the site: {sorted(missing)[:5]}"


# What a learner gets must run with "Run all" before a single exercise is done. Every cell of
# an edition is a cell of its chapter, which nbval runs; what the edition changes is which
# cells are there: the build refuses an edition whose cells read a name that only a cell it
# left out defines (course_editions.names_lost, tested above). So here the check cells run
# on their stubs, and the live explorers (which nbval skips) are made, with the cells they
# need, for every chapter in one kernel; and one chapter's
# learner edition runs whole, the ground truth of that reasoning.
WHOLE_RUN = "book/03_adagrad_rmsprop"


def needed_cells(nb, targets: list) -> list:
    """The code cells of ``nb`` that the ``targets`` need (by the names they read), targets included, in order."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    names = [editions.cell_names(cell.source) for cell in code]
    chosen, wanted = set(), [code.index(target) for target in targets]
    while wanted:
        index = wanted.pop()
        if index in chosen:
            continue
        chosen.add(index)
        for name in names[index][0]:
            definer = next((j for j in range(index - 1, -1, -1) if name in names[j][1]), None)
            if definer is not None:
                wanted.append(definer)
    return [code[index] for index in sorted(chosen)]


def execute(nb, folder: Path, what: str):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{what} stops with an error:\n{str(error)[-1500:]}", pytrace=False)


def test_needed_cells_follow_the_names_back():
    cells = [nbformat.v4.new_code_cell(s) for s in (
        "import numpy as np", "a = np.ones(2)", "b = 3", "def f(x):\n    return x * a", "print(b)", "f(1)")]
    nb = nbformat.v4.new_notebook(cells=cells)
    assert [c.source for c in needed_cells(nb, [cells[5]])] == [
        "import numpy as np", "a = np.ones(2)", "def f(x):\n    return x * a", "f(1)"]


@pytest.mark.site
@pytest.mark.notebooks
def test_site_learner_editions_check_cells_say_not_written_yet_and_explorers_run(built, tmp_path):
    cells, checks = [], []
    for entry in CHAPTERS:
        learner = read(built, "learner", entry)
        check_cells = [c for c in learner.cells if c.cell_type == "code" and editions.checked_function(c.source)]
        # and the live widget explorers, which nbval skips (tagged learner-only: for a learner's kernel)
        widgets = [c for c in learner.cells if "learner-only" in c.get("metadata", {}).get("tags", [])]
        cells.append(nbformat.v4.new_code_cell("%reset -f"))   # each chapter from an empty namespace
        for cell in needed_cells(learner, check_cells + widgets):
            cells.append(nbformat.v4.new_code_cell(cell.source))
            if cell in check_cells:
                checks.append((entry, cells[-1]))
    assert {entry for entry, _ in checks} >= {e for e in CHAPTERS if e.rsplit("/", 1)[1][:2].isdigit()}
    execute(nbformat.v4.new_notebook(cells=cells), tmp_path, "the check cells and explorers of the learner editions")
    for entry, cell in checks:
        shown = json.dumps(cell.outputs)
        assert "not written yet" in shown, f"{entry}: {cell.source!r} on its stub said {shown[:300]}"


@pytest.mark.site
@pytest.mark.notebooks
def test_site_learner_edition_runs_top_to_bottom_with_the_stubs_unfilled(built, tmp_path):
    assert WHOLE_RUN in CHAPTERS
    learner = read(built, "learner", WHOLE_RUN)
    execute(learner, tmp_path, f"{WHOLE_RUN}: the learner edition")
    checked = [c for c in learner.cells if c.cell_type == "code" and editions.checked_function(c.source)]
    assert checked and all("not written yet" in json.dumps(c.outputs) for c in checked)


@pytest.mark.site
def test_site_without_solutions(tmp_path, repo_root):
    """COURSE_SOLUTIONS=hide: an instructor's site while an assignment is open.

    Built on a scratch book with the course's configuration, one chapter (the last, which has
    both kinds of solution: gated ones with code cells, and plain {solution} blocks) and the
    bibliography, without -W: the chapter's links to the other chapters are broken there.
    """
    import os
    import shutil

    from harness import build_book, build_log, scratch_book

    entry = CHAPTERS[-1]
    scratch_book(tmp_path, entry)
    shutil.copy(repo_root / f"{entry}.ipynb", tmp_path / f"{entry}.ipynb")
    shutil.copy(repo_root / "book" / "bibliography.md", tmp_path / "book" / "bibliography.md")
    (tmp_path / "_toc.yml").write_text(f"format: jb-book\nroot: {entry}\nchapters:\n  - file: book/bibliography\n")
    result = build_book(tmp_path, options=(), env={**os.environ, editions.HIDE_VARIABLE: "hide"})
    assert result.returncode == 0, build_log(result)[-6000:]
    html = tmp_path / "_build" / "html"
    source = (repo_root / f"{entry}.ipynb").read_text(encoding="utf8")
    assert "{solution-start}" in source and "{solution}" in source, f"{entry} no longer has both kinds of solution"
    page_html = (html / f"{entry}.html").read_text(encoding="utf8")
    assert count(r'<div class="exercise[^"]*" id=', page_html), f"{entry}: the exercises went too"
    assert count(r'<div class="solution', page_html) == 0, f"{entry}: a solution is still on the page"
    assert (html / editions.FOLDER / "learner" / f"{entry}.ipynb").is_file()
    assert not (html / editions.FOLDER / "instructor" / f"{entry}.ipynb").exists()
    assert not (html / "_sources" / f"{entry}.ipynb").exists(), "the source notebook holds the solutions"
    index = (html / "searchindex.js").read_text(encoding="utf8")
    assert "Solution to" not in index
