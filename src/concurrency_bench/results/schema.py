"""The versioned results file: one run of the engine, its environment and every model's figures.

Reporters and the compare gate only read these files. Loading checks the version and the
fields, and refuses anything it does not understand with a one-line ResultsError.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from concurrency_bench.analysis.statistics import Summary, instability
from concurrency_bench.errors import InputError
from concurrency_bench.workload import Scenario

SCHEMA_VERSION = 1
FILE_MODE = 0o644
Status = Literal["ok", "wrong", "failed", "not-run", "unavailable", "interrupted"]
STATUSES: tuple[str, ...] = get_args(Status)


class ResultsError(InputError):
    """A results file that is missing, malformed, or of a version this code does not know."""


@dataclass(frozen=True)
class Round:
    """One measured round's figures."""

    wall_s: float
    cpu_s: float
    overhead_s: float


@dataclass(frozen=True)
class Lateness:
    """Per-job lateness (finish - start - delay) pooled over every measured round."""

    p50_s: float
    p99_s: float
    max_s: float


@dataclass(frozen=True)
class ModelResult:
    """Everything measured for one model on one scenario; figures are derived from `rounds`."""

    model: str
    status: Status
    concurrent: bool
    ideal_s: float
    jobs: int
    reason: str | None = None
    settings: dict[str, int | str] = field(default_factory=dict)
    rounds: tuple[Round, ...] = ()
    lateness: Lateness | None = None
    rss_before_bytes: int | None = None
    rss_peak_bytes: int | None = None

    @property
    def measured(self) -> bool:
        """True when there are rounds to summarise (ok, wrong, or interrupted midway)."""
        return bool(self.rounds)

    @property
    def ranked(self) -> bool:
        """Only models that ran and summed correctly are ranked."""
        return self.status == "ok" and self.measured

    @property
    def wall(self) -> Summary:
        """Wall time over the rounds, in seconds."""
        return Summary.of([r.wall_s for r in self.rounds])

    @property
    def overhead(self) -> Summary:
        """Wall minus ideal over the rounds, in seconds."""
        return Summary.of([r.overhead_s for r in self.rounds])

    @property
    def cpu(self) -> Summary:
        """CPU time of the worker process over the rounds, in seconds."""
        return Summary.of([r.cpu_s for r in self.rounds])

    @property
    def overhead_per_job_us(self) -> Summary:
        """Overhead per job, in microseconds."""
        return self.overhead.scaled(1e6 / self.jobs)

    @property
    def memory_per_job_bytes(self) -> float | None:
        """(peak RSS - RSS before the first round) / jobs, when the worker reported both."""
        if self.rss_peak_bytes is None or self.rss_before_bytes is None:
            return None
        return max(0, self.rss_peak_bytes - self.rss_before_bytes) / self.jobs

    @property
    def unstable(self) -> str | None:
        """Why the spread makes this result doubtful, or None."""
        if len(self.rounds) < 2:
            return None
        return instability(self.wall, self.overhead)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data; summaries are written for readers and recomputed on load."""
        data: dict[str, Any] = {
            "runner": self.model,
            "status": self.status,
            "reason": self.reason,
            "concurrent": self.concurrent,
            "ideal_s": self.ideal_s,
            "jobs": self.jobs,
            "settings": self.settings,
            "rounds": [vars(r) for r in self.rounds],
            "lateness": vars(self.lateness) if self.lateness else None,
            "rss_before_bytes": self.rss_before_bytes,
            "rss_peak_bytes": self.rss_peak_bytes,
        }
        if self.measured:
            data["summary"] = {
                "wall_s": self.wall.to_dict(),
                "overhead_s": self.overhead.to_dict(),
                "cpu_s": self.cpu.to_dict(),
                "overhead_per_job_us": self.overhead_per_job_us.to_dict(),
                "memory_per_job_bytes": self.memory_per_job_bytes,
                "unstable": self.unstable,
            }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelResult:
        """Rebuild from `to_dict` output; KeyError/TypeError/ValueError mean malformed."""
        status = data["status"]
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        lateness = data.get("lateness")
        return cls(
            model=str(data["runner"]),
            status=status,
            concurrent=bool(data["concurrent"]),
            ideal_s=float(data["ideal_s"]),
            jobs=int(data["jobs"]),
            reason=data.get("reason"),
            settings=dict(data.get("settings") or {}),
            rounds=tuple(
                Round(float(r["wall_s"]), float(r["cpu_s"]), float(r["overhead_s"]))
                for r in data["rounds"]
            ),
            lateness=Lateness(**{k: float(v) for k, v in lateness.items()}) if lateness else None,
            rss_before_bytes=data.get("rss_before_bytes"),
            rss_peak_bytes=data.get("rss_peak_bytes"),
        )


@dataclass(frozen=True)
class ScenarioResults:
    """One scenario and the results of every model asked for, in the order they ran."""

    scenario: Scenario
    models: tuple[ModelResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"scenario": self.scenario.to_dict(), "models": [m.to_dict() for m in self.models]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScenarioResults:
        """Rebuild from `to_dict` output."""
        return cls(
            Scenario.from_dict(data["scenario"]),
            tuple(ModelResult.from_dict(m) for m in data["models"]),
        )


@dataclass(frozen=True)
class RunSettings:
    """How the engine measured: the same for every model in the file."""

    rounds: int
    warmup: int
    gc: Literal["on", "off"]
    timeout_s: float | None
    sequential_budget_s: float
    rounds_per_process: int = 1
    """Measured rounds per fresh worker process; a file written before the field existed
    ran every round of a model in one worker, and loads as rounds_per_process = rounds."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSettings:
        """Rebuild from `vars()` output; an older file without rounds_per_process gets rounds."""
        fields = dict(data)
        fields.setdefault("rounds_per_process", fields.get("rounds"))
        return cls(**fields)


@dataclass(frozen=True)
class ResultsFile:
    """One engine run: when, where, how, and the results per scenario."""

    created_utc: str
    settings: RunSettings
    environment: dict[str, Any]
    scenarios: tuple[ScenarioResults, ...]
    partial: bool = False
    """True when the run was interrupted (Ctrl-C) and not every model was measured."""

    def models(self) -> Iterator[tuple[Scenario, ModelResult]]:
        """Every (scenario, model result) pair in the file."""
        for block in self.scenarios:
            for model in block.models:
                yield block.scenario, model

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data, `schema_version` first."""
        return {
            "schema_version": SCHEMA_VERSION,
            "created_utc": self.created_utc,
            "partial": self.partial,
            "settings": vars(self.settings),
            "environment": self.environment,
            "scenarios": [block.to_dict() for block in self.scenarios],
        }

    @classmethod
    def from_dict(cls, data: Any, source: str = "results") -> ResultsFile:
        """Validate and rebuild; anything unexpected is one ResultsError naming `source`."""
        if not isinstance(data, dict):
            raise ResultsError(f"{source}: not a concurrency-bench results file")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ResultsError(
                f"{source}: schema_version {version!r} is not supported (this version reads "
                f"{SCHEMA_VERSION})"
            )
        try:
            return cls(
                created_utc=str(data["created_utc"]),
                settings=RunSettings.from_dict(data["settings"]),
                environment=dict(data["environment"]),
                scenarios=tuple(ScenarioResults.from_dict(s) for s in data["scenarios"]),
                partial=bool(data.get("partial", False)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ResultsError(
                f"{source}: malformed results file ({type(exc).__name__}: {exc})"
            ) from None

    def to_json(self) -> str:
        """The file's text."""
        return json.dumps(self.to_dict(), indent=2) + "\n"
