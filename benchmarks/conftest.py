"""The suite's pytest plugin lives in the package: concurrency_bench.suite.plugin.

It adds --quick and --results-dir, makes one test per (scenario, model) of the profile,
measures every selected pair in one engine call before the first test, and writes the
results file, latest.md, latest.csv and ci-benchmark.json when the session ends.
"""

pytest_plugins = ["concurrency_bench.suite.plugin"]
