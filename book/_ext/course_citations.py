"""The bibliography's labels in the text's style: "Kingma and Ba, 2015", not "KB15".

The text cites author-year (``bibtex_reference_style: author_year`` in _config.yml:
{cite:p}`kingma2015adam` reads "(Kingma and Ba, 2015)"), but sphinxcontrib-bibtex labels
the list of references with pybtex's formatting style, whose default (``alpha``) makes
labels such as [KB15]. This extension registers a pybtex style, ``course``, that formats
the entries as ``alpha`` does (sorted by author, year and title) with author-year labels,
and _config.yml selects it (``bibtex_default_style: course``).
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels import BaseLabelStyle

from course_editions import authors_of  # the one rule, shared with the notebooks' editions (tools/editions)


def author_year(entry) -> str:
    """"Kingma and Ba, 2015": the authors as the text's citations name them, and the year."""
    return f"{authors_of(entry) or entry.key}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    """Author-year labels; the same label twice gets a, b, ... after the year, in the list's order."""

    def format_labels(self, sorted_entries):
        labels = [author_year(entry) for entry in sorted_entries]
        repeated = {label for label, count in Counter(labels).items() if count > 1}
        seen = Counter()
        for label in labels:
            if label in repeated:
                seen[label] += 1
                yield f"{label}{chr(ord('a') + seen[label] - 1)}"
            else:
                yield label


class CourseStyle(AlphaStyle):
    default_label_style = "course_author_year"


def setup(app):
    register_plugin("pybtex.style.labels", "course_author_year", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "course", CourseStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
