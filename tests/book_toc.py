"""The pages of the book as _toc.yml lists them, and whether the tests run under CI.

The walker of _toc.yml is descent.toc, shared with tools/ and the Instructors page; here it
reads this repository's _toc.yml.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from descent import toc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))  # the tools the tests import (execute_notebooks, pdf, local_browser)

toc_files = functools.partial(toc.toc_files, ROOT)
toc_notebooks = functools.partial(toc.toc_notebooks, ROOT)


def in_ci() -> bool:
    """True when the CI variable is set to a true value: then a missing tool fails instead of skipping."""
    return (os.environ.get("CI") or "").strip().lower() not in ("", "0", "false", "no")
