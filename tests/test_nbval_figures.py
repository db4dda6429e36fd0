"""The figure check (tests/nbval_figures.py, wired in by conftest.py) fails on a stale stored figure.

The comparison is checked on hand-made images; the whole mechanism on a scratch
notebook run by nbval in a pytest of its own: untouched it passes, with one pixel of
its stored figure changed it fails (naming the notebook, the cell and the
difference, and leaving the images under _build/figure-diffs/), and a tolerance
lets that small change pass.
"""

from __future__ import annotations

import base64
import io
import math
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from PIL import Image

from nbval_figures import compare, parse_tolerance, pixels, side_by_side

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import execute_notebooks  # noqa: E402


def png(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array.astype(np.uint8)).save(out, format="PNG")
    return out.getvalue()


def grey(width=20, height=10) -> np.ndarray:
    return np.full((height, width, 4), (200, 200, 200, 255), np.uint8)


def test_identical_pictures_in_other_bytes_do_not_differ():
    image = grey()
    other_bytes = io.BytesIO()
    Image.fromarray(image).save(other_bytes, format="PNG", compress_level=0)
    assert other_bytes.getvalue() != png(image)
    difference = compare(png(image), other_bytes.getvalue())
    assert difference.changed_pixels == 0 and difference.rms == 0 and difference.within(0)


def test_one_changed_channel_gives_the_hand_computed_rms():
    before, after = grey(), grey()
    after[3, 5, 0] = 200 - 40  # one channel of one pixel, by 40
    difference = compare(png(before), png(after))
    assert difference.changed_pixels == 1
    assert difference.largest == 40
    assert difference.rms == pytest.approx(math.sqrt(40**2 / (20 * 10 * 4)))  # 1.414
    assert not difference.within(0)  # exact
    assert not difference.within(1.4)
    assert difference.within(1.5)
    assert "1 of 200 pixels differ (0.50 %)" in difference.describe()


def test_pictures_of_another_size_never_match():
    difference = compare(png(grey(20, 10)), png(grey(21, 10)))
    assert not difference.within(1e9)
    assert difference.describe() == "the stored figure is 20×10 px, the fresh one 21×10 px"


def test_side_by_side_shows_both_and_marks_the_changed_pixels_in_red():
    before, after = grey(), grey()
    after[3, 5] = (0, 0, 0, 255)
    composite = pixels(side_by_side(png(before), png(after)))
    assert composite.shape == (10, 3 * 20 + 2 * 8, 4)
    assert tuple(composite[3, 5]) == (200, 200, 200, 255)  # stored
    assert tuple(composite[3, 28 + 5]) == (0, 0, 0, 255)  # fresh
    assert tuple(composite[3, 56 + 5]) == (255, 0, 0, 255)  # the change, in red,
    assert tuple(composite[3 + 2, 56 + 5 - 2]) == (255, 0, 0, 255)  # grown to a 5×5 square
    assert tuple(composite[3, 56 + 5 + 3]) == (238, 238, 238, 255)  # the rest: the stored one, faded


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "much"])
def test_a_bad_tolerance_is_refused_with_the_option_name(value):
    with pytest.raises(ValueError, match=r"--figure-tolerance must be a number >= 0 \(an RMS in 0\.\.255\), got"):
        parse_tolerance(value)


def test_a_good_tolerance_is_read():
    assert parse_tolerance("0") == 0.0 and parse_tolerance(2.5) == 2.5


FIGURE_CELL = """\
import matplotlib.pyplot as plt
plt.figure(figsize=(2, 1.5), dpi=50)
plt.plot([0, 1, 4], color="C0")
plt.show()"""


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", *args],
        cwd=folder, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )


@pytest.mark.notebooks
def test_a_changed_stored_figure_fails_and_an_untouched_one_passes(tmp_path):
    # a project of its own: this repository's conftest.py and figure check, and two copies of one
    # executed notebook, one untouched and one with a pixel of its stored figure changed, run
    # together (one pytest, as in the suite), then the changed one alone with a tolerance
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "tests").mkdir()
    for name in ("nbval_figures.py", "nbval_sanitize.cfg"):
        shutil.copy(ROOT / "tests" / name, tmp_path / "tests" / name)
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf8")
    untouched, altered = tmp_path / "untouched.ipynb", tmp_path / "scratch.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Scratch"), new_code_cell(FIGURE_CELL)]), untouched)
    execute_notebooks.execute(untouched)
    shutil.copy(untouched, altered)

    nb = nbformat.read(altered, as_version=4)
    output = next(o for o in nb.cells[1].outputs if "image/png" in o.get("data", {}))
    drawn = pixels(base64.b64decode(output.data["image/png"]))
    image = drawn.copy()
    image[10, 10, :3] = 255 - image[10, 10, :3]  # one pixel, inverted: a stale figure
    height, width, _ = image.shape
    rms = math.sqrt(np.sum((image.astype(float) - drawn) ** 2) / image.size)
    output.data["image/png"] = base64.b64encode(png(image)).decode("ascii")
    nbformat.write(nb, altered)

    both = run_pytest(tmp_path, untouched.name, altered.name)
    assert both.returncode == 1, both.stdout + both.stderr
    assert "1 failed, 1 passed" in both.stdout, both.stdout   # the untouched notebook passes beside it
    assert "FAILED scratch.ipynb::Cell 0" in both.stdout and "FAILED untouched.ipynb" not in both.stdout
    assert "figures: 2 re-drawn notebook figures compared" in both.stdout
    assert "scratch.ipynb, cell 1 (nbval's Cell 0): the stored figures are not what the cell draws now" in both.stdout
    assert f"figure 1: 1 of {width * height} pixels differ" in both.stdout
    assert f"RMS difference {rms:.3f} (0..255)" in both.stdout
    diffs = tmp_path / "_build" / "figure-diffs"
    assert sorted(p.name for p in diffs.iterdir()) == ["scratch"]   # nothing for the untouched one
    assert sorted(p.name for p in (diffs / "scratch").iterdir()) == [
        "cell001-figure1-fresh.png", "cell001-figure1-side-by-side.png", "cell001-figure1-stored.png",
    ]
    assert (diffs / "scratch" / "cell001-figure1-stored.png").read_bytes() == png(image)

    tolerated = run_pytest(tmp_path, altered.name, f"--figure-tolerance={rms * 1.01}")
    assert tolerated.returncode == 0, tolerated.stdout + tolerated.stderr
