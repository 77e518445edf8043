"""When each profile was first added, from git, for the home page's "latest additions".

Git history is the only date that is both meaningful and reproducible: file modification times
change with every clone. One `git log` call covers the whole folder, so this stays fast at
10,000 profiles. Outside a git checkout, or for files not committed yet, there is no date.

A shallow clone (`git clone --depth N`, CI's default checkout) lacks the older history. Its
oldest commit, the shallow boundary, has no parent, so git reports it as adding every file
present then: each such file gets the boundary commit's time. That is "added no later than",
true, in the right order against every file added since, and the same in every clone of that
commit at that depth, so builds stay reproducible; fetch the whole history (fetch-depth: 0 in
the workflows) for the real dates. The build reads no clock, so it needs no SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def first_added(content: Path) -> dict[Path, int]:
    """Commit time (Unix seconds) of the commit that added each file under ``content``."""
    added: dict[Path, int] = {}
    for path, stamp in _commit_times(content, "--diff-filter=A"):
        added[path] = stamp  # newest first: the oldest 'A' wins
    return added


def last_modified(content: Path) -> dict[Path, int]:
    """Commit time (Unix seconds) of the newest commit that touched each file under ``content``,
    for a profile's "last updated" date, the sitemap's lastmod and the exports.

    Like first_added, one `git log` call for the whole folder; files git does not know get no date.
    """
    modified: dict[Path, int] = {}
    for path, stamp in _commit_times(content):
        modified.setdefault(path, stamp)  # newest first: the first one wins
    return modified


def _commit_times(content: Path, *log_options: str):
    """(file, commit time) for every file each commit under ``content`` names, newest commit
    first, from one `git log`; nothing outside a git checkout."""
    content = Path(content).resolve()
    try:
        top = subprocess.run(["git", "-C", str(content), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
        # -z: paths exactly as they are (no quoting of non-ASCII names), NUL-separated.
        log = subprocess.run(
            ["git", "-C", top, "log", "-z", *log_options, "--format=@%ct", "--name-only",
             "--no-renames", "--", str(content)],
            capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return
    stamp = 0
    for field in log.split("\x00"):
        field = field.strip("\n")
        if field.startswith("@") and field[1:].isdigit():
            stamp = int(field[1:])
        elif field:
            yield Path(top, field), stamp
