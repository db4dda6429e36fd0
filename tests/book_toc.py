"""The pages of the book as _toc.yml lists them, and whether the tests run under CI."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_files() -> list[str]:
    """Every `file:` of _toc.yml (root first), without suffix, relative to the root: 'book/intro', ..."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf8"))
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


def in_ci() -> bool:
    """True when the CI variable is set to a true value: then a missing tool fails instead of skipping."""
    import os

    return (os.environ.get("CI") or "").strip().lower() not in ("", "0", "false", "no")
