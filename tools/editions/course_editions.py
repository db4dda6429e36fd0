"""Sphinx extension: the chapter notebooks in editions for learners and instructors.

The chapters are notebooks written for the site. Their markdown is MyST: exercises and
algorithms in directives (``:::{exercise}``), solutions between ``{solution-start}`` and
``{solution-end}``, labelled equations (``{math}``), and roles that only Sphinx
understands: ``{glue:text}`` for numbers computed by the code, ``{eq}``, ``{doc}``,
``{ref}``, ``{numref}``, ``{prf:ref}``, ``{cite:p}``. Jupyter, Colab and VS Code show all of
it as raw markup, and a learner who opens the source notebook finds every solution right
under its exercise. So at the end of each HTML build, for every notebook of the toc, this
extension writes into the site:

``_editions/learner/<page>.ipynb``
    Plain Jupyter markdown (``**Exercise 4.1**``, ``$$ … \\tag{4.3} $$``, links to the
    published pages, glued numbers filled in as text), code cells without outputs (the
    learner runs them), and no solutions: everything between
    ``{solution-start}`` and ``{solution-end}`` (markdown and code) and every ``{solution}``
    block is left out. Each exercise keeps its stub cell and its check cell; the checkers
    answer an unfilled stub with "not written yet", so the notebook runs top to bottom.
``_editions/instructor/<page>.ipynb``
    The same, with each solution under its exercise, headed "**Solution to Exercise 4.1**".
``_editions/nbgrader/<page>.ipynb``
    The learner edition with nbgrader's metadata, the source of an nbgrader assignment: each
    stub cell holds the solution's function between ``### BEGIN SOLUTION`` and
    ``### END SOLUTION`` (``nbgrader generate_assignment`` turns it back into a stub), and each
    check cell becomes an autograded test that asserts the checker's verdict.

In every edition the statements that glue numbers into the text (calls of ``glue`` and
``remember``, and their imports) are dropped from the code cells, and so are cells tagged
``site-only`` (the kernel-free animations, for readers of the site); the cells tagged
``remove-cell`` for the site stay, collapsed, because later cells may use what they compute
(those tagged ``learner-only`` too, open: the live widget explorers, which the site cannot run).

The page's download button offers the learner edition, and the Binder and Colab launch
buttons open it from the ``learner`` branch of the repository, which the GitHub Pages
workflow fills with these files (``editions_branch`` sets its name).

With the environment variable ``COURSE_SOLUTIONS=hide`` the site is built without solutions
(an instructor's site while an assignment is open): every solution is removed from the pages
and only the learner edition is written. See README.md, "For instructors".

The editions are made from the built Sphinx environment, which knows the number of every
exercise, equation, algorithm and figure and the title of every page and section: nothing
is numbered twice.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import json
import os
import re
import symtable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

EDITIONS = ("learner", "instructor", "nbgrader")
FOLDER = "_editions"
HIDE_VARIABLE = "COURSE_SOLUTIONS"

# Calls and imports that exist only to hand numbers to the text (myst-nb's glue).
GLUE_FUNCTIONS = {"glue", "remember", "glue_number"}

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>:{3,}|`{3,}|~{3,})(?P<rest>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
ROLE = re.compile(r"\{(?P<role>[a-z][\w:-]*)\}`(?P<body>[^`]+)`")
NBVAL = re.compile(r"\s*#\s*NBVAL_\w+")
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$")
# The word the site writes before a number, by Sphinx's kind of numbered target.
KIND_WORDS = {"exercise": "Exercise", "algorithm": "Algorithm", "figure": "Fig.", "displaymath": "Equation",
              "table": "Table", "code-block": "Listing"}
ADMONITIONS = {
    "note": "Note", "warning": "Warning", "tip": "Tip", "important": "Important", "hint": "Hint",
    "caution": "Caution", "attention": "Attention", "danger": "Danger", "error": "Error",
    "seealso": "See also",
}


class EditionError(ValueError):
    """A notebook holds markup that the editions cannot turn into plain Jupyter markdown."""


# --------------------------------------------------------------------------------------
# Links: what the built site knows about labels, numbers and titles.


@dataclass
class Links:
    """Numbers, titles and addresses of the targets that a notebook's roles point at.

    ``labels``: label -> (page, anchor, title) for ``{ref}``; ``numbers``: label -> (page,
    anchor, "4.1") for exercises, equations, algorithms and figures; ``kinds``: label -> the
    word the site writes before that number ("Exercise", "Fig.", ...); ``titles``: page ->
    title; ``citations``: key -> (authors, year); ``page_url``: page -> absolute address.
    """

    labels: dict = field(default_factory=dict)
    numbers: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    titles: dict = field(default_factory=dict)
    citations: dict = field(default_factory=dict)
    page_url: Callable[[str], str] = lambda page: page + ".html"
    bibliography: str = "book/bibliography"

    def url(self, page: str, anchor: str = "") -> str:
        return self.page_url(page) + (f"#{anchor}" if anchor else "")

    def number(self, label: str, role: str) -> tuple[str, str, str]:
        if label not in self.numbers:
            raise EditionError(f"{{{role}}}`{label}`: no numbered exercise, equation, algorithm or figure has that label")
        return self.numbers[label]

    @classmethod
    def from_sphinx(cls, app) -> "Links":
        """Read labels, numbers and titles from the Sphinx environment after a build."""
        env, builder = app.env, app.builder
        baseurl = (app.config.html_baseurl or "").rstrip("/")

        def page_url(page):
            uri = builder.get_target_uri(page)
            return f"{baseurl}/{uri}" if baseurl else uri

        links = cls(page_url=page_url)
        for page, title in env.titles.items():
            links.titles[page] = title.astext()
        for label, (page, anchor, title) in env.domaindata["std"]["labels"].items():
            if page:
                links.labels[label] = (page, anchor, title)
        numbered = {}   # (page, anchor) -> ("4.1", "Exercise"), from each page's numbered targets
        for page, kinds in env.toc_fignumbers.items():
            for kind, ids in kinds.items():
                for anchor, number in ids.items():
                    numbered[page, anchor] = (".".join(map(str, number)), KIND_WORDS.get(kind, kind.capitalize()))
                    label = anchor.removeprefix("equation-") if kind == "displaymath" else anchor
                    links.numbers[label] = (page, anchor, numbered[page, anchor][0])
                    links.kinds[label] = numbered[page, anchor][1]
        for label, (page, anchor) in env.domaindata["std"]["anonlabels"].items():
            if (page, anchor) in numbered and label not in links.numbers:
                links.numbers[label] = (page, anchor, numbered[page, anchor][0])
                links.kinds[label] = numbered[page, anchor][1]
        links.citations = _citations(app)
        return links


def authors_of(entry) -> str:
    """A pybtex entry's authors as the site's author-year citations write them.

    One or two surnames ("Polyak", "Kingma and Ba"), or the first and "et al." for three or
    more; the editors where there are no authors. Also the bibliography's labels
    (book/_ext/course_citations.py), so that the list reads as the text.
    """
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [" ".join(person.prelast_names + person.last_names) for person in people]
    return f"{last[0]} et al." if len(last) > 2 else " and ".join(last)


def _citations(app) -> dict:
    """key -> (authors as the site writes them, year), from the bibliography files."""
    import pybtex.database

    found = {}
    for name in app.config.bibtex_bibfiles:
        data = pybtex.database.parse_file(str(Path(app.srcdir) / name))
        for key, entry in data.entries.items():
            found[key] = (authors_of(entry), entry.fields.get("year", ""))
    return found


# --------------------------------------------------------------------------------------
# MyST markdown -> plain Jupyter markdown.


@dataclass
class Block:
    """A directive: ``{name} argument``, its options and its content lines."""

    name: str
    argument: str
    options: dict
    content: str


def parse(text: str) -> list:
    """Split MyST markdown into plain strings and :class:`Block` directives (nested ones stay in content)."""
    lines = text.split("\n")
    parts, plain, i = [], [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            plain.append(lines[i])
            i += 1
            continue
        fence, rest = match["fence"], match["rest"].strip()
        end = i + 1
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        if end == len(lines):
            raise EditionError(f"unclosed fence {fence}{rest!r}")
        directive = DIRECTIVE.match(rest)
        if not directive:  # a code block: kept as it is
            plain.extend(lines[i:end + 1])
            i = end + 1
            continue
        body, options = lines[i + 1:end], {}
        while body and OPTION.match(body[0]):
            option = OPTION.match(body[0])
            options[option["key"]] = option["value"]
            body = body[1:]
        if plain:
            parts.append("\n".join(plain))
            plain = []
        parts.append(Block(directive["name"], directive["argument"].strip(), options, "\n".join(body)))
        i = end + 1
    if plain:
        parts.append("\n".join(plain))
    return parts


@dataclass
class Page:
    """What converting one notebook needs: its page name, the site's links and its glued values."""

    name: str
    links: Links
    glue: dict
    edition: str


