"""One piece of a build run by a forked process while this one goes on with the rest.

A rebuild after one edit leaves the second core idle: most pages are linked, few rendered.
The search index (search/index.py) needs only the directory and the cache, both made
before any page is rendered, so it can be made beside the pages instead of after them. The
forked process shares everything built so far without pickling it, writes its files into the
staging folder, and hands back a small result through a pipe; the build waits for it before
it goes on past the point where the result is needed, and a failed build stops it
(reporting.abandon) before the staging folder is removed.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import traceback


MIN_PROFILES = 3000  # as parallel.PARALLEL_MIN: the sample site and the tests' stay in one process


class Forked:
    """``work()`` in a forked process; ``result()`` waits for it and returns its value."""

    def __init__(self, work):
        sys.stdout.flush()
        sys.stderr.flush()
        self._read, write = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the forked process: the work, its value to the pipe, then out
            os.close(self._read)
            status = 0
            try:
                value = work()
                with os.fdopen(write, "wb") as pipe:
                    pickle.dump(value, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
                status = 1
            os._exit(status)  # no atexit handlers, no second flush of the parent's buffers
        os.close(write)

    def result(self):
        """The work's value; RuntimeError if it failed (its error is printed already)."""
        if self._pid is None:
            raise RuntimeError("the background work was abandoned")
        try:
            with os.fdopen(self._read, "rb") as pipe:
                data = pipe.read()  # before waiting: a full pipe would block the other process
        finally:
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
        if status != 0 or not data:
            raise RuntimeError("the background process failed (its error is printed above)")
        return pickle.loads(data)

    def abandon(self) -> None:
        """Stop the process (a failed build), if it still runs."""
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self._pid, 0)
        os.close(self._read)
        self._pid = None
