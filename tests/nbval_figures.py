"""The stored figures are verified too: each PNG a cell draws under nbval must match the stored one.

nbval compares the text and HTML a notebook cell produces with what the notebook
stores, but skips images (`image/png`). The root conftest.py calls
`check_cell_figures` after nbval has run each cell (the fresh outputs nbval
collected are on the item), so no notebook runs twice.

A figure matches when its pixels are the same: the PNG bytes are compared first
(matplotlib's Agg renderer and its bundled fonts give identical bytes from one
run to the next on the same versions: checked on chapter 6, executed twice, every
figure byte-identical to the stored one), then, when the bytes differ, the decoded
pixels (a different zlib can encode the same picture in other bytes).

Where rendering is not deterministic (another FreeType, other fonts, another
matplotlib), `--figure-tolerance=RMS` lets figures differ by a root-mean-square
difference of at most RMS, over every channel of every pixel in 0..255 (the measure
of matplotlib.testing.compare). A one-pixel anti-aliasing change in a 640×480
figure is an RMS well under 1; a moved curve or another colour is several units.
A figure of another size never matches.

On a mismatch the test of that cell fails, naming the notebook, the cell and how
much the pictures differ, and leaves under _build/figure-diffs/ the stored image,
the fresh one, and both side by side with the changed pixels marked in red.
"""

from __future__ import annotations

import base64
import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PNG = "image/png"
TOLERANCE_OPTION = "--figure-tolerance"
DEFAULT_TOLERANCE = 0.0  # exact pixels: this project's platform renders deterministically
DIFF_FOLDER = Path("_build") / "figure-diffs"
MARK_RADIUS = 2  # pixels around each changed pixel drawn red in the side-by-side image


class FigureMismatch(AssertionError):
    """A stored figure is not what its cell draws now (the message says which and by how much)."""


@dataclass
class Difference:
    """How two images differ: sizes, pixels that changed, RMS and largest channel difference."""

    stored_size: tuple[int, int]  # (width, height)
    fresh_size: tuple[int, int]
    changed_pixels: int = 0
    rms: float = 0.0
    largest: int = 0

    @property
    def same_size(self) -> bool:
        return self.stored_size == self.fresh_size

    def within(self, tolerance: float) -> bool:
        if not self.same_size:
            return False
        return self.changed_pixels == 0 if tolerance == 0 else self.rms <= tolerance

    def describe(self) -> str:
        if not self.same_size:
            return f"the stored figure is {_size(self.stored_size)}, the fresh one {_size(self.fresh_size)}"
        total = self.stored_size[0] * self.stored_size[1]
        return (
            f"{self.changed_pixels} of {total} pixels differ ({100 * self.changed_pixels / total:.2f} %), "
            f"RMS difference {self.rms:.3f} (0..255), largest channel difference {self.largest}"
        )


def _size(size: tuple[int, int]) -> str:
    return f"{size[0]}×{size[1]} px"


def parse_tolerance(value) -> float:
    """The --figure-tolerance value: a finite RMS >= 0 (0 means exact pixels)."""
    try:
        tolerance = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{TOLERANCE_OPTION} must be a number >= 0 (an RMS in 0..255), got {value!r}") from None
    if not np.isfinite(tolerance) or tolerance < 0:
        raise ValueError(f"{TOLERANCE_OPTION} must be a number >= 0 (an RMS in 0..255), got {value!r}")
    return tolerance


def png_bytes(data) -> bytes:
    """The PNG of an output's `image/png` entry (base64, as a string or a list of lines)."""
    text = "".join(data) if isinstance(data, list) else data
    return base64.b64decode(text)


