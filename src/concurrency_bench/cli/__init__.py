"""The `concurrency-bench` command line: entry point, argument types, one module per command."""

from concurrency_bench.cli.main import main

__all__ = ["main"]
