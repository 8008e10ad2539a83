"""What a row of results is: its scenario's full definition, its model, and every other axis a
row can have (the interpreter now, the client library next), with the one label shown for it.

Every table, exporter, figure, the verdict, the gate and history key rows by `RowKey`, so two
rows that differ in any axis (`run --python 3.11,3.13`) never share a name, a series or a
benchmark. Below analysis/ and report/, beside the schema, so every reader can use it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from concurrency_bench.textsafe import visible
from concurrency_bench.workload import Scenario

if TYPE_CHECKING:
    from concurrency_bench.results.schema import ModelResult, ResultsFile, ScenarioResults

_NAMED_APART = ("name", "delays_s")
"""Scenario fields the key holds by themselves; every other field goes into `fields` as is."""
MACHINE_KEYS = ("cpu_model", "logical_cores", "machine")
"""The environment fields that say which machine measured a run (its CPU, its cores, its
architecture): what history keeps apart. Kernel, load and Python are recorded, not keyed."""


@dataclass(frozen=True)
class ScenarioKey:
    """A scenario's full definition in a small hashable form: its name, its job count, a digest
    of its delays, and every other field (ints, seed, unit, I/O kind, connections, ...)."""

    name: str
    jobs: int
    delays: str
    """A digest of the delays in seconds (a million of them hash once, not at every lookup)."""
    fields: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, scenario: Scenario) -> ScenarioKey:
        """The key of `scenario`; equal keys are equal definitions."""
        others = tuple(
            (f.name, getattr(scenario, f.name))
            for f in dataclasses.fields(scenario)
            if f.name not in _NAMED_APART
        )
        return cls(scenario.name, scenario.jobs, _digest(scenario.delays_s), others)

    @property
    def definition(self) -> tuple[object, ...]:
        """Everything but the name: two names with one definition are the same workload."""
        return (self.jobs, self.delays, self.fields)


def _digest(delays: tuple[float, ...]) -> str:
    """A digest of the delays' values (-0.0 counted as 0.0, as equality does)."""
    values = array("d", delays)
    if 0.0 in values:
        values = array("d", (d + 0.0 for d in delays))
    return hashlib.blake2b(values.tobytes(), digest_size=16).hexdigest()


def row_label(model: str, interpreter: str | None = None, client: str | None = None) -> str:
    """The one display label of a row: `asyncio-gather`, `asyncio-gather (3.13)`,
    `asyncio-gather + aiohttp (3.13)`; shown through `textsafe.visible`, so no output that
    writes it can be commanded by what a file's names hold."""
    label = model if client is None else f"{model} + {client}"
    return visible(label if interpreter is None else f"{label} ({interpreter})")


@dataclass(frozen=True)
class RowKey:
    """One row anywhere: which scenario (its full definition), which model, and under which
    interpreter (None: the harness's own) with which client library (None: the kind's own)."""

    scenario: ScenarioKey
    model: str
    interpreter: str | None = None
    client: str | None = None

    @property
    def label(self) -> str:
        """The row's label within its scenario (`row_label`)."""
        return row_label(self.model, self.interpreter, self.client)

    def title(self, separator: str = " / ") -> str:
        """The scenario's name and the row's label: `seed / asyncio-gather (3.13)`."""
        return visible(f"{self.scenario.name}{separator}{self.label}")

    @property
    def axes(self) -> tuple[str, str | None, str | None]:
        """The row without its scenario: what a scaling line follows across sizes."""
        return (self.model, self.interpreter, self.client)

    @property
    def by_name(self) -> tuple[str, str, str | None, str | None]:
        """The row with its scenario by name only: what `compare` pairs (a scenario defined
        differently is then paired and warned about, not left unpaired)."""
        return (self.scenario.name, *self.axes)


def interpreter_of(result: ModelResult) -> str | None:
    """The label of the interpreter a row ran under; None for the harness's own."""
    return None if result.python is None else result.python.label


def row_key(scenario: ScenarioKey, result: ModelResult) -> RowKey:
    """The key of a result of `scenario`: its model, interpreter and client library."""
    return RowKey(scenario, result.model, interpreter_of(result), result.client)


def order_key(result: ModelResult) -> tuple[str, str, str]:
    """Rows of one scenario in a stable order by their axes (the rank's last tie-break)."""
    return (result.model, result.client or "", interpreter_of(result) or "")


def block_rows(block: ScenarioResults) -> list[tuple[RowKey, ModelResult]]:
    """Each result of a scenario block with its key (the scenario's key computed once)."""
    scenario = ScenarioKey.of(block.scenario)
    return [(row_key(scenario, result), result) for result in block.models]


def keyed_models(results: ResultsFile) -> Iterator[tuple[Scenario, RowKey, ModelResult]]:
    """Every (scenario, key, result) of a file, in its order."""
    for block in results.scenarios:
        for key, result in block_rows(block):
            yield block.scenario, key, result


def machine_of(environment: Mapping[str, Any]) -> str:
    """Which machine measured a run, in one line (`AMD EPYC, 2 cores, x86_64`; free text shown
    through `textsafe.visible`); `?` for what the file did not record."""
    cpu, cores, arch = (environment.get(key) for key in MACHINE_KEYS)
    parts = [str(cpu) if cpu else "?", f"{cores} cores" if cores else "? cores"]
    return visible(", ".join([*parts, str(arch)] if arch else parts))