def glue_values(nb) -> dict:
    """name -> output data (MIME type -> value) of every value the notebook glued."""
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                prefix = record.get("mime_prefix", "")
                values[record["name"]] = {mime.removeprefix(prefix): data for mime, data in output["data"].items()}
    return values


def render_roles(text: str, page: Page) -> str:
    """Replace every MyST role in ``text`` by plain markdown."""

    def replace(match):
        role, body = match["role"], match["body"]
        explicit = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", body, re.S)
        label_text, target = (explicit["text"], explicit["target"]) if explicit else (None, body)
        links = page.links
        if role in ("glue", "glue:text", "glue:md"):
            name, _, spec = target.partition(":")
            if name not in page.glue:
                raise EditionError(f"{{{role}}}`{body}`: the notebook glued no value named {name!r}")
            data = page.glue[name]
            if role == "glue:md":
                return render_roles(data.get("text/markdown", data.get("text/plain", "")), page)
            from myst_nb.core.variables import format_plain_text

            return format_plain_text(data["text/plain"], spec if role == "glue:text" else "")
        if role == "doc":
            target_page = _resolve_page(target, page.name)
            return f"[{label_text or links.titles.get(target_page, target)}]({links.url(target_page)})"
        if role == "ref":
            if target not in links.labels:
                raise EditionError(f"{{ref}}`{body}`: no section or target has that label")
            target_page, anchor, title = links.labels[target]
            return f"[{label_text or title}]({links.url(target_page, anchor)})"
        if role == "eq":
            target_page, anchor, number = links.number(target, role)
            return f"[({number})]({links.url(target_page, anchor)})"
        if role in ("numref", "prf:ref"):
            target_page, anchor, number = links.number(target, role)
            kind = _kind_of(target, page)
            shown = label_text.replace("%s", number).replace("{number}", number) if label_text else f"{kind} {number}"
            return f"[{shown}]({links.url(target_page, anchor)})"
        if role in ("cite:p", "cite:t"):
            keys = [key.strip() for key in target.split(",")]
            for key in keys:
                if key not in links.citations:
                    raise EditionError(f"{{{role}}}`{body}`: no entry {key!r} in the bibliography")
            bib = links.url(links.bibliography)
            if role == "cite:p":
                inner = "; ".join("{}, {}".format(*links.citations[key]) for key in keys)
                return f"[[{inner}]]({bib})"
            return ", ".join("[{} [{}]]({})".format(*links.citations[key], bib) for key in keys)
        raise EditionError(f"the role {{{role}}} has no plain-markdown form in the editions")

    return ROLE.sub(replace, text)


