"""The engine through its API (and the CLI's `run`): isolation, rounds over fresh workers,
faults that never lose the other rows, budgets, files."""

from __future__ import annotations

import io
import json
import math
import os
import re
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import msgspec
import pytest

from cli_process import cli, cli_command, cli_in_process
from concurrency_bench.cli.progress import ProgressBar, describe
from concurrency_bench.engine import (
    NOT_STARTED,
    EngineOptions,
    Progress,
    measure_all,
    measure_pairs,
    run_each,
)
from concurrency_bench.engine.policy import default_timeout_s
from concurrency_bench.errors import InputError
from concurrency_bench.results import ModelResult, load, results_name, write_results
from concurrency_bench.runners import REGISTRY, ModelSpec
from concurrency_bench.workload import Scenario
from fault_runners import HANG_MARKER_ENV, LATER_LOG_ENV, LATER_MODE_ENV, SPECS

TINY = Scenario.uniform(3, 0.01, ints_per_job=5)
FAST = EngineOptions(rounds=2, warmup=0)
"""Two rounds, so two workers of one round each (the default rounds_per_process is 1)."""


def measure_model(spec: ModelSpec, scenario: Scenario, options: EngineOptions) -> ModelResult:
    """One model's row on one scenario, through the engine's public entry point."""
    return measure_pairs([(scenario, spec)], options).results[0]


def round_pids(result: ModelResult) -> list[int | None]:
    """The worker process behind each measured round, in order."""
    return [run.pid for run in result.runs for _ in run.values]


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_faults_are_rows_and_every_other_model_is_kept() -> None:
    specs = [
        REGISTRY["asyncio-gather"],
        SPECS["fault-kill"],
        SPECS["fault-raises"],
        SPECS["fault-wrong"],
        SPECS["fault-memory"],
        REGISTRY["trio"],
    ]
    results = measure_all(specs, [TINY], FAST)
    rows = {m.model: m for _, m in results.models()}
    assert list(rows) == [s.name for s in specs]
    assert not results.partial
    for name in ("asyncio-gather", "trio"):
        assert rows[name].status == "ok", rows[name].reason
        assert len(rows[name].rounds) == 2
    assert rows["fault-kill"].status == "failed"
    assert rows["fault-kill"].reason == "killed by SIGKILL (in worker 1 of 2, round 1 of 1)"
    assert rows["fault-raises"].status == "failed"
    assert rows["fault-raises"].reason == (
        "RuntimeError: boom from a test model (in worker 1 of 2, round 1 of 1)"
    )
    assert rows["fault-memory"].status == "failed"
    assert rows["fault-memory"].reason is not None
    assert rows["fault-memory"].reason.startswith("MemoryError")
    wrong = rows["fault-wrong"]
    assert wrong.status == "wrong" and not wrong.ranked
    assert wrong.reason is not None
    assert wrong.reason.startswith("worker 1 of 2, round 1 of 1: job 0 summed to")
    assert len(wrong.rounds) == 2  # measured, shown, never ranked
    for name in ("fault-kill", "fault-raises", "fault-memory"):
        assert rows[name].rounds == () and not rows[name].ranked


def test_a_hanging_model_times_out_and_its_worker_is_killed() -> None:
    options = EngineOptions(rounds=1, warmup=0, timeout_s=1.5)
    hung = measure_model(SPECS["fault-hang"], TINY, options)
    assert hung.status == "failed"
    assert hung.reason == "timed out after 1.5 s (in round 1 of 1)"
    assert _pid_gone(int(hung.settings["pid"]))
    assert measure_model(REGISTRY["asyncio-gather"], TINY, options).status == "ok"


def test_unavailable_and_over_budget_models_spawn_no_worker() -> None:
    slow = Scenario.uniform(3, 0.2)
    options = EngineOptions(rounds=1, warmup=0, sequential_budget_s=0.5)
    missing = measure_model(SPECS["fault-missing"], slow, options)
    assert missing.status == "unavailable"
    assert missing.reason is not None and "no_such_package_for_tests" in missing.reason
    sync = measure_model(REGISTRY["sync"], slow, options)
    assert sync.status == "not-run"
    assert sync.reason is not None and sync.reason.startswith("would take 600 ms per round")
    assert sync.rounds == ()


