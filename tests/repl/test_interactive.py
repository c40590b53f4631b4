"""The REPL on a pseudo-terminal: prompts, continuation, completion, signals, history,
colour, help, paste, magics."""
import os
import re
import signal
import stat
import time

import pexpect

from common import Repl, SLOW, strip_ansi, xfail


def start(sandbox, *args, **env):
    r = Repl(sandbox, args, **env)
    r.prompt()
    return r


def finish(r):
    """Ctrl-D at an empty prompt; the exit status."""
    r.eof()
    return r.wait_exit()


def test_banner_prompt_and_results(sb):
    r = Repl(sb)
    banner = r.prompt()
    assert "embedlab 0.1.0" in banner, banner
    assert "help()" in banner and "%lessons" in banner and "Ctrl-D" in banner, banner
    assert r.run("x = 41") == ""
    assert r.run("x + 1") == "42\n"
    assert r.run("print('hi'); None") == "hi\n"
    assert r.run("") == ""  # an empty line: just a new prompt
    assert finish(r) == 0


def test_quiet_option_has_no_banner(sb):
    r = Repl(sb, ["-q"])
    assert "embedlab" not in r.prompt()
    assert finish(r) == 0


def test_continuation_with_indent_hint(sb):
    r = start(sb)
    r.line("for i in range(3):")
    # The block's indentation is typed in advance: the line needs none.
    r.line("print(i * 10)")
    assert r.raw.count("... ") == 2
    out = r.run("")
    assert out.split() == ["0", "10", "20"], out
    r.line("def f(a):")
    r.line("if a:")
    r.line("return 'yes'")  # indented 8 by the hint
    r.send("\x7f")  # Backspace in the indentation removes one level (back to 4)
    r.line("return 'no'")
    r.line("")
    assert r.run("f(1), f(0)") == "('yes', 'no')\n"
    assert finish(r) == 0


def test_class_typed_at_the_prompt(sb):
    r = start(sb)
    r.run("import torch.nn as nn")
    r.line("class Tiny(nn.Module):")
    r.line("def __init__(self):")          # indented 4 by the hint
    r.line("super().__init__()")           # indented 8
    r.line("self.emb = nn.Embedding(3, 2)")
    r.send("\x7f")                          # back to 4: the next method
    r.line("def forward(self, x):")
    r.line("return self.emb(x).shape")
    r.line("")
    assert r.run("Tiny()") == "Tiny(\n  (emb): Embedding(3, 2)\n)\n"
    assert r.run("import torch; Tiny()(torch.tensor([0, 2]))") == "torch.Size([2, 2])\n"
    r.send("Tiny().emb.emb\t")  # completion of instance attributes goes through dir()
    out = r.line("")
    assert "Traceback" in out or "AttributeError" in out or "embedding_dim" in out, out
    assert finish(r) == 0


def test_continuation_for_brackets_and_strings(sb):
    r = start(sb)
    r.line("xs = [1,")
    assert r.raw.endswith("... ")
    r.line("2, 3]")
    assert r.run("xs") == "[1, 2, 3]\n"
    r.line('s = """one')
    r.line('two"""')
    assert r.run("s") == "'one\\ntwo'\n"
    r.line("total = 1 + \\")
    r.line("2")
    assert r.run("total") == "3\n"
    assert finish(r) == 0


def test_tab_indents_at_line_start(sb):
    r = start(sb)
    r.line("if True:")
    r.send("\x7f")  # remove the suggested indentation
    r.send("\t")  # Tab at the start of a line indents
    r.line("y = 7")
    r.line("")
    assert r.run("y") == "7\n"
    assert finish(r) == 0


def test_error_keeps_state_and_goes_to_stderr_style_traceback(sb):
    r = start(sb)
    r.run("a = 1")
    out = r.run("1 / 0")
    assert "Traceback (most recent call last):" in out, out
    assert "ZeroDivisionError: division by zero" in out, out
    assert r.run("a") == "1\n"
    out = r.run("x = (1,")  # waits for more
    r.send("\x03")  # Ctrl-C discards it
    r.prompt()
    out = r.run("1 +* 2")
    assert "SyntaxError" in out and "^" in out, out
    assert finish(r) == 0


def complete(r, text, tabs="\t"):
    """Types text and Tab(s); returns what the line shows, then clears the line."""
    r.send(text + tabs)
    time.sleep(0.3 * SLOW)
    r.send("\x05")  # end of line
    r.send("\x01")  # start of line
    r.send("#")  # make the line a comment so Enter runs nothing
    r.send("\r")
    r.prompt()
    shown = strip_ansi(r.raw)
    return shown