def _resolve_page(target: str, current: str) -> str:
    """A {doc} target relative to the current page ('02_momentum' from 'book/04_adam' is 'book/02_momentum')."""
    if target.startswith("/"):
        return target.lstrip("/")
    folder = current.rpartition("/")[0]
    parts = (folder.split("/") if folder else []) + target.split("/")
    resolved = []
    for part in parts:
        if part == "..":
            resolved.pop()
        elif part not in ("", "."):
            resolved.append(part)
    return "/".join(resolved)


def _kind_of(label: str, page: Page) -> str:
    """'Fig.', 'Exercise', 'Algorithm', ...: the word the site puts before the number of ``label``."""
    return page.links.kinds.get(label, "Fig.")


def quote(text: str) -> str:
    """Markdown text as a block quote."""
    return "\n".join(("> " + line).rstrip() for line in text.split("\n"))


class Converter:
    """Turns the markdown cells of one notebook into plain markdown, following the solution gates."""

    def __init__(self, page: Page):
        self.page = page
        self.in_solution = None   # the label of the exercise whose gated solution we are in

    def markdown(self, text: str) -> str:
        """The plain markdown for ``text``; solution parts only in the instructor edition."""
        out = []
        for part in parse(text):
            if isinstance(part, str):
                if self.in_solution and self.page.edition != "instructor":
                    continue
                out.append(self._plain(part))
                continue
            rendered = self._block(part)
            if rendered is not None:
                out.append(rendered)
        return "\n".join(chunk for chunk in out).strip("\n")

    def _plain(self, text: str) -> str:
        lines = [line for line in text.split("\n") if not TARGET.match(line)]
        text = "\n".join(lines)
        # Links to headings of this page ([text](#anchor)) become links to the published page.
        text = re.sub(r"\]\(#([^)\s]+)\)", lambda m: f"]({self.page.links.url(self.page.name, m[1])})", text)
        return render_roles(text, self.page)

    def _number(self, label: str, role: str) -> str:
        return self.page.links.number(label, role)[2] if label else ""

    def _block(self, block: Block):
        name, label = block.name, block.options.get("label", "")
        instructor = self.page.edition == "instructor"
        if name == "solution-start":
            self.in_solution = block.argument
            if instructor:
                return f"**Solution to Exercise {self._number(block.argument, 'solution')}**\n"
            return None
        if name == "solution-end":
            self.in_solution = None
            return None
        if self.in_solution and not instructor:
            return None
        if name == "solution":
            if not instructor:
                return None
            return f"**Solution to Exercise {self._number(block.argument, 'solution')}**\n\n" + self.markdown(block.content)
        if name in ("exercise", "exercise-start"):
            title = f" ({render_roles(block.argument, self.page)})" if block.argument else ""
            return f"**Exercise {self._number(label, 'exercise')}**{title}\n\n" + self.markdown(block.content)
        if name == "exercise-end":
            return None
        if name == "math":
            tag = f" \\tag{{{self._number(label, 'eq')}}}" if label else ""
            return f"$$\n{block.content.strip()}{tag}\n$$"
        if name == "prf:algorithm":
            number = self._number(label, "prf:ref")
            return f"**Algorithm {number}** ({render_roles(block.argument, self.page)})\n\n" + self.markdown(block.content)
        if name in ADMONITIONS or name == "admonition":
            title = ADMONITIONS.get(name) or render_roles(block.argument, self.page)
            return quote(f"**{title}.** " + self.markdown(block.content))
        if name == "glue:md":
            return render_roles(f"{{glue:md}}`{block.argument}`", self.page)
        raise EditionError(f"the directive {{{name}}} has no plain-markdown form in the editions")


