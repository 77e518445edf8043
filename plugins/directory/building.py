"""One function that builds the site, for `invoke build` and the tests: Pelican in-process with
our settings, warnings made fatal (Pelican only logs most errors and would exit 0)."""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import Pelican
from pelican.log import init as init_logging
from pelican.settings import read_settings

from . import collector, reporting
from .staging import discard_output


def build_site(settings_file: Path, content: Path | None = None, output: Path | None = None,
               **overrides) -> Pelican:
    """Build into ``output`` atomically; raises BuildFailed (problems already printed) on bad
    content, and any other exception for a broken build. The previous output is kept either way."""
    init_logging(logging.WARNING, fatal="warnings")
    if content is not None:
        overrides["PATH"] = str(Path(content).resolve())
    if output is not None:
        overrides["OUTPUT_PATH"] = str(Path(output).resolve())
    pelican = Pelican(read_settings(str(settings_file), override=overrides))
    try:
        pelican.run()
    except BaseException:
        reporting.end_helpers(pelican)  # nothing may go on writing into the staging folder
        collector.restore()  # the build's last signal, which restores it, never came
        discard_output(pelican)  # the half-written staging folder; output/ was never touched
        raise
    return pelican
