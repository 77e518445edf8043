"""The one-way pipeline from content/ to the directory graph, shared by the Pelican generator
and by `invoke validate`."""

from __future__ import annotations

from pathlib import Path

from .loading import load_content
from .problems import Problem
from .progress import BuildReport, QuietReport
from .relations import Directory, relate
from .validation import validate


def read_directory(content: Path, report: BuildReport | None = None,
                   load_many=None) -> tuple[Directory | None, list[Problem]]:
    """The directory built from ``content``, or None and every problem found in it.
    ``report`` shows the load and validate stages; ``load_many`` may be a cached load_files."""
    report = report or QuietReport()
    with report.stage("load", unit="files") as stage:
        documents, problems = load_content(Path(content), stage, load_many)
    with report.stage("validate", unit="profiles") as stage:
        profiles, invalid = validate(documents, Path(content), stage)
    problems = sorted(set(problems + invalid))
    if problems:
        return None, problems
    return relate(profiles), []
