"""The page explorers: live in Chromium with no kernel and no network, and their paths are minimize's.

A page with every explorer of chapters 1–5 (descent.page, the HTML a notebook
stores, plus the script and style the site serves) is opened from file:// in
headless Chromium with every other request refused. Through the test contract
(``element.descentExplorer.state()`` and ``.set()``, see descent/page.py) the
browser's paths are compared with :func:`descent.minimize` for random
settings, to 1e-9 relative; a slider moved with the keyboard changes the
paths, a click on the contours moves the start, and stepping shows the
numbers of one update. Without Playwright or Chromium these tests skip (fail
under CI; the `browser` fixture). The built site's pages are checked the same way during
tests/test_browser.py's one visit per page (``test_site_page_explorers_are_live_and_run_minimize``).
"""

from __future__ import annotations

import json
import math
import shutil

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import descent  # noqa: E402
from descent.explorers import DECLARATIONS, OBJECTIVES  # noqa: E402
from explorer_checks import assert_paths_are_minimizes  # noqa: E402
from harness import open_page, page_problems  # noqa: E402
from descent.page import STATIC_FILES, page_explorer, static_folder  # noqa: E402

NAMES = ["lr_limit", "momentum", "rmsprop", "adam_bias", "explore"]
CHAPTER_EXPLORERS = {"book/01_gradient_descent": "lr_limit", "book/02_momentum": "momentum",
                     "book/03_adagrad_rmsprop": "rmsprop", "book/04_adam": "adam_bias",
                     "book/05_side_by_side": "explore"}


@pytest.fixture(scope="module")
def bundles():
    return {name: page_explorer(name)._repr_html_() for name in NAMES}


# The browser: the `browser` fixture of tests/conftest.py (one headless Chromium for the session,
# skipped with the reason where missing, failing under CI), which marks these tests `browser`.


LIVE = "document.querySelectorAll('.descent-explorer-live').length > 0"


@pytest.fixture(scope="module")
def page(browser, bundles, tmp_path_factory):
    folder = tmp_path_factory.mktemp("explorers")
    for name in STATIC_FILES:
        shutil.copy(static_folder() / name, folder / name)
    body = "\n".join(f'<section id="{name}">{bundle}</section>' for name, bundle in bundles.items())
    (folder / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        '<link rel="stylesheet" href="descent-explorer.css"><script defer src="descent-explorer.js"></script>'
        f"</head><body>{body}</body></html>", encoding="utf8")
    with open_page(browser, (folder / "index.html").as_uri(), "file:", {"width": 1100, "height": 900}) as (page, seen):
        page.wait_for_function(LIVE)
        yield page
    found = page_problems(seen, http=False)
    assert not found, found


def state(page, name) -> dict:
    return page.evaluate(f"document.querySelector('#{name} .descent-explorer').descentExplorer.state()")


def set_state(page, name, partial) -> dict:
    return page.evaluate(f"p => document.querySelector('#{name} .descent-explorer').descentExplorer.set(p)",
                         partial)


def random_settings(rng, declaration) -> dict:
    """A value for every control, drawn uniformly over its slider (log-uniformly for log sliders)."""
    out = {}
    for c in declaration.controls:
        if c.kind == "choice":
            out[c.name] = str(rng.choice(c.options))
        elif c.kind == "bool":
            out[c.name] = bool(rng.integers(2))
        elif c.notches:
            out[c.name] = float(rng.choice(c.notches))
        elif c.scale == "log":
            out[c.name] = float(10 ** rng.uniform(math.log10(c.low), math.log10(c.high)))
        elif c.kind == "int":
            out[c.name] = int(rng.integers(c.low, min(c.high, 400) + 1))  # long runs are slow to compare, not harder
        else:
            out[c.name] = float(rng.uniform(c.low, c.high))
    switches = [run["when"] for run in declaration.runs.values() if "when" in run]
    if switches and not any(out[name] for name in switches):
        out[str(rng.choice(switches))] = True  # at least one run to compare
    return out


# -- without a browser: the HTML alone ---------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_first_picture_is_in_the_html_before_any_script_runs(bundles, name):
    bundle = bundles[name]
    assert bundle.startswith('<div class="descent-explorer"') and "<script src" not in bundle
    assert 'class="descent-background" href="data:image/png;base64,' in bundle
    declaration = page_explorer(name).declaration
    shown = [label for label, run in declaration.runs.items() if declaration.settings().get(run.get("when"), True)]
    for label in shown:
        assert f'<g data-run="{label}"' in bundle
    assert bundle.count('<polyline class="descent-path"') == len(shown)
    assert 'role="img" aria-label="' in bundle


def test_the_page_explorer_displays_as_html_with_a_short_text(bundles):
    explorer = page_explorer("momentum")
    assert explorer._repr_html_() == bundles["momentum"]  # the same output every run (nbval compares it)
    assert len(repr(explorer)) < 110 and "live on the course's website" in repr(explorer)


