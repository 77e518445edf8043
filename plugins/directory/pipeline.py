"""The one-way pipeline from content/ to the directory graph, shared by the Pelican generator
and by `invoke validate`."""

from __future__ import annotations

from pathlib import Path

from .loading import load_content
from .problems import Problem
from .relations import Directory, relate
from .validation import validate


def read_directory(content: Path) -> tuple[Directory | None, list[Problem]]:
    """The directory built from ``content``, or None and every problem found in it."""
    documents, problems = load_content(Path(content))
    profiles, invalid = validate(documents, Path(content))
    problems = sorted(set(problems + invalid))
    if problems:
        return None, problems
    return relate(profiles), []
