"""The pages of the book as _toc.yml lists them, and whether the tests run under CI.

The walker of _toc.yml is tools/toc.py, shared with tools/execute_notebooks.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from toc import toc_files, toc_notebooks  # noqa: E402,F401  (re-exported for the tests)


def in_ci() -> bool:
    """True when the CI variable is set to a true value: then a missing tool fails instead of skipping."""
    return (os.environ.get("CI") or "").strip().lower() not in ("", "0", "false", "no")
