#!/usr/bin/env bash
# The language golden records, run through the session API (see tests/tools/golden_runner.c).
cd "$(dirname "$0")/../.." || exit 1
exec "${EMBEDLAB_BUILD:-build}/tests/golden_runner" tests/golden/*.test