def test_tab_completes_variables_builtins_keywords(sb):
    r = start(sb)
    r.run("my_long_variable = 3")
    r.send("my_long_v\t\r")
    assert r.prompt().endswith("3\n")
    r.send("isinst\t(1, int)\r")
    assert r.prompt().endswith("True\n")
    r.send("impo\ttorch\r")  # "import " with its space
    r.prompt()
    assert "import torch" in strip_ansi(r.raw)
    assert finish(r) == 0


def test_tab_completes_attributes(sb):
    r = start(sb)
    r.run("import torch")
    r.run("from torch import nn")
    r.run("torch.manual_seed(0)")
    r.send("emb = nn.Embeddi\t(10, 3)\r")
    out = r.prompt()
    assert "Error" not in out, out
    r.send("emb.we\t.shape\r")
    assert r.prompt().endswith("torch.Size([10, 3])\n")
    r.send("torch.ze\t(2)\r")
    assert r.prompt().endswith("tensor([0., 0.])\n")
    # Two Tabs list the candidates.
    r.send("torch.manual_\t\t")
    r.expect("manual_seed")
    r.send("\x15\r")  # Ctrl-U: clear the line
    r.prompt()
    assert finish(r) == 0


def test_tab_completes_keyword_arguments(sb):
    r = start(sb)
    r.run("from torch import nn")
    r.send("e = nn.Embedding(10, 3, pad\t0)\r")
    out = r.prompt()
    assert "Error" not in out, out
    assert r.run("e.padding_idx") == "0\n"
    assert finish(r) == 0


def test_tab_never_completes_file_names_outside_strings(sb):
    open(os.path.join(sb.dir, "zzq_vectors.txt"), "w").close()
    r = start(sb)
    r.send("zzq_\t")
    time.sleep(0.3 * SLOW)
    r.send("\x15\r")
    r.prompt()
    assert "zzq_vectors" not in strip_ansi(r.raw)
    # Inside a string literal, file names complete.
    r.send("name = 'zzq_\t\r")
    r.prompt()
    assert r.run("name") == "'zzq_vectors.txt'\n"
    assert finish(r) == 0


def test_ctrl_c_discards_line_and_continuation(sb):
    r = start(sb)
    r.send("garbage(")
    r.expect(r"garbage\(")  # readline has the text: the interrupt discards it
    r.interrupt()
    r.prompt()
    assert r.run("6 * 7") == "42\n"
    r.line("for i in range(3):")
    r.line("print('never')")
    r.interrupt()
    r.prompt()
    out = r.run("'fresh'")
    assert out == "'fresh'\n", out
    assert "never" not in strip_ansi(r.raw).split("'fresh'")[-1]
    assert finish(r) == 0


def test_ctrl_c_interrupts_running_loop_quickly(sb):
    r = start(sb)
    r.run("kept = 'state'")
    r.send("for i in range(10**9): i == 0 and print('started')\r")
    r.expect(r"[\r\n]started\r\n")  # the loop runs
    time.sleep(0.1 * SLOW)
    t0 = time.monotonic()
    r.interrupt()
    r.expect("KeyboardInterrupt")
    latency = time.monotonic() - t0
    r.prompt()
    assert latency < 0.1 * SLOW, f"interrupt took {latency * 1000:.0f} ms"
    assert r.run("kept") == "'state'\n"
    assert int(r.run("i")) > 0
    # A loop over an embedding lookup stops as quickly.
    r.run("import torch")
    r.run("from torch import nn")
    r.run("emb = nn.Embedding(100, 16)")
    r.run("x = torch.tensor([1, 2, 3])")
    r.send("for n in range(10**9): y = emb(x); n == 0 and print('started')\r")
    r.expect(r"[\r\n]started\r\n")
    time.sleep(0.1 * SLOW)
    t0 = time.monotonic()
    r.interrupt()
    r.expect("KeyboardInterrupt")
    latency = time.monotonic() - t0
    r.prompt()
    assert latency < 0.1 * SLOW, f"interrupt took {latency * 1000:.0f} ms"
    assert r.run("y.shape") == "torch.Size([3, 16])\n"
    assert finish(r) == 0


def test_ctrl_d_exits_zero(sb):
    r = start(sb)
    r.eof()
    assert r.wait_exit() == 0
    # Also with continuation lines pending.
    r = start(sb)
    r.line("if True:")
    r.send("\x15")  # clear the suggested indentation: Ctrl-D acts on an empty line
    r.eof()
    assert r.wait_exit() == 0