# --------------------------------------------------------------------------------------
# Code cells.


def _python_lines(source: str) -> list:
    """The cell's lines with IPython magics and shell escapes blanked, so that ast can parse it."""
    return ["" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]


def _only_glue(node: ast.AST) -> bool:
    """True for a statement that only hands values to the text (and can be dropped)."""
    if isinstance(node, ast.ImportFrom) and node.module == "myst_nb":
        return all(alias.name == "glue" for alias in node.names)
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("descent"):
        return all(alias.name in GLUE_FUNCTIONS for alias in node.names)
    if isinstance(node, ast.FunctionDef):
        return node.name in GLUE_FUNCTIONS
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        return isinstance(func, ast.Name) and func.id in GLUE_FUNCTIONS
    if isinstance(node, (ast.For, ast.If, ast.With)):
        return not getattr(node, "orelse", []) and all(_only_glue(child) for child in node.body)
    return False


def _glue_lines(body: list, original: list) -> set:
    """Indices of the lines of the glue-only statements in ``body``, looking inside loops and branches too."""
    drop = set()
    for node in body:
        if _only_glue(node):
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            drop.update(range(first - 1, node.end_lineno))
            # A comment block right above a dropped statement belongs to it.
            above = first - 2
            while above >= 0 and original[above].lstrip().startswith("#") and above not in drop:
                drop.add(above)
                above -= 1
        elif isinstance(node, (ast.For, ast.While, ast.If, ast.With, ast.Try)):
            for name in ("body", "orelse", "finalbody"):
                drop |= _glue_lines(getattr(node, name, []), original)
    return drop


