"""Python's cycle collector during a build.

A build keeps millions of small objects alive at once (the profiles, their marks, the
incremental cache, the search terms). With the default thresholds the collector walks all of
them every few hundred thousand allocations: at 10,000 profiles that was a quarter of an
incremental build's time. Even made rare (a collection of young objects every 50,000
allocations), its collections cost a first build of 10,000 profiles 0.2 s of this process's
CPU and 0.1 s of its forked jobs', to find some 30,000 objects in reference cycles: a few
MB. So between the build's first and last signal the collector does not run at all (forked
jobs inherit that); the objects a build makes are freed by reference counting, and the few
cycles wait for the collector's next run after the build.
"""

from __future__ import annotations

import gc
import os

# During a build, whether the collector was enabled before it; None outside a build
_enabled_before: bool | None = None


def relax() -> None:
    """The build begins: no collection until restore()."""
    global _enabled_before
    if _enabled_before is None:
        _enabled_before = gc.isenabled()
    gc.disable()


def fork() -> int:
    """os.fork, with everything alive out of the collector's sight in the forked process, so
    that a collection there does not write to (and so copy) every page it shares with this
    one, as Python's gc.freeze documentation recommends (the collector is off during a build,
    but `invoke validate` forks too). In this process the objects are collectable again
    afterwards."""
    gc.freeze()
    pid = os.fork()
    if pid:
        gc.unfreeze()
    return pid


def restore() -> None:
    """The build has ended: the collector as it was before. What the build left alive is
    moved into the oldest generation first (gc.freeze resets the count of young objects,
    gc.unfreeze puts what it froze in the oldest generation): else, everything the build
    made being young, the first collection after it walked it all (0.1 s at 10,000
    profiles, at the end of every build)."""
    global _enabled_before
    if _enabled_before is not None and not gc.get_freeze_count():  # nobody else froze any
        gc.freeze()
        gc.unfreeze()
    if _enabled_before:
        gc.enable()
    _enabled_before = None