def test_input_reads_a_line_and_ctrl_c_interrupts_it(sb):
    r = start(sb)
    # The prompts are built, so the echoed code cannot match them.
    r.send("name = input('who' + '? ')\r")
    r.expect("who\\? ")
    out = r.line("Ada")
    assert "Traceback" not in out, out
    assert r.run("print('hi', name)") == "hi Ada\n"
    r.send("input('more' + '? ')\r")
    r.expect("more\\? ")
    r.interrupt()
    out = r.expect(">>> ")
    assert "KeyboardInterrupt" in out, out
    assert r.run("print('still here')") == "still here\n"
    r.send("input('last' + '? ')\r")
    r.expect("last\\? ")  # readline owns the terminal now: Ctrl-D reaches it
    r.eof()
    out = r.expect(">>> ")
    assert "EOFError: EOF when reading a line" in out, out
    r.eof()
    assert r.wait_exit() == 0


def test_exit_and_quit(sb):
    r = start(sb)
    r.send("exit()\r")
    assert r.wait_exit() == 0
    r = start(sb)
    r.send("quit()\r")
    assert r.wait_exit() == 0
    r = start(sb)
    r.send("exit(3)\r")
    assert r.wait_exit() == 3


def test_history_saved_and_recalled_across_runs(sb):
    r = start(sb)
    r.run("hist_marker = 12345")
    r.line("for k in range(2):")
    r.line("print('k', k)")
    r.run("")
    assert finish(r) == 0
    assert os.path.exists(sb.history)
    assert stat.S_IMODE(os.stat(sb.history).st_mode) == 0o600
    with open(sb.history) as f:
        text = f.read()
    assert "hist_marker = 12345\n" in text
    assert "for k in range(2):\\n    print('k', k)\n" in text  # one entry

    r = start(sb)
    r.send("\x1b[A")  # Up: the whole for block, as one entry
    time.sleep(0.2 * SLOW)
    out = r.line("")
    assert "k 0\nk 1\n" in out, out
    r.send("\x1b[A\x1b[A")  # the block again, then the assignment before it
    time.sleep(0.2 * SLOW)
    r.line("")
    assert r.run("hist_marker") == "12345\n"
    assert finish(r) == 0


def test_history_capped_by_histsize(sb):
    r = start(sb, EMBEDLAB_HISTSIZE="3")
    for i in range(6):
        r.run(f"v{i} = {i}")
    assert finish(r) == 0
    with open(sb.history) as f:
        lines = f.read().splitlines()
    assert lines[1:] == ["v3 = 3", "v4 = 4", "v5 = 5"], lines


def test_histsize_zero_writes_no_file(sb):
    r = start(sb, EMBEDLAB_HISTSIZE="0")
    r.run("x = 1")
    assert finish(r) == 0
    assert not os.path.exists(sb.history)


def test_two_repls_share_the_history_file(sb):
    a = start(sb)
    b = start(sb)
    a.run("from_a = 1")
    b.run("from_b = 2")
    a.run("from_a_again = 3")
    assert finish(a) == 0
    assert finish(b) == 0
    with open(sb.history) as f:
        lines = f.read().splitlines()
    assert lines[0] == "# embedlab history 1"
    assert sorted(lines[1:]) == ["from_a = 1", "from_a_again = 3", "from_b = 2"], lines


def test_no_color_and_dumb_terminal(sb):
    r = start(sb, NO_COLOR=None)
    r.run("1 / 0")
    assert finish(r) == 0
    assert "\x1b[1;32m>>> " in r.raw  # the prompt in colour
    assert "\x1b[1;31mZeroDivisionError" in r.raw  # the exception line in colour
    for env in ({"NO_COLOR": "1"}, {"NO_COLOR": None, "TERM": "dumb"}):
        r = start(sb, **env)
        r.run("1 / 0")
        assert finish(r) == 0
        assert "\x1b[1;" not in r.raw and "\x1b[0m" not in r.raw, repr(r.raw[:200])


def test_help_forms(sb):
    r = start(sb)
    r.run("import torch")
    for form in ("help(len)", "?len", "len?", "len??"):
        out = r.run(form)
        assert "len(obj, /)" in out and "Return the number of items" in out, (form, out)
    out = r.run("help(torch.randn)")
    assert "randn(*size" in out, out
    out = r.run("?torch.randn")
    assert "randn(*size" in out, out
    assert "not found" in r.run("?no_such_thing")
    assert finish(r) == 0


def test_long_help_is_paged(sb):
    r = start(sb, PAGER="sed 's/^/PAGED: /'", rows=24)
    r.run("import torch")
    out = r.run("help(torch)")
    assert out.count("PAGED: ") > 30, out[:300]
    out = r.run("help(len)")  # fits on the screen: printed directly
    assert "PAGED" not in out and "len(obj, /)" in out, out
    assert finish(r) == 0


