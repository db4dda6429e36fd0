"""The pages of the book as its _toc.yml lists them: the one walker of the table of contents.

Used by tools/execute_notebooks.py (which notebooks to run), tools/pdf.py (the book's
order and parts), the tests (tests/book_toc.py: which pages to check) and the
Instructors page (book/instructors.ipynb: its table of the chapters, computed in the
reader's kernel, which is why it is in the package), so all read _toc.yml the same way.
``root`` is the folder that holds _toc.yml (the repository's root).
"""

from __future__ import annotations

from pathlib import Path

import yaml

__all__ = ["toc_files", "toc_notebooks", "toc_parts"]


def _read(root) -> dict:
    path = Path(root) / "_toc.yml"
    if not path.is_file():
        raise FileNotFoundError(f"root must be the folder that holds the book's _toc.yml; there is no {path}")
    return yaml.safe_load(path.read_text(encoding="utf8"))


def toc_files(root) -> list[str]:
    """Every `file:` of _toc.yml, root first, in toc order, without suffix: 'book/intro', ..."""
    toc = _read(root)
    return [toc["root"]] + toc_files_of({k: v for k, v in toc.items() if k != "root"})


def toc_notebooks(root) -> list[Path]:
    """The .ipynb files that _toc.yml lists, in toc order (``root`` / 'book/01_....ipynb', ...)."""
    root = Path(root)
    return [root / f"{f}.ipynb" for f in toc_files(root) if (root / f"{f}.ipynb").exists()]


def toc_parts(root) -> list[tuple[str | None, list[str]]]:
    """The toc in parts: [(caption, files)], the root first with caption None; files as in toc_files.

    Every file of toc_files() is in exactly one part, in the same order (nested
    `sections:` stay in the part of their chapter).
    """
    toc = _read(root)
    parts: list[tuple[str | None, list[str]]] = [(None, [toc["root"]])]
    for part in toc.get("parts", []):
        files = toc_files_of(part)
        parts.append((part.get("caption"), files))
    if "chapters" in toc:  # a book without parts
        parts[0][1].extend(toc_files_of({"chapters": toc["chapters"]}))
    return parts


def toc_files_of(node) -> list[str]:
    """Every `file:` under one node of _toc.yml, in order."""
    found: list[str] = []
    if isinstance(node, dict):
        if "file" in node:
            found.append(node["file"])
        for key, value in node.items():
            if key != "root":
                found += toc_files_of(value)
    elif isinstance(node, list):
        for value in node:
            found += toc_files_of(value)
    return found
