#!/bin/sh
# scripts/py2inc.sh IN.py OUT.inc — a Python source file as a C initializer list of bytes
# ("0x22,0x22,...") for src/lang/pylib.c to #include. Written atomically.
set -e
od -An -v -tx1 "$1" | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' > "$2.tmp"
mv "$2.tmp" "$2"
