"""kinds/: the registry, a kind defined outside the package run by every model through the
engine, and the engine's server lifecycle driven by whatever server a kind declares."""

from __future__ import annotations

import argparse
import platform
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from concurrency_bench.cli.args import add_io_arguments
from concurrency_bench.engine import EngineOptions, measure_all
from concurrency_bench.engine.servers import ScenarioServers
from concurrency_bench.errors import InputError
from concurrency_bench.kinds.base import IoJobs, Kind, Settings
from concurrency_bench.kinds.registry import (
    BUILTIN,
    KINDS,
    KindSpec,
    get_kind,
    io_help,
    kind_names,
    register,
    unregister,
)
from concurrency_bench.kinds.servers import Placement, Server, ServerAddress, ServerError
from concurrency_bench.kinds.timer import TIMER_JOBS
from concurrency_bench.results.store import parse_bytes
from concurrency_bench.runners import REGISTRY, available_specs
from concurrency_bench.workload import Scenario, build_payloads, expected_sums
from extra_kinds.halves import HALVES_LOG_ENV

HALVES = KindSpec("halves", "extra_kinds.halves", "its own sleep, in two halves", suffix="-halves")
"""The one line a new kind takes (here registered at run time instead of written in BUILTIN)."""


@pytest.fixture
def halves() -> Iterator[KindSpec]:
    register(HALVES)
    yield HALVES
    unregister(HALVES.name)


# -- the registry -------------------------------------------------------------------------------


def test_every_builtin_kind_loads_a_kind_with_its_declared_name() -> None:
    assert kind_names()[: len(BUILTIN)] == ("timer", "tcp", "http", "postgres")
    for spec in BUILTIN:
        if spec.name != "postgres" or spec.unavailable_reason() is None:  # a server to install
            assert isinstance(spec.load(), Kind), spec.name
    assert get_kind("timer").load().server(Placement(None, None)) is None
    assert get_kind("tcp").load().server(Placement(None, None)) is not None
    assert get_kind("http").load().server(Placement(None, None)) is not None


def test_an_unknown_kind_is_bad_input_naming_the_known_ones() -> None:
    with pytest.raises(
        InputError, match=r"^`io` must be one of: timer, tcp, http, postgres; got 'udp'$"
    ):
        get_kind("udp")


def test_suffix_and_options_come_from_the_kind() -> None:
    tcp = get_kind("tcp")
    assert (tcp.name_suffix(), tcp.name_suffix(connections=8)) == ("-tcp", "-tcp-c8")
    assert get_kind("timer").name_suffix(connections=8) == ""  # timer takes no connections
    option = tcp.option("connections")
    assert option is not None and (option.low, option.high) == (1, 100_000)
    assert get_kind("timer").option("connections") is None


def test_registering_adds_a_kind_everywhere_and_unregistering_removes_it(
    halves: KindSpec,
) -> None:
    assert kind_names()[-1] == "halves" and "halves (its own sleep" in io_help()
    parser = argparse.ArgumentParser()
    add_io_arguments(parser)
    args = parser.parse_args(["--io", "halves"])
    assert Scenario.uniform(2, 0.01).with_io(args.io).name == "uniform-2x10ms-100ints-halves"
    register(HALVES)  # the same spec again: nothing changes
    with pytest.raises(ValueError, match="different kind named 'halves'"):
        register(KindSpec("halves", "elsewhere", "another"))
    with pytest.raises(
        InputError, match="`connections` needs --io tcp or http or postgres \\(halves jobs open no"
    ):
        Scenario.uniform(2, 0.01).with_io("halves", 3)
    with pytest.raises(ValueError, match="built-in"):
        unregister("tcp")


def test_after_unregistering_the_kind_is_unknown() -> None:
    register(HALVES)
    unregister(HALVES.name)
    assert "halves" not in KINDS
    with pytest.raises(InputError, match="`io` must be one of"):
        Scenario.uniform(2, 0.01).with_io("halves")


def test_a_kind_that_needs_a_missing_package_says_so_without_importing() -> None:
    missing = KindSpec("nope", "no.such.module", "x", requires=("no_such_package_for_tests",))
    assert missing.unavailable_reason() == (
        "--io nope needs package no_such_package_for_tests (pip install no_such_package_for_tests)"
    )
    with pytest.raises(InputError, match="needs package"):
        missing.load()


def test_a_kinds_own_check_is_its_reason_and_stops_its_load() -> None:
    # any `module:function` answering a reason (a server program not found) or None
    checked = KindSpec("checked", "no.such.module", "x", check="platform:python_implementation")
    assert checked.unavailable_reason() == platform.python_implementation()
    with pytest.raises(InputError, match=platform.python_implementation()):
        checked.load()


# -- a new kind, run by every model through the engine -------------------------------------------


