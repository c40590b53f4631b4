"""Runs every tests/kernel/test_*.py module against the built embedlab-kernel
($EMBEDLAB_BUILD/embedlab-kernel) and ends with the line "N passed, N failed".

    /usr/bin/python3 tests/kernel/run.py [-v] [test_protocol ...]
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main(argv):
    verbose = "-v" in argv
    names = [a for a in argv if not a.startswith("-")]
    import kerneltest
    if not os.access(kerneltest.KERNEL, os.X_OK):
        print("kernel tests: %s is not built" % kerneltest.KERNEL)
        print("0 passed, 1 failed")
        return 1
    loader = unittest.TestLoader()
    if names:
        suite = unittest.TestSuite(loader.loadTestsFromName(n) for n in names)
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2 if verbose else 1)
    result = runner.run(suite)
    problems = result.failures + result.errors
    failed = len(problems) + len(result.unexpectedSuccesses)
    # class-level setup errors are reported without a test having run
    ran_and_failed = sum(isinstance(t, unittest.TestCase) for t, _ in problems)
    skipped = len(result.skipped)
    passed = result.testsRun - ran_and_failed - len(result.unexpectedSuccesses) - skipped
    for test, reason in result.skipped:
        print("skipped: %s: %s" % (test.id(), reason))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
