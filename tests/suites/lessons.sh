#!/usr/bin/env bash
# The lesson tests (tests/lessons/run.py): --check-lesson --all, --play transcripts against
# lessons/*.out made under PyTorch 1.13 (and still fresh), the notebooks (fresh, executed
# with their solutions on the kernel), a lesson in the kernel, and one lesson played on a
# pseudo-terminal. Ends with "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
if ! /usr/bin/python3 -c 'import torch, jupyter_client, nbclient, nbformat, pexpect' 2>/dev/null; then
    echo "lesson tests need python3-torch, python3-jupyter-client, python3-nbclient,"
    echo "python3-nbformat and python3-pexpect"
    echo "0 passed, 1 failed"
    exit 1
fi
exec /usr/bin/python3 tests/lessons/run.py "$@"
