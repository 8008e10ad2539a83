"""`python -m concurrency_bench` is the `concurrency-bench` command."""

import sys

from concurrency_bench.cli.main import main

sys.exit(main())