def strip_glue(source: str) -> str:
    """``source`` without the statements that glue values into the text (see :func:`_only_glue`)."""
    lines = _python_lines(source)
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return source
    original = source.split("\n")
    drop = _glue_lines(tree.body, original)
    # nbval's markers (# NBVAL_IGNORE_OUTPUT) are for the test suite, not for a learner.
    kept = []
    for index, line in enumerate(original):
        cleaned = NBVAL.sub("", line)
        if index not in drop and (cleaned.strip() or not line.strip()):
            kept.append(cleaned)
    text = re.sub(r"\n{3,}", "\n\n\n", "\n".join(kept)).strip("\n")
    try:
        ast.parse("\n".join(_python_lines(text)))
    except SyntaxError as error:
        raise EditionError(f"dropping the glue calls from this cell leaves invalid code ({error}):\n{source}") from None
    code = [line for line in text.split("\n") if line.strip() and not line.lstrip().startswith("#")]
    return text if code else ""


def defined_function(source: str):
    """The ast node of the function a cell defines at top level, or None."""
    try:
        tree = ast.parse("\n".join(_python_lines(source)))
    except SyntaxError:
        return None
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    return functions[0] if functions else None


def is_stub(source: str) -> bool:
    """A cell that defines a function whose body raises NotImplementedError: an exercise to fill in."""
    node = defined_function(source)
    if node is None:
        return False
    return any(
        isinstance(child, ast.Raise) and "NotImplementedError" in ast.unparse(child)
        for child in ast.walk(node)
    )


def checked_function(source: str):
    """For a check cell (one call ``check_…(name)``), the name of the function it checks, else None."""
    try:
        tree = ast.parse("\n".join(_python_lines(source)))
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id.startswith("check_")
            and call.args and isinstance(call.args[0], ast.Name)):
        return call.args[0].id
    return None


# --------------------------------------------------------------------------------------
# What an edition's cells need from the cells it leaves out.
#
# An edition drops cells of the chapter (solutions, glue, site-only cells) and keeps the
# others as they are, and nbval runs every one of them in the chapter itself. What an
# edition can break is the flow of names: a kept cell that reads a name only a dropped
# cell defines stops with a NameError in the learner's "Run all". That is checked here,
# at every build, on the cells' code: each top-level statement in order, with Python's own
# scoping (symtable), so a function's parameters and locals are not taken for names it
# needs, while the globals it reads are.

# Names a kernel provides besides the builtins.
KERNEL_NAMES = frozenset({"get_ipython", "display", "In", "Out", "exit", "quit", "_", "__", "___"})


def _nested_names(table, wanted) -> set:
    """Names of the symbols for which ``wanted(symbol)`` holds, in the nested scopes of ``table``
    (functions, classes, comprehensions), however deep."""
    names = set()
    for child in table.get_children():
        names |= {s.get_name() for s in child.get_symbols() if wanted(s)}
        names |= _nested_names(child, wanted)
    return names


def _read_as_global(symbol) -> bool:
    return symbol.is_referenced() and symbol.is_global()


def _assigned_as_global(symbol) -> bool:   # `global x` then `x = ...` in a function
    return symbol.is_declared_global() and symbol.is_assigned()


def cell_names(source: str) -> tuple:
    """(names the cell reads before defining them, names it defines), for a code cell.

    Statement by statement: ``x = x + 1`` reads ``x``; ``def f(a): return a * k`` defines ``f``
    and reads ``k`` (not ``a``). IPython's magics are read as the calls IPython makes of them.
    """
    try:
        tree = ast.parse(_ipython_transformer().transform_cell(source))
    except SyntaxError:
        return set(), set()
    reads, defines = set(), set()
    for statement in tree.body:
        table = symtable.symtable(ast.unparse(statement), "<cell>", "exec")
        symbols = table.get_symbols()
        bound = {s.get_name() for s in symbols if s.is_assigned() or s.is_imported()}
        used = {s.get_name() for s in symbols if s.is_referenced()}
        if not isinstance(statement, ast.AugAssign):   # x += 1 reads x first; x = 1 does not
            used -= {name for name in bound if not _reads_before(statement, name)}
        reads |= (used | _nested_names(table, _read_as_global)) - defines
        defines |= bound | _nested_names(table, _assigned_as_global)
    return reads, defines


@functools.lru_cache(maxsize=1)
def _ipython_transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def _reads_before(statement, name: str) -> bool:
    """Whether ``statement`` reads ``name`` where it has not bound it yet: in an assignment's value."""
    value = getattr(statement, "value", None)
    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and value is not None:
        return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(value))
    return isinstance(statement, (ast.For, ast.AsyncFor)) and any(
        isinstance(n, ast.Name) and n.id == name for n in ast.walk(statement.iter))


