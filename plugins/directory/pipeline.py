"""The one-way pipeline from content/ to the directory graph, shared by the Pelican generator
and by `invoke validate`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .loading import load_content
from .problems import Problem
from .progress import BuildReport, QuietReport
from .relations import Directory, relate
from .validation import validate


def read_directory(content: Path, report: BuildReport | None = None, load_many=None,
                   relate_all=relate, loaded=None) -> tuple[Directory | None, list[Problem]]:
    """The directory built from ``content``, or None and every problem found in it.
    ``report`` shows the load and validate stages; ``load_many`` may be a cached load_files,
    ``relate_all`` a cached relate; ``loaded(documents)`` is called between loading and
    validation (a build begins work there that needs no validated profile)."""
    checked = check_content(content, report=report, load_many=load_many,
                            relate_all=relate_all, loaded=loaded)
    return checked.directory, checked.errors


@dataclass(frozen=True)
class Checked:
    directory: Directory | None  # None when there is any error
    errors: list[Problem]
    notices: list[Problem]  # worth a look, never a failure (a domain shared by two profiles)


def check_content(content: Path, focus: set[Path] | None = None,
                  report: BuildReport | None = None, load_many=None,
                  relate_all=relate, loaded=None) -> Checked:
    """Every error and notice in ``content``; ``focus`` (resolved paths) is where near-duplicate
    errors go when one file of the pair is among them (see duplicates.py). ``load_many``,
    ``relate_all`` and ``loaded``: as read_directory's."""
    report = report or QuietReport()
    with report.stage("load", unit="files") as stage:
        documents, problems = load_content(Path(content), stage, load_many)
    if loaded is not None:
        loaded(documents)
    with report.stage("validate", unit="profiles") as stage:
        profiles, invalid = validate(documents, Path(content), focus, stage)
    problems = sorted(set(problems + invalid))
    errors = [problem for problem in problems if problem.is_error]
    notices = [problem for problem in problems if not problem.is_error]
    if errors:
        return Checked(None, errors, notices)
    return Checked(relate_all(profiles), [], notices)
