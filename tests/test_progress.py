"""Long work shows progress: redrawn in place on a terminal, plain stage lines elsewhere."""

from __future__ import annotations

import io
import os
import pty

from directory.bench.progress import Progress


def test_on_a_terminal_the_stage_is_redrawn_with_its_count():
    main, secondary = pty.openpty()
    with open(secondary, "w", closefd=True) as terminal:
        progress = Progress(terminal)
        progress.stage("synth: writing 3 profiles")
        for done in range(1, 4):
            progress.update(done, 3)
        progress.close()
    drawn = read_all(main)
    assert "\r\x1b[Ksynth: writing 3 profiles 3/3" in drawn


def read_all(main: int) -> str:
    """Everything written to the terminal: one read may return part of it (a pseudo-terminal
    hands it over in pieces); once the other end is closed and all is read, Linux says EIO."""
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return b"".join(chunks).decode()


def test_elsewhere_one_plain_line_per_stage():
    log = io.StringIO()
    progress = Progress(log)
    progress.stage("[1000] our full build, run 1 of 3")
    progress.update(5, 10)
    progress.stage("[1000] stock Pelican, run 1 of 3")
    progress.note("a table")
    progress.close()
    assert log.getvalue() == ("[1000] our full build, run 1 of 3\n"
                              "[1000] stock Pelican, run 1 of 3\na table\n")
