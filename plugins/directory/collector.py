"""Python's cycle collector during a build.

A build keeps millions of small objects alive at once (the profiles, their marks, the
incremental cache, the search terms). With the default thresholds the collector walks all of
them every few hundred thousand allocations: at 10,000 profiles that was a quarter of an
incremental build's time. Between the build's first and last signal the collector runs
rarely instead; the objects a build makes are freed by reference counting, so memory stays
the same (the peak RSS is measured in the README's table).
"""

from __future__ import annotations

import gc

# Young objects before a collection, then how many of those before each older generation's.
BUILD_THRESHOLDS = (50_000, 20, 10)
_outside: tuple[int, int, int] | None = None  # the thresholds to restore after the build


def relax() -> None:
    global _outside
    if _outside is None:
        _outside = gc.get_threshold()
    gc.set_threshold(*BUILD_THRESHOLDS)


def restore() -> None:
    global _outside
    if _outside is not None:
        gc.set_threshold(*_outside)
        _outside = None
