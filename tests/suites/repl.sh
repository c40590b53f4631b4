#!/usr/bin/env bash
# The REPL and command-line tests: the real embedlab on a pseudo-terminal (python3-pexpect)
# and through pipes (script mode). See tests/repl/run.py.
cd "$(dirname "$0")/../.." || exit 1
exec /usr/bin/python3 tests/repl/run.py "$@"
