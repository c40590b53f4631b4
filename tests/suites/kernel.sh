#!/usr/bin/env bash
# The Jupyter kernel driven by Debian's jupyter_client, nbclient and jupyter console
# (tests/kernel/*.py). Uses $EMBEDLAB_BUILD/embedlab-kernel and a private JUPYTER_PATH;
# needs no tty and no network. Ends with "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
if ! /usr/bin/python3 -c 'import jupyter_client, nbclient, pexpect' 2>/dev/null; then
    echo "kernel tests need python3-jupyter-client, python3-nbclient, python3-pexpect"
    echo "0 passed, 1 failed"
    exit 1
fi
exec /usr/bin/python3 tests/kernel/run.py "$@"
