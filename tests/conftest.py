"""The fixtures the tests share: the repository, the one site build, the browser, pyplot's guard.

How pytest runs the notebooks (nbval), the markers and the figure check are in the
root conftest.py; the pieces these fixtures are made of are in tests/harness.py.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

import harness
from book_toc import in_ci

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session: pytest.Session) -> None:
    # Locally, tests that need PyTorch skip when it is missing (it is not in
    # requirements.txt: Binder would pull gigabytes of CUDA). In CI a missing torch
    # means a broken install step, and skipping would hide it: fail instead.
    if in_ci() and importlib.util.find_spec("torch") is None:
        raise pytest.UsageError(
            "CI is set but PyTorch is not installed: `make test` (and .ci/run) installs it from "
            "requirements-optional.txt, so that the cross-checks against torch.optim run instead of being skipped."
        )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (where _config.yml and _toc.yml are)."""
    return ROOT


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """Build the site once with warnings as errors; yield (result, html dir, seconds).

    Shared by tests/test_book.py (the build itself, the pages' contents), the site's
    weight and the browser tests, so the site is built once per session (per xdist
    worker: conftest.py sends the tests that use it to one worker).
    """
    out = tmp_path_factory.mktemp("site")
    start = time.perf_counter()
    result = harness.build_book(ROOT, "--path-output", str(out))
    return result, out / "_build" / "html", time.perf_counter() - start


@pytest.fixture(scope="session")
def built_site(site) -> Path:
    """The built site's html folder; fails (not errors) when the build produced no site.

    tests/test_book.py's test_site_builds_without_warnings reports the build's
    warnings; the pages that were built are still checked.
    """
    result, folder, _ = site
    if not (folder / "index.html").is_file():
        pytest.fail(
            f"the site build produced no {folder / 'index.html'} (exit {result.returncode}): "
            "see test_site_builds_without_warnings",
            pytrace=False,
        )
    return folder


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (skipped with the reason where missing)."""
    with harness.launch_browser() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def base_url(built_site):
    """The built site served on 127.0.0.1 (a free port), for the whole session."""
    with harness.serve(built_site) as url:
        yield url


@pytest.fixture
def no_pyplot_figures_left_open():
    """Fails a test that leaves a figure open in pyplot (the package draws without pyplot).

    Use it with `pytestmark = pytest.mark.usefixtures("no_pyplot_figures_left_open")`.
    """
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "a figure was left open in pyplot"
