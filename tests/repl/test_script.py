"""embedlab without a terminal: stdin scripts, FILE.py, -c, options, exit statuses, the
stdout/stderr split, and no history file."""
import os
import shutil
import subprocess

from common import script, xfail


def test_stdin_script_prints_only_output(sb):
    rc, out, err = script(sb, stdin="x = 1\nprint(x + 1)\n")
    assert (rc, out, err) == (0, "2\n", "")


def test_stdin_script_does_not_echo_values_or_prompts(sb):
    rc, out, err = script(sb, stdin="1 + 1\nfor i in range(2):\n    i\nprint('done')\n")
    assert (rc, out, err) == (0, "done\n", "")


def test_stdin_script_runs_as_one_script(sb):
    # A block needs no blank line to end, as in a file.
    rc, out, err = script(sb, stdin="for i in range(2):\n    print(i)\nprint('end')\n")
    assert (rc, out, err) == (0, "0\n1\nend\n", "")


def test_uncaught_error_exit_status_and_stderr(sb):
    rc, out, err = script(sb, stdin="print('before')\nx = [1][3]\nprint('after')\n")
    assert rc == 1
    assert out == "before\n"
    assert err == ("Traceback (most recent call last):\n"
                   '  File "<stdin>", line 2, in <module>\n'
                   "IndexError: list index out of range\n"), err


def test_syntax_error_runs_nothing(sb):
    rc, out, err = script(sb, stdin="print('never')\nx = (1,\n")
    assert rc == 1 and out == ""
    assert "SyntaxError" in err, err


def test_file_argument_shows_source_lines(sb):
    path = os.path.join(sb.dir, "prog.py")
    with open(path, "w") as f:
        f.write("def f():\n    return undefined_name\nprint('start')\nf()\n")
    rc, out, err = script(sb, ["prog.py"])
    assert rc == 1 and out == "start\n"
    # python3 names a relative script by joining it to the current directory
    assert f'File "{os.path.realpath(sb.dir)}/prog.py", line 2, in f\n    return undefined_name\n' in err, err
    assert err.endswith("NameError: name 'undefined_name' is not defined\n"), err


def test_dash_reads_stdin_and_c_runs_code(sb):
    assert script(sb, ["-"], stdin="print(3 * 3)\n") == (0, "9\n", "")
    assert script(sb, ["-c", "print('c'); 1 + 1"]) == (0, "c\n", "")
    rc, out, err = script(sb, ["-c", "1 / 0"])
    assert rc == 1 and "ZeroDivisionError" in err and out == ""


def test_usage_errors_exit_2(sb):
    rc, out, err = script(sb, ["-c"])
    assert rc == 2 and "Argument expected for the -c option" in err and out == ""
    rc, out, err = script(sb, ["--frobnicate"])
    assert rc == 2 and "unknown option" in err and "usage:" in err
    rc, out, err = script(sb, ["missing.py"])
    assert rc == 2 and f"can't open file '{os.path.realpath(sb.dir)}/missing.py': [Errno 2]" in err, err


def test_help_and_version(sb):
    rc, out, err = script(sb, ["--help"])
    assert rc == 0 and err == ""
    for word in ("usage: embedlab", "-c CODE", "-i", "EMBEDLAB_HISTSIZE", "NO_COLOR",
                 "XDG_STATE_HOME", "history"):
        assert word in out, word
    rc, out, err = script(sb, ["--version"])
    assert (rc, out) == (0, "embedlab 0.1.0 (PyTorch 1.13 semantics)\n")


def test_script_mode_writes_no_history(sb):
    script(sb, stdin="x = 1\n")
    script(sb, ["-c", "y = 2"])
    script(sb, ["-i", "-c", "y = 2"])  # -i without a terminal: no REPL
    assert not os.path.exists(sb.history)
    assert not os.path.exists(os.path.dirname(sb.history))


def test_magics_in_scripts(sb):
    rc, out, err = script(sb, stdin="a = 1\n%who\nprint('next')\n")
    assert (rc, out, err) == (0, "a\nnext\n", "")
    rc, out, err = script(sb, stdin="%nope\nprint('never')\n")
    assert rc == 1 and out == "" and "UsageError: Line magic function `%nope` not found." in err


def test_stdout_and_stderr_streams_stay_apart(sb):
    rc, out, err = script(sb, stdin="print('out')\n!echo shell-err >&2\nprint('out2')\n")
    assert (rc, out, err) == (0, "out\nout2\n", "shell-err\n")


def test_exit_status_from_exit(sb):
    assert script(sb, stdin="print('a')\nexit(3)\nprint('b')\n") == (3, "a\n", "")
    assert script(sb, ["-c", "quit()"]) == (0, "", "")


def test_tensor_memory_limit_from_the_environment(sb):
    code = "import torch\nx = torch.zeros(1000, 1000)\nprint(x.shape)\n"
    rc, out, err = script(sb, stdin=code, EMBEDLAB_MAX_TENSOR_BYTES="1000000")
    assert rc == 1 and out == "", (rc, out, err)
    assert err.endswith("MemoryError: cannot allocate a tensor of 4000000 bytes (3.8 MiB): the "
                        "session limit is 976.6 KiB and 0 bytes are in use\n"), err
    assert script(sb, stdin=code, EMBEDLAB_MAX_TENSOR_BYTES="4M") == \
        (0, "torch.Size([1000, 1000])\n", "")
    rc, out, err = script(sb, ["-c", "1"], EMBEDLAB_MAX_TENSOR_BYTES="lots")
    assert rc == 2 and "EMBEDLAB_MAX_TENSOR_BYTES" in err, (rc, err)


def test_man_page_documents_options_and_environment(sb):
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "man", "embedlab.1")) as f:
        page = f.read()
    for word in ("\\-c", "\\-i", "\\-q", "\\-\\-help", "\\-\\-version", "EMBEDLAB_HISTSIZE",
                 "XDG_STATE_HOME", "NO_COLOR", "PAGER", "INPUTRC", "embedlab/history",
                 "EXIT STATUS", "%timeit", "Ctrl\\-C", "EMBEDLAB_MAX_TENSOR_BYTES"):
        assert word in page, word
    if shutil.which("man"):  # renders without warnings
        p = subprocess.run(["man", "--warnings", "-l", os.path.join(here, "..", "..", "man",
                                                                      "embedlab.1")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                "MANPAGER": "cat", "LANG": "C.UTF-8", "COLUMNS": "80"})
        assert p.returncode == 0 and p.stderr.decode() == "", p.stderr.decode()
        assert b"embedlab" in p.stdout