def test_a_pool_that_would_queue_past_the_budget_is_not_run() -> None:
    many = Scenario.uniform(100, 0.05)
    budget = EngineOptions(rounds=1, warmup=0, sequential_budget_s=0.5, pool_size=2)
    pooled = measure_model(REGISTRY["processes"], many, budget)
    assert pooled.status == "not-run" and not pooled.rounds
    assert pooled.reason == "would take 2.55 s per round, 2 jobs at a time (budget 0.5 s)"
    # without a pool limit every job runs at once: the ideal round is one delay
    assert REGISTRY["threads"].concurrency(100) == 100
    assert REGISTRY["processes"].concurrency(100) == 61
    assert REGISTRY["sync"].concurrency(100) == 1
    assert many.queued_wall_s(2) == pytest.approx(2.55)


def test_gc_off_reaches_the_rounds_and_is_recorded() -> None:
    spec = SPECS["fault-needs_gc_off"]
    on = measure_model(spec, TINY, FAST)
    assert on.status == "failed" and "gc is enabled" in (on.reason or "")
    results = measure_all([spec], [TINY], EngineOptions(rounds=2, warmup=1, gc="off"))
    (_, off), *_ = results.models()
    assert off.status == "ok", off.reason
    assert results.settings.gc == "off"
    assert results.environment["gc"]["setting"] == "off"


def test_a_model_that_prints_cannot_corrupt_the_answer() -> None:
    result = measure_model(SPECS["fault-noisy"], TINY, FAST)
    assert result.status == "ok", result.reason


def test_figures_memory_and_lateness_are_reported() -> None:
    events: list[Progress] = []
    options = EngineOptions(rounds=3, warmup=1, progress=events.append)
    result = measure_model(REGISTRY["asyncio-gather"], Scenario.uniform(200, 0.01), options)
    assert result.status == "ok" and result.ranked
    assert len(result.rounds) == 3
    for r in result.rounds:
        assert r.wall_s >= 0.01
        assert math.isclose(r.overhead_s, r.wall_s - 0.01)
    assert result.lateness is not None
    assert 0 <= result.lateness.p50_s <= result.lateness.p99_s <= result.lateness.max_s
    assert result.rss_before_bytes and result.rss_peak_bytes
    assert result.rss_peak_bytes >= result.rss_before_bytes
    phases = [(e.phase, e.index, e.of) for e in events if e.index or e.phase != "warmup"]
    assert phases[0] == ("start", 0, 0)
    assert ("warmup", 1, 1) in phases
    assert [p for p in phases if p[0] == "round"][-1] == ("round", 3, 3)
    assert events[-1].phase == "done" and events[-1].status == "ok"
    # Measured rounds count across the three workers; each worker starts and warms up.
    rounds = [(e.index, e.worker) for e in events if e.phase == "round"]
    assert sorted(set(rounds)) == [(1, 1), (2, 2), (3, 3)]
    assert [e.worker for e in events if e.phase == "start"] == [1, 2, 3]
    assert {e.workers for e in events} == {3}


@pytest.mark.parametrize(
    ("rounds", "per_process", "shares"),
    [(5, 1, [1, 1, 1, 1, 1]), (5, 2, [2, 2, 1]), (5, 5, [5]), (3, 1000, [3])],
)
def test_rounds_are_shared_out_over_workers(
    rounds: int, per_process: int, shares: list[int]
) -> None:
    options = EngineOptions(rounds=rounds, rounds_per_process=per_process)
    assert options.worker_shares() == shares
    assert options.run_settings().rounds_per_process == per_process


def test_every_round_runs_in_a_fresh_worker_by_default() -> None:
    result = measure_model(REGISTRY["asyncio-gather"], TINY, EngineOptions(rounds=3, warmup=1))
    assert result.status == "ok" and len(result.rounds) == 3
    pids = round_pids(result)
    assert len(result.runs) == 3 and len(set(pids)) == 3
    assert os.getpid() not in pids
    for run in result.runs:  # each worker warmed up once, measured once, and says so
        assert len(run.warmups) == 1 and run.warmups[0] >= 0.01
        assert len(run.values) == 1
        assert run.lateness is not None and run.rss_before_bytes and run.rss_peak_bytes


