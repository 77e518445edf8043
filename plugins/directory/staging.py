"""Atomic output: Pelican writes into a fresh staging folder beside the output folder, and only a
build that finishes is swapped in. A build that fails or is killed leaves the previous output
exactly as it was, whichever way it was started (`invoke build` or plain `pelican`).

The folders of a replaced output are recycled. A large site has a folder per page (10,000
profiles: 10,500 folders), and on ext4 each folder costs an inode: making them all again for
every build, and deleting the old ones, was a second of kernel time per build. Worse, ext4
without a journal (this project's CI machines) skips inodes freed in the last minutes when it
looks for a free one, reading each: after one build deleted its 10,500 old folders, every
folder the next build made cost up to 0.7 ms instead of 0.03. So the replaced output is not
deleted but emptied of its files by a detached process, which then leaves its bare folders
beside the output as a *spare*; the next build starts its staging folder from the spare, and
removes, before publishing, the spare's folders it did not use. The previous output is never
touched before it is replaced; a spare holds no file, so nothing written into staging can
reach a file of the live output through a hard link.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

STAGING_PREFIX = ".staging-"
PREVIOUS_PREFIX = ".previous-"
RECYCLING_PREFIX = ".recycling-"  # a replaced output being emptied by its recycler
SPARE_PREFIX = ".spare-"  # its bare folders, ready for the next build's staging folder
SPARE_FOLDERS = ".spare-folders"  # in a spare: its folders, one relative path a line
RECYCLER = Path(__file__)  # run as a script, it is the recycler (it imports only the standard library)
RECYCLER_WAIT = 30.0  # seconds a build waits for the previous build's recycler (it takes ~0.2)


def _sibling(output: Path, prefix: str) -> Path:
    return output.parent / f".{output.name}{prefix}{os.getpid()}"


def redirect_output(pelican) -> None:
    """`initialized` signal: point Pelican at a new, empty staging folder."""
    output = Path(pelican.output_path).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    wait_for_recyclers(output)
    _remove_leftovers(output)
    staging = _sibling(output, STAGING_PREFIX)
    pelican.spare_folders = _take_spare(output, staging)
    if pelican.spare_folders is None:
        staging.mkdir()
    # A build that stops never reaches publish_output; its staging folder must not outlive it
    # (`pelican` exits through sys.exit; build_site also calls discard_output at once).
    atexit.register(_abandon, staging, output)
    pelican.final_output_path = str(output)
    pelican.output_path = str(staging)
    pelican.settings["OUTPUT_PATH"] = str(staging)


def publish_output(pelican) -> None:
    """`finalized` signal: every page is written; swap the staging folder in."""
    output = Path(pelican.final_output_path)
    staging = Path(pelican.output_path)
    _prune_unused(staging, getattr(pelican, "spare_folders", None), written_files(pelican))
    previous = _sibling(output, PREVIOUS_PREFIX)
    first = not output.exists()
    if not first:
        output.rename(previous)
    staging.rename(output)
    if first:  # no previous output to recycle: a spare made of the new one's folders
        _prepare_spare(output)
    remove_previous(previous, output)
    pelican.output_path = str(output)
    pelican.settings["OUTPUT_PATH"] = str(output)


# A replaced output this large is recycled (see the module's docstring); a smaller one is
# deleted at once.
RECYCLE_ENTRIES = 2000


def remove_previous(previous: Path, output: Path) -> None:
    """Recycle ``output``'s replaced output (or a staging folder not published) when it is
    large, delete it otherwise."""
    if not previous.exists():
        return
    if not (_entries_at_least(previous, RECYCLE_ENTRIES) and _recycle(previous, output)):
        shutil.rmtree(previous, ignore_errors=True)


def _recycle(folder: Path, output: Path) -> bool:
    """Hand ``folder`` to a detached recycler, which empties it of its files and leaves it as a
    spare; False if none could be started. The folder is renamed first (out of the way: the
    next build in this process reuses the name) and locked (flock) on behalf of the recycler,
    which inherits the lock: the next build waits for the lock, not for a guess of time, and
    a recycler that dies releases it. Locked before it is renamed: no build ever sees it
    unlocked under its recycling name before the recycler is done."""
    recycling = _recycling_name(output)
    try:
        lock = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folder.rename(recycling)
    except OSError:
        os.close(lock)
        return False
    if not _start_recycler(lock, "empty", recycling):
        shutil.rmtree(recycling, ignore_errors=True)  # gone all the same
    return True


def _prepare_spare(output: Path) -> None:
    """After the first build into ``output``, which replaced no output to recycle: a detached
    recycler makes a spare of the same (empty) folders, so that the next build, typically a
    rebuild after an edit, does not make its 10,500 folders itself. Small sites need none."""
    if not _entries_at_least(output, RECYCLE_ENTRIES) or any(
            output.parent.glob(f".{output.name}{SPARE_PREFIX}*")):
        return
    recycling = _recycling_name(output)
    try:
        recycling.mkdir()
        lock = os.open(recycling, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    fcntl.flock(lock, fcntl.LOCK_EX)
    if not _start_recycler(lock, "copy", recycling, output):
        shutil.rmtree(recycling, ignore_errors=True)


def _recycling_name(output: Path) -> Path:
    return output.parent / f".{output.name}{RECYCLING_PREFIX}{uuid.uuid4().hex}"


def _start_recycler(lock: int, *args) -> bool:
    """Start the recycler (this file as a script) with ``args``; it inherits ``lock``, which
    this process then lets go of."""
    try:
        # -I -S: no site packages, no user paths: the recycler starts in a few milliseconds.
        subprocess.Popen([sys.executable, "-I", "-S", str(RECYCLER), *map(str, args)],
                         pass_fds=(lock,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
        return True
    except OSError:
        return False
    finally:
        os.close(lock)  # the recycler holds the lock now (or nobody does)


def _empty_into_spare(recycling: str, source: str | None = None) -> None:
    """The recycler: every file under ``recycling`` unlinked (or, given ``source``, every
    folder of ``source`` made in it), its folders listed in it, and the bare tree renamed to a
    spare (or deleted, when a spare of that output is there already)."""
    folders, stack = [], [source or recycling]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    folder = os.path.relpath(entry.path, source or recycling)
                    folders.append(folder)
                    if source:
                        os.mkdir(os.path.join(recycling, folder))  # parents come first
                elif not source:
                    os.unlink(entry.path)
    with open(os.path.join(recycling, SPARE_FOLDERS), "w", encoding="utf-8") as file:
        file.write("".join(f"{folder}\n" for folder in folders))
    parent, name = os.path.split(recycling)
    output_name = name[1:name.index(RECYCLING_PREFIX)]
    if any(other.startswith(f".{output_name}{SPARE_PREFIX}") for other in os.listdir(parent)):
        shutil.rmtree(recycling, ignore_errors=True)
    else:
        os.rename(recycling, os.path.join(parent, name.replace(RECYCLING_PREFIX, SPARE_PREFIX)))


def wait_for_recyclers(output: Path) -> None:
    """Wait until the recyclers of ``output``'s replaced outputs are done (or dead)."""
    deadline = time.monotonic() + RECYCLER_WAIT
    for recycling in output.parent.glob(f".{output.name}{RECYCLING_PREFIX}*"):
        try:
            lock = os.open(recycling, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue  # a spare already
        try:
            while time.monotonic() < deadline:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    time.sleep(0.005)
        finally:
            os.close(lock)


def _take_spare(output: Path, staging: Path) -> list[str] | None:
    """Make a spare of ``output`` the staging folder; its folders (relative paths), or None
    when there is no spare."""
    for spare in sorted(output.parent.glob(f".{output.name}{SPARE_PREFIX}*")):
        try:
            spare.rename(staging)
        except OSError:
            continue  # taken by a concurrent build of the same output
        listed = staging / SPARE_FOLDERS
        try:
            folders = listed.read_text(encoding="utf-8").splitlines()
            listed.unlink()
        except OSError:  # not a spare the recycler finished: no staging folder to trust
            shutil.rmtree(staging, ignore_errors=True)
            return None
        return folders
    return None


def written_files(pelican) -> set[str]:
    """The files an incremental build knows it wrote or linked (paths under the output)."""
    from .reporting import incremental_build  # (this file also runs as a script: recycle())

    build = incremental_build(pelican.settings)
    return build.next.pages.keys() if build is not None else frozenset()


def _prune_unused(staging: Path, spare_folders: list[str] | None,
                  written: set[str] = frozenset()) -> None:
    """Remove the spare's folders that this build left empty (a deleted profile's, say), the
    deepest first: the output is then exactly what a build into an empty folder writes.
    ``written``: files known to be in the staging folder (paths under it); their folders are
    not empty, and are not tried (10,000 failed rmdir calls in a rebuild)."""
    if not spare_folders:
        return
    root = str(staging)
    used: set[str] = set()
    for path in written:
        folder = os.path.dirname(path)
        while folder and folder not in used:
            used.add(folder)
            folder = os.path.dirname(folder)
    for folder in sorted(spare_folders, key=lambda path: path.count(os.sep), reverse=True):
        if folder in used:
            continue
        try:
            os.rmdir(os.path.join(root, folder))
        except OSError:  # not empty (used), or gone with a folder above it
            pass


def _entries_at_least(folder: Path, limit: int) -> bool:
    """Whether the tree under ``folder`` has at least ``limit`` entries (reads no more)."""
    count, folders = 0, [folder]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                count += 1
                if count >= limit:
                    return True
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
    return False


def discard_output(pelican) -> None:
    """After a failed build: remove the staging folder, leaving the previous output as it was.
    (A build killed outright cannot do this; the next build clears what it left.)"""
    final = getattr(pelican, "final_output_path", None)
    if final is None:  # failed before the staging folder was made
        return
    output, staging = Path(final), Path(pelican.output_path)
    if staging != output and staging.name.startswith(f".{output.name}{STAGING_PREFIX}"):
        _abandon(staging, output)
    previous = _sibling(output, PREVIOUS_PREFIX)
    if previous.exists() and not output.exists():  # failed between the two renames
        previous.rename(output)


def _abandon(staging: Path, output: Path) -> None:
    """A staging folder that will not be published: recycled when large (it may be a spare the
    build took), deleted otherwise."""
    remove_previous(staging, output)


def _remove_leftovers(output: Path) -> None:
    """Clear what an interrupted build left: stale staging folders, and, had it died between
    the two renames of publish_output, put the previous output back. Folders of a build that
    is still running (its process is alive) are left alone."""
    for prefix in (STAGING_PREFIX, PREVIOUS_PREFIX, RECYCLING_PREFIX):
        for leftover in sorted(output.parent.glob(f".{output.name}{prefix}*")):
            if prefix != RECYCLING_PREFIX and _still_running(leftover.name.rpartition("-")[2]):
                continue
            if prefix == RECYCLING_PREFIX and _locked(leftover):
                continue  # its recycler is still at work (it outlived wait_for_recyclers)
            if prefix == PREVIOUS_PREFIX and not output.exists():
                leftover.rename(output)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _locked(folder: Path) -> bool:
    try:
        lock = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return True  # gone already: nothing to remove
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(lock)


def _still_running(pid: str) -> bool:
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, someone else's
    return True


if __name__ == "__main__":
    # `empty FOLDER` or `copy FOLDER SOURCE`; the lock (an inherited descriptor) ends with it.
    _empty_into_spare(sys.argv[2], sys.argv[3] if sys.argv[1] == "copy" else None)
