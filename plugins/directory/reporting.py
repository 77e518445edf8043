"""One build's report and cache, from Pelican's first signal to its last.

`initialized` (after staging has redirected the output) starts the progress report
(progress.py) and opens the incremental cache (incremental.py); generators find both in the
settings; `finalized` (after staging has published the output) saves the cache and prints
the summary line.
"""

from __future__ import annotations

from pathlib import Path

from . import collector
from .incremental import IncrementalBuild
from .progress import BuildReport

REPORT = "DIRECTORY_REPORT"
CACHE = "DIRECTORY_CACHE"
# Settings: DIRECTORY_INCREMENTAL = False makes every build a full one.
INCREMENTAL = "DIRECTORY_INCREMENTAL"


def start(pelican) -> None:
    collector.relax()
    settings = pelican.settings
    settings[REPORT] = BuildReport()
    output = getattr(pelican, "final_output_path", pelican.output_path)
    settings[CACHE] = (IncrementalBuild(settings, Path(output))
                       if settings.get(INCREMENTAL, True) else None)


def settle(pelican) -> None:
    """`finalized`, before staging publishes the output: the pages linked in the background
    (linking.py) are all in the staging folder."""
    build = incremental_build(pelican.settings)
    if build is not None:
        build.links.finish()


def abandon(pelican) -> None:
    """A failed build: its background linking stopped before the staging folder goes."""
    build = incremental_build(pelican.settings)
    if build is not None:
        build.links.abandon()  # (forked jobs: background.cancel_all, in building.py)


def finish(pelican) -> None:
    build = incremental_build(pelican.settings)
    if build is not None:
        build.save()
    report = build_report(pelican.settings)
    counts = report.counts
    report.finish(counts.get("profiles", 0), counts.get("written", 0),
                  counts.get("unchanged", 0), counts.get("index_bytes", 0))
    collector.restore()


def build_report(settings: dict) -> BuildReport:
    report = settings.get(REPORT)
    if report is None:  # a generator used on its own, without the plugin's signals
        report = settings[REPORT] = BuildReport()
    return report


def incremental_build(settings: dict) -> IncrementalBuild | None:
    return settings.get(CACHE)