def test_rounds_per_process_keeps_rounds_together_in_order() -> None:
    options = EngineOptions(rounds=3, warmup=2, rounds_per_process=2)
    result = measure_model(REGISTRY["trio"], TINY, options)
    first, first_again, second = round_pids(result)
    assert first == first_again != second
    assert [len(run.values) for run in result.runs] == [2, 1]
    assert [len(run.warmups) for run in result.runs] == [2, 2]
    together = measure_model(REGISTRY["trio"], TINY, replace(options, rounds_per_process=3))
    assert len(set(round_pids(together))) == 1 and len(together.rounds) == 3
    assert together.status == "ok" and together.lateness is not None
    (run,) = together.runs
    assert together.lateness == run.lateness  # one worker: the pooled figures are its own
    assert (together.rss_before_bytes, together.rss_peak_bytes) == (
        run.rss_before_bytes,
        run.rss_peak_bytes,
    )


def test_the_pool_size_reaches_the_model_and_its_timeout() -> None:
    pooled = measure_model(REGISTRY["threads"], TINY, EngineOptions(rounds=1, pool_size=2))
    assert pooled.status == "ok", pooled.reason
    assert pooled.settings == {"threads": 2, "pool": "ThreadPoolExecutor"}
    # The budget and the timeout both queue 100 jobs behind a pool of 2 (ModelSpec.concurrency).
    many = Scenario.uniform(100, 1.0)
    spec = REGISTRY["threads"]
    small_pool = default_timeout_s(spec, many, rounds=1, warmup=0, pool_size=2)
    every_job = default_timeout_s(spec, many, rounds=1, warmup=0)
    assert small_pool - every_job == pytest.approx(3.0 * (many.queued_wall_s(2) - 1.0))


def test_a_failure_in_a_later_worker_names_it_and_starts_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "workers"
    monkeypatch.setenv(LATER_LOG_ENV, str(log))
    monkeypatch.setenv(LATER_MODE_ENV, "raise")
    result = measure_model(SPECS["fault-later"], TINY, EngineOptions(rounds=3, warmup=1))
    assert result.status == "failed" and not result.ranked and result.rounds == ()
    assert (
        result.reason
        == "RuntimeError: boom from a later worker (in worker 2 of 3, warm-up round 1 of 1)"
    )
    assert len(log.read_text().split()) == 2  # worker 3 never started


def test_a_wrong_sum_in_a_later_worker_makes_the_model_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LATER_LOG_ENV, str(tmp_path / "workers"))
    monkeypatch.setenv(LATER_MODE_ENV, "wrong")
    result = measure_model(SPECS["fault-later"], TINY, EngineOptions(rounds=3, warmup=0))
    assert result.status == "wrong" and not result.ranked
    assert len(result.rounds) == 3  # measured, shown, never ranked
    assert result.reason is not None
    assert result.reason.startswith("worker 2 of 3, round 1 of 1: job 0 summed to")


def test_settings_are_the_first_workers_and_a_difference_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LATER_LOG_ENV, str(tmp_path / "workers"))
    monkeypatch.setenv(LATER_MODE_ENV, "settings")
    result = measure_model(SPECS["fault-later"], TINY, EngineOptions(rounds=2, warmup=0))
    assert result.status == "ok" and result.ranked
    assert result.settings == {"pool": "first"}
    assert result.reason == (
        "worker 2 of 2 reported other settings (pool=later); the first worker's are shown"
    )


@pytest.mark.parametrize(
    ("per_process", "where", "kept", "other"),
    [
        # worker 1's round is kept, and so is trio's worker 1, which ran before worker 2
        (1, "Ctrl-C in worker 2 of 3, round 1 of 1", 1, "Ctrl-C after worker 1 of 3"),
        # worker 1's two rounds are kept, for both models
        (2, "Ctrl-C in worker 2 of 2, round 1 of 1", 2, "Ctrl-C after worker 1 of 2"),
        # one worker: the round it finished is kept; trio never started
        (3, "Ctrl-C in round 2 of 3", 1, NOT_STARTED),
    ],
)
def test_an_interrupt_keeps_the_rounds_that_finished_and_stops_the_run(
    per_process: int, where: str, kept: int, other: str
) -> None:
    def ctrl_c_in_round(progress: Progress) -> None:
        if progress.phase == "round" and progress.index == kept + 1:
            raise KeyboardInterrupt  # what SIGINT does to the parent while it waits

    options = EngineOptions(
        rounds=3, warmup=0, rounds_per_process=per_process, progress=ctrl_c_in_round
    )
    results = measure_all([REGISTRY["asyncio-gather"], REGISTRY["trio"]], [TINY], options)
    assert results.partial
    stopped, later = [model for _, model in results.models()]
    assert stopped.model == "asyncio-gather" and stopped.status == "interrupted"
    assert stopped.reason == where
    assert len(stopped.rounds) == kept and not stopped.ranked
    assert (later.model, later.status, later.reason) == ("trio", "interrupted", other)
    assert len(later.rounds) == (0 if other == NOT_STARTED else kept) and not later.ranked


