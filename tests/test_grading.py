"""Autograding with nbgrader, through the course's checkers.

The site build writes an nbgrader edition of each chapter (tools/editions): the answer
cells hold the solution between nbgrader's markers and the check cells assert the
checker's verdict. Here an instructor's round is played on the shortest chapter:
`generate_assignment` makes the student version, two students submit (one right, one
with the step going uphill), and `autograde` must give full marks to the first only,
with the checker's words in the second's feedback.

The assignment is the chapter's nbgrader edition with the code cells that no graded cell
needs left out (its text stays): autograde runs every submission from the top, and the
chapter's other experiments would cost 12 s a submission without touching a grade. The
whole chapter runs under nbval, and a learner edition runs whole in tests/test_editions.py.
"""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from test_editions import needed_cells  # the cells some cells need, by the names they read

editions = pytest.importorskip("course_editions", reason="tools/editions is installed by requirements.txt")

CHAPTER = "book/07_where_adam_fails"
ASSIGNMENT = "ch07"


def answer_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]


def submit(release: nbformat.NotebookNode, solution_of: dict, mistake=lambda code: code):
    """A student's notebook: each answer cell filled in with the solution, passed through ``mistake``."""
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in answer_cells(nb):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        code = solution_of[grade_id].replace("    ### BEGIN SOLUTION\n", "").replace("\n    ### END SOLUTION", "")
        cell.source = mistake(code)
    return nb


@pytest.mark.site
@pytest.mark.notebooks
# nbgrader 0.9.6's gradebook triggers SQLAlchemy 2.1's "not in session" SAWarning (a
# RuntimeWarning, which pyproject.toml makes an error) while it creates a submission; the
# submission is created all the same. It is nbgrader's, not ours: let it pass here only.
@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_nbgrader_grades_a_right_and_a_wrong_submission(site, tmp_path):
    # imported here, not at collection (1.7 s in every xdist worker)
    nbgrader_api = pytest.importorskip("nbgrader.apps.api", reason="nbgrader is installed by requirements.txt")
    result, html, _ = site
    assert result.returncode == 0, "the site build failed; see tests/test_book.py"
    source = nbformat.read(html / editions.FOLDER / "nbgrader" / f"{CHAPTER}.ipynb", as_version=4)
    solution_of = {c.metadata["nbgrader"]["grade_id"]: c.source for c in answer_cells(source)}
    assert solution_of, f"{CHAPTER}: the nbgrader edition has no answer cell"
    graded = [c for c in source.cells if c.cell_type == "code" and c.metadata.get("nbgrader")]
    kept = needed_cells(source, graded)
    source.cells = [c for c in source.cells if c.cell_type != "code" or c in kept]
    name = f"{CHAPTER.rpartition('/')[2]}.ipynb"
    (tmp_path / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source, tmp_path / "source" / ASSIGNMENT / name)

    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    config.CourseDirectory.course_id = "gd-to-adam"
    config.Execute.timeout = 300
    api = nbgrader_api.NbGraderAPI(config=config)
    generated = api.generate_assignment(ASSIGNMENT, force=True)
    assert generated["success"], generated["log"][-3000:]

    release = nbformat.read(tmp_path / "release" / ASSIGNMENT / name, as_version=4)
    for cell in answer_cells(release):   # the student version has the stub back, not the solution
        assert "raise NotImplementedError" in cell.source and "BEGIN SOLUTION" not in cell.source

    uphill = lambda code: code.replace("theta - lr", "theta + lr")   # noqa: E731 - the classic slip
    for student, nb in {"right": submit(release, solution_of), "uphill": submit(release, solution_of, uphill)}.items():
        folder = tmp_path / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / name)
        result = api.autograde(ASSIGNMENT, student, force=True, create=True)
        assert result["success"], result["log"][-3000:]

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        right = gradebook.find_submission(ASSIGNMENT, "right")
        wrong = gradebook.find_submission(ASSIGNMENT, "uphill")
        assert right.max_score == len(solution_of) and right.score == right.max_score
        assert wrong.score == 0
    feedback = (tmp_path / "autograded" / "uphill" / ASSIGNMENT / name).read_text(encoding="utf8")
    assert "uphill" in feedback   # the checker's diagnosis reaches the student
    shutil.rmtree(tmp_path / "autograded")
