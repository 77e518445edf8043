"""Problems are values, not exceptions.

Every stage of the pipeline (loading, validation, relations) returns the problems it found
alongside its result, so that a contributor sees every mistake in one run instead of fixing
them one at a time. A problem always names a file, a 1-based line and column, and says how
to fix what is wrong.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    col: int
    message: str
    # "error" fails the check; "notice" is worth a look but never fails it (a shared domain).
    severity: str = "error"

    def __post_init__(self) -> None:
        # Messages quote what contributors wrote: a newline or a terminal escape sequence in a
        # value must not break the one-line form, forge another problem or colour a CI log.
        object.__setattr__(self, "message", one_line(self.message))

    def __str__(self) -> str:
        return (f"{one_line(display_path(self.path))}:{self.line}:{self.col}: {self.severity}: "
                f"{self.message}")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def notice(path: Path, line: int, col: int, message: str) -> Problem:
    return Problem(path, line, col, message, severity="notice")


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """Control characters written as escapes: 'a\\nb' for a newline, '\\x1b' for ESC."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


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


def github_command(problem: Problem, root: Path | None) -> str:
    """The problem as a GitHub Actions workflow command, so that it shows on the pull request's
    changed line: ``::error file=PATH,line=L,col=C::MESSAGE``. The path is relative to the
    repository root (what GitHub matches against the diff), escaped as GitHub's toolkit does."""
    path = Path(os.path.abspath(problem.path))
    if root is not None and path.is_relative_to(root):
        shown = path.relative_to(root).as_posix()
    else:
        shown = display_path(problem.path)
    return (f"::{problem.severity} file={escape_property(shown)},line={problem.line},"
            f"col={problem.col}::{escape_data(problem.message)}")


def escape_data(text: str) -> str:
    """Workflow-command message escaping (actions/toolkit's escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Workflow-command property escaping (escapeProperty): also ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repository_root(start: Path) -> Path | None:
    """Where GitHub resolves annotation paths: $GITHUB_WORKSPACE in Actions, otherwise the
    nearest folder above ``start`` holding .git (a folder, or a file in a worktree)."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        return Path(os.path.abspath(workspace))
    for folder in [Path(os.path.abspath(start)), *Path(os.path.abspath(start)).parents]:
        if (folder / ".git").exists():
            return folder
    return None
