"""Re-execute the course notebooks in place, with clean metadata.

Usage (from the repository root, in the course's environment)::

    python tools/execute_notebooks.py                       # every notebook in _toc.yml
    python tools/execute_notebooks.py book/01_gradient_descent.ipynb

Each notebook runs top to bottom in a fresh kernel of *this* Python (the one running
the script, so the venv's, never a kernel found elsewhere on the machine), with the
notebook's folder as working directory, exactly as nbval (`pytest`) runs it.
Re-running unchanged code leaves the file byte-identical (tests/test_execute_notebooks.py):
no per-cell timing is stored, widget views are dropped, and what a cell prints is stored as
one stream output per run of consecutive prints (the kernel sends printed text in pieces
whose number depends on timing).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
from ipykernel.kernelspec import RESOURCES, get_kernel_dict
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from descent.toc import toc_notebooks  # the one _toc.yml walker

ROOT = Path(__file__).resolve().parent.parent
CELL_TIMEOUT_SECONDS = 600
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class _CurrentPythonKernels(KernelSpecManager):
    """Resolve every kernel name to an ipykernel running on sys.executable."""

    def get_kernel_spec(self, kernel_name):
        return self.kernel_spec_class(resource_dir=RESOURCES, **get_kernel_dict())


# What a terminal (and Jupyter) shows of "\r" and "\b": the text they overwrite is dropped.
_OVERWRITTEN_BY_BACKSPACE = re.compile(r"[^\n]\x08")
_OVERWRITTEN_BY_CARRIAGE_RETURN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)


def _as_shown(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _OVERWRITTEN_BY_BACKSPACE.sub("", text)
    return _OVERWRITTEN_BY_CARRIAGE_RETURN.sub("", text)


def merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name (stdout, stderr) into one.

    The kernel sends printed text in pieces whose count depends on timing: stored
    as they came, one printed table would be several outputs (and several boxes on
    the site), a different number on every run. Order relative to figures and other
    outputs is kept; lines rewritten by carriage returns or backspaces (progress bars)
    are reduced to what a terminal shows.
    """
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    for output in merged:
        if output.get("output_type") == "stream":
            output["text"] = _as_shown(output["text"])
    return merged


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name="python3", kernel_spec_manager=_CurrentPythonKernels())
    client = NotebookClient(
        nb,
        km=km,
        timeout=CELL_TIMEOUT_SECONDS,
        record_timing=False,  # no "execution" timestamps in cell metadata
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # e.g. left by JupyterLab's "record timing"
        if "outputs" in cell:
            kept = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]
            cell.outputs = merge_streams(kept)
    # A live explorer needs a kernel: its stored views and state would only show dead controls on
    # the site (and random model ids in every diff). The page shows descent.widgets.kernel_note()
    # and a kernel-free animation instead.
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    nbformat.validate(nb)
    nbformat.write(nb, path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Re-execute the course notebooks in place, with clean metadata.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="the .ipynb files (default: every notebook of _toc.yml)")
    given = parser.parse_args(argv).notebooks
    wrong = [str(p) for p in given if p.suffix != ".ipynb" or not p.is_file()]
    if wrong:
        parser.error(f"notebooks must be existing .ipynb files; not: {', '.join(wrong)}")
    paths = [p.resolve() for p in given] or toc_notebooks(ROOT)
    for path in paths:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"executing {shown} ...", flush=True)
        execute(path)
    print(f"done: {len(paths)} notebook(s) executed in place")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