def names_lost(chapter, edition) -> list:
    """What ``edition``'s code cells read that only cells it left out of ``chapter`` define.

    Both are notebooks; an edition's cells carry the id of the chapter cell they come from
    (the edition's own source is the one read). Returns one sentence per problem.
    """
    kept = {cell.get("id"): cell for cell in edition.cells if cell.cell_type == "code"}
    available = set(dir(builtins)) | KERNEL_NAMES
    only_in_dropped, problems = {}, []
    code_cells = [cell for cell in chapter.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        if cell.get("id") in kept:
            reads, defines = cell_names(kept[cell.get("id")].source)
            for name in sorted(reads - available):
                if name in only_in_dropped:
                    problems.append(f"code cell {number} reads {name!r}, which only code cell "
                                    f"{only_in_dropped[name]} defines, and that cell is not in the edition")
            available |= defines
            for name in defines:
                only_in_dropped.pop(name, None)
        else:
            for name in cell_names(cell.source)[1] - available:
                only_in_dropped.setdefault(name, number)
    return problems


def with_solution_markers(solution: str) -> str:
    """The solution's function with its body between nbgrader's BEGIN/END SOLUTION markers."""
    node = defined_function(solution)
    lines = solution.split("\n")
    body = node.body
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) and len(body) > 1:
        body = body[1:]   # keep the docstring visible to the student
    start, end = body[0].lineno - 1, node.end_lineno
    indent = re.match(r"\s*", lines[start]).group()
    return "\n".join(
        lines[:start] + [f"{indent}### BEGIN SOLUTION"] + lines[start:end] + [f"{indent}### END SOLUTION"] + lines[end:]
    ).strip("\n")


