"""The one workload, delayed random sums: the scenario, its seeded ints, the job code and the
jobs' optional CPU work.

Every model imports what it runs from here, so the work is the same for all of them.
"""

from concurrency_bench.workload.cpu import calibrate, expected_values, spin
from concurrency_bench.workload.jobs import JobRecord, async_job, process_job, sync_job
from concurrency_bench.workload.payloads import build_payloads, expected_sums
from concurrency_bench.workload.scenario import (
    DEFAULT_INTS_PER_JOB,
    DEFAULT_SEED,
    DEFAULT_UNIT_MS,
    MAX_CONNECTIONS,
    MAX_CPU_MS,
    MAX_DELAY_S,
    MAX_INTS_PER_JOB,
    MAX_JOBS,
    MAX_SEED,
    MAX_TOTAL_INTS,
    MAX_UNIT_MS,
    SEED_STORY_UNITS,
    Scenario,
    check_cpu_ms,
    check_unit_ms,
    uniform_name,
)

__all__ = [
    "DEFAULT_INTS_PER_JOB",
    "DEFAULT_SEED",
    "DEFAULT_UNIT_MS",
    "MAX_CONNECTIONS",
    "MAX_CPU_MS",
    "MAX_DELAY_S",
    "MAX_INTS_PER_JOB",
    "MAX_JOBS",
    "MAX_SEED",
    "MAX_TOTAL_INTS",
    "MAX_UNIT_MS",
    "SEED_STORY_UNITS",
    "JobRecord",
    "Scenario",
    "async_job",
    "build_payloads",
    "calibrate",
    "check_cpu_ms",
    "check_unit_ms",
    "expected_sums",
    "expected_values",
    "process_job",
    "spin",
    "sync_job",
    "uniform_name",
]
