"""The benchmark suite's pytest plugin: its options, where every output goes, what is written.

benchmarks/conftest.py only loads this module. It measures through the engine's entry point
(`engine.measure_file`) and writes through report.write_outputs, as `concurrency-bench run`
does.

After collection, before the first test runs (pytest_runtestloop), the engine measures every
SELECTED (scenario, model) in ONE call, its workers interleaved across the pairs (worker 1 of
each, then worker 2, ...), so the machine's drift over the run spreads over every model's
rounds; a line per pair and worker shows where it is. The default profile gives every round
a worker process of its own; the quick one (a smoke run) runs each model's rounds in one
worker (profiles.SMOKE_PROFILES). Each test in test_models.py then only hands its pair's
ModelResult to pytest-benchmark. When the session ends, the engine's results file goes to
results/runs/ with latest.md, latest.csv, ci-benchmark.json, the HTML page latest.html and
its figures in figures/ (report.write_outputs), and the comparison tables are printed.
pytest-benchmark's own JSON and its autosaved history go to the same directory (unless given
explicitly on the command line).
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from pytest_benchmark.utils import get_tag

from concurrency_bench import engine, report
from concurrency_bench.results import ModelResult, ResultsFile
from concurrency_bench.runners import ModelSpec
from concurrency_bench.suite.profiles import (
    QUEUE_BUDGET_S,
    SMOKE_PROFILES,
    Case,
    get_profile,
    label,
)
from concurrency_bench.suite.replay import ReplayTimer
from concurrency_bench.workload import Scenario

RESULTS_ENV = "CONCURRENCY_BENCH_RESULTS"
"""Environment variable naming the results directory (the --results-dir option wins)."""
PYTEST_BENCHMARK_JSON = "pytest-benchmark.json"
HISTORY_DIR = "benchmark-history"
RUNS_DIR = "runs"
DEFAULT_STORAGE = "file://./.benchmarks"
"""pytest-benchmark's default --benchmark-storage; any other value was chosen by the user."""
UNUSED_FIXTURE_WARNING = "ignore:Benchmark fixture was not used at all"
"""A model that failed has no figures to hand over; its test fails with the reason instead."""


REPLAY = ReplayTimer()
"""The one timer every benchmark of the suite uses (tests run one at a time)."""


@dataclass
class SuiteRun:
    """The session's plan, the engine's results file once measured, and what was written."""

    directory: Path
    options: engine.EngineOptions
    profile: tuple[Case, ...]
    planned: list[tuple[Scenario, ModelSpec]] = field(default_factory=list)
    """Every selected (scenario, model), in collection order."""
    results: ResultsFile | None = None
    written: list[Path] = field(default_factory=list)

    def case(self, scenario: str, model: str) -> tuple[Scenario, ModelSpec]:
        """The profile's scenario and model behind a test's parameters."""
        for case in self.profile:
            if case.scenario.name == scenario:
                return case.scenario, case.spec(model)
        raise KeyError(scenario)

    def measure(self, progress: engine.ProgressCallback) -> None:
        """Measure every planned pair in one interleaved engine call, into one results file
        (after a Ctrl-C, marked partial, with a row for every pair never started)."""
        self.results = engine.measure_file(self.planned, replace(self.options, progress=progress))

    @property
    def interrupted(self) -> bool:
        """Whether a Ctrl-C stopped the measuring."""
        return self.results is not None and self.results.partial

    def result(self, scenario: Scenario, spec: ModelSpec) -> ModelResult | None:
        """The measured result of one pair (None if it was not measured)."""
        if self.results is not None:
            for measured, result in self.results.models():
                if measured.name == scenario.name and result.row_name == label(spec):
                    return result
        return None


SUITE_RUN = pytest.StashKey[SuiteRun]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """--quick selects the smoke profile; --results-dir redirects every output."""
    group = parser.getgroup("concurrency-bench", "concurrency-bench suite")
    group.addoption(
        "--quick",
        action="store_true",
        default=False,
        help="run the quick profile (a few small cases on every model, seconds) "
        "instead of the default one (about three minutes)",
    )
    group.addoption(
        "--results-dir",
        default=None,
        metavar="DIR",
        help=f"where the suite writes everything (default: ${RESULTS_ENV}, else results/ "
        "at the repository root)",
    )


def results_directory(config: pytest.Config) -> Path:
    """--results-dir, else $CONCURRENCY_BENCH_RESULTS, else <rootdir>/results."""
    chosen = config.getoption("results_dir") or os.environ.get(RESULTS_ENV)
    return Path(chosen).resolve() if chosen else config.rootpath / "results"


