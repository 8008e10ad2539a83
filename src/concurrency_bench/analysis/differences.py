"""What differs between two results files apart from the figures: a scenario's definition, the
environment, the engine settings; the gate, the history and the pages warn with these lines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from concurrency_bench.results import RunSettings
from concurrency_bench.workload import Scenario

IGNORED_ENVIRONMENT_KEYS = ("git", "packages.concurrency-bench", "load_average")
"""Keys (and their sub-keys) that differ by design: the code being compared, not its setting,
and the load average, which is recorded to explain a noisy file and differs on every run."""
COMPARED_SETTINGS = ("gc", "warmup", "rounds", "rounds_per_process")


def scenario_differences(pairs: Iterable[tuple[Scenario, Scenario]]) -> list[str]:
    """One warning per scenario name whose definition differs between the files."""
    warnings: dict[str, str] = {}
    for base, new in pairs:
        if base.name in warnings or base == new:
            continue
        before, after = _definition(base), _definition(new)
        fields = [key for key, value in before.items() if after.get(key) != value]
        warnings[base.name] = f"scenario {base.name!r} is defined differently ({', '.join(fields)})"
    return list(warnings.values())


def _definition(scenario: Scenario) -> dict[str, Any]:
    """A scenario's stored fields and its job count (the first thing a reader wants named)."""
    fields: dict[str, Any] = msgspec.to_builtins(scenario)
    del fields["name"]
    return {"jobs": scenario.jobs, **fields}


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def environment_differences(base: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Lines "key: base value -> new value" for each top-level key both environments record.

    Nested mappings (package versions) are compared key by key, a key missing on one side
    shown as "absent"; keys one file lacks altogether, and IGNORED_ENVIRONMENT_KEYS, are not.
    """
    differences = []
    for key in base:
        if key not in new or _ignored(key):
            continue
        old_value, new_value = base[key], new[key]
        if isinstance(old_value, Mapping) and isinstance(new_value, Mapping):
            old_flat, new_flat = _flatten(old_value, f"{key}."), _flatten(new_value, f"{key}.")
            for sub in dict.fromkeys([*old_flat, *new_flat]):
                before, after = old_flat.get(sub, _ABSENT), new_flat.get(sub, _ABSENT)
                if before != after and not _ignored(sub):
                    differences.append(f"{sub}: {_show(before)} -> {_show(after)}")
        elif old_value != new_value:
            differences.append(f"{key}: {_show(old_value)} -> {_show(new_value)}")
    return differences


def _ignored(key: str) -> bool:
    return any(key == k or key.startswith((f"{k}_", f"{k}.")) for k in IGNORED_ENVIRONMENT_KEYS)


def settings_differences(
    base: RunSettings, new: RunSettings, *, skip: Iterable[str] = ()
) -> list[str]:
    """The engine settings that change the figures (GC, warm-ups) or what the test can trust
    (rounds, and how many of them share a process)."""
    return [
        f"{name}: {_show(getattr(base, name))} -> {_show(getattr(new, name))}"
        for name in COMPARED_SETTINGS
        if name not in skip and getattr(base, name) != getattr(new, name)
    ]


_ABSENT = object()


def _show(value: object) -> str:
    return "absent" if value is _ABSENT else str(value)
