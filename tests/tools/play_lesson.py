"""Plays a lesson (lessons/NN-topic.py) under /usr/bin/python3 with PyTorch 1.13 and writes
its expected transcript lessons/NN-topic.out: what `embedlab --play NN-topic` must print.

The format mirrors src/lesson.c (lesson_play):

    # NN-topic: Title
    # summary
    <blank>
    [k/n]                     ([k/n] exercise ID for an exercise)
    the step's prose, verbatim
    <blank>                   (before code)
    >>> first line of a statement
    ... its continuation lines (blank lines left out)
    output of the statement; the repr of an expression statement's value (not None);
    an error as "Kind: message", which ends the cell
    ✓ ID                      (after an exercise's solution, when every check is true)

Each top-level statement runs on its own, as in the REPL; comments and blank lines just
before a statement belong to it. Every run starts like a fresh embedlab session (torch's
default generator seeded with 67280421310721, default print options).

It also proves the lesson right under real PyTorch: every check must be false before its
solution and true after, every explain: condition true after the solution, and a demo
must raise exactly when its cell is tagged "raises". Failures go to stderr, exit 1.

Usage: /usr/bin/python3 tests/tools/play_lesson.py [--check] LESSON.py ...
       (--check: compare with the existing .out instead of writing it)
"""
import ast
import contextlib
import io
import os
import re
import sys
import warnings

import torch

DEFAULT_SEED = 67280421310721


def reset_torch():
    torch.manual_seed(DEFAULT_SEED)
    torch.set_printoptions(profile="default", sci_mode=None)
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)


def trimmed(lines):
    text = "\n".join(lines)
    text = text.rstrip("\n \r")
    return text.lstrip("\n")


def parse(path):
    name = os.path.basename(path)[:-3]
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    title = summary = None
    steps = []
    cell = None
    i = 0
    if lines and lines[0] == "# ---":
        i = 1
        while lines[i] != "# ---":
            t = lines[i][2:] if lines[i].startswith("# ") else lines[i][1:]
            if t.startswith("title:"):
                title = t[6:].lstrip(" ")
            elif t.startswith("summary:"):
                summary = t[8:].lstrip(" ")
            i += 1
        i += 1
    cells = []
    for line in lines[i:]:
        if line.startswith("# %%") and (len(line) == 4 or line[4] == " "):
            meta = line[4:]
            kind = "markdown" if "[markdown]" in meta or "[md]" in meta else "code"
            tags = re.search(r'tags=\[([^\]]*)\]', meta)
            tags = re.findall(r'"([^"]*)"', tags.group(1)) if tags else []
            ident = re.search(r'id="([^"]*)"', meta)
            if "exercise" in tags:
                kind = "exercise"
            cell = {"kind": kind, "raises": "raises" in tags,
                    "id": ident.group(1) if ident else None, "lines": []}
            cells.append(cell)
            continue
        if cell is None:
            continue
        if cell["kind"] == "code":
            cell["lines"].append(line)
        else:
            cell["lines"].append(line[2:] if line.startswith("# ") else line[1:])
    for c in cells:
        if c["kind"] == "code":
            code = trimmed(c["lines"])
            if not code:
                continue
            last = steps[-1] if steps else None
            if not last or last["exercise"] or last["code"] is not None:
                last = {"exercise": False, "prose": "", "code": None}
                steps.append(last)
            last["code"] = code
            last["raises"] = c["raises"]
        elif c["kind"] == "markdown":
            prose = trimmed(c["lines"])
            if prose:
                steps.append({"exercise": False, "prose": prose, "code": None})
        else:
            st = {"exercise": True, "id": c["id"], "checks": [], "explains": [], "hints": []}
            prose, solution = [], []
            for line in c["lines"]:
                field = re.match(r"(hint|check|success|solution|explain):( ?)(.*)$", line)
                if not field:
                    prose.append(line)
                    continue
                key, value = field.group(1), field.group(3)
                if key == "solution":
                    solution.append(value)
                elif key == "check":
                    st["checks"].append(value)
                elif key == "hint":
                    st["hints"].append(value)
                elif key == "explain":
                    cond, _, msg = value.rpartition(" | ")
                    st["explains"].append((cond, msg))
            st["prose"] = trimmed(prose)
            st["solution"] = trimmed(solution)
            steps.append(st)
    return name, title, summary or "", steps


