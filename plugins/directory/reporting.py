"""One build's report and cache, from Pelican's first signal to its last.

`initialized` (after staging has redirected the output) starts the progress report
(progress.py) and opens the incremental cache (incremental.py); generators find both in the
settings; `finalized` (after staging has published the output) saves the cache and prints
the summary line.
"""

from __future__ import annotations

import atexit
from functools import partial
from pathlib import Path

from . import background, collector
from .incremental import IncrementalBuild
from .progress import BuildReport

REPORT = "DIRECTORY_REPORT"
CACHE = "DIRECTORY_CACHE"
# Settings: DIRECTORY_INCREMENTAL = False makes every build a full one.
INCREMENTAL = "DIRECTORY_INCREMENTAL"
AT_EXIT = "DIRECTORY_AT_EXIT"  # this build's exit handler (end_helpers)


def start(pelican) -> None:
    collector.relax()
    settings = pelican.settings
    # A build that stops without build_site's cleanup (plain `pelican`, which exits through
    # sys.exit) ends its helpers at exit, before staging's own exit handler (registered
    # earlier, so run later) recycles the staging folder: nothing may write into it after.
    settings[AT_EXIT] = handler = partial(end_helpers, pelican)
    atexit.register(handler)
    settings[REPORT] = BuildReport()
    output = getattr(pelican, "final_output_path", pelican.output_path)
    settings[CACHE] = (IncrementalBuild(settings, Path(output))
                       if settings.get(INCREMENTAL, True) else None)


def compile_templates_once(generator) -> None:
    """`generator_init`: in an incremental build, each generator's templates are compiled from
    the bytecode the previous build left (Jinja compiled the theme's 29 templates on every
    build: 0.2 s, a tenth of a rebuild). Jinja keys it by the template's source, so an edited
    template is compiled again; it lives in this output's cache folder, so that a build
    without a cache (`--full`, the benchmark's first builds) compiles everything."""
    build = incremental_build(generator.settings)
    if build is not None:
        generator.env.bytecode_cache = build.template_bytecode()


def settle(pelican) -> None:
    """`finalized`, before staging publishes the output: the pages linked in the background
    (linking.py) are all in the staging folder."""
    build = incremental_build(pelican.settings)
    if build is not None:
        build.links.finish()


def end_helpers(pelican) -> None:
    """A build that stops: its forked jobs and its linking process ended, before the staging
    folder they write into goes."""
    background.cancel_all()
    abandon(pelican)


def abandon(pelican) -> None:
    """A failed build: its background linking stopped before the staging folder goes."""
    _forget_exit_handler(pelican.settings)
    build = incremental_build(pelican.settings)
    if build is not None:
        build.links.abandon()  # (forked jobs: background.cancel_all, in building.py)


def finish(pelican) -> None:
    build = incremental_build(pelican.settings)
    if build is not None:
        build.save()
    background.join_all()  # jobs still writing the next build's cache (Job's afterwards)
    report = build_report(pelican.settings)
    counts = report.counts
    report.finish(counts.get("profiles", 0), counts.get("written", 0),
                  counts.get("unchanged", 0), counts.get("index_bytes", 0))
    collector.restore()
    _forget_exit_handler(pelican.settings)


def _forget_exit_handler(settings: dict) -> None:
    """The build is over: its exit handler (and the build it holds) can go."""
    handler = settings.pop(AT_EXIT, None)
    if handler is not None:
        atexit.unregister(handler)


def build_report(settings: dict) -> BuildReport:
    report = settings.get(REPORT)
    if report is None:  # a generator used on its own, without the plugin's signals
        report = settings[REPORT] = BuildReport()
    return report


def incremental_build(settings: dict) -> IncrementalBuild | None:
    return settings.get(CACHE)
