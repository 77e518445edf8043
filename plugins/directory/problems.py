"""Problems are values, not exceptions.

Every stage of the pipeline (loading, validation, relations) returns the problems it found
alongside its result, so that a contributor sees every mistake in one run instead of fixing
them one at a time. A problem always names a file, a 1-based line and column, and says how
to fix what is wrong.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.col}: error: {self.message}"


def display_path(path: Path) -> str:
    """A path as a contributor would type it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


class BuildFailed(Exception):
    """Raised by the generator so that Pelican stops before it writes anything."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the content; nothing was written"
        )
