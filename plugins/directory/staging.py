"""Atomic output: Pelican writes into a fresh staging folder beside the output folder, and only a
build that finishes is swapped in. A build that fails or is killed leaves the previous output
exactly as it was, whichever way it was started (`invoke build` or plain `pelican`)."""

from __future__ import annotations

import atexit
import os
import shutil
from pathlib import Path

STAGING_PREFIX = ".staging-"
PREVIOUS_PREFIX = ".previous-"


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
    shutil.rmtree(previous, ignore_errors=True)
    pelican.output_path = str(output)
    pelican.settings["OUTPUT_PATH"] = str(output)


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
    for prefix in (STAGING_PREFIX, PREVIOUS_PREFIX):
        for leftover in sorted(output.parent.glob(f".{output.name}{prefix}*")):
            if _still_running(leftover.name.rpartition("-")[2]):
                continue
            if prefix == PREVIOUS_PREFIX and not output.exists():
                leftover.rename(output)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


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
