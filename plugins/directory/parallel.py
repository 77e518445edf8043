"""Two cores for the two slow loops of a large build: rendering Markdown and rendering pages.

Jinja and Python-Markdown are pure Python, so threads would take turns on one core. A forked
process shares everything built so far (view models, compiled templates) without pickling
it, takes every second item, and hands its results back through a pipe; the order of the
results, and so every byte of the output, is the same as in a single process. Small builds,
and systems without fork, stay in one process: a fork costs more than it saves there, and a
test process with threads (the browser tests') is best not forked at all.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback

PARALLEL_MIN = 3000  # items; the sample site and the tests' sites stay in one process


def workers() -> int:
    if not hasattr(os, "fork"):
        return 1
    try:
        return min(2, len(os.sched_getaffinity(0)))
    except AttributeError:
        return min(2, os.cpu_count() or 1)


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
    if len(items) < PARALLEL_MIN or workers() < 2:
        done = _run_here(items, work, progress, results)
        return done if results else None

    theirs, mine = items[1::2], items[0::2]
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the second process: its half, its results to the pipe, then out
        os.close(read)
        status = 0
        try:
            values = [work(item) for item in theirs]
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(values if results else None, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
            status = 1
        os._exit(status)  # no atexit handlers, no second flush of the parent's buffers

    os.close(write)
    try:
        values = _run_here(mine, work, progress, results)
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()  # before waiting: a full pipe would block the other process
        read = None
    finally:
        if read is not None:
            os.close(read)
        _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        raise RuntimeError("the second rendering process failed (its error is printed above)")
    if progress is not None:
        progress.advance(len(theirs))
    if not results:
        return None
    theirs_values = pickle.loads(data)
    merged = []
    for index in range(len(items)):
        merged.append(values[index // 2] if index % 2 == 0 else theirs_values[index // 2])
    return merged
