#!/usr/bin/env python3
"""Run the crudd black-box tests.

    CRUDD_BIN=/path/to/crudd python3 tests/blackbox/run.py [-v] [-k PATTERN]

Discovers test_*.py beside this file, runs them, and ends with one line
`N passed, M failed` (`, K skipped` when some were skipped). Exits non-zero
when anything failed or errored. CRUDD_BIN defaults to ../../crudd.
"""

import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class CountingResult(unittest.TextTestResult):
    """Counts the tests that really passed."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.passed += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print each test name and result")
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="only tests whose name contains this substring")
    opts = ap.parse_args()

    os.environ.setdefault("CRUDD_BIN",
                          os.path.join(HERE, "..", "..", "crudd"))
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if opts.patterns:
        loader.testNamePatterns = ["*%s*" % p for p in opts.patterns]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    total = suite.countTestCases()
    runner = unittest.TextTestRunner(verbosity=2 if opts.verbose else 1,
                                     stream=sys.stdout,
                                     resultclass=CountingResult)
    result = runner.run(suite)

    passed = result.passed
    skipped = len(result.skipped)
    # A test counts once however many of its subtests failed; a test that
    # never ran because its class or module fixture failed counts as failed;
    # a failed tearDownClass (e.g. crudd not exiting 0 on SIGTERM) counts as
    # one more failure.
    teardown_errors = sum(1 for t, _ in result.errors
                          if isinstance(t, unittest.suite._ErrorHolder)
                          and "tearDown" in str(t))
    failed = total - passed - skipped + teardown_errors
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    return 1 if failed or result.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
