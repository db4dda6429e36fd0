"""Re-execute the course notebooks in place, with clean metadata.

Usage (from the repository root, in the course's environment)::

    python tools/execute_notebooks.py                       # every notebook in _toc.yml
    python tools/execute_notebooks.py book/01_gradient_descent.ipynb

Each notebook runs top to bottom in a fresh kernel of *this* Python (the one running
the script, so the venv's, never a kernel found elsewhere on the machine), with the
notebook's folder as working directory, exactly as nbval (`pytest`) runs it.
No per-cell timing is stored, so re-running unchanged code gives an unchanged file
apart from genuinely varying outputs (widgets, images).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml
from ipykernel.kernelspec import RESOURCES, get_kernel_dict
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CELL_TIMEOUT_SECONDS = 600
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class _CurrentPythonKernels(KernelSpecManager):
    """Resolve every kernel name to an ipykernel running on sys.executable."""

    def get_kernel_spec(self, kernel_name):
        return self.kernel_spec_class(resource_dir=RESOURCES, **get_kernel_dict())


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The .ipynb files listed in _toc.yml, in toc order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf8"))
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    files.append(toc["root"])
    walk({k: v for k, v in toc.items() if k != "root"})
    return [root / f"{f}.ipynb" for f in files if (root / f"{f}.ipynb").exists()]


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
            cell.outputs = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]
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
    paths = [Path(a).resolve() for a in argv] or toc_notebooks()
    for path in paths:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"executing {shown} ...", flush=True)
        execute(path)
    print(f"done: {len(paths)} notebook(s) executed in place")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
