"""Build progress: what a long build is doing, stage by stage, and a one-line summary.

On a terminal a build that runs for more than a moment draws a progress bar per stage (load,
validate, render, index, write) with counts; anywhere else (CI logs, pipes, tests) each stage
ends with one plain line, without timestamps, so that two logs of the same build compare
equal. Every build ends with the summary line: profiles, pages written, pages unchanged, the
size of the search index and the seconds taken.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from dataclasses import dataclass, field

STAGES = ("load", "validate", "render", "index", "write")
SHOW_AFTER = 1.0  # seconds: a build that is over sooner draws no bar at all


@dataclass
class Stage:
    name: str
    total: int | None
    unit: str
    done: int = 0
    notes: dict[str, int] = field(default_factory=dict)  # e.g. written / unchanged pages
    _report: BuildReport | None = None

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self._report is not None:
            self._report._update(self)


class BuildReport:
    """Stages and counts of one build. ``stream`` is stderr unless told otherwise."""

    def __init__(self, stream=None, terminal: bool | None = None):
        self.stream = stream or sys.stderr
        if terminal is None:
            terminal = (hasattr(self.stream, "isatty") and self.stream.isatty()
                        and os.environ.get("TERM") != "dumb")
        self.terminal = terminal
        self.started = time.perf_counter()
        self.counts: dict[str, int] = {}
        self._bars = None  # rich's Progress, started once the build has run for SHOW_AFTER
        self._tasks: dict[str, int] = {}

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "items"):
        stage = self.open_stage(name, total, unit)
        yield stage
        self.close_stage(stage)

    def open_stage(self, name: str, total: int | None = None, unit: str = "items") -> Stage:
        """A stage that ends later, with close_stage (work finishing in the background)."""
        stage = Stage(name, total, unit, _report=self)
        self._update(stage)
        return stage

    def close_stage(self, stage: Stage) -> None:
        if stage.total is not None:
            stage.done = stage.total
        self._update(stage, finished=True)
        if not self.terminal:
            notes = ", ".join(f"{count} {what}" for what, count in stage.notes.items())
            print(f"{stage.name}: {stage.done} {stage.unit}" + (f" ({notes})" if notes else ""),
                  file=self.stream, flush=True)

    def _update(self, stage: Stage, finished: bool = False) -> None:
        if not self.terminal:
            return
        if self._bars is None:
            if time.perf_counter() - self.started < SHOW_AFTER:
                return
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn)

            self._bars = Progress(TextColumn("{task.description:<9}"), BarColumn(),
                                  MofNCompleteColumn(), TextColumn("{task.fields[unit]}"),
                                  TimeElapsedColumn(), console=Console(file=self.stream),
                                  transient=False)
            self._bars.start()
        task = self._tasks.get(stage.name)
        if task is None:
            task = self._tasks[stage.name] = self._bars.add_task(
                stage.name, total=stage.total, unit=stage.unit)
        self._bars.update(task, completed=stage.done, total=stage.total if not finished
                          else stage.done)

    def finish(self, profiles: int, written: int, unchanged: int, index_bytes: int) -> str:
        """Stop the bars and print the summary line (returned too)."""
        if self._bars is not None:
            self._bars.stop()
        seconds = time.perf_counter() - self.started
        line = (f"Built {profiles} profiles: {written} pages written, {unchanged} unchanged, "
                f"search index {index_bytes / 1e6:.1f} MB, {seconds:.1f} s")
        print(line, file=self.stream, flush=True)
        return line


class QuietReport(BuildReport):
    """For callers that want no output (invoke validate, tools)."""

    def __init__(self):
        super().__init__(stream=io.StringIO(), terminal=False)
