"""Background work in a forked process, for the second core of a large build.

Jinja, Python-Markdown and the index builder are pure Python, so threads would take turns on
one core. A forked process starts with everything built so far (the directory, view models,
compiled templates) without pickling any of it; it sends back only its return value, pickled,
through a pipe. A large build makes its search index and its open data that way
(search/index.py, open_data.py); a first build also renders its descriptions' Markdown while
it validates (parallel.HeadStart) and its pages in a forked process (pages.BackgroundPages),
and this process, whenever it would wait for one of the others' results, renders pages from
the other end instead (Job.ready, pages.result_rendering_pages).
A forked process never touches the parent's progress bars (their lock may be held by rich's
refresh thread at the moment of the fork) and prints only its own traceback.

A job that is still running when the build fails, or when the interpreter exits, is killed
and reaped: it must not go on writing into a staging folder that is being removed.
"""

from __future__ import annotations

import atexit
import mmap
import multiprocessing
import os
import pickle
import select
import signal
import struct
import sys
import traceback

from . import collector
from .linking import die_with_parent

_running: set[Job] = set()


class BackgroundFailed(RuntimeError):
    pass


# The niceness of a job that may make way (Job's ``yields``): the kernel shares a core evenly
# between the processes that want one, so with the search index, the pages' renderer, the open
# data and this process all running, the index, the longest chain of work that only one
# process can do, got half a core and was the last to end. The pages need no particular
# process (this one renders them too, from the other end), so their renderer makes way.
YIELDING_NICENESS = 10


class Job:
    """``work()`` running in a forked process from the moment the job is made. ``afterwards()``,
    if given, runs in that process once the result is sent: work that the build need not wait
    for (writing the next build's cache), joined before the build saves its own. A job that
    ``yields`` runs at a lower priority (YIELDING_NICENESS)."""

    def __init__(self, work, name: str, afterwards=None, yields: bool = False):
        self.name = name
        self._afterwards = afterwards
        sys.stdout.flush()
        sys.stderr.flush()
        read, write = os.pipe()
        parent = os.getpid()
        self.pid = collector.fork()
        if self.pid == 0:  # the forked process: the work, its result to the pipe, then out
            die_with_parent(parent)
            os.close(read)
            status = 0
            try:
                if yields:
                    os.nice(YIELDING_NICENESS)
                value = work()
                with os.fdopen(write, "wb") as pipe:
                    pickle.dump(value, pipe, protocol=pickle.HIGHEST_PROTOCOL)
                if afterwards is not None:
                    afterwards()
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
                status = 1
            os._exit(status)  # no atexit handlers, no second flush of the parent's buffers
        os.close(write)
        self._read = read
        self._done = False
        _running.add(self)

    def result(self):
        """Wait for the work to end and return what it returned; BackgroundFailed if it
        failed (its traceback is printed above) or was cancelled. The process may still be
        doing its ``afterwards``: join() waits for that."""
        if self._done:
            raise BackgroundFailed(f"{self.name} was cancelled")
        try:
            read, self._read = self._read, None
            with os.fdopen(read, "rb") as pipe:
                data = pipe.read()  # before waiting: a full pipe would block the other process
        except BaseException:
            self.join()
            raise
        if not data:  # the work failed: nothing was sent
            self.join()
            raise BackgroundFailed(f"{self.name} failed (its error is printed above)")
        if self._afterwards is None and self.join() != 0:
            raise BackgroundFailed(f"{self.name} failed (its error is printed above)")
        return pickle.loads(data)

    def ready(self) -> bool:
        """Whether result() would return at once: the work has begun to send its result, or
        has ended."""
        if self._done or self._read is None:
            return True
        readable, _, _ = select.select([self._read], [], [], 0)
        return bool(readable)

    def join(self) -> int:
        """Wait for the process to end; its exit status."""
        _, status = os.waitpid(self.pid, 0)
        self._done = True
        _running.discard(self)
        return status

    def cancel(self) -> None:
        if self._done:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        if self._read is not None:  # (closed already once the result was read)
            os.close(self._read)
            self._read = None
        self._done = True
        _running.discard(self)


class Shares:
    """``count`` items shared out between two processes while both work: one takes chunks from
    the front, the other from the back, until they meet. So neither waits for the other
    however their other work is spread; each item is taken exactly once. The two counters live
    in memory the fork shares (an anonymous shared mapping), behind a lock that survives it."""

    def __init__(self, count: int):
        self._counters = mmap.mmap(-1, 16)  # MAP_SHARED | MAP_ANONYMOUS
        self._lock = multiprocessing.get_context("fork").Lock()
        self._counters[:] = struct.pack("qq", 0, count)

    def front(self, size: int) -> range:
        with self._lock:
            start, end = struct.unpack("qq", self._counters)
            taken = min(start + size, end)
            self._counters[:8] = struct.pack("q", taken)
        return range(start, taken)

    def back(self, size: int) -> range:
        with self._lock:
            start, end = struct.unpack("qq", self._counters)
            taken = max(end - size, start)
            self._counters[8:] = struct.pack("q", taken)
        return range(taken, end)


def join_all() -> None:
    """Wait for every job still running whose result was taken (their ``afterwards``). A job
    whose result nobody took is a mistake in the build's code: waited for, it could block for
    ever, writing a result that nobody reads; it is cancelled, and the mistake raised."""
    forgotten = [job for job in _running if job._read is not None]
    for job in list(_running):
        if job in forgotten:
            job.cancel()
        else:
            job.join()
    if forgotten:
        names = ", ".join(job.name for job in forgotten)
        raise BackgroundFailed(f"nothing took the result of {names}")


def cancel_all() -> None:
    """Kill every job still running (a failed or interrupted build)."""
    for job in list(_running):
        job.cancel()


atexit.register(cancel_all)