def statements(code):
    """Splits code into top-level statements as src/lesson.c does."""
    lines = code.split("\n")
    tree = ast.parse(code)
    starts = []
    prev_end = 0
    for node in tree.body:
        first = node.lineno
        if getattr(node, "decorator_list", None):
            first = min(first, min(d.lineno for d in node.decorator_list))
        start = first
        while start - 1 > prev_end and (lines[start - 2].strip() == "" or
                                        lines[start - 2].strip().startswith("#")):
            start -= 1
        starts.append(start)
        prev_end = node.end_lineno
    starts[0] = 1
    chunks = []
    for k, start in enumerate(starts):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(lines)
        chunks.append(("\n".join(lines[start - 1:end]), tree.body[k]))
    return chunks


def echo(chunk):
    out, first = [], True
    for line in chunk.split("\n"):
        if line.strip(" \t\r") == "":
            continue
        out.append((">>> " if first else "... ") + line)
        first = False
    return "".join(l + "\n" for l in out)


def run_code(code, ns, out, show):
    """Runs code statement by statement; returns the error line or None."""
    for chunk, node in statements(code):
        if show:
            out.write(echo(chunk))
        try:
            with contextlib.redirect_stdout(out if show else io.StringIO()):
                if isinstance(node, ast.Expr):
                    value = eval(compile(ast.Expression(node.value), "<lesson>", "eval"), ns)
                    if value is not None:
                        print(repr(value))
                else:
                    exec(compile(ast.Module(body=[node], type_ignores=[]), "<lesson>", "exec"), ns)
        except Exception as e:
            msg = str(e)
            if isinstance(e, KeyError) and e.args:
                msg = repr(e.args[0])
            line = "%s: %s" % (type(e).__name__, msg) if msg else type(e).__name__
            if show:
                out.write(line + "\n")
            return line
    return None


def check(expr, ns):
    try:
        return bool(eval(expr, ns))
    except Exception:
        return False


def play(path):
    """The transcript and the problems found; runs in the directory above lessons/, as
    embedlab does, so that lesson code can open 'lessons/data/...'."""
    cwd = os.getcwd()
    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(path))))
    try:
        return play_here(os.path.abspath(os.path.join(cwd, path)))
    finally:
        os.chdir(cwd)


def play_here(path):
    name, title, summary, steps = parse(path)
    reset_torch()
    ns = {"__name__": "__main__"}
    out = io.StringIO()
    problems = []
    out.write("# %s: %s\n" % (name, title))
    if summary:
        out.write("# %s\n" % summary)
    n = len(steps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, st in enumerate(steps, 1):
            out.write("\n[%d/%d]%s\n" % (k, n, " exercise " + st["id"] if st["exercise"] else ""))
            if st["prose"]:
                out.write(st["prose"] + "\n")
            if not st["exercise"]:
                if st["code"] is None:
                    continue
                out.write("\n")
                err = run_code(st["code"], ns, out, True)
                if err and not st["raises"]:
                    problems.append("step %d: the demo raised %s" % (k, err))
                if not err and st["raises"]:
                    problems.append("step %d: tagged raises but ran without error" % k)
                continue
            for c in st["checks"]:
                if check(c, ns):
                    problems.append("%s: check true before the solution: %s" % (st["id"], c))
            out.write("\n")
            err = run_code(st["solution"], ns, out, True)
            if err:
                problems.append("%s: the solution raised %s" % (st["id"], err))
            bad = [c for c in st["checks"] if not check(c, ns)]
            bad_explain = [m for c, m in st["explains"] if not check(c, ns)]
            if bad:
                problems.append("%s: check false after the solution: %s" % (st["id"], bad[0]))
            elif bad_explain:
                problems.append("%s: explain condition false after the solution (%s)"
                                % (st["id"], bad_explain[0]))
            else:
                out.write("✓ %s\n" % st["id"])
    return out.getvalue(), problems


def main(argv):
    compare = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    status = 0
    for path in paths:
        text, problems = play(path)
        for p in problems:
            print("%s: %s" % (path, p), file=sys.stderr)
            status = 1
        out_path = path[:-3] + ".out"
        if compare:
            old = open(out_path, encoding="utf-8").read() if os.path.exists(out_path) else None
            if old != text:
                print("%s: stale: regenerate with tests/tools/play_lesson.py %s" % (out_path, path),
                      file=sys.stderr)
                status = 1
        else:
            with open(out_path, "w", encoding="utf-8") as f:
                f.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
