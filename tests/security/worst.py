"""The most pathological values of each kind the site accepts, built to a given size.

Shared by tests/security/test_worst_input.py (which counts the work they cause)
and bench/worst.py (which times them for ``make bench``).
"""


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _lines(make_line, size: int) -> str:
    out, total, n = [], 0, 0
    while True:
        line = make_line(n) + "\n"
        if total + len(line) > size:
            return "".join(out)
        out.append(line)
        total += len(line)
        n += 1


# Markdown that Python-Markdown, left to itself, parses in quadratic time, overflows the
# stack with, or otherwise works hard on.
MARKDOWN_PATHOLOGIES = {
    "unmatched brackets": lambda n: _fill("[", n),
    "brackets and letters": lambda n: _fill("[a", n),
    "image brackets": lambda n: _fill("![", n),
    "unclosed link destinations": lambda n: _fill("[a](", n),
    "unclosed link titles": lambda n: _fill('[a]("', n),
    "nested parentheses": lambda n: _fill("[a](()", n),
    "nested brackets": lambda n: _fill("[" * 9 + "]" * 9, n),
    "ordinary links": lambda n: _fill("[a](b) ", n),
    "mixed inline markers": lambda n: _fill("*[`<", n),
    "nested emphasis": lambda n: _fill("*_", n),
    "unclosed strong": lambda n: _fill("**a", n),
    "emphasis pairs": lambda n: _fill("*a* ", n),
    "list markers on one line": lambda n: _fill("- ", n - 1) + "x",
    "numbered markers on one line": lambda n: _fill("1. ", n - 1) + "x",
    "block quotes on one line": lambda n: _fill("> ", n - 1) + "x",
    "quotes and lists on one line": lambda n: _fill("> - ", n - 1) + "x",
    "block quote per line, deeper each time": lambda n: _lines(lambda i: ">" * (i + 1) + " x", n),
    "list indented deeper each line": lambda n: _lines(lambda i: "    " * i + "- x", n),
    "one long link reference": lambda n: "[a]: " + _fill("x", n - 5),
    "many link references": lambda n: _lines(lambda i: f"[r{i}]: https://example.org/{i}", n),
    "abbreviations": lambda n: _lines(lambda i: f"*[a{i}]: b", n // 2) + _fill("a1 a2 a3 ", n // 2),
    "footnote references": lambda n: _fill("[^a]", n),
    "setext headings": lambda n: _fill("a\n==========\n", n),
    "fences": lambda n: _fill("```\n", n),
    "backtick runs": lambda n: _lines(lambda i: "`" * (i % 60 + 1), n),
    "html comments": lambda n: _fill("<!--", n),
    "html tags": lambda n: _fill("<div>", n),
    "entities": lambda n: _fill("&amp; ", n),
    "definition lists": lambda n: _fill("a\n: b\n\n", n),
    "table rows": lambda n: "|a|\n|-|\n" + _fill("|x|\n", n - 8),
    "NUL and combining characters": lambda n: _fill("a\u0301\u0000[\u200b", n),
    "one unbroken line": lambda n: _fill("x", n),
}


# Pairs of texts that make a word-level matcher compare everything with everything.
DIFF_PATHOLOGIES = {
    "swapped words": lambda n: (_fill("a b ", n), _fill("b a c ", n)),
    "one word repeated": lambda n: (_fill("a ", n), _fill("a a b ", n)),
    "an edit every few words": lambda n: (
        _fill("alpha beta gamma delta ", n),
        _fill("alpha BETA gamma delta ", n),
    ),
    "spaces against words": lambda n: (_fill(" ", n), _fill("x  ", n)),
    "NUL and combining characters": lambda n: (_fill("a\u0301 \u0000 ", n), _fill("\u0000 a\u0301 ", n)),
}
