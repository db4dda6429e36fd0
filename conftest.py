"""How `pytest` runs at the repository root: nbval on the notebooks, the markers, the figure check.

Here rather than in tests/conftest.py because the notebooks are in book/: pytest
applies a conftest's per-test hooks only to the tests under its folder.

- nbval is switched on here, not in `addopts`, so that `pytest -p no:nbval` works:
  `--nbval` (compare outputs), `--nbval-current-env` (the kernel is the Python
  running pytest) and `--nbval-sanitize-with=tests/nbval_sanitize.cfg`, unless given
  otherwise on the command line (`--nbval-lax`, `--nbval-kernel-name`, another file).
- Markers, from what a test uses: `notebooks` (nbval's cells), `site` (the built site:
  the fixtures below), `browser` (headless Chromium). `pytest -m "not site and not
  browser and not notebooks"` is the quick loop over the package's unit tests.
- With pytest-xdist, `-n 2 --dist loadfile` keeps one notebook's cells on one worker
  (they share a kernel); the site is built once for all workers (tests/conftest.py).
  Not `--dist loadgroup`: xdist 3.8 names a test's group by rewriting `item._nodeid`,
  which pytest 9.2 no longer reads (it keeps `item._id`), so the groups are ignored and
  a notebook's cells would be spread over the workers.
- The order of the files, for the workers (:func:`pytest_collection_modifyitems`): two
  notebooks per worker first, while the site builds (begun when the session starts: tests/
  conftest.py), then the files that use the site or the browser alternate with the other
  notebooks, and the unit tests fill the end, biggest first, so that the long files start first
  and the workers finish together. xdist's own reordering (by number of tests) is switched off.
- Figures: after nbval has run a cell, its fresh PNGs are compared with the stored ones
  (tests/nbval_figures.py; `--figure-tolerance`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))

import nbval_figures  # noqa: E402

SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
# fixtures that build (or serve, or read) the site: a test using one is a `site` test (and a
# test file taking one makes the session start the site build early: tests/conftest.py)
SITE_FIXTURES = {"site", "built_site", "html", "base_url"}
BROWSER_FIXTURES = {"browser", "visit"}
MARKERS = {
    "notebooks": "a notebook cell run by nbval in a kernel (or a test that runs notebooks)",
    "site": "needs the built site (uses one of the fixtures " + ", ".join(sorted(SITE_FIXTURES)) + ") or builds one",
    "browser": "drives headless Chromium (uses the `browser` fixture)",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        nbval_figures.TOLERANCE_OPTION,
        default=nbval_figures.DEFAULT_TOLERANCE,
        metavar="RMS",
        help="how much a re-drawn notebook figure may differ from the stored one: the RMS of the "
        "pixel difference in 0..255 (default 0: exact pixels). See tests/nbval_figures.py.",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")
    try:
        config.option.figure_tolerance = nbval_figures.parse_tolerance(config.option.figure_tolerance)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    config.pluginmanager.register(FigureSummary(), "figure-summary")
    if hasattr(config.option, "loadscopereorder"):
        # xdist would hand out the files with most tests first: keep this order (pytest_collection_modifyitems).
        # Set here, where the controller reads it (it schedules; the workers only collect).
        config.option.loadscopereorder = False
    if not config.pluginmanager.hasplugin("nbval"):
        return  # pytest -p no:nbval: the notebooks are not collected
    option = config.option
    if not option.nbval_lax:
        option.nbval = True
    if not option.nbval_kernel_name:
        option.nbval_current_env = True
    if not option.nbval_sanitize_with:
        option.nbval_sanitize_with = str(SANITIZE)
    elif not Path(option.nbval_sanitize_with).is_absolute() and not Path(option.nbval_sanitize_with).exists():
        # nbval opens it relative to the current directory: allow a path from the root
        option.nbval_sanitize_with = str(config.rootpath / option.nbval_sanitize_with)


def _is_notebook_cell(item: pytest.Item) -> bool:
    return item.config.pluginmanager.hasplugin("nbval") and type(item).__name__ == "IPyNbCell"


def pytest_itemcollected(item: pytest.Item) -> None:
    # Marked as each test is collected, before -m selects on the markers.
    used = set(getattr(item, "fixturenames", ()))
    if _is_notebook_cell(item):
        item.add_marker(pytest.mark.notebooks)
    if used & BROWSER_FIXTURES:
        item.add_marker(pytest.mark.browser)
    if used & SITE_FIXTURES:
        item.add_marker(pytest.mark.site)


def _kind(items: list) -> int:
    """0: a file that uses the site or the browser; 1: a notebook (or a file that runs them); 2: unit tests."""
    marks = {mark.name for item in items for mark in item.iter_markers()}
    return 0 if marks & {"site", "browser"} else 1 if "notebooks" in marks else 2


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    files: dict = {}
    for item in items:
        files.setdefault(item.path, []).append(item)
    kinds: list = [[], [], []]
    for file_items in files.values():
        kinds[_kind(file_items)].append(file_items)
    site, notebooks, unit = kinds
    site.sort(key=len, reverse=True)   # the browser tests (most tests, longest) first
    unit.sort(key=len, reverse=True)   # and the small unit-test files last, to even out the workers' ends
    notebooks.sort(key=lambda file_items: file_items[0].path.suffix != ".ipynb")  # the notebooks, then files that run some
    # two notebooks per worker first (half a minute): the site is being built meanwhile (tests/conftest.py's
    # EarlyBuild), and each worker keeps two files in hand, so its first site test waits less
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    lead, notebooks = notebooks[:2 * workers], notebooks[2 * workers:]
    alternated = lead + [f for pair in zip(site, notebooks) for f in pair]
    alternated += site[len(notebooks):] + notebooks[len(site):]
    items[:] = [item for file_items in alternated + unit for item in file_items]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    result = yield  # nbval runs the cell and compares its text (raises when that fails)
    if _is_notebook_cell(item):
        tally = nbval_figures.Tally()
        try:
            nbval_figures.check_cell_figures(
                item, item.config.option.figure_tolerance, item.config.rootpath / nbval_figures.DIFF_FOLDER, tally
            )
        finally:
            item.user_properties.append(("figures", (tally.figures, tally.seconds)))
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(nbval_figures.FigureMismatch):
        report.longrepr = str(call.excinfo.value)  # nbval would call it a "pytest plugin exception"
    return report


class FigureSummary:
    """Adds up what the figure check cost (also on the xdist controller: user_properties travel with the reports)."""

    def __init__(self) -> None:
        self.tally = nbval_figures.Tally()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties if report.when == "call" else ():
            if name == "figures":
                self.tally.figures += value[0]
                self.tally.seconds += value[1]

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.tally.figures:
            terminalreporter.write_line(
                f"figures: {self.tally.figures} re-drawn notebook figures compared with the stored ones "
                f"in {self.tally.seconds * 1000:.0f} ms"
            )
