#!/usr/bin/env bash
# The lesson tests (tests/lessons/run.py): --check-lesson --all, --play transcripts against
# lessons/*.out made under PyTorch 1.13, and one lesson played on a pseudo-terminal.
cd "$(dirname "$0")/../.." || exit 1
exec /usr/bin/python3 tests/lessons/run.py "$@"
