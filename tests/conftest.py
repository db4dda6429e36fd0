"""Shared pytest set-up for the unit tests, the site-build test and nbval.

The notebooks are collected by nbval from book/ (see [tool.pytest.ini_options] in
pyproject.toml); this file only makes that set-up robust.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from book_toc import in_ci

ROOT = Path(__file__).resolve().parent.parent




def pytest_sessionstart(session: pytest.Session) -> None:
    # Locally, tests that need PyTorch skip when it is missing (it is not in
    # requirements.txt: Binder would pull gigabytes of CUDA). In CI a missing torch
    # means a broken install step, and skipping would hide it: fail instead.
    if in_ci() and importlib.util.find_spec("torch") is None:
        raise pytest.UsageError(
            "CI is set but PyTorch is not installed: .ci/run must `pip install torch==2.13.0` "
            "so that the cross-checks against torch.optim run instead of being skipped."
        )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (where _config.yml and _toc.yml are)."""
    return ROOT


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """Build the site once with warnings as errors; yield (result, html dir, seconds).

    Shared by tests/test_book.py (the build itself, the pages' contents) and
    tests/test_browser.py (the same pages in a browser), so the site is built once.
    """
    exe = Path(sys.executable).with_name("jupyter-book")
    command = [str(exe) if exe.exists() else shutil.which("jupyter-book") or "jupyter-book"]
    out = tmp_path_factory.mktemp("site")
    command += ["build", ".", "-W", "-n", "--keep-going", "--path-output", str(out)]
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL
    )
    return result, out / "_build" / "html", time.perf_counter() - start
