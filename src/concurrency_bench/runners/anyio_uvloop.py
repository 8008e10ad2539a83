"""anyio on its asyncio backend, running on a uvloop event loop."""

from __future__ import annotations

from typing import Any, ClassVar

from concurrency_bench.runners.anyio_common import AnyioRunner


class AnyioUvloopRunner(AnyioRunner):
    """anyio task group driven by asyncio on uvloop (anyio's `use_uvloop` backend option)."""

    backend = "asyncio"
    backend_options: ClassVar[dict[str, Any]] = {"use_uvloop": True}
    loop_module = "uvloop"


RUNNER = AnyioUvloopRunner
