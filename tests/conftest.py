"""Shared fixtures: one fixture parametrised over every registered model."""

from __future__ import annotations

import pytest

from concurrency_bench.runners import REGISTRY, ModelSpec


def _runner_params() -> list[object]:
    return [
        pytest.param(
            spec,
            id=spec.name,
            marks=pytest.mark.skipif(not spec.available, reason=spec.unavailable_reason() or ""),
        )
        for spec in REGISTRY.values()
    ]


@pytest.fixture(params=_runner_params())
def runner_spec(request: pytest.FixtureRequest) -> ModelSpec:
    """Every model in the registry; unavailable ones are skipped with their reason."""
    spec: ModelSpec = request.param
    return spec
