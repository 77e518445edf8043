"""Python's cycle collector during a build.

A build keeps millions of small objects alive at once (the profiles, their marks, the
incremental cache, the search terms). With the default thresholds the collector walks all of
them every few hundred thousand allocations: at 10,000 profiles that was a quarter of an
incremental build's time. Between the build's first and last signal the collector runs
rarely instead; the objects a build makes are freed by reference counting, so memory stays
the same (the peak RSS is measured in the README's table). What lives until the build ends
(the incremental cache once read, the directory once built) is frozen out of its sight.
"""

from __future__ import annotations

import gc
import os

# Young objects before a collection, then how many of those before each older generation's.
BUILD_THRESHOLDS = (50_000, 20, 10)
_outside: tuple[int, int, int] | None = None  # the thresholds to restore after the build
_frozen = False  # whether settle() froze what was alive


def relax() -> None:
    global _outside
    if _outside is None:
        _outside = gc.get_threshold()
    gc.set_threshold(*BUILD_THRESHOLDS)


def settle() -> None:
    """Everything alive now lives until the build ends (the incremental cache just read, the
    directory just built): out of the collector's sight until restore(). Unpickled or
    freshly built, those millions of objects are all young, and each of the next collections
    of young objects would walk them all again (half a second of a rebuild at 10,000
    profiles)."""
    global _frozen
    if _outside is not None:  # only within a build
        gc.freeze()
        _frozen = True


def fork() -> int:
    """os.fork, with everything alive out of the collector's sight in the forked process, so
    that a collection there does not write to (and so copy) every page it shares with this
    one, as Python's gc.freeze documentation recommends. In this process the objects are
    collectable again afterwards, unless settle() has frozen them for the build already."""
    gc.freeze()
    pid = os.fork()
    if pid and not _frozen:
        gc.unfreeze()
    return pid


def restore() -> None:
    global _outside, _frozen
    if _frozen:
        gc.unfreeze()  # collectable again, with the oldest generation
        _frozen = False
    if _outside is not None:
        gc.set_threshold(*_outside)
        _outside = None
