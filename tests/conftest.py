"""The fixtures the tests share: the repository, the one site build, the browser, pyplot's guard.

How pytest runs the notebooks (nbval), the markers and the figure check are in the
root conftest.py; the pieces these fixtures are made of are in tests/harness.py.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

import harness
from book_toc import in_ci

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if not hasattr(config, "workerinput") and _runs_site_tests(config):   # the controller, or pytest alone
        config.pluginmanager.register(EarlyBuild(_shared_folder(config)), "early-site-build")
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


def build_site_once(shared: Path, started=None) -> dict:
    """The site built into ``shared``/site once for the session; whoever locks first builds, the others read.

    The build's result is kept in ``shared``/site.json, so that every xdist worker (and the
    session's early start, below) sees the same one; ``started`` is harness.build_book's.
    """
    out, record = shared / "site", shared / "site.json"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not record.exists():
            out.mkdir(exist_ok=True)
            start = time.perf_counter()
            built = harness.build_book(ROOT, "--path-output", str(out), started=started)
            record.write_text(json.dumps({
                "args": built.args, "returncode": built.returncode, "stdout": built.stdout,
                "stderr": built.stderr, "seconds": time.perf_counter() - start,
            }), encoding="utf8")
        return json.loads(record.read_text(encoding="utf8"))


def _shared_folder(config: pytest.Config) -> Path:
    """The session's temporary folder that the xdist workers' own folders are in (the controller's)."""
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


def _runs_site_tests(config: pytest.Config) -> bool:
    """Whether this run will ask for the site, judged before collection: the files it names, its -m.

    A guess made early, so it errs only one way: a run with -k, --lf or --sw is not guessed
    (the site is then built when a test first asks for it, as without this), and --collect-only
    runs nothing.
    """
    option = config.option
    if any(getattr(option, name, None) for name in ("keyword", "lf", "stepwise", "collectonly")):
        return False
    if option.markexpr:
        from _pytest.mark.expression import Expression

        try:
            expression = Expression.compile(option.markexpr)
        except Exception:  # noqa: BLE001 - pytest reports a bad -m itself
            return False
        if not any(expression.evaluate(lambda name, marks=marks, **_: name in marks)
                   for marks in ({"site"}, {"site", "browser"}, {"site", "notebooks"})):
            return False
    # the root conftest.py says which fixtures make a `site` test (it is a plugin named by its path:
    # both conftest modules are called `conftest`, so it cannot be imported by name from here)
    site_fixtures = config.pluginmanager.get_plugin(str(ROOT / "conftest.py")).SITE_FIXTURES
    takes_site = re.compile(r"def \w+\([^)]*\b(?:" + "|".join(site_fixtures) + r")\b")  # a test's or fixture's
    named = [Path(str(arg).split("::")[0]) for arg in config.args] or [config.rootpath / p for p in config.getini("testpaths")]
    files = {f for path in named for f in ([path] if path.is_file() else path.rglob("test_*.py"))}
    return any(f.suffix == ".py" and takes_site.search(f.read_text(encoding="utf8")) for f in files)


class EarlyBuild:
    """Starts the site build when the session starts, in a thread of the controlling process.

    The build takes half a minute and its first user would otherwise start it only after
    collection (20 s of imports in every worker), and then wait for it; begun at once, it
    runs while the workers start, collect and run their first notebooks. The `site` fixture
    then finds it done (or waits on its lock). A build still running when the session ends
    (Ctrl-C, -x, or no test asked for the site after all) is stopped.
    """

    def __init__(self, shared: Path) -> None:
        self.process = None
        self.thread = threading.Thread(target=build_site_once, args=(shared, self._started),
                                       name="site-build", daemon=True)
        self.thread.start()

    def _started(self, process) -> None:
        self.process = process

    def pytest_sessionfinish(self) -> None:
        if self.thread.is_alive() and self.process is not None:
            self.process.kill()
        self.thread.join()


@pytest.fixture(scope="session")
def site(pytestconfig):
    """Build the site once with warnings as errors; yield (result, html dir, seconds).

    Shared by tests/test_book.py (the build itself, the pages' contents), the site's
    weight and the browser tests, so the site is built once per session: with xdist
    workers, the first worker to ask builds it under a lock in the session's shared
    temporary folder (or the build the session began, see EarlyBuild), and the others
    read its result.
    """
    shared = _shared_folder(pytestconfig)
    saved = build_site_once(shared)
    seconds = saved.pop("seconds")
    return subprocess.CompletedProcess(**saved), shared / "site" / "_build" / "html", seconds


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
