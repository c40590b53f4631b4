"""Runs every test_* function of tests/repl/test_*.py; prints one line per test and, last,
"N passed, N failed". Exit status 0 when nothing failed.

    /usr/bin/python3 tests/repl/run.py [-v] [NAME_SUBSTRING...]
"""
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402


def main(argv):
    verbose = "-v" in argv
    wanted = [a for a in argv if a != "-v"]
    if not os.access(common.BINARY, os.X_OK):
        print(f"repl tests: {common.BINARY} is not built")
        print("0 passed, 1 failed")
        return 1
    passed = failed = xfailed = 0
    for name in sorted(os.listdir(HERE)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(HERE, name))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for attr in sorted(vars(module)):
            fn = getattr(module, attr)
            if not (attr.startswith("test_") and callable(fn)):
                continue
            full = f"{name[:-3]}.{attr}"
            if wanted and not any(w in full for w in wanted):
                continue
            sandbox = common.Sandbox()
            start = time.monotonic()
            try:
                fn(sandbox)
                ok, detail = True, ""
            except Exception:  # a failed assertion or a pexpect timeout
                ok, detail = False, traceback.format_exc()
            finally:
                sandbox.cleanup()
            took = time.monotonic() - start
            reason = getattr(fn, "xfail", None)
            if ok:
                passed += 1
                print(f"ok    {full} ({took:.2f} s)")
            elif reason:
                xfailed += 1
                print(f"XFAIL {full}: {reason}")
                if verbose:
                    print(detail)
            else:
                failed += 1
                print(f"FAIL  {full} ({took:.2f} s)")
                print(detail)
    if xfailed:
        print(f"{xfailed} expected failures (waiting for session features)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
