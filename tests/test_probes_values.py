"""engine/probes.py against figures read here: RSS from /proc/self/status (and from status
files written by the test), the peak's reset, ru_maxrss, and the lateness pool's stride,
pooled values, exact max and quantile points checked with exact fractions."""

from __future__ import annotations

import math
import resource
import sys
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import pytest

from concurrency_bench.engine import probes
from concurrency_bench.engine.probes import LatenessPool, MemoryProbe, memory_source
from concurrency_bench.engine.timing import Measurement

LINUX_PROC = Path("/proc/self/clear_refs").exists()
STATUS = """Name:\tpython
VmPeak:\t   99999 kB
VmHWM:\t    3000 kB
VmRSS:\t    1000 kB
RssAnon:\t     777 kB
"""


def status_kib(key: str) -> int:
    """One VmXXX figure of this process, read from /proc/self/status here (kB)."""
    for line in Path("/proc/self/status").read_text("ascii").splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise AssertionError(f"{key} not in /proc/self/status")


def maxrss_bytes() -> int:
    """ru_maxrss in bytes (it counts kilobytes on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@pytest.fixture
def fake_proc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A status file and a clear_refs file of the test's own in place of /proc/self's."""
    status, clear_refs = tmp_path / "status", tmp_path / "clear_refs"
    status.write_text(STATUS, "ascii")
    clear_refs.write_text("", "ascii")
    monkeypatch.setattr(probes, "_STATUS", str(status))
    monkeypatch.setattr(probes, "_CLEAR_REFS", str(clear_refs))
    return status, clear_refs


def test_status_figures_are_vmrss_and_vmhwm_in_bytes(fake_proc: tuple[Path, Path]) -> None:
    probe = MemoryProbe()
    assert probe.resettable is True
    assert probe.current() == 1000 * 1024
    assert probe.peak() == 3000 * 1024


def test_reset_writes_5_to_clear_refs(fake_proc: tuple[Path, Path]) -> None:
    _, clear_refs = fake_proc
    MemoryProbe()
    assert clear_refs.read_text("ascii") == "5"
    clear_refs.write_text("", "ascii")
    assert MemoryProbe().reset() is True
    assert clear_refs.read_text("ascii") == "5"


def test_no_vmhwm_means_no_reset_and_ru_maxrss_for_both(fake_proc: tuple[Path, Path]) -> None:
    status, _ = fake_proc
    status.write_text("VmRSS:\t    1000 kB\n", "ascii")
    probe = MemoryProbe()
    assert probe.resettable is False
    before = maxrss_bytes()
    current, peak = probe.current(), probe.peak()
    assert current is not None and peak is not None
    assert before <= current <= peak <= maxrss_bytes()


def test_an_unwritable_clear_refs_means_no_reset(
    fake_proc: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _ = fake_proc
    monkeypatch.setattr(probes, "_CLEAR_REFS", str(status.parent))  # a folder: OSError
    assert MemoryProbe().resettable is False


def test_an_unreadable_figure_means_no_reset(fake_proc: tuple[Path, Path]) -> None:
    status, _ = fake_proc
    status.write_text("VmHWM:\t   many kB\n", "ascii")  # int() raises ValueError
    assert MemoryProbe().reset() is False


def test_maxrss_is_ru_maxrss_in_bytes() -> None:
    before = maxrss_bytes()
    figure = MemoryProbe._maxrss()
    assert figure is not None and before <= figure <= maxrss_bytes()


def test_maxrss_on_macos_is_already_in_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux's unit
    monkeypatch.setattr(probes, "sys", SimpleNamespace(platform="darwin"))
    figure = MemoryProbe._maxrss()
    assert figure is not None
    assert kilobytes <= figure <= resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_maxrss_is_none_without_the_resource_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "resource", None)  # importing it raises ImportError
    assert MemoryProbe._maxrss() is None