@pytest.mark.parametrize("call, message", [
    (lambda: page_explorer("momentum", beta=1.2), r"beta must be between 0.00 and 0.99"),
    (lambda: page_explorer("momentum", gamma=1), r"momentum has no control gamma"),
    (lambda: page_explorer("nope"), r"name must be one of 'lr_limit'"),
    (lambda: page_explorer("lr_limit", x0=(1.0, np.nan)), r"x0 must be a finite point"),
])
def test_bad_arguments_are_refused(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_each_bundle_is_light(bundles):
    sizes = {name: len(bundle.encode()) for name, bundle in bundles.items()}
    assert max(sizes.values()) < 400_000, sizes  # a page stays under its 2 MB budget with room to spare


def test_every_default_is_declared_once_and_used_by_widget_and_page():
    from descent import widgets

    momentum = DECLARATIONS["momentum"].control("lr").default
    assert widgets.momentum_explorer().controls["lr"].value == momentum
    assert page_explorer("momentum").settings["lr"] == momentum
    # the general explorer's learning rates follow its objective, in the kernel and the page
    himmelblau = OBJECTIVES["Himmelblau"]
    assert widgets.explore("Himmelblau").controls["lr_adaptive"].value == himmelblau.lr_adaptive
    assert page_explorer("explore", objective="Himmelblau").settings["lr_adaptive"] == himmelblau.lr_adaptive


@pytest.mark.parametrize("label", list(OBJECTIVES))
def test_objective_specs_rebuild_the_objective(label):
    from descent.explorers import make_objective

    f, spec = OBJECTIVES[label].make(), OBJECTIVES[label].spec
    g = getattr(descent, spec["name"])(**json.loads(json.dumps(spec["kwargs"])))  # through JSON, as the page
    points = np.random.default_rng(3).uniform(-2, 2, size=(20, 2))
    assert [f(p) for p in points] == [g(p) for p in points] == [make_objective(spec)(p) for p in points]


def test_templates_resolve_controls_and_factors():
    from descent.explorers import resolve

    template = {"lr": {"$": "ratio", "times": 0.2}, "beta": {"$": "beta"}, "eps": 1e-8, "pair": [{"$": "beta"}, 2]}
    assert resolve(template, {"ratio": 0.5, "beta": 0.9}) == {"lr": 0.1, "beta": 0.9, "eps": 1e-8, "pair": [0.9, 2]}
    lr = DECLARATIONS["lr_limit"].optimizers({"ratio": 0.5})["gradient descent"].lr
    assert lr == pytest.approx(0.5 * 2 / 10.0)  # ratio × 2/L with L = 10


# -- in Chromium, offline ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_default_paths_in_the_browser_are_minimizes(page, name):
    shown = state(page, name)
    assert shown["x0"] == list(page_explorer(name).x0)
    assert_paths_are_minimizes(shown)


@pytest.mark.parametrize("name", NAMES)
def test_random_settings_give_minimizes_paths(page, name):
    rng = np.random.default_rng(sum(map(ord, name)))
    declaration = page_explorer(name).declaration
    for _ in range(6):
        settings = random_settings(rng, declaration)
        shown = set_state(page, name, settings)
        window = (OBJECTIVES[shown["settings"]["objective"]].make().window if "objective" in settings
                  else declaration.make_objective(shown["settings"]).window)
        if name != "adam_bias":  # its start is part of the lesson; the others start anywhere in the window
            (x_lo, x_hi), (y_lo, y_hi) = window
            shown = set_state(page, name, {"x0": [float(rng.uniform(x_lo, x_hi)), float(rng.uniform(y_lo, y_hi))]})
        assert {k: shown["settings"][k] for k in settings} == settings
        assert_paths_are_minimizes(shown)
    set_state(page, name, {**declaration.settings(), "x0": list(page_explorer(name).x0)})


def test_a_diverging_run_stops_where_minimize_stops(page):
    shown = set_state(page, "lr_limit", {"ratio": 1.25})
    assert_paths_are_minimizes(shown)
    set_state(page, "lr_limit", DECLARATIONS["lr_limit"].settings())
    shown = set_state(page, "explore", {"objective": "Rosenbrock", "lr": 0.9, "GD": True, "steps": 200})
    run = shown["runs"]["GD"]
    assert len(run["path"]) < 201 and "diverged" in run["stopped"]
    assert_paths_are_minimizes(shown)
    set_state(page, "explore", DECLARATIONS["explore"].settings(objective="Himmelblau", lr=0.01, lr_adaptive=0.1))


@pytest.mark.parametrize("name", ["lr_limit", "momentum", "rmsprop", "explore"])
def test_moving_a_slider_with_the_keyboard_changes_the_paths(page, name):
    before = set_state(page, name, page_explorer(name).declaration.settings())  # no slider at its end
    slider = page.locator(f"#{name} input[type=range]").first
    slider.focus()
    slider.press("ArrowRight")
    slider.press("ArrowRight")
    after = state(page, name)
    assert after["runs"] != before["runs"] and after["settings"] != before["settings"]
    assert_paths_are_minimizes(after)
    slider.press("ArrowLeft")
    slider.press("ArrowLeft")


@pytest.mark.parametrize("name", NAMES)
def test_a_click_on_the_contours_moves_the_start(page, name):
    plot = page.locator(f"#{name} svg.descent-explorer-plot")
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    geometry = page_explorer(name).pictures
    picture = geometry[next(iter(geometry))] if name != "explore" else geometry[state(page, name)["settings"]["objective"]]
    axes, (width, height) = picture["axes"], picture["size"]
    # the pixel one third into the axes from the left, two thirds from the top
    px, py = axes["left"] + axes["width"] / 3, axes["top"] + 2 * axes["height"] / 3
    page.mouse.click(box["x"] + px / width * box["width"], box["y"] + py / height * box["height"])
    shown = state(page, name)
    (x_lo, x_hi), (y_lo, y_hi) = axes["xlim"], axes["ylim"]
    expected = (x_lo + (x_hi - x_lo) / 3, y_hi - 2 * (y_hi - y_lo) / 3)
    pixel = (x_hi - x_lo) / axes["width"] * width / box["width"]  # data units per screen pixel
    np.testing.assert_allclose(shown["x0"], expected, atol=2 * pixel)
    for run in shown["runs"].values():
        assert run["path"][0] == shown["x0"]
    assert_paths_are_minimizes(shown)


def test_values_outside_a_control_are_refused_in_the_browser(page):
    before = state(page, "momentum")
    for partial, message in (({"beta": 1.5}, "beta must be between 0 and 0.99"),
                             ({"gamma": 1}, "momentum has no control gamma"),
                             ({"x0": [1]}, "x0 must be [x, y]")):
        with pytest.raises(Exception, match=message.replace("[", r"\[").replace("]", r"\]")):
            set_state(page, "momentum", partial)
    assert state(page, "momentum") == before  # nothing half-changed


def test_stepping_shows_one_update_and_adams_moments(page):
    set_state(page, "explore", {"Adam": True})
    root = page.locator("#explore .descent-explorer")
    root.get_by_role("button", name="next step").click()
    root.get_by_role("button", name="next step").click()
    table = root.locator("table.descent-explorer-numbers")
    assert table.is_visible()
    text = table.inner_text()
    shown = state(page, "explore")
    adam = shown["runs"]["Adam"]
    run = descent.minimize(descent.Himmelblau(), shown["x0"], descent.Adam(**adam["kwargs"]), shown["steps"])
    m = run.states[1].m  # after step t = 2
    assert "step t = 2 of" in root.inner_text()
    assert f"m = ({m[0]:.4f}, {m[1]:.4f})" in text and "v = (" in text
    assert page.locator("#explore g.descent-cursor line").count() == len(shown["runs"])  # the next updates
    root.get_by_role("button", name="whole run").click()
    assert not table.is_visible()


def test_phone_width_keeps_the_explorer_inside_the_screen(browser, page):
    url = page.url
    with open_page(browser, url, "file:", {"width": 375, "height": 740}) as (phone, seen):
        phone.wait_for_function(LIVE)
        overflow = phone.evaluate("""() => [...document.querySelectorAll('.descent-explorer')].map(e => {
            const plot = e.querySelector('svg.descent-explorer-plot').getBoundingClientRect();
            // what is laid out: not the inside of an SVG (clipped), nor the numbers table (it scrolls)
            const boxes = [...e.querySelectorAll('*')].filter(c => !c.closest('table') &&
                                                               (c.tagName === 'svg' || !c.closest('svg')));
            return {right: Math.max(...boxes.map(c => c.getBoundingClientRect().right)), plot: plot.width}; })""")
    for item in overflow:
        assert item["right"] <= 375 + 1 and item["plot"] > 250, overflow
    found = page_problems(seen, http=False)
    assert not found, found


# -- the built site -----------------------------------------------------------------------------------


def test_chapters_show_a_page_explorer_on_the_site_and_the_widget_to_learners(repo_root):
    """Chapters 1–5: an Explore cell displays the page explorer (tagged site-only) beside the kernel widget."""
    for entry, name in CHAPTER_EXPLORERS.items():
        cells = json.loads((repo_root / f"{entry}.ipynb").read_text(encoding="utf8"))["cells"]
        sources = {"".join(c["source"]): c.get("metadata", {}).get("tags", []) for c in cells}
        site = [tags for source, tags in sources.items() if "page_explorer(" in source and f'"{name}"' in source]
        assert site and "site-only" in site[0], f"{entry}: no page_explorer({name!r}) cell tagged site-only"
        kernel = [tags for source, tags in sources.items() if "descent.widgets import" in source]
        assert kernel and all("learner-only" in tags for tags in kernel), f"{entry}: widget cells not learner-only"
