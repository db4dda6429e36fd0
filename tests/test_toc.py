"""descent.toc: the one walker of _toc.yml (tools/, the tests and the Instructors page use it)."""

from __future__ import annotations

import pytest

from book_toc import ROOT
from descent.toc import toc_files, toc_notebooks, toc_parts

NESTED = """\
format: jb-book
root: book/intro
parts:
  - caption: First
    chapters:
      - file: book/a
        sections:
          - file: book/a_more
      - file: book/b
  - caption: Second
    chapters:
      - file: book/c
"""


def book(tmp_path, toc: str, notebooks=()):
    (tmp_path / "_toc.yml").write_text(toc, encoding="utf8")
    (tmp_path / "book").mkdir()
    for name in notebooks:
        (tmp_path / "book" / f"{name}.ipynb").write_text("{}", encoding="utf8")
    return tmp_path


def test_files_are_the_root_then_every_file_in_order_sections_included(tmp_path):
    root = book(tmp_path, NESTED)
    assert toc_files(root) == ["book/intro", "book/a", "book/a_more", "book/b", "book/c"]


def test_parts_keep_a_chapters_sections_in_its_part(tmp_path):
    root = book(tmp_path, NESTED)
    assert toc_parts(root) == [(None, ["book/intro"]), ("First", ["book/a", "book/a_more", "book/b"]),
                               ("Second", ["book/c"])]


def test_a_book_without_parts_has_its_chapters_in_the_first_part(tmp_path):
    root = book(tmp_path, "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/a\n  - file: book/b\n")
    assert toc_parts(root) == [(None, ["book/intro", "book/a", "book/b"])]


def test_notebooks_are_the_listed_files_that_are_notebooks(tmp_path):
    root = book(tmp_path, NESTED, notebooks=["c", "a_more", "unlisted"])  # intro, a and b: Markdown pages
    assert toc_notebooks(str(root)) == [root / "book" / "a_more.ipynb", root / "book" / "c.ipynb"]


def test_a_folder_without_a_toc_is_refused_with_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"root must be the folder that holds the book's _toc.yml; there is no .*_toc.yml"):
        toc_files(tmp_path)


def test_the_courses_parts_hold_every_file_once_in_order():
    parts = toc_parts(ROOT)
    assert [f for _, files in parts for f in files] == toc_files(ROOT)
    assert [caption for caption, _ in parts][1:] == ["Start here", "The optimizers", "Reference"]
