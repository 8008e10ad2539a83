"""concurrency-bench: which Python concurrency model suits I/O-bound work, measured honestly."""

# General layout, from the bottom up; imports only point down (tests/test_layers.py checks):
#
# errors.py, summaries.py (summaries of rounds, the rules that flag a row), quantities.py (how
#   a number, duration or size is written) and lifetime.py
#   import nothing of the package.
# workload/ is the one scenario: its limits, the seeded ints and the job code every model runs.
# net/ is the loopback TCP server, its wire format and each model's client.
# runners/ holds one module per concurrency model, and the registry that loads them lazily.
# results/ is the versioned results file: typed records, JSON Schema, safe load and write.
# engine/ measures (scenario, model) pairs in fresh worker processes into a results file;
#   everything outside it uses the names engine/__init__.py exports.
# analysis/ judges results files: the rank test, the gate, the verdict, the history.
# report/ turns results files into tables, pages, figures and exports; it never measures.
# cli/ is the command line: the shared options (args.py), the shared measuring sequence
#   (measuring.py) and one <command>_cmd.py each; suite/ is the bench suite's pytest plugin.

__version__ = "0.1.0"
