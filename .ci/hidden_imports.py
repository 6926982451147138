"""Fail when an import inside a function carries no reason (issue 20).

An import belongs at the top of its module, where a reader sees what the module leans on
and ``.ci/import_loops.py`` sees every loop. It may stay inside a function only for a
reason written beside it, on the import's own lines or in the comment right above it
(one comment may head a run of imports):

- ``AppConfig.ready``: "Loaded in ready(): ..." (the app registry must be ready first);
- heavy libraries: "heavy: loaded only by the workers that use it" (OR-Tools, openpyxl,
  reportlab, the Tencent Cloud SDK, jieba's dictionaries);
- a real start-up cycle: "cycle: X imports Y at start-up".

A bare ``# noqa`` is no reason. Checks shop/, content/, catalogue/ and fulfilment/, not
migrations. Prints each import without a reason; exits 1 when there is one.
"""

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
ROOTS = ("shop", "content", "catalogue", "fulfilment")
PRAGMA = re.compile(r"noqa(:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*)?|type:\s*ignore\S*", re.I)


def _reasons(source):
    """{line number: comment text} of the comments that say something (pragmas removed)."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            text = PRAGMA.sub("", token.string.lstrip("#")).strip(" #")
            if text:
                found[token.start[0]] = text
    return found


def _standalone(line):
    return line.strip().startswith("#")


def unexplained(source):
    """(line, statement) of each import inside a function that has no reason beside it."""
    tree = ast.parse(source)
    lines = source.splitlines()
    reasons = _reasons(source)
    inner = {}
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    inner[node.lineno] = node
    # The line each import's statement ends on, to climb a run of imports to its comment.
    starts_by_end = {node.end_lineno: node.lineno for node in inner.values()}
    missing = []
    for start, node in sorted(inner.items()):
        if any(n in reasons for n in range(start, node.end_lineno + 1)):
            continue
        above = start - 1
        while above in starts_by_end:  # climb the run of imports this one stands in
            above = starts_by_end[above] - 1
        if above in reasons and _standalone(lines[above - 1]):
            continue
        missing.append((start, lines[start - 1].strip()))
    return missing


def main(roots=ROOTS):
    failures = []
    for root in roots:
        for path in sorted((BASE_DIR / root).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, text in unexplained(path.read_text(encoding="utf-8")):
                failures.append(f"{path.relative_to(BASE_DIR)}:{line}: {text}")
    print(f"imports inside functions without a reason: {len(failures)}")
    for failure in failures:
        print(f"- {failure}")
    if failures:
        print("Move them to the top of the module, or say why they must wait (see its docstring).")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
