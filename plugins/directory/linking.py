"""Hard links into the staging folder, made by a second process while this one goes on.

A rebuild at 10,000 profiles reuses some 10,000 pages, one per folder (startups/<slug>/...):
each needs a folder in the fresh staging folder and a link. On ext4 a mkdir costs about
0.1 ms of kernel time, a second in all, during which Python would wait. A small process of its
own (a fresh interpreter, not a fork: nothing of this one's memory is shared or copied) makes
them on the other core while this one renders, indexes and exports; the build waits for it
before the staging folder is published (reporting.settle, on Pelican's `finalized` signal,
before staging.publish_output), and anything it could not link is copied here or fails the
build, so the output is complete or not published at all.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

WORKER = Path(__file__)  # run as a script, it is the worker (it imports only the standard library)
MIN_BACKGROUND = 200  # fewer links than this are made at once: starting a process costs more


class BackgroundLinks:
    def __init__(self):
        self.pending: list[tuple[str, str]] = []  # (source, target), not handed over yet
        self._process: subprocess.Popen | None = None
        self._list: str | None = None

    def add(self, source: str, target: str) -> None:
        self.pending.append((source, target))

    def start(self) -> None:
        """Hand the pending links to a worker process (or make them here, when few)."""
        links, self.pending = self.pending, []
        if not links:
            return
        if len(links) < MIN_BACKGROUND or self._process is not None:
            failed = make_links(links)
            _copy_failed(links, failed)
            return
        handle, self._list = tempfile.mkstemp(prefix="directory-links-")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write("".join(f"{source}\0{target}\0" for source, target in links))
        self._links = links
        # -I -S: no site packages, no user paths: the worker starts in a few milliseconds.
        self._process = subprocess.Popen([sys.executable, "-I", "-S", str(WORKER), self._list,
                                          str(os.getpid())],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)

    def finish(self) -> None:
        """Wait for the worker; copy here what it could not link; raise if that fails too."""
        self.start()  # anything added since
        process, self._process = self._process, None
        if process is None:
            return
        try:
            output, _ = process.communicate()
        finally:
            os.unlink(self._list)
        if process.returncode != 0:
            raise RuntimeError("the process linking unchanged pages failed; build again "
                               "with --full")
        failed = [int(index) for index in output.split()]
        _copy_failed(self._links, failed)

    def abandon(self) -> None:
        """After a failed build: stop the worker before its staging folder is removed."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
            os.unlink(self._list)


def make_links(links: list[tuple[str, str]]) -> list[int]:
    """Link each source to its target, making the target's folder where needed; the
    positions of those that could not be linked (another file system: copied instead)."""
    folders: set[str] = set()
    failed = []
    for index, (source, target) in enumerate(links):
        try:
            make_folder(os.path.dirname(target), folders)
            try:
                os.link(source, target)
            except OSError:  # no hard links here: a copy
                shutil.copy2(source, target)
        except OSError:
            failed.append(index)
    return failed


def make_folder(folder: str, made: set[str]) -> None:
    """``folder`` and any missing parent, unless ``made`` (the folders made so far) has it."""
    if folder in made:
        return
    try:
        os.mkdir(folder)  # the common case: only the page's own folder is new
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    except FileExistsError:
        pass
    made.add(folder)


def _copy_failed(links: list[tuple[str, str]], failed: list[int]) -> None:
    for index in failed:
        source, target = links[index]
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(source, target)
        except OSError as error:
            raise RuntimeError(f"could not link {source} into the new output ({error}); "
                               f"build again with --full") from error


def die_with_parent(parent: int) -> None:
    """Have Linux kill this process when ``parent`` dies (a build killed outright must not
    leave a helper writing into its staging folder after the next build has removed it),
    and leave at once if it is gone already. Elsewhere, nothing."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _work(list_file: str, parent: int) -> None:
    """The worker: links every pair of the list, prints the positions it could not link."""
    die_with_parent(parent)
    with open(list_file, encoding="utf-8", newline="") as file:
        fields = file.read().split("\0")[:-1]
    failed = make_links(list(zip(fields[0::2], fields[1::2])))
    sys.stdout.write(" ".join(map(str, failed)))


if __name__ == "__main__":
    _work(sys.argv[1], int(sys.argv[2]))
