"""What the page explorers' tests check of a state(): its paths are descent.minimize's.

Shared by tests/test_page_explorers.py (a page of every explorer) and tests/test_browser.py
(the explorers of the built site, during its one visit per page).
"""

from __future__ import annotations

import numpy as np

import descent


def assert_paths_are_minimizes(shown: dict) -> None:
    """Each run of a state() is what descent.minimize gives for its objective, x0, optimizer and steps."""
    objective = getattr(descent, shown["objective"]["name"])(**shown["objective"]["kwargs"])
    assert shown["runs"]
    for label, run in shown["runs"].items():
        optimizer = getattr(descent, run["optimizer"])(**run["kwargs"])
        expected = descent.minimize(objective, shown["x0"], optimizer, shown["steps"]).points
        path = np.array(run["path"])
        assert path.shape == expected.shape, f"{label}: {path.shape} steps in the browser, {expected.shape} in minimize"
        np.testing.assert_allclose(path, expected, rtol=1e-9, atol=1e-12, err_msg=label)
