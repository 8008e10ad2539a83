"""The CI workflow: valid YAML with the structure GitHub Actions expects: pull requests gated
by `ab` (base and head built with every model's package and measured on one runner), a matrix
of operating systems and Pythons that runs `tox` (tests, lint, type) and the benchmark suite,
whose results files are merged into one report."""

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
def jobs(workflow: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    found = workflow["jobs"]
    assert isinstance(found, dict)
    assert set(found) == {"ab-gate", "bench", "new-pythons", "report"}
    for job in found.values():
        assert isinstance(job["runs-on"], str)
        assert isinstance(job["steps"], list)
        for step in job["steps"]:
            assert isinstance(step, dict)
            assert ("uses" in step) != ("run" in step), f"a step needs uses or run: {step}"
    return found


def _index(steps: list[dict[str, Any]], *, uses: str = "", run: str = "") -> int:
    for i, step in enumerate(steps):
        if uses and str(step.get("uses", "")).startswith(uses):
            return i
        if run and run in str(step.get("run", "")):
            return i
    raise AssertionError(f"no step with uses={uses!r} run={run!r}")


def test_triggers_on_pushes_to_main_and_pull_requests(workflow: dict[Any, Any]) -> None:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    triggers = workflow.get(True, workflow.get("on"))
    assert isinstance(triggers, dict)
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers
    assert isinstance(workflow["name"], str)


def test_pull_requests_build_base_and_head_and_gate_with_ab(
    jobs: dict[str, dict[str, Any]], text: str
) -> None:
    job = jobs["ab-gate"]
    assert job["if"] == "github.event_name == 'pull_request'"
    steps = job["steps"]
    checkout = steps[_index(steps, uses="actions/checkout@")]
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    assert checkout["with"]["fetch-depth"] == 0  # the base commit must be there too
    base = _index(steps, run="github.event.pull_request.base.sha")
    assert 'pip install "$RUNNER_TEMP/base-src[models]"' in steps[base]["run"]
    new = _index(steps, run='new/bin/python" -m pip install ".[models]"')
    gate = _index(steps, run='concurrency-bench" ab')
    script = steps[gate]["run"]
    assert '--base "$RUNNER_TEMP/base/bin/python"' in script
    assert '--new "$RUNNER_TEMP/new/bin/python"' in script
    assert "if" not in steps[gate]  # the gate runs (and fails the job) by default
    assert base < gate and new < gate
    upload = steps[_index(steps, uses="actions/upload-artifact@")]
    assert upload["if"] == "always()"
    assert gate < _index(steps, uses="actions/upload-artifact@")
    assert "compare --baseline" not in text  # no baseline from another machine


def test_a_matrix_of_systems_and_pythons_runs_the_bench_and_uploads_each_file(
    jobs: dict[str, dict[str, Any]],
) -> None:
    job = jobs["bench"]
    assert job["runs-on"] == "${{ matrix.os }}"
    matrix = job["strategy"]["matrix"]
    assert job["strategy"]["fail-fast"] is False  # one environment failing keeps the others
    assert set(matrix["os"]) == {"ubuntu-latest", "macos-latest"}
    assert [str(v) for v in matrix["python"]] == ["3.11", "3.12", "3.13"]
    steps = job["steps"]
    setup = steps[_index(steps, uses="actions/setup-python@")]
    assert setup["with"]["python-version"] == "${{ matrix.python }}"
    bench = _index(steps, run="tox -e bench")
    keep = _index(steps, run="matrix/${{ matrix.os }}-py${{ matrix.python }}.json")
    upload_index = _index(steps, uses="actions/upload-artifact@")
    upload = steps[upload_index]
    assert bench < keep < upload_index
    assert upload["if"] == "always()"
    assert "${{ matrix.os }}" in upload["with"]["name"]
    assert "${{ matrix.python }}" in upload["with"]["name"]
    assert "matrix/" in upload["with"]["path"]


def test_the_matrix_runs_tox_installed_through_the_pins_before_the_bench(
    jobs: dict[str, dict[str, Any]],
) -> None:
    steps = jobs["bench"]["steps"]
    install = _index(steps, run="pip install -c requirements/constraints.txt tox")
    tox = next(i for i, step in enumerate(steps) if step.get("run") == "tox")  # tests, lint, type
    assert "if" not in steps[tox]  # a failing test fails the job
    assert install < tox < _index(steps, run="tox -e bench")


def test_new_pythons_install_what_has_builds_and_run_the_new_models(
    jobs: dict[str, dict[str, Any]],
) -> None:
    job = jobs["new-pythons"]
    assert job["strategy"]["fail-fast"] is False
    assert [str(v) for v in job["strategy"]["matrix"]["python"]] == ["3.14", "3.14t", "3.15"]
    steps = job["steps"]
    setup = steps[_index(steps, uses="actions/setup-python@")]
    assert setup["with"] == {"python-version": "${{ matrix.python }}", "allow-prereleases": True}
    install = steps[_index(steps, run="pip install -e .")]["run"]
    assert "|| echo" in install  # an extra without a build for this Python never fails the job
    run = _index(steps, run="concurrency-bench run")
    for model in ("asyncio-threads", "uvloop-threads", "interpreters"):
        assert model in steps[run]["run"]
    keep = _index(steps, run="matrix/ubuntu-latest-py${{ matrix.python }}.json")
    upload = steps[_index(steps, uses="actions/upload-artifact@")]
    assert upload["with"]["name"] == "bench-ubuntu-latest-py${{ matrix.python }}"  # merged too
    assert _index(steps, run="concurrency-bench list") < run <= keep


def test_a_final_job_merges_the_matrix_into_one_report(jobs: dict[str, dict[str, Any]]) -> None:
    job = jobs["report"]
    assert job["needs"] == ["bench", "new-pythons"]
    assert job["if"] == "always()"  # a report of the environments that finished
    steps = job["steps"]
    download = steps[_index(steps, uses="actions/download-artifact@")]
    assert download["with"]["pattern"] == "bench-*"
    merge = _index(steps, run="concurrency-bench report $files")
    assert _index(steps, run="pip install .") < merge
    assert _index(steps, uses="actions/download-artifact@") < merge
    assert "GITHUB_STEP_SUMMARY" in steps[merge]["run"]
    assert merge < _index(steps, uses="actions/upload-artifact@")


def test_offers_github_action_benchmark_commented_out(text: str, workflow: dict[Any, Any]) -> None:
    commented = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
    assert any("benchmark-action/github-action-benchmark@" in line for line in commented)
    assert any("tool: customSmallerIsBetter" in line for line in commented)
    assert any("output-file-path: results/ci-benchmark.json" in line for line in commented)
    assert "github-action-benchmark" not in yaml.safe_dump(workflow)  # optional: not active


def test_a_scheduled_job_reports_drift_against_the_newest_releases_without_blocking() -> None:
    drift = yaml.safe_load((WORKFLOW.parent / "drift.yml").read_text(encoding="utf-8"))
    triggers = drift.get(True, drift.get("on"))
    assert set(triggers) == {"schedule", "workflow_dispatch"}  # never a gate on a push or PR
    (job,) = drift["jobs"].values()
    assert job["continue-on-error"] is True
    runs = [step.get("run", "") for step in job["steps"]]
    lock = next(i for i, run in enumerate(runs) if run == "tox -e lock")
    test = next(i for i, run in enumerate(runs) if run == "tox -r")
    assert lock < test
