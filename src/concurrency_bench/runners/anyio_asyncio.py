"""anyio on its asyncio backend."""

from __future__ import annotations

from concurrency_bench.runners.anyio_common import AnyioRunner


class AnyioAsyncioRunner(AnyioRunner):
    """anyio task group driven by asyncio."""

    backend = "asyncio"


RUNNER = AnyioAsyncioRunner
