"""Helpers for the REPL integration tests: spawn the real build/embedlab on a pseudo-terminal
(Debian's python3-pexpect) or through pipes, in a private HOME / XDG_STATE_HOME.

Run with /usr/bin/python3 from the repository root (tests/suites/repl.sh does)."""
import os
import re
import shutil
import subprocess
import tempfile

import pexpect

BUILD = os.environ.get("EMBEDLAB_BUILD", "build")
BINARY = os.path.abspath(os.path.join(BUILD, "embedlab"))
# Sanitized builds are several times slower: scale the time limits.
SLOW = 4.0 if "sanitize" in BUILD else 1.0
TIMEOUT = 10 * SLOW

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|[\x01\x02\x07]")


def strip_ansi(text):
    return ANSI.sub("", text).replace("\r", "")


class Sandbox:
    """A temporary HOME with its own XDG_STATE_HOME and a neutral environment."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="embedlab-repl-")
        self.state = os.path.join(self.dir, "state")
        self.history = os.path.join(self.state, "embedlab", "history")

    def env(self, **extra):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.dir,
            "XDG_STATE_HOME": self.state,
            "TERM": "xterm",
            "NO_COLOR": "1",
            "PAGER": "",
            "INPUTRC": "/dev/null",
            "LANG": "C.UTF-8",
        }
        for key, value in extra.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Repl:
    """build/embedlab on a pty. `out` accumulates everything it printed (escapes removed)."""

    def __init__(self, sandbox, args=(), rows=24, cols=80, **env):
        self.child = pexpect.spawn(BINARY, list(args), env=sandbox.env(**env), cwd=sandbox.dir,
                                   encoding="utf-8", dimensions=(rows, cols), timeout=TIMEOUT)
        self.raw = ""

    def expect(self, pattern, timeout=-1):
        """Waits for a regex; returns the text before it (escapes removed)."""
        self.child.expect(pattern, timeout=timeout)
        self.raw += self.child.before + (self.child.after if isinstance(self.child.after, str) else "")
        return strip_ansi(self.child.before)

    def prompt(self):
        """Waits for the next `>>> ` prompt; returns the output before it."""
        return self.expect(r">>> ")

    def more(self):
        """Waits for a `... ` continuation prompt."""
        return self.expect(r"\.\.\. ")

    def line(self, text):
        """Types text and Enter; returns the output up to the next prompt of either kind."""
        self.child.send(text + "\r")
        self.child.expect([r">>> ", r"\.\.\. "])
        self.raw += self.child.before + self.child.after
        return strip_ansi(self.child.before)

    def run(self, text):
        """Types a line and returns its output (without the echoed input line)."""
        out = self.line(text)
        first_newline = out.find("\n")
        return out[first_newline + 1:] if first_newline >= 0 else ""

    def send(self, text):
        self.child.send(text)

    def interrupt(self):
        self.child.sendintr()

    def eof(self):
        self.child.sendeof()

    def wait_exit(self):
        self.child.expect(pexpect.EOF)
        self.raw += self.child.before
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else -self.child.signalstatus

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)


def script(sandbox, args=(), stdin="", **env):
    """build/embedlab without a terminal: (returncode, stdout, stderr)."""
    p = subprocess.run([BINARY, *args], input=stdin.encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=sandbox.env(**env), cwd=sandbox.dir,
                       timeout=TIMEOUT)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def xfail(reason):
    """Marks a test that needs a session feature not there yet (see repl_needs.md): a
    failure is reported as XFAIL and does not fail the suite; a pass counts as a pass."""

    def mark(fn):
        fn.xfail = reason
        return fn

    return mark