class Terminated(KeyboardInterrupt):
    """What a CLI's SIGTERM handler raises: the engine must treat it as Ctrl-C."""


def test_a_keyboard_interrupt_subclass_from_a_signal_handler_is_a_ctrl_c() -> None:
    def terminate_in_round_2(progress: Progress) -> None:
        if progress.phase == "round" and progress.index == 2:
            raise Terminated

    options = EngineOptions(rounds=2, warmup=0, progress=terminate_in_round_2)
    results = measure_all([REGISTRY["asyncio-gather"]], [TINY], options)
    ((_, stopped),) = results.models()
    assert results.partial and stopped.status == "interrupted"
    assert stopped.reason == "Ctrl-C in worker 2 of 2, round 1 of 1"
    (run,) = stopped.runs  # worker 1's finished round is kept with its pid
    assert len(run.values) == 1 and run.pid is not None and _pid_gone(run.pid)


def test_workers_are_interleaved_and_a_failed_model_starts_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker k of every pair before worker k + 1 of any; failures end only their own pair."""
    log = tmp_path / "workers"
    monkeypatch.setenv(LATER_LOG_ENV, str(log))
    monkeypatch.setenv(LATER_MODE_ENV, "raise")
    events: list[tuple[str, int, int]] = []

    def note(progress: Progress) -> None:
        if progress.phase in ("start", "done"):
            events.append((progress.phase, progress.worker, progress.pair))
            assert (progress.workers, progress.pairs) == (3, 6)

    specs = [REGISTRY["asyncio-gather"], SPECS["fault-later"], SPECS["fault-missing"]]
    other = Scenario.uniform(2, 0.01, ints_per_job=5)
    options = EngineOptions(rounds=3, warmup=0, progress=note)
    results = measure_all(specs, [TINY, other], options)
    # Pairs 1-3 are TINY's, 4-6 other's. fault-later fails in its first worker on `other`
    # (TINY's worker 1 logged first) and in its second on TINY; fault-missing spawns nothing.
    assert events == [
        ("start", 1, 1), ("start", 1, 2), ("start", 1, 4), ("start", 1, 5), ("done", 1, 5),
        ("start", 2, 1), ("start", 2, 2), ("done", 2, 2), ("start", 2, 4),
        ("start", 3, 1), ("done", 3, 1), ("start", 3, 4), ("done", 3, 4),
    ]  # fmt: skip
    assert len(log.read_text().split()) == 3
    assert not results.partial
    rows = [(s.name, m.model, m.status, len(m.rounds)) for s, m in results.models()]
    assert rows == [
        (TINY.name, "asyncio-gather", "ok", 3),
        (TINY.name, "fault-later", "failed", 0),
        (TINY.name, "fault-missing", "unavailable", 0),
        (other.name, "asyncio-gather", "ok", 3),
        (other.name, "fault-later", "failed", 0),
        (other.name, "fault-missing", "unavailable", 0),
    ]
    reasons = [m.reason for _, m in results.models() if m.model == "fault-later"]
    assert reasons == [
        "RuntimeError: boom from a later worker (in worker 2 of 3, round 1 of 1)",
        "RuntimeError: boom from a later worker (in worker 1 of 3, round 1 of 1)",
    ]


def test_default_timeout_grows_with_the_work_and_can_be_overridden() -> None:
    small = Scenario.uniform(10, 0.05)
    big = Scenario.uniform(100_000, 1.0)
    gather, sync = REGISTRY["asyncio-gather"], REGISTRY["sync"]
    base = default_timeout_s(gather, small, rounds=5, warmup=1)
    # 60 s base + 6 rounds x (3 x 50 ms ideal + 10 jobs x 250 us + 1000 ints x 50 ns)
    assert base == pytest.approx(60 + 6 * (0.15 + 10 * 250e-6 + 1000 * 50e-9))
    assert default_timeout_s(gather, big, rounds=5, warmup=1) > base + 100
    assert default_timeout_s(gather, small, rounds=50, warmup=1) > base
    assert default_timeout_s(sync, small, rounds=5, warmup=1) == pytest.approx(base + 6 * 3 * 0.45)
    pooled = default_timeout_s(REGISTRY["processes"], big, rounds=1, warmup=0)
    assert pooled > 100_000 / 61  # the default pool cap of 61 queues the jobs
    options = EngineOptions(timeout_s=3.0)
    assert options.timeout_for(gather, big, 5) == 3.0
    assert EngineOptions().timeout_for(gather, small, 4) == pytest.approx(
        default_timeout_s(gather, small, rounds=4, warmup=1)
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rounds", 0),
        ("rounds", 1001),
        ("warmup", -1),
        ("warmup", 101),
        ("gc", "maybe"),
        ("timeout_s", 0.0),
        ("timeout_s", math.inf),
        ("sequential_budget_s", -1.0),
        ("pool_size", 0),
        ("rounds_per_process", 0),
        ("rounds_per_process", 1001),
    ],
)
def test_engine_options_refuse_bad_values(field: str, value: object) -> None:
    with pytest.raises(InputError, match=field.replace("_", "-")):
        EngineOptions(**{field: value})  # type: ignore[arg-type]


def test_results_files_are_never_overwritten(tmp_path: Path) -> None:
    results = measure_all([REGISTRY["asyncio-gather"]], [TINY], EngineOptions(rounds=1, warmup=0))
    first = write_results(results, tmp_path / "runs")
    second = write_results(results, tmp_path / "runs")
    third = write_results(results, tmp_path / "runs")
    stem = results_name(results)
    assert re.fullmatch(r"\d{8}T\d{6}Z-([0-9a-f]{7}|nogit)(-dirty)?", stem)
    assert [first.name, second.name, third.name] == [
        f"{stem}.json",
        f"{stem}-2.json",
        f"{stem}-3.json",
    ]
    assert load(first) == load(third) == results
    assert not [p for p in (tmp_path / "runs").iterdir() if p.name.startswith(".")]


def test_results_name_says_nogit_and_dirty() -> None:
    results = measure_all([], [TINY], FAST)
    clean = msgspec.structs.replace(results, environment={"git_commit": None})
    assert results_name(clean).endswith("-nogit")
    dirty = msgspec.structs.replace(
        results, environment={"git_commit": "abcdef0123", "git_dirty": True}
    )
    assert results_name(dirty).endswith("-abcdef0-dirty")


def test_run_each_isolates_a_crash_and_keeps_the_timelines() -> None:
    seed = Scenario.seed_story(20.0)
    crashed, gathered, wrong = run_each(
        [SPECS["fault-kill"], REGISTRY["asyncio-gather"], SPECS["fault-wrong"]], seed
    )
    assert crashed.status == "failed" and crashed.measurement is None
    assert crashed.reason is not None and crashed.reason.startswith("killed by SIGKILL")
    assert gathered.status == "ok" and gathered.measurement is not None
    assert gathered.measurement.finish_order == [2, 3, 1]
    assert len(gathered.measurement.starts_ns) == 3
    assert wrong.status == "wrong" and wrong.measurement is not None
    assert not wrong.measurement.sums_ok


def test_settings_and_summaries_reach_the_file() -> None:
    results = measure_all([REGISTRY["threads"]], [TINY], FAST)
    data = json.loads(results.to_json())
    model = data["scenarios"][0]["models"][0]
    assert model["settings"] == {"threads": 3, "pool": "thread-per-job"}
    assert [len(run["values"]) for run in model["runs"]] == [1, 1]
    assert all(isinstance(run["pid"], int) and run["warmups"] == [] for run in model["runs"])
    assert "summary" not in model  # summaries are derived, never stored


# -- `concurrency-bench run` as a user meets it ----------------------------------------------

SMALL = ("--jobs", "3", "--delay-ms", "10", "--rounds", "2", "--warmup", "0")


def test_run_writes_a_file_that_report_renders_again(tmp_path: Path) -> None:
    out = tmp_path / "results" / "runs"
    done = cli("run", "--runners", "asyncio-gather,sync", *SMALL, "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("*.json")
    assert json.loads(done.stdout) == json.loads(path.read_text())
    results = load(path)
    assert [m.status for _, m in results.models()] == ["ok", "ok"]
    assert results.settings.rounds == 2 and results.settings.warmup == 0
    assert results.settings.rounds_per_process == 1
    assert sorted(p.name for p in (tmp_path / "results").glob("latest.*")) == [
        "latest.csv",
        "latest.md",
    ]
    assert "\r" not in done.stderr  # no progress line when stderr is not a terminal
    shown = cli("report", str(path))
    assert shown.returncode == 0 and "asyncio-gather" in shown.stdout


def test_run_exits_1_when_a_model_fails_and_shows_every_row(tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    runners = "fault-raises,asyncio-gather,fault-missing"
    done = cli("run", "--runners", runners, *SMALL, "--out", str(out), "--quiet", faults=True)
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    for name in ("fault-raises", "asyncio-gather", "fault-missing"):
        assert name in done.stdout
    assert (out / "latest.md").exists()  # not named runs: the tables go into the folder itself
    (path,) = [p for p in out.glob("*.json") if p.name != "ci-benchmark.json"]
    statuses = {m.model: m.status for _, m in load(path).models()}
    assert statuses == {
        "asyncio-gather": "ok",
        "fault-raises": "failed",
        "fault-missing": "unavailable",
    }


@pytest.mark.parametrize(
    "bad",
    [
        ("--rounds", "0"),
        ("--rounds", "1001"),
        ("--rounds-per-process", "0"),
        ("--rounds-per-process", "1001"),
        ("--warmup", "101"),
        ("--gc", "sometimes"),
        ("--jobs", "0"),
        ("--delay-ms", "-5"),
        ("--delay-ms", "10:5"),
        ("--timeout-s", "0"),
        ("--sequential-budget-s", "nan"),
        ("--runners", "asyncio-gather,nope"),
        ("--scenario", "uniform", "--delay-ms", "5:10"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, bad: tuple[str]) -> None:
    out = tmp_path / "results" / "runs"
    run = cli if bad == ("--rounds", "0") else cli_in_process  # one end to end, in a subprocess
    done = run("run", "--jobs", "3", *bad, "--out", str(out))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "results").exists()


def test_an_out_folder_that_cannot_be_written_is_bad_input(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = cli("run", *SMALL, "--runners", "asyncio-gather", "--out", str(blocker / "runs"))
    assert done.returncode == 2
    assert "`out`" in done.stderr and len(done.stderr.splitlines()) == 1
    assert blocker.read_text() == "not a folder"


def test_ctrl_c_keeps_the_finished_rows_in_a_partial_file(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    marker = tmp_path / "hanging"
    proc = subprocess.Popen(
        cli_command("run", "--runners", "asyncio-gather,fault-hang,fault-raises", *SMALL,
                    "--out", str(out), "--quiet", faults=True),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, HANG_MARKER_ENV: str(marker)},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the hanging model never started"
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    (path,) = out.glob("*.json")
    results = load(path)
    assert results.partial
    rows = [(m.model, m.status, m.reason) for _, m in results.models()]
    assert rows == [
        ("asyncio-gather", "interrupted", "Ctrl-C after worker 1 of 2"),  # its round is kept
        ("fault-hang", "interrupted", "Ctrl-C in worker 1 of 2, round 1 of 1"),
        ("fault-raises", "interrupted", NOT_STARTED),
    ]
    assert _pid_gone(int(marker.read_text()))


def test_run_passes_rounds_per_process_to_the_file(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    done = cli(
        "run", "--runners", "asyncio-gather", *SMALL, "--rounds-per-process", "2", "--out",
        str(out), "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("*.json")
    assert load(path).settings.rounds_per_process == 2


def test_the_progress_bar_names_the_model_and_counts_finished_workers() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, total_workers=10)
    bar(Progress("trio", "seed", "start", 0, 0, 0.0, worker=1, workers=5, pair=1, pairs=2))
    bar(Progress("trio", "seed", "round", 1, 5, 0.5, worker=1, workers=5, pair=1, pairs=2))
    assert bar.bar.n == 0  # the first worker is still running
    bar(Progress("sync", "seed", "start", 0, 0, 0.0, worker=1, workers=5, pair=2, pairs=2))
    assert bar.bar.n == 1
    # sync's first worker fails: its four other workers will never start.
    bar(Progress("sync", "seed", "done", 0, 0, 0.1, "failed", worker=1, workers=5, pair=2, pairs=2))
    assert (bar.bar.n, bar.bar.total) == (2, 6)
    shown = stream.getvalue()
    assert "trio [seed], model 1/2: round 1/5" in shown
    assert "2/6 workers" in shown
    bar.close()


def test_the_progress_description_says_the_phase() -> None:
    assert describe(Progress("trio", "seed", "warmup", 1, 2, 0.1)) == "trio [seed]: warm-up 1/2"
    assert describe(Progress("trio", "seed", "start", 0, 0, 0.1)) == "trio [seed]: starting"
