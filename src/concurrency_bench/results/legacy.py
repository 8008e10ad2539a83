"""Schema 1 to schema 2: the one converter, so old files (the committed baseline) still load.

Schema 1 flattened a model's rounds over its workers. Its `settings.rounds_per_process`
says how they were spread (a file written before that field ran every round in one
worker), so the rounds are cut back into one run per worker; pids and warm-up times were
not kept and stay unknown (None, empty). Stored summaries are dropped: they are derived.
Schema 1 named a row's model `runner`: that key is read as `model` (the one word every output
uses; `runner` is never written).
"""

from __future__ import annotations

from typing import Any

LEGACY_VERSION = 1


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """A schema-1 file's parsed JSON as schema-2 data (validated afterwards like any file).

    Malformed input is passed on as it is where it cannot be converted, so that the schema-2
    validation names the field that is wrong; a ValueError names what contradicts itself.
    """
    out = dict(data)
    out["schema_version"] = 2
    settings = out.get("settings")
    per_process: object = None
    if isinstance(settings, dict):
        settings = dict(settings)
        settings.setdefault("rounds_per_process", settings.get("rounds"))
        per_process = settings["rounds_per_process"]
        out["settings"] = settings
    blocks = out.get("scenarios")
    if isinstance(blocks, list):
        out["scenarios"] = [_block(block, per_process) for block in blocks]
    return out


def _block(block: Any, per_process: object) -> Any:
    if not isinstance(block, dict):
        return block
    block = dict(block)
    scenario = block.get("scenario")
    if isinstance(scenario, dict):
        jobs, delays = scenario.get("jobs"), scenario.get("delays_s")
        if "jobs" in scenario and isinstance(delays, list) and not _count_of(jobs, delays):
            raise ValueError(f"scenario has jobs {jobs!r} but {len(delays)} delays_s")
        block["scenario"] = {k: v for k, v in scenario.items() if k != "jobs"}
    models = block.get("models")
    if isinstance(models, list):
        block["models"] = [_model(model, per_process) for model in models]
    return block


def _count_of(jobs: object, delays: list[Any]) -> bool:
    return type(jobs) is int and jobs == len(delays)


def _model(model: Any, per_process: object) -> Any:
    if not isinstance(model, dict):
        return model
    model = {k: v for k, v in model.items() if k != "summary"}
    if "runner" in model:
        model["model"] = model.pop("runner")
    rounds = model.pop("rounds", None)
    if isinstance(rounds, list):
        step = per_process if isinstance(per_process, int) and per_process > 0 else len(rounds)
        step = max(1, step)
        model["runs"] = [
            {"pid": None, "warmups": [], "values": rounds[start : start + step]}
            for start in range(0, len(rounds), step)
        ]
    elif rounds is not None:
        model["runs"] = rounds  # not a list: let validation name it
    return model