def pytest_configure(config: pytest.Config) -> None:
    """Point pytest-benchmark's JSON and history into the results directory, unless given.

    Runs before pytest-benchmark's own pytest_configure (which is trylast and reads them).
    """
    directory = results_directory(config)
    name = "quick" if config.getoption("quick") else "default"
    options = engine.EngineOptions(sequential_budget_s=QUEUE_BUDGET_S)
    if name in SMOKE_PROFILES:  # a smoke run: one worker per model
        options = replace(options, rounds_per_process=options.rounds)
    run = SuiteRun(directory, options, get_profile(name))
    config.stash[SUITE_RUN] = run
    option = config.option
    if option.collectonly:
        return  # nothing will be measured or saved
    directory.mkdir(parents=True, exist_ok=True)  # pytest-benchmark writes its JSON first
    if option.benchmark_json is None:
        option.benchmark_json = directory / PYTEST_BENCHMARK_JSON
    if option.benchmark_storage == DEFAULT_STORAGE:
        option.benchmark_storage = f"file://{directory / HISTORY_DIR}"
    if not (option.benchmark_save or option.benchmark_autosave):
        option.benchmark_autosave = get_tag()  # type: ignore[no-untyped-call]  # untyped upstream
    config.addinivalue_line("filterwarnings", UNUSED_FIXTURE_WARNING)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per (scenario, model) of the profile, id `<scenario>-<model>`.

    The parameters are the two names (so pytest-benchmark stores them as plain `params`,
    and `--benchmark-group-by param:model` works); the marker groups by scenario and gives
    pytest-benchmark the replay timer.
    """
    if not {"scenario", "model"} <= set(metafunc.fixturenames):
        return
    profile = metafunc.config.stash[SUITE_RUN].profile
    params = [
        pytest.param(
            case.scenario.name,
            label(spec),
            id=f"{case.scenario.name}-{label(spec)}",
            marks=pytest.mark.benchmark(
                group=case.scenario.name, timer=REPLAY, warmup=False, disable_gc=False
            ),
        )
        for case in profile
        for spec in case.specs()
    ]
    metafunc.parametrize(("scenario", "model"), params)


@pytest.fixture(scope="session")
def suite_run(pytestconfig: pytest.Config) -> SuiteRun:
    """The session's collector of results (tests record into it)."""
    return pytestconfig.stash[SUITE_RUN]


@pytest.fixture
def bench_case(scenario: str, model: str, suite_run: SuiteRun) -> tuple[Scenario, ModelSpec]:
    """This test's scenario and model."""
    return suite_run.case(scenario, model)


@pytest.fixture
def replay_timer() -> ReplayTimer:
    """The timer the `benchmark` marker gave pytest-benchmark; load it with the engine's rounds."""
    return REPLAY


def pytest_collection_finish(session: pytest.Session) -> None:
    """Remember which (scenario, model) pairs this session means to measure: the selected
    tests (after -k and deselection), less those marked skip (e.g. --benchmark-skip)."""
    run = session.config.stash.get(SUITE_RUN, None)
    if run is None:
        return
    for item in session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "scenario" in params and "model" in params and not item.get_closest_marker("skip"):
            run.planned.append(run.case(params["scenario"], params["model"]))


class ProgressLines:
    """A line on the terminal when a pair's worker starts, and when a pair ends badly."""

    def __init__(self, config: pytest.Config) -> None:
        self.reporter = config.pluginmanager.get_plugin("terminalreporter")

    def write(self, text: str) -> None:
        """One line on pytest's terminal (stderr when there is none)."""
        if self.reporter is not None:
            self.reporter.write_line(text)
        else:
            print(text, file=sys.stderr, flush=True)

    def __call__(self, progress: engine.Progress) -> None:
        """Report a worker's start; a pair's end only when it failed or summed wrong."""
        pair = f"{progress.model} [{progress.scenario}]"
        if progress.phase == "start":
            where = f"model {progress.pair}/{progress.pairs}"
            if progress.workers > 1:
                where = f"worker {progress.worker}/{progress.workers}, {where}"
            self.write(f"{where}: {pair}")
        elif progress.phase == "done" and progress.status != "ok":
            self.write(f"  {pair}: {progress.status}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    """Before the first test: measure every selected pair, interleaved, in one engine call.

    A Ctrl-C stops the engine's current worker; the pairs keep their finished rounds, the
    session stops, and its end writes the results file marked partial.
    """
    run = session.config.stash.get(SUITE_RUN, None)
    config = session.config
    if run is None or not run.planned or config.option.collectonly:
        return
    if session.testsfailed and not config.option.continue_on_collection_errors:
        return  # pytest's own loop stops on the collection errors
    lines = ProgressLines(config)
    workers = math.ceil(run.options.rounds / run.options.rounds_per_process)
    lines.write("")
    lines.write(
        f"concurrency-bench: measuring {len(run.planned)} (scenario, model) pairs, "
        f"{workers} worker process{'es' if workers > 1 else ''} each, interleaved"
    )
    started = time.monotonic()
    run.measure(lines)
    lines.write(f"concurrency-bench: measured in {time.monotonic() - started:.0f} s")
    if run.interrupted:
        pytest.exit("interrupted (Ctrl-C) while measuring; the finished rounds are kept")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the engine results file, latest.md/.csv and ci-benchmark.json of this session."""
    run = session.config.stash.get(SUITE_RUN, None)
    if run is None or run.results is None:
        return
    written = report.write_outputs(run.results, run.directory / RUNS_DIR, run.directory, pages=True)
    run.written.extend(written.paths)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the comparison tables (after pytest-benchmark's table) and the files written."""
    run = terminalreporter.config.stash.get(SUITE_RUN, None)
    if run is None or run.results is None:
        return
    terminalreporter.section("concurrency-bench: engine figures per scenario")
    terminalreporter.write_line(report.render(run.results, "text"))
    terminalreporter.write_line("")
    for path in run.written:
        terminalreporter.write_line(f"wrote {_shown(path)}")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
