"""The lesson tests: every lesson proved (--check-lesson --all), --play transcripts equal
to the .out files made under real PyTorch, the transcripts fresh and the lessons right
under PyTorch 1.13 (tests/tools/play_lesson.py --check), the notebooks in notebooks/ up
to date, and one lesson driven interactively on a pseudo-terminal: a wrong answer, hint,
a correct answer written differently from the solution, skip, Ctrl-D, and resuming at
the same step with the state rebuilt.

Run with /usr/bin/python3 from the repository root (tests/suites/lessons.sh does).
Prints one line per test and "N passed, N failed" last."""
import glob
import os
import subprocess
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "repl"))
from common import BINARY, Repl, Sandbox, TIMEOUT  # noqa: E402

LESSONS = sorted(glob.glob("lessons/[0-9]*.py"))


def embedlab(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([BINARY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=e, timeout=TIMEOUT * 20)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def test_check_lesson_all():
    rc, out, err = embedlab("--check-lesson", "--all")
    assert rc == 0, out + err
    assert out.count("ok  ") == len(LESSONS), out


def test_play_matches_transcripts():
    for path in LESSONS:
        name = os.path.basename(path)[:-3]
        rc, out, err = embedlab("--play", name)
        assert rc == 0, (name, err)
        want = open(path[:-3] + ".out", encoding="utf-8").read()
        if out != want:
            a, b = out.splitlines(), want.splitlines()
            for i, (x, y) in enumerate(zip(a, b)):
                if x != y:
                    raise AssertionError("%s line %d:\n  embedlab: %r\n  pytorch:  %r"
                                         % (name, i + 1, x, y))
            raise AssertionError("%s: %d lines, expected %d" % (name, len(a), len(b)))


def test_lesson_data_found_from_anywhere():
    """Lesson 4 opens lessons/data/...: found whatever the current directory and however
    the lessons directory is named (absolute, relative, ".")."""
    want = open("lessons/04-pretrained.out", encoding="utf-8").read()
    root = os.getcwd()
    for cwd, lessons in [("/", None), ("/", os.path.join(root, "lessons")),
                         (root, "lessons"), (os.path.join(root, "lessons"), ".")]:
        env = dict(os.environ)
        env.pop("EMBEDLAB_LESSONS", None)
        if lessons:
            env["EMBEDLAB_LESSONS"] = lessons
        p = subprocess.run([BINARY, "--play", "04-pretrained"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=TIMEOUT * 5)
        assert p.returncode == 0 and p.stdout.decode() == want, (cwd, lessons, p.stderr)


def test_transcripts_fresh_under_pytorch():
    p = subprocess.run(["/usr/bin/python3", "tests/tools/play_lesson.py", "--check", *LESSONS],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 0, p.stderr.decode()


def test_notebooks_up_to_date():
    d = tempfile.mkdtemp(prefix="embedlab-notebooks-")
    for path in LESSONS:
        name = os.path.basename(path)[:-3]
        out = os.path.join(d, name + ".ipynb")
        rc, _, err = embedlab("--to-ipynb", name, out)
        assert rc == 0, err
        committed = os.path.join("notebooks", name + ".ipynb")
        assert os.path.exists(committed), "%s missing: run make notebooks" % committed
        assert open(out, encoding="utf-8").read() == open(committed, encoding="utf-8").read(), \
            "%s is stale: run make notebooks" % committed


def test_notebooks_execute_with_solutions():
    """Each lesson as a notebook with its solutions, executed by nbclient on the embedlab
    kernel: no error outside the cells tagged raises-exception, and every %check says ✓."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "kernel"))
    import nbformat
    from nbclient import NotebookClient
    from kerneltest import ROOT, SLOW, install_kernelspec
    install_kernelspec()
    d = tempfile.mkdtemp(prefix="embedlab-notebooks-")
    for path in LESSONS:
        name = os.path.basename(path)[:-3]
        out = os.path.join(d, name + ".ipynb")
        rc, _, err = embedlab("--to-ipynb", name, out, "--solutions")
        assert rc == 0, err
        nb = nbformat.read(out, as_version=4)
        nbformat.validate(nb)
        client = NotebookClient(nb, kernel_name="embedlab", timeout=int(60 * SLOW),
                                startup_timeout=int(60 * SLOW),
                                resources={"metadata": {"path": ROOT}})
        client.execute()
        checks = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            tags = cell.metadata.get("tags", [])
            errors = [o for o in cell.outputs if o.output_type == "error"]
            if "raises-exception" in tags:
                assert errors, (name, cell.source, "should raise")
            else:
                assert not errors, (name, cell.source, errors)
            if cell.source.startswith("%check "):
                text = "".join(o.text for o in cell.outputs if o.output_type == "stream")
                assert text.startswith("✓ " + cell.source[7:]), (name, cell.source, text)
                checks += 1
        assert checks >= 3, (name, checks)


def test_lesson_in_the_kernel():
    """%lesson in a Jupyter kernel: each executed cell is the lesson's next input (an empty
    cell continues), with the lesson's state saved under a private XDG_STATE_HOME."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "kernel"))
    import kerneltest
    state = tempfile.mkdtemp(prefix="embedlab-kernel-lesson-")
    old = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = state
    km, kc = kerneltest.start_kernel()
    try:
        def run(code):
            reply, msgs = kerneltest.execute(kc, code, timeout=30)
            text = "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream")
            return reply["content"]["status"], text

        status, out = run("%lesson padding")
        assert status == "ok" and "[1/" in out and "Padding and padding_idx" in out, out
        status, out = run("")
        assert "[2/" in out and "tensor([0., 0., 0., 0.]" in out, out
        status, out = run("next")
        assert "Exercise" in out, out
        status, out = run("e = nn.Embedding(5, 3, padding_idx=-1)")
        assert "Correct" in out and "[4/" in out, out
        status, out = run("bye")
        assert "Progress saved at step 4" in out, out
        status, out = run("%check padding-row")
        assert out.startswith("✓ padding-row"), out
        status, out = run("%check padding-grad")
        assert out.startswith("✗ padding-grad") and "hint 1/2" in out, out
        status, out = run("%check padding-grad")
        assert "hint 2/2" in out, out
    finally:
        kerneltest.stop_kernel(km, kc)
        if old is None:
            os.environ.pop("XDG_STATE_HOME", None)
        else:
            os.environ["XDG_STATE_HOME"] = old


def test_broken_lesson_fails_check():
    d = tempfile.mkdtemp(prefix="embedlab-lessons-")
    with open(os.path.join(d, "01-broken.py"), "w") as f:
        f.write('# ---\n# title: Broken\n# ---\n\n# %%\nimport torch\nx = torch.zeros(3)\n\n'
                '# %% [markdown] tags=["exercise"] id="vacuous"\n# Make x.\n# hint: h\n'
                '# check: x.shape == (3,)\n# solution: x = torch.zeros(3)\n\n'
                '# %% [markdown] tags=["exercise"] id="wrong"\n# Make y.\n# hint: h\n'
                '# check: y == 2\n# solution: y = 3\n')
    rc, out, err = embedlab("--check-lesson", "--all", env={"EMBEDLAB_LESSONS": d})
    assert rc == 1, out
    assert "vacuous (line 9): check is already true before the solution" in out, out
    assert "wrong (line 15): check false after the solution: y == 2" in out, out
    assert "FAIL 01-broken" in out, out
    rc, out, err = embedlab("--play", "01-broken", env={"EMBEDLAB_LESSONS": d})
    assert rc == 1 and "✓ vacuous" in out, out
    with open(os.path.join(d, "02-bad.py"), "w") as f:
        f.write('# ---\n# title: Bad\n# ---\n# %% [markdown] tags=["exercise"]\n# x\n')
    rc, out, err = embedlab("--play", "02-bad", env={"EMBEDLAB_LESSONS": d})
    assert rc == 2 and "02-bad:4: an exercise cell needs an id" in err, err
    rc, out, err = embedlab("--play", "nonesuch", env={"EMBEDLAB_LESSONS": d})
    assert rc == 2 and "no lesson named 'nonesuch'" in err, err


def test_interactive_on_a_terminal():
    sb = Sandbox()
    try:
        r = Repl(sb, ["--lesson", "lookup"])
        out = r.expect(r"\[1/\d+\] >>> ")
        assert "nn.Embedding is a lookup table" in out, out
        r.child.send("\r")
        out = r.expect(r"\[2/\d+\] >>> ")
        assert "Embedding(10, 3)" in out, out
        r.child.send("\r")
        out = r.expect(r"\[3/\d+\] >>> ")
        assert "Exercise" in out, out
        r.child.send("table = nn.Embedding(20, 5)\r")       # wrong: no verdict
        out = r.expect(r"\[3/\d+\] >>> ")
        assert "Correct" not in out, out
        r.child.send("hint\r")
        out = r.expect(r"\[3/\d+\] >>> ")
        assert "embedding_dim should be 4" in out and "hint 1/2" in out, out
        # right, written differently from the reference solution
        r.child.send("table = nn.Embedding(embedding_dim=4, num_embeddings=20)\r")
        out = r.expect(r"\[4/\d+\] >>> ")
        assert "Correct" in out and ">>> table = nn.Embedding(20, 4)" in out, out
        r.child.send("\r")
        r.expect(r"\[5/\d+\] >>> ")
        r.child.send("\r")
        r.expect(r"\[6/\d+\] >>> ")
        r.child.send("skip\r")
        out = r.expect(r"\[7/\d+\] >>> ")
        assert "It made: sentences, vectors" in out, out
        r.eof()
        assert r.wait_exit() == 0
        # resume at the same step, the state rebuilt
        r = Repl(sb, ["--lesson", "01-lookup"])
        out = r.expect(r"\[7/\d+\] >>> ")
        assert "resuming at step 7" in out, out
        r.child.send("vectors.shape\r")
        out = r.expect(r"\[7/\d+\] >>> ")
        assert "torch.Size([3, 5, 3])" in out, out
        r.child.send("bye\r")
        out = r.expect(r"resumes here")
        assert "Progress saved at step 7" in out, out
        r.prompt()
        r.child.send("%lessons\r")
        out = r.expect(r"step \d+/\d+")
        assert "01-lookup" in out and r.child.after.startswith("step 7/"), out
        r.prompt()
        r.eof()
        assert r.wait_exit() == 0
    finally:
        sb.cleanup()


def main():
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_")]
    passed = failed = 0
    for name, fn in tests:
        try:
            fn()
            print("ok  ", name)
            passed += 1
        except Exception:
            print("FAIL", name)
            traceback.print_exc()
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