def pixels(png: bytes) -> np.ndarray:
    """The image as an (height, width, 4) array of uint8 RGBA."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGBA"))


def compare(stored: bytes, fresh: bytes) -> Difference:
    """How the fresh PNG differs from the stored one, pixel by pixel."""
    a, b = pixels(stored), pixels(fresh)
    difference = Difference(stored_size=(a.shape[1], a.shape[0]), fresh_size=(b.shape[1], b.shape[0]))
    if difference.same_size:
        delta = np.abs(a.astype(np.int16) - b.astype(np.int16))
        difference.changed_pixels = int(np.count_nonzero(delta.any(axis=2)))
        difference.rms = float(np.sqrt(np.mean(delta.astype(np.float64) ** 2)))
        difference.largest = int(delta.max())
    return difference


def side_by_side(stored: bytes, fresh: bytes) -> bytes:
    """One PNG: the stored figure, the fresh one, and the stored one faded with the changes in red.

    Each changed pixel is drawn as a red square of MARK_RADIUS around it, so that a
    change of one pixel can be seen at a glance.
    """
    from PIL import Image

    a, b = pixels(stored), pixels(fresh)
    height, gap = max(a.shape[0], b.shape[0]), 8
    marked = a.copy()
    marked[..., :3] = 255 - (255 - a[..., :3].astype(np.float64)) * 0.3  # faded
    if a.shape == b.shape:
        changed = (a != b).any(axis=2)
        grown = np.zeros_like(changed)
        for dy in range(-MARK_RADIUS, MARK_RADIUS + 1):
            for dx in range(-MARK_RADIUS, MARK_RADIUS + 1):
                grown |= np.roll(np.roll(changed, dy, axis=0), dx, axis=1)
        marked[grown] = (255, 0, 0, 255)
    panels = [a, b, marked]
    canvas = np.full((height, sum(p.shape[1] for p in panels) + gap * 2, 4), 255, np.uint8)
    x = 0
    for panel in panels:
        canvas[: panel.shape[0], x : x + panel.shape[1]] = panel
        x += panel.shape[1] + gap
    out = io.BytesIO()
    Image.fromarray(canvas).save(out, format="PNG")
    return out.getvalue()


def images(outputs) -> list[bytes]:
    """The PNGs among a cell's outputs, in order."""
    return [png_bytes(o["data"][PNG]) for o in outputs if PNG in (o.get("data") or {})]


@dataclass
class Tally:
    """What the check did in this session, for the terminal summary (its cost)."""

    figures: int = 0
    seconds: float = 0.0


def check_cell_figures(item, tolerance: float, diff_root: Path, tally: Tally) -> None:
    """Compare the figures nbval's cell `item` just drew with the stored ones; raise FigureMismatch.

    Cells whose outputs nbval does not check (NBVAL_IGNORE_OUTPUT, nbval-skip,
    never run) are not checked here either.
    """
    if not item.options.get("check") or item.options.get("skip") or item.cell.execution_count is None:
        return
    fresh_outputs = item.test_outputs or []
    start = time.perf_counter()
    stored, fresh = images(item.cell.outputs), images(fresh_outputs)
    problems, saved = [], []
    notebook = Path(str(item.fspath))
    shown = notebook.relative_to(item.config.rootpath) if notebook.is_relative_to(item.config.rootpath) else notebook
    index = next(i for i, cell in enumerate(item.parent.nb.cells) if cell is item.cell)
    where = f"{shown}, cell {index} (nbval's {item.name})"
    if len(stored) != len(fresh):
        problems.append(f"the notebook stores {len(stored)} figure(s), the cell now draws {len(fresh)}")
    for number, (old, new) in enumerate(zip(stored, fresh), start=1):
        if old == new:  # the common case, without decoding
            continue
        difference = compare(old, new)
        if difference.within(tolerance):
            continue
        folder = diff_root / notebook.stem
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"cell{index:03d}-figure{number}"
        (folder / f"{stem}-stored.png").write_bytes(old)
        (folder / f"{stem}-fresh.png").write_bytes(new)
        (folder / f"{stem}-side-by-side.png").write_bytes(side_by_side(old, new))
        problems.append(f"figure {number}: {difference.describe()}")
        saved.append(folder / f"{stem}-side-by-side.png")
    tally.figures += len(fresh)
    tally.seconds += time.perf_counter() - start
    if problems:
        allowed = "exact pixels" if tolerance == 0 else f"RMS <= {tolerance:g}"
        raise FigureMismatch(
            f"{where}: the stored figures are not what the cell draws now ({allowed}):\n  "
            + "\n  ".join(problems)
            + "".join(f"\n  stored | fresh | changed pixels in red: {path}" for path in saved)
            + f"\nRe-execute the notebook (python tools/execute_notebooks.py {shown}) if the change is meant."
        )