def test_memory_source_names_what_the_workers_will_read(
    fake_proc: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, clear_refs = fake_proc
    missing = str(status.parent / "missing")
    assert memory_source() == probes.PROC_SOURCE
    monkeypatch.setattr(probes, "_CLEAR_REFS", missing)
    assert memory_source() == probes.MAXRSS_SOURCE  # status readable, clear_refs not
    monkeypatch.setattr(probes, "_CLEAR_REFS", str(clear_refs))
    monkeypatch.setattr(probes, "_STATUS", missing)
    assert memory_source() == probes.MAXRSS_SOURCE  # clear_refs writable, status not
    monkeypatch.setattr(MemoryProbe, "_maxrss", staticmethod(lambda: None))
    assert memory_source() == probes.NO_SOURCE
    assert clear_refs.read_text("ascii") == ""  # finding out touched no peak


@pytest.mark.skipif(not LINUX_PROC, reason="needs /proc/self/clear_refs (Linux)")
def test_this_process_rss_and_peak_as_proc_reports_them() -> None:
    probe = MemoryProbe()
    assert probe.resettable is True
    assert memory_source() == probes.PROC_SOURCE
    low = status_kib("VmRSS") * 1024
    current = probe.current()
    high = status_kib("VmRSS") * 1024
    assert current is not None
    # RSS moves by a page or two between reads; a wrong unit or field is far outside this.
    assert low - (1 << 20) <= current <= high + (1 << 20)
    assert current % 1024 == 0
    block = bytearray(64 << 20)  # touched (zeroed) pages: RSS rises by 64 MiB
    peak_with_block = probe.peak()
    del block
    after = probe.current()
    assert peak_with_block is not None and after is not None
    assert peak_with_block >= after + (48 << 20)
    assert peak_with_block == pytest.approx(status_kib("VmHWM") * 1024, abs=1 << 20)
    assert probe.reset() is True
    peak_after_reset = probe.peak()
    assert peak_after_reset is not None
    assert peak_after_reset < peak_with_block - (48 << 20)
    assert peak_after_reset == pytest.approx(status_kib("VmHWM") * 1024, abs=1 << 20)


def lateness_round(values_ms: Sequence[int]) -> Measurement:
    """A round whose jobs started at 0 with no delay and finished `values_ms` later.

    Whole milliseconds over 1e9 are not exact binary fractions, so the test compares each
    with ms / 1000 as Python computes it: the same correctly rounded float.
    """
    return Measurement(
        model="m",
        concurrent=True,
        wall_ns=1,
        cpu_ns=0,
        ideal_s=0.0,
        delays_s=[0.0] * len(values_ms),
        starts_ns=[0] * len(values_ms),
        finishes_ns=[ms * 1_000_000 for ms in values_ms],
        values=[0] * len(values_ms),
    )


def exact_points(values: Sequence[float]) -> list[Fraction]:
    """Linear-interpolated quantiles at q = i / 1000 in exact arithmetic (numpy's default)."""
    ordered = sorted(Fraction(v) for v in values)
    points = []
    for i in range(1001):
        position = (len(ordered) - 1) * Fraction(i, 1000)
        low = math.floor(position)
        high = min(low + 1, len(ordered) - 1)
        points.append(ordered[low] + (ordered[high] - ordered[low]) * (position - low))
    return points


def test_every_job_is_pooled_below_the_cap() -> None:
    pool = LatenessPool(jobs=3, rounds=2)
    assert pool.stride == 1
    assert len(pool.values) == 6
    assert pool.summary() is None  # before any round
    pool.add(lateness_round([30, 10, 20]))
    pool.add(lateness_round([5, 40, 25]))
    assert pool.values.tolist() == [0.03, 0.01, 0.02, 0.005, 0.04, 0.025]
    assert (pool.filled, pool.rounds) == (6, 2)
    summary = pool.summary()
    assert summary is not None
    assert summary.count == 6
    assert summary.max_s == 0.04
    expected = exact_points([0.03, 0.01, 0.02, 0.005, 0.04, 0.025])
    assert summary.points[0] == 0.005 and summary.points[1000] == 0.04
    # Sorted 5, 10, 20, 25, 30, 40 ms: the median halfway between 20 and 25 ms.
    assert summary.points[500] == pytest.approx(0.0225, abs=1e-15)
    assert len(summary.points) == 1001
    for point, exact in zip(summary.points, expected, strict=True):
        assert point == pytest.approx(float(exact), rel=1e-12, abs=1e-18)


def test_above_the_cap_every_kth_job_is_kept_and_the_max_stays_exact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(probes, "LATENESS_SAMPLE_CAP", 10)
    pool = LatenessPool(jobs=7, rounds=3)  # 21 values over a cap of 10: every 3rd job
    assert pool.stride == 3
    assert len(pool.values) == 3 * 3  # jobs 0, 3 and 6 of each round
    pool.add(lateness_round([1, 900, 2, 3, 4, 5, 6]))  # job 1's 900 ms is not sampled
    pool.add(lateness_round([7, 8, 9, 10, 11, 12, 13]))
    assert pool.values.tolist()[:6] == [0.001, 0.003, 0.006, 0.007, 0.010, 0.013]
    summary = pool.summary()
    assert summary is not None
    assert summary.count == 7 * 2  # every job of the two rounds added, sampled or not
    assert summary.max_s == 0.9
    # Only the six filled values: the third round's slots, still zero, are left out.
    assert summary.points[0] == 0.001 and summary.points[1000] == 0.013


@pytest.mark.parametrize(
    ("jobs", "rounds", "stride", "per_round"),
    [(5, 2, 1, 5), (10, 1, 1, 10), (11, 1, 2, 6), (6, 3, 2, 3), (4, 5, 2, 2), (100, 1, 10, 10)],
)
def test_the_stride_is_the_fewest_jobs_apart_that_fit_the_cap(
    monkeypatch: pytest.MonkeyPatch, jobs: int, rounds: int, stride: int, per_round: int
) -> None:
    monkeypatch.setattr(probes, "LATENESS_SAMPLE_CAP", 10)
    pool = LatenessPool(jobs=jobs, rounds=rounds)
    assert pool.stride == stride
    assert len(pool.values) == per_round * rounds


def test_the_cap_keeps_the_buffer_at_32_mb() -> None:
    # 4,000,000 doubles (32 MB) hold every value; one job more halves what is kept.
    assert len(LatenessPool(jobs=2_000_000, rounds=2).values) == 4_000_000
    over = LatenessPool(jobs=4_000_001, rounds=1)
    assert (over.stride, len(over.values)) == (2, 2_000_001)


def test_the_max_of_only_early_jobs_is_the_largest_negative() -> None:
    pool = LatenessPool(jobs=2, rounds=1)
    pool.add(replace(lateness_round([0, 0]), delays_s=[0.25, 0.5]))  # both finished early
    summary = pool.summary()
    assert summary is not None
    assert summary.max_s == -0.25
    assert (summary.points[0], summary.points[1000]) == (-0.5, -0.25)
