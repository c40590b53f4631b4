"""Regenerates the expected output of the language golden tests (tests/golden/*.test).

A .test file holds records:

    === title of the record
    code...
    --- output <hash>
    expected stdout (print output, then the repr of a trailing expression)
    --- error
    Kind: message

When the expected stdout ends with blank lines, a "--- end" line closes it (otherwise
trailing blank lines separate records). Records whose title ends in "[embedlab]" are embedlab-specific (not valid Python, or
output Python cannot produce, such as learner hints); their expected text is written by
hand and this script leaves them alone. Every other record is run here under
/usr/bin/python3 with PyTorch 1.13, each in a fresh namespace with torch's global state
reset (default generator seed 67280421310721, default print options, float32 default
dtype), exactly like a fresh embedlab session: statements run in order, and when the
last statement is an expression its repr is printed (None prints nothing). On an
uncaught exception the output so far is kept and the "--- error" section holds
"Kind: message". <hash> is the first 16 hex digits of the sha256 of the code, so the
runner can tell when code changed without its output being regenerated.

Usage: /usr/bin/python3 tests/tools/gen_golden.py [FILE.test ...]   (default: all)
"""
import ast
import contextlib
import glob
import hashlib
import io
import os
import sys
import warnings

import numpy
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# tests/reference holds faithful Python models of libraries that are not installed here
# (transformers), importable by the records that use them.
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))


def code_hash(code):
    return hashlib.sha256(code.encode("utf-8")).hexdigest()[:16]


def parse_records(text):
    """Returns (header, records): header lines before the first record; each record is a
    dict with title, code, output, error (None when absent)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header, records, cur, section = [], [], None, None
    for line in lines:
        if line.startswith("=== "):
            cur = {"title": line[4:], "code": [], "output": [], "error": None}
            records.append(cur)
            section = "code"
        elif cur is None:
            header.append(line)
        elif line.startswith("--- output"):
            section = "output"
        elif line == "--- error":
            section = "error"
            cur["error"] = []
        elif line == "--- end":
            cur["ended"] = True
            section = "after"
            cur["after"] = []
        else:
            cur[section].append(line)
    for r in records:
        # Blank lines between records belong to no one, unless "--- end" closed the output.
        while r["error"] is None and not r.get("ended") and r["output"] and r["output"][-1] == "":
            r["output"].pop()
        while r["error"] is not None and r["error"] and r["error"][-1] == "":
            r["error"].pop()
        while r["code"] and r["code"][-1] == "":
            r["code"].pop()
    return header, records


def reset_torch():
    torch.manual_seed(67280421310721)
    torch.set_printoptions(profile="default", sci_mode=None)
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)
    numpy.set_printoptions(edgeitems=3, infstr="inf", linewidth=75, nanstr="nan", precision=8,
                           suppress=False, threshold=1000, formatter=None, sign="-",
                           floatmode="maxprec")


def run(code):
    """Runs code like a fresh embedlab session; returns (stdout, error_line or None)."""
    reset_torch()
    out = io.StringIO()
    error = None
    namespace = {"__name__": "__main__"}
    try:
        tree = ast.parse(code, "<stdin>", "exec")
    except SyntaxError as e:
        return "", "%s: %s" % (type(e).__name__, e.msg)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = tree.body[:-1] if last else tree.body
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compile(ast.Module(body=body, type_ignores=[]), "<stdin>", "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<stdin>", "eval"), namespace)
                if value is not None:
                    print(repr(value))
        except BaseException as e:  # the message is the golden record
            msg = str(e)
            if isinstance(e, KeyError) and e.args:
                msg = repr(e.args[0])
            elif isinstance(e, SyntaxError):
                # Compile-time errors ('break' outside loop, nonlocal without a binding)
                # reach here, not ast.parse: keep only the message, as for parse errors,
                # not str(e)'s " (<stdin>, line N)" suffix.
                msg = e.msg
            error = "%s: %s" % (type(e).__name__, msg) if msg else type(e).__name__
    return out.getvalue(), error


def render(header, records):
    parts = list(header)
    for r in records:
        code = "\n".join(r["code"])
        parts.append("=== " + r["title"])
        parts.extend(r["code"])
        if r["title"].endswith("[embedlab]"):
            parts.append("--- output")
        else:
            parts.append("--- output " + code_hash(code))
        parts.extend(r["output"])
        if r["output"] and r["output"][-1] == "":
            # Output that ends in blank lines needs an explicit end marker.
            parts.append("--- end")
        if r["error"] is not None:
            parts.append("--- error")
            parts.extend(r["error"])
        parts.append("")
    return "\n".join(parts) + "\n"


def regenerate(path):
    with open(path, encoding="utf-8") as f:
        header, records = parse_records(f.read())
    for r in records:
        if r["title"].endswith("[embedlab]"):
            continue
        stdout, error = run("\n".join(r["code"]) + "\n")
        r["output"] = stdout[:-1].split("\n") if stdout.endswith("\n") else (
            stdout.split("\n") if stdout else [])
        if stdout and not stdout.endswith("\n"):
            r["output"].append("\\ no newline at end")
        r["error"] = [error] if error else None
        if error and "\n" in error:
            print("golden: %s: %s: the error message spans several lines; the runner "
                  "compares one line, so this record cannot pass" % (path, r["title"]),
                  file=sys.stderr)
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(header, records))
    return len(records)


def main():
    files = sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "tests", "golden", "*.test")))
    total = 0
    for path in files:
        n = regenerate(path)
        total += n
        print("golden: %s: %d records" % (os.path.relpath(path, ROOT), n), file=sys.stderr)
    print("golden: %d records regenerated from PyTorch %s" % (total, torch.__version__),
          file=sys.stderr)


main()