def test_a_kind_defined_in_the_tests_runs_every_model_with_right_sums(
    halves: KindSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "families.log"
    monkeypatch.setenv(HALVES_LOG_ENV, str(log))
    scenario = Scenario.uniform(6, 0.02, ints_per_job=7, seed=3).with_io("halves")
    specs = available_specs()
    results = measure_all(specs, [scenario], EngineOptions(rounds=1, warmup=0))
    (block,) = results.scenarios
    assert (block.scenario.name, block.scenario.io) == ("uniform-6x20ms-7ints-halves", "halves")
    for row in block.models:
        assert (row.model, row.status, row.reason) == (row.model, "ok", None)
        assert row.settings["waits"] == "two halves", row.model
    assert [row.model for row in block.models] == [spec.name for spec in specs]
    asked = set(log.read_text(encoding="ascii").split("\n")) - {""}
    families = {"blocking", "asyncio", "processes", "structured trio", "structured anyio"}
    available = {spec.name for spec in specs}
    if "trio" not in available:
        families.discard("structured trio")
    if "anyio-asyncio" not in available:
        families.discard("structured anyio")
    assert families | {f"preload {family.split()[0]}" for family in families} == asked
    assert parse_bytes(results.to_json().encode()).scenarios[0].scenario == scenario  # io kept


def test_a_runner_asks_its_io_and_defaults_to_the_timer() -> None:
    runner = REGISTRY["sync"].load()
    assert runner.io is TIMER_JOBS
    scenario = Scenario.uniform(3, 0.0, ints_per_job=4)
    payloads = build_payloads(scenario)
    records = runner.run(scenario.delays_s, payloads)
    assert [value for _, _, value in records] == expected_sums(payloads)


# -- the engine's server lifecycle, for any kind's server ----------------------------------------


class FakeServer(Server):
    """Records what the engine asks of it; fails to start when told to."""

    name = "the fake server"
    calls: ClassVar[list[str]] = []
    refuse = False

    def start(self, scenario: Scenario) -> None:
        self.calls.append(f"start {scenario.name}")
        self.running = not self.refuse
        if self.refuse:
            raise ServerError("no port for you")

    def fault(self) -> str | None:
        return None if self.running else "was told to stop"

    def address(self, scenario: Scenario) -> ServerAddress:
        return ServerAddress(
            host="here", port=1, token=0, client_cpus=None, settings={"s": 1}, extra={"k": "v"}
        )

    def stop(self) -> None:
        self.calls.append("stop")
        self.running = False


class ServedKind(Kind):
    """A kind whose only interest is its server."""

    def server(self, placement: Placement) -> Server:
        return FakeServer()

    def open(
        self, server: ServerAddress | None, scenario: Scenario, at_once: int
    ) -> tuple[IoJobs, Settings]:
        return TIMER_JOBS, {}


KIND = ServedKind()


@pytest.fixture
def served() -> Iterator[Scenario]:
    register(KindSpec("served", __name__, "a fake server's reply", suffix="-served"))
    FakeServer.calls.clear()
    FakeServer.refuse = False
    yield Scenario.uniform(2, 0.01).with_io("served")
    unregister("served")


def test_a_kinds_server_starts_once_per_scenario_and_stops_with_the_run(
    served: Scenario,
) -> None:
    timer = Scenario.uniform(2, 0.01)
    with ScenarioServers(Placement(None, None)) as servers:
        assert servers.address(timer) is None and servers.down(timer) is None
        first = servers.address(served)
        assert first is not None and first.extra == {"k": "v"}
        assert servers.address(served) == first  # the same server, started once
        assert FakeServer.calls == [f"start {served.name}"]
        servers.handles[served.name].stop()  # it dies between two workers
        assert servers.address(served) is None
        assert servers.down(served) == "the fake server was told to stop"
        assert served.name not in servers.handles  # stopped once found down, never asked again
    assert FakeServer.calls == [f"start {served.name}", "stop", "stop"]


def test_a_server_that_does_not_start_is_the_reason_named_with_its_kinds_words(
    served: Scenario,
) -> None:
    FakeServer.refuse = True
    with ScenarioServers(Placement(None, None)) as servers:
        assert servers.address(served) is None
        assert servers.down(served) == "the fake server did not start: no port for you"
        assert servers.address(served) is None  # not tried again
    assert FakeServer.calls.count(f"start {served.name}") == 1


def test_a_model_no_client_runs_on_is_unavailable_only_where_the_kind_has_no_own_jobs() -> None:
    assert get_kind("tcp").clientless_reason("trio") is None  # trio's own streams
    assert get_kind("postgres").clientless_reason("asyncio-gather") is None
    reason = get_kind("postgres").clientless_reason("trio")
    assert reason is not None and reason.startswith("no --io postgres client runs on trio")
