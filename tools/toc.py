"""The pages of the book as _toc.yml lists them: the one walker of the table of contents.

Used by tools/execute_notebooks.py (which notebooks to run), tools/pdf.py (the book's
order and parts) and by the tests (tests/book_toc.py: which pages to check), so all
read _toc.yml the same way.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_files(root: Path = ROOT) -> list[str]:
    """Every `file:` of _toc.yml, root first, in toc order, without suffix: 'book/intro', ..."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf8"))
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for key, value in node.items():
                if key != "root":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in toc.items() if k != "root"})
    return files


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The .ipynb files that _toc.yml lists, in toc order."""
    return [root / f"{f}.ipynb" for f in toc_files(root) if (root / f"{f}.ipynb").exists()]


def toc_parts(root: Path = ROOT) -> list[tuple[str | None, list[str]]]:
    """The toc in parts: [(caption, files)], the root first with caption None; files as in toc_files.

    Every file of toc_files() is in exactly one part, in the same order (nested
    `sections:` stay in the part of their chapter).
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf8"))
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
