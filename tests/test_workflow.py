"""The CI workflow: valid YAML with the structure GitHub Actions expects, running the gate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "bench.yml"


@pytest.fixture(scope="module")
def text() -> str:
    return WORKFLOW.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def workflow(text: str) -> dict[Any, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    assert len(jobs) == 1
    (job,) = jobs.values()
    assert isinstance(job["runs-on"], str)
    assert isinstance(job["steps"], list)
    for step in job["steps"]:
        assert isinstance(step, dict)
        assert ("uses" in step) != ("run" in step), f"a step needs uses or run: {step}"
    return job["steps"]


def _index(steps: list[dict[str, Any]], *, uses: str = "", run: str = "") -> int:
    for i, step in enumerate(steps):
        if uses and str(step.get("uses", "")).startswith(uses):
            return i
        if run and run in str(step.get("run", "")):
            return i
    raise AssertionError(f"no step with uses={uses!r} run={run!r}")


def test_triggers_on_push_and_pull_request(workflow: dict[Any, Any]) -> None:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    triggers = workflow.get(True, workflow.get("on"))
    assert isinstance(triggers, dict | list)
    assert "push" in triggers
    assert "pull_request" in triggers
    assert isinstance(workflow["name"], str)


def test_sets_up_python_311_and_installs_tox(steps: list[dict[str, Any]]) -> None:
    checkout = _index(steps, uses="actions/checkout@")
    setup = _index(steps, uses="actions/setup-python@")
    assert str(steps[setup]["with"]["python-version"]) == "3.11"
    install = _index(steps, run="pip install")
    assert "tox" in steps[install]["run"]
    assert checkout < setup < install


def test_runs_the_suite_then_the_gate_on_the_new_file(steps: list[dict[str, Any]]) -> None:
    bench = _index(steps, run="tox -e bench")
    gate = _index(steps, run="concurrency-bench compare --baseline")
    assert bench < gate
    script = steps[gate]["run"]
    assert "results/runs" in script  # the file this run wrote, found there
    assert "if" not in steps[gate]  # the gate runs (and fails the job) by default


def test_uploads_results_even_on_failure(steps: list[dict[str, Any]]) -> None:
    upload = steps[_index(steps, uses="actions/upload-artifact@")]
    assert upload["if"] == "always()"
    assert upload["with"]["path"].rstrip("/") == "results"
    assert upload["with"]["name"]
    assert _index(steps, run="concurrency-bench compare") < _index(
        steps, uses="actions/upload-artifact@"
    )


def test_offers_github_action_benchmark_commented_out(text: str, workflow: dict[Any, Any]) -> None:
    commented = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
    assert any("benchmark-action/github-action-benchmark@" in line for line in commented)
    assert any("tool: customSmallerIsBetter" in line for line in commented)
    assert any("output-file-path: results/ci-benchmark.json" in line for line in commented)
    assert "github-action-benchmark" not in yaml.safe_dump(workflow)  # optional: not active
