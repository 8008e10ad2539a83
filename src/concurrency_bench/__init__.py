"""concurrency-bench: which Python concurrency model suits I/O-bound work, measured honestly.

Layout: `scenario` defines the one workload and the job code; `runners/` holds one module
per concurrency model; `measure` times one run; `engine` repeats runs in isolated worker
processes; `results` is the versioned file format; `report/` renders tables from results
files only; `compare` is the CI regression gate; `cli` and `commands/` are the command line.
"""

__version__ = "0.1.0"
