"""Two cores for the slow loops of a large build: loading, checking, rendering Markdown.

Jinja and Python-Markdown are pure Python, so threads would take turns on one core. A forked
process shares everything built so far (view models, compiled templates) without pickling
it and hands its results back through a pipe. split() gives it every second item; a
HeadStart lets it begin before the results are needed, taking items from the front while
this process does other work. Either way the order of the results, and so every byte of the
output, is the same as in a single process. Small builds, and systems without fork, stay in
one process: a fork costs more than it saves there, and a test process with threads (the
browser tests') is best not forked at all.
"""

from __future__ import annotations

import os

from .background import Job, Shares

PARALLEL_MIN = 1000  # items; below, a fork costs about what it saves (the sample site: one process)
ITEMS_PER_SHARE = 16  # items taken at a time by each process of a HeadStart


def workers() -> int:
    if not hasattr(os, "fork"):
        return 1
    try:
        return min(2, len(os.sched_getaffinity(0)))
    except AttributeError:
        return min(2, os.cpu_count() or 1)


def worth_forking(count: int) -> bool:
    """Whether ``count`` items are worth a second process on this machine."""
    return count >= PARALLEL_MIN and workers() > 1


def _run_here(items: list, work, progress, results: bool) -> list:
    """``work(item)`` for each item in this process, counted on ``progress``; the results
    when ``results`` is set, else an empty list."""
    done = []
    for item in items:
        value = work(item)
        if results:
            done.append(value)
        if progress is not None:
            progress.advance()
    return done


def split(items: list, work, progress=None, results: bool = False) -> list | None:
    """``work(item)`` for every item, shared with a second process when the list is long;
    returns the results in order when ``results`` is set. ``progress`` (a progress.Stage)
    counts the items done."""
    if not worth_forking(len(items)):
        done = _run_here(items, work, progress, results)
        return done if results else None

    theirs, mine = items[1::2], items[0::2]

    def their_half():
        values = [work(item) for item in theirs]
        return values if results else None  # nothing to send back for work done in place

    job = Job(their_half, "the second rendering process")
    try:
        values = _run_here(mine, work, progress, results)
    except BaseException:
        job.cancel()
        raise
    theirs_values = job.result()
    if progress is not None:
        progress.advance(len(theirs))
    if not results:
        return None
    merged = []
    for index in range(len(items)):
        merged.append(values[index // 2] if index % 2 == 0 else theirs_values[index // 2])
    return merged


class HeadStart:
    """``work(item)`` for every item, begun in a forked process at once, while this process
    goes on with work of its own (a build validates, relates and dates its profiles: mostly
    on one core). The forked process takes items from the front (background.Shares);
    results() takes the ones it has not reached from the back, here, until the two meet, and
    returns every result in order. Unlike split(), neither half is fixed in advance: the
    forked process's share is as large as the time it had. It makes way (Job's ``yields``)
    for the work this process shares out meanwhile (the schema checks, split in two halves
    that each wait for the slower)."""

    def __init__(self, items: list, work, name: str):
        self.items, self.work = items, work
        self.shares = Shares(len(items))
        self.job = Job(self._from_the_front, name, yields=True)

    def _from_the_front(self) -> list:
        values = []
        while taken := self.shares.front(ITEMS_PER_SHARE):
            values.extend(self.work(self.items[index]) for index in taken)
        return values  # of items[:len(values)]

    def results(self) -> list:
        mine = []  # shares, from the last
        try:
            while taken := self.shares.back(ITEMS_PER_SHARE):
                mine.append([self.work(self.items[index]) for index in taken])
        except BaseException:
            self.job.cancel()
            raise
        values = self.job.result()
        for share in reversed(mine):
            values.extend(share)
        return values
