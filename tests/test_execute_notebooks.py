"""tools/execute_notebooks.py: re-executing an unchanged notebook leaves its file byte-identical.

On a small scratch notebook written here (a chapter would take a minute): a cell that
prints in several pieces (the kernel sends each flushed piece as its own stream
message), a figure, and text on stderr between prints on stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import execute_notebooks  # noqa: E402
from execute_notebooks import merge_streams  # noqa: E402

PIECES = """\
import sys, time
for i in range(3):
    print("row", i, flush=True)  # flushed, then a pause: one stream message per row
    time.sleep(0.05)
print("a warning", file=sys.stderr, flush=True)
print("after", flush=True)"""

FIGURE = """\
import matplotlib.pyplot as plt
plt.figure(figsize=(2, 1.5), dpi=50)
plt.plot([0, 1, 4]);"""


def stream(name, text):
    return new_output("stream", name=name, text=text)


def test_merge_streams_joins_consecutive_pieces_of_one_stream_only():
    figure = new_output("display_data", data={"text/plain": "<Figure>"})
    outputs = [
        stream("stdout", "a\n"), stream("stdout", "b\n"), stream("stderr", "w\n"),
        stream("stdout", "c\n"), figure, stream("stdout", "d\n"), stream("stdout", "e\n"),
    ]
    merged = merge_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "a\nb\n"),
        ("stream", "stderr", "w\n"),
        ("stream", "stdout", "c\n"),
        ("display_data", None, None),  # a figure stays where it was printed
        ("stream", "stdout", "d\ne\n"),
    ]


def test_merge_streams_keeps_what_a_terminal_shows_of_progress_lines():
    merged = merge_streams([stream("stderr", "10%\r"), stream("stderr", "50%\r100%\n"), stream("stderr", "ab\x08c\n")])
    assert [o.text for o in merged] == ["100%\nac\n"]


@pytest.mark.notebooks
def test_reexecuting_an_unchanged_notebook_leaves_it_byte_identical(tmp_path):
    path = tmp_path / "scratch.ipynb"
    nb = new_notebook(cells=[new_code_cell(PIECES), new_code_cell(FIGURE)])
    nbformat.write(nb, path)

    execute_notebooks.execute(path)
    first = path.read_bytes()
    execute_notebooks.execute(path)
    assert path.read_bytes() == first, "a second execution of the unchanged notebook changed the file"

    printed, figure = nbformat.read(path, as_version=4).cells
    assert [(o.name, o.text) for o in printed.outputs] == [
        ("stdout", "row 0\nrow 1\nrow 2\n"),
        ("stderr", "a warning\n"),
        ("stdout", "after\n"),
    ]
    assert "image/png" in figure.outputs[0].data


def test_what_is_not_a_notebook_is_refused_by_name_before_anything_runs(tmp_path, capsys):
    text = tmp_path / "notes.md"
    text.write_text("# not a notebook\n", encoding="utf8")
    with pytest.raises(SystemExit) as stopped:
        execute_notebooks.main([str(text), str(tmp_path / "missing.ipynb")])
    assert stopped.value.code == 2
    shown = capsys.readouterr()
    assert f"notebooks must be existing .ipynb files; not: {text}, {tmp_path / 'missing.ipynb'}" in shown.err
    assert "executing" not in shown.out
