"""anyio on its trio backend."""

from __future__ import annotations

from concurrency_bench.runners.anyio_common import AnyioRunner


class AnyioTrioRunner(AnyioRunner):
    """anyio task group driven by trio."""

    backend = "trio"


RUNNER = AnyioTrioRunner
