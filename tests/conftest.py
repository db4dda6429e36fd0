"""The fixtures the tests share: the repository, the one site build, the browser, pyplot's guard.

How pytest runs the notebooks (nbval), the markers and the figure check are in the
root conftest.py; the pieces these fixtures are made of are in tests/harness.py.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import subprocess
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
def worker_id(request) -> str:
    """xdist's worker name ("gw0", ...), or "master" without xdist (xdist's own fixture, when it runs)."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


@pytest.fixture(scope="session")
def site(tmp_path_factory, worker_id):
    """Build the site once with warnings as errors; yield (result, html dir, seconds).

    Shared by tests/test_book.py (the build itself, the pages' contents), the site's
    weight and the browser tests, so the site is built once per session: with xdist
    workers, the first worker to ask builds it under a lock in the session's shared
    temporary folder, and the others read its result.
    """
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    out, record = shared / "site", shared / "site.json"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not record.exists():
            out.mkdir(exist_ok=True)
            start = time.perf_counter()
            built = harness.build_book(ROOT, "--path-output", str(out))
            record.write_text(json.dumps({
                "args": built.args, "returncode": built.returncode, "stdout": built.stdout,
                "stderr": built.stderr, "seconds": time.perf_counter() - start,
            }), encoding="utf8")
        saved = json.loads(record.read_text(encoding="utf8"))
    seconds = saved.pop("seconds")
    return subprocess.CompletedProcess(**saved), out / "_build" / "html", seconds


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