def test_bracketed_paste_runs_statement_by_statement(sb):
    r = start(sb)
    r.send("\x1b[200~a = 1\nb = a + 1\nb * 10\nfor i in range(2):\n    print('loop', i)\n"
           "1 / 0\nprint('after the error')\n\x1b[201~")
    time.sleep(0.3 * SLOW)
    out = r.line("")
    assert "20\n" in out and "loop 0\nloop 1\n" in out, out
    assert "ZeroDivisionError" in out, out
    assert "after the error\n" not in out.replace("print('after the error')", ""), out
    assert r.run("b") == "2\n"
    # A pasted unfinished statement waits for more lines.
    r.send("\x1b[200~c = [1,\n2,\x1b[201~")
    time.sleep(0.3 * SLOW)
    r.line("")
    assert r.raw.endswith("... ")
    r.line("3]")
    assert r.run("c") == "[1, 2, 3]\n"
    assert finish(r) == 0


def test_magics_and_shell(sb):
    r = start(sb)
    r.run("alpha = 1")
    r.run("beta = 'b'")
    assert r.run("%who") == "alpha\t beta\n"
    out = r.run("%timeit -n 10 -r 2 alpha + 1")
    assert re.search(r"per loop \(mean ± std\. dev\. of 2 runs, 10 loops each\)", out), out
    out = r.run("%time alpha + 1")
    assert out.startswith("2\nCPU times: user ") and "Wall time: " in out, out
    assert r.run("!echo from the shell") == "from the shell\n"
    assert "01-lookup" in r.run("%lessons")
    r.run("%reset -f")
    assert r.run("%who") == "Interactive namespace is empty.\n"
    out = r.run("%history")
    assert "alpha = 1\n" in out and "%reset -f\n" in out, out
    assert finish(r) == 0


def test_interactive_after_script(sb):
    r = Repl(sb, ["-i", "-c", "z = 5"])
    assert "embedlab 0.1.0" not in r.prompt()
    assert r.run("z * 2") == "10\n"
    assert finish(r) == 0


def test_sigterm_at_prompt_saves_history(sb):
    r = start(sb)
    r.run("before_term = 1")
    r.child.kill(signal.SIGTERM)
    status = r.wait_exit()
    assert status == 128 + signal.SIGTERM, status
    with open(sb.history) as f:
        assert "before_term = 1" in f.read()


def test_inputrc_sections_for_embedlab_apply(sb):
    inputrc = os.path.join(sb.dir, "inputrc")
    with open(inputrc, "w") as f:
        f.write('$if embedlab\n"\\C-o": "\'from-inputrc\'"\n$endif\n'
                '$if other-program\n"\\C-o": "\'wrong\'"\n$endif\n')
    r = start(sb, INPUTRC=inputrc)
    r.send("\x0f")
    time.sleep(0.2 * SLOW)
    assert r.run("") == "'from-inputrc'\n"
    assert finish(r) == 0


def resize(r, rows, cols):
    """Resizes the terminal (SIGWINCH); readline may redraw the prompt."""
    r.child.setwinsize(rows, cols)
    try:
        r.child.expect(r">>> ", timeout=0.5 * SLOW)
    except pexpect.TIMEOUT:
        pass
    assert r.run("'sync'") == "'sync'\n"


def test_window_resize_is_seen(sb):
    r = start(sb, PAGER="sed 's/^/PAGED: /'", rows=24)
    r.run("import torch")
    assert "PAGED: " in r.run("help(torch)")
    resize(r, 1000, 120)  # at the prompt
    out = r.run("help(torch)")
    assert "PAGED" not in out and "Help on" in out, out[:200]
    r.send("for i in range(10**9): i == 0 and print('started')\r")
    r.expect(r"[\r\n]started\r\n")
    r.child.setwinsize(24, 80)  # resized while code runs
    time.sleep(0.2 * SLOW)
    r.interrupt()
    r.prompt()
    assert "PAGED: " in r.run("help(torch)")
    assert finish(r) == 0


def test_a_megabyte_pasted_line_is_taken_whole(sb):
    """A 1 MB line pasted into the terminal (bracketed paste) runs like any other: no hang,
    nothing cut. The echo is drained while sending, as a terminal would."""
    r = start(sb)
    r.run("y = 1")
    data = "\x1b[200~x = '" + "ab" * 500_000 + "'\x1b[201~\r"
    for i in range(0, len(data), 8192):
        r.send(data[i:i + 8192])
        try:
            r.child.read_nonblocking(1 << 20, timeout=0)
        except pexpect.TIMEOUT:
            pass
    r.child.expect(">>> ", timeout=120, searchwindowsize=8192)
    assert r.run("len(x), x[:3], x[-3:], y") == "(1000000, 'aba', 'bab', 1)\n"
    assert finish(r) == 0