def _nbgrader(grade_id: str, *, solution: bool, points: int = 0) -> dict:
    meta = {"grade": not solution, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if not solution:
        meta["points"] = points
    return meta


# --------------------------------------------------------------------------------------
# One notebook -> one edition.


def make_edition(nb, edition: str, page: Page):
    """The ``edition`` ('learner', 'instructor' or 'nbgrader') of the notebook ``nb``."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}; got {edition!r}")
    page = Page(page.name, page.links, page.glue, "instructor" if edition == "instructor" else "learner")
    converter = Converter(page)
    out = nbformat.v4.new_notebook(metadata=copy.deepcopy(nb.metadata))
    answers = {}   # function name -> the solution's source, for nbgrader
    if edition == "nbgrader":
        answers = _solutions(nb, page)
    stubs = set()
    for cell in nb.cells:
        gated = converter.in_solution is not None
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown":
            text = converter.markdown("".join(cell.source))
            if text.strip():
                out.cells.append(nbformat.v4.new_markdown_cell(text, **_same_id(cell)))
            continue
        if cell.cell_type != "code" or "site-only" in tags:
            continue
        if gated and page.edition != "instructor":
            continue
        source = strip_glue(cell.source)
        if not source:
            continue
        # No outputs: the learner runs the notebook, and the site shows them already. With
        # them the three editions would add the weight of every figure three times (45 MB).
        new = nbformat.v4.new_code_cell(source, metadata=_code_metadata(cell), **_same_id(cell))
        if edition == "nbgrader" and not gated:
            function = defined_function(source)
            if is_stub(source) and function.name in answers:
                stubs.add(function.name)
                new.source = with_solution_markers(answers[function.name])
                new.metadata["nbgrader"] = _nbgrader(f"{function.name}-answer", solution=True)
            elif (name := checked_function(source)) in stubs:
                new.source = f"result = {source.strip()}\ndisplay(result)\nassert result.passed, result.message"
                new.metadata["nbgrader"] = _nbgrader(f"{name}-check", solution=False, points=1)
        out.cells.append(new)
    if edition != "instructor":   # the instructor edition keeps every cell
        problems = names_lost(nb, out)
        if problems:
            raise EditionError("the cells it leaves out define what later cells need: " + "; ".join(problems))
    return out


def _same_id(cell) -> dict:
    """The source cell's id for its edition cell: nbformat would draw a random one, and every
    build would then rewrite every edition (and the learner branch) although nothing changed."""
    return {"id": cell["id"]} if cell.get("id") else {}


def _solutions(nb, page: Page) -> dict:
    """function name -> the definition in the gated solution that defines it (without its check call)."""
    converter, found = Converter(Page(page.name, page.links, page.glue, "learner")), {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            converter.markdown("".join(cell.source))
        elif converter.in_solution is not None:
            function = defined_function(cell.source)
            if function is not None and function.name not in found:
                found[function.name] = _definitions_only(strip_glue(cell.source))
    return found


def _definitions_only(source: str) -> str:
    """``source`` without its top-level expressions (the check call that follows a solution)."""
    lines = source.split("\n")
    tree = ast.parse("\n".join(_python_lines(source)))
    drop = {i for node in tree.body if isinstance(node, ast.Expr) for i in range(node.lineno - 1, node.end_lineno)}
    return "\n".join(line for i, line in enumerate(lines) if i not in drop).strip("\n")


def _code_metadata(cell) -> dict:
    """The metadata an edition's code cell keeps: its tags, and its input collapsed where the site hid it."""
    tags = list(cell.get("metadata", {}).get("tags", []))
    meta = {"tags": tags} if tags else {}
    # A cell tagged learner-only (the live widget explorers) is there for the learner, though
    # the site removes it.
    if {"remove-cell", "remove-input", "hide-input", "hide-cell"} & set(tags) and "learner-only" not in tags:
        meta["jupyter"] = {"source_hidden": True}
    return meta


# --------------------------------------------------------------------------------------
# Sphinx.


def _hidden() -> bool:
    value = os.environ.get(HIDE_VARIABLE, "show").strip().lower()
    if value not in ("show", "hide"):
        raise ValueError(f"{HIDE_VARIABLE} must be 'show' or 'hide', got {value!r}")
    return value == "hide"


def _notebook_pages(app) -> list:
    return sorted(page for page in app.env.found_docs if str(app.env.doc2path(page)).endswith(".ipynb"))


def write_editions(app, exception) -> None:
    """build-finished: write every edition of every notebook page into the site."""
    if exception is not None or app.builder.format != "html":
        return
    links = Links.from_sphinx(app)
    hidden = _hidden()
    if hidden:
        # Sphinx copies each page's source next to it (_sources/): a notebook holds its solutions.
        for source in (Path(app.outdir) / "_sources").rglob("*.ipynb"):
            source.unlink()
    editions = ("learner",) if hidden else EDITIONS
    for name in _notebook_pages(app):
        nb = nbformat.read(app.env.doc2path(name), as_version=4)
        page = Page(name, links, glue_values(nb), "learner")
        for edition in editions:
            target = Path(app.outdir) / FOLDER / edition / f"{name}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            result = make_edition(nb, edition, page)
            target.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf8")


def point_buttons_at_learner_edition(app, pagename, templatename, context, doctree) -> None:
    """html-page-context, after the theme's: download and launch the learner edition of the page."""
    if not str(app.env.doc2path(pagename, base=True) if pagename in app.env.found_docs else "").endswith(".ipynb"):
        return
    branch = app.config.html_theme_options.get("repository_branch") or "main"
    learner = app.config.editions_branch
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            # For a notebook page the theme's "source" download is the .ipynb itself (with its solutions).
            if group.get("label") == "download-buttons" and str(button.get("url", "")).endswith(".ipynb"):
                button["url"] = f"{context['pathto'](FOLDER, 1)}/learner/{pagename}.ipynb"
                button["tooltip"] = "Download the notebook to work in (exercises, no solutions)"
            elif group.get("label") == "launch-buttons" and "url" in button:
                button["url"] = (button["url"].replace(f"/{branch}?urlpath=", f"/{learner}?urlpath=")
                                 .replace(f"/blob/{branch}/", f"/blob/{learner}/"))


def remove_solutions(app, doctree, docname) -> None:
    """doctree-resolved: with COURSE_SOLUTIONS=hide, no page shows a solution."""
    if not _hidden():
        return
    from sphinx_exercise.nodes import solution_node

    for node in list(doctree.findall(solution_node)):
        node.parent.remove(node)


def setup(app):
    app.add_config_value("editions_branch", "learner", "html")
    app.connect("build-finished", write_editions)
    app.connect("html-page-context", point_buttons_at_learner_edition, priority=900)
    app.connect("doctree-resolved", remove_solutions)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
