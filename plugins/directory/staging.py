"""Atomic output: Pelican writes into a fresh staging folder beside the output folder, and only a
build that finishes is swapped in. A build that fails or is killed leaves the previous output
exactly as it was, whichever way it was started (`invoke build` or plain `pelican`)."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

STAGING_PREFIX = ".staging-"
PREVIOUS_PREFIX = ".previous-"
REMOVING_PREFIX = ".removing-"


def _sibling(output: Path, prefix: str) -> Path:
    return output.parent / f".{output.name}{prefix}{os.getpid()}"


def redirect_output(pelican) -> None:
    """`initialized` signal: point Pelican at a new, empty staging folder."""
    output = Path(pelican.output_path).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(output)
    staging = _sibling(output, STAGING_PREFIX)
    staging.mkdir()
    # A build that stops never reaches publish_output; its staging folder must not outlive it
    # (`pelican` exits through sys.exit; build_site also calls discard_output at once).
    atexit.register(shutil.rmtree, staging, ignore_errors=True)
    pelican.final_output_path = str(output)
    pelican.output_path = str(staging)
    pelican.settings["OUTPUT_PATH"] = str(staging)


def publish_output(pelican) -> None:
    """`finalized` signal: every page is written; swap the staging folder in."""
    output = Path(pelican.final_output_path)
    staging = Path(pelican.output_path)
    previous = _sibling(output, PREVIOUS_PREFIX)
    if output.exists():
        output.rename(previous)
    staging.rename(output)
    remove_previous(previous)
    pelican.output_path = str(output)
    pelican.settings["OUTPUT_PATH"] = str(output)


# A previous output of a large site takes a second to delete (a folder per profile): once the
# new output is published, that can happen after the build has returned.
BACKGROUND_REMOVAL_ENTRIES = 2000
_REMOVE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


def remove_previous(previous: Path) -> None:
    """Delete the replaced output: at once when it is small, in a detached process otherwise
    (should that process die, the next build's _remove_leftovers clears what it left)."""
    if not previous.exists():
        return
    if _entries_at_least(previous, BACKGROUND_REMOVAL_ENTRIES):
        try:
            # Out of the way first: the next build in this process reuses the name.
            doomed = previous.with_name(
                previous.name.replace(PREVIOUS_PREFIX, f"{REMOVING_PREFIX}{uuid.uuid4().hex}-"))
            previous.rename(doomed)
            subprocess.Popen([sys.executable, "-c", _REMOVE, str(doomed)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
            return
        except OSError:
            pass
    shutil.rmtree(previous, ignore_errors=True)


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
        shutil.rmtree(staging, ignore_errors=True)
    previous = _sibling(output, PREVIOUS_PREFIX)
    if previous.exists() and not output.exists():  # failed between the two renames
        previous.rename(output)


def _remove_leftovers(output: Path) -> None:
    """Clear what an interrupted build left: stale staging folders, and, had it died between
    the two renames of publish_output, put the previous output back. Folders of a build that
    is still running (its process is alive) are left alone."""
    for prefix in (STAGING_PREFIX, PREVIOUS_PREFIX, REMOVING_PREFIX):
        for leftover in sorted(output.parent.glob(f".{output.name}{prefix}*")):
            if _still_running(leftover.name.rpartition("-")[2]):
                continue
            if prefix == REMOVING_PREFIX and _recent(leftover):
                continue  # its remover is at work
            if prefix == PREVIOUS_PREFIX and not output.exists():
                leftover.rename(output)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _recent(folder: Path, seconds: float = 600) -> bool:
    try:
        return time.time() - folder.stat().st_ctime < seconds  # renamed that long ago
    except OSError:
        return True  # gone already


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
