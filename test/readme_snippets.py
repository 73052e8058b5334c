#!/usr/bin/python3
"""test/readme_snippets.py: the README's code that says it comes from a tested file still does.

    /usr/bin/python3 test/readme_snippets.py [README.md]

A code block in the README preceded by the line

    <!-- from: test/clients/python_django.py -->

must appear in that file as consecutive lines, each the README's line with one common
indentation in front (so SQL inside a Python string may be indented), blank lines matching blank
lines. The tested file is the truth: when this fails, copy the file's lines into the README.
Prints `ok - ...` per block; exits non-zero when a block has drifted or names no file.
"""

import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MARKER = re.compile(r"^<!-- from: (\S+) -->\s*$")


def blocks(readme_lines):
    """(line number, file, code lines) for every marked block."""
    i = 0
    while i < len(readme_lines):
        m = MARKER.match(readme_lines[i])
        i += 1
        if not m:
            continue
        start = i
        if i >= len(readme_lines) or not readme_lines[i].startswith("```"):
            yield start, m.group(1), None
            continue
        i += 1
        code = []
        while i < len(readme_lines) and not readme_lines[i].startswith("```"):
            code.append(readme_lines[i].rstrip())
            i += 1
        i += 1
        yield start, m.group(1), code


def found_in(code, source):
    """Does code appear in source as consecutive lines under one common indentation?"""
    first = next((line for line in code if line), None)
    if first is None:
        return False
    for at, line in enumerate(source):
        if not line.endswith(first):
            continue
        indent = line[:len(line) - len(first)]
        if indent.strip() or at + len(code) > len(source):
            continue
        if all((want == "" and got == "") or got == indent + want
               for want, got in zip(code, source[at:at + len(code)])):
            return True
    return False


def main():
    readme = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "README.md")
    with open(readme, encoding="utf-8") as f:
        lines = f.read().split("\n")
    failed = checked = 0
    for lineno, path, code in blocks(lines):
        checked += 1
        where = "%s:%d (from %s)" % (os.path.basename(readme), lineno, path)
        full = os.path.join(ROOT, path)
        if code is None:
            print("not ok - %s: the marker is not followed by a code block" % where)
            failed += 1
        elif not os.path.isfile(full):
            print("not ok - %s: no such file" % where)
            failed += 1
        else:
            with open(full, encoding="utf-8") as f:
                source = [line.rstrip() for line in f.read().split("\n")]
            if found_in(code, source):
                print("ok - %s: the README's %d lines are the tested file's" % (where, len(code)))
            else:
                print("not ok - %s: the README's block is not in the file (copy it from there)" % where)
                failed += 1
    if checked == 0:
        print("not ok - no <!-- from: FILE --> block in %s" % readme)
        failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
