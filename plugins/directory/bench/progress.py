"""Progress of long work (invoke synth, invoke bench) on standard error.

On a terminal, one line redrawn in place: the stage and how far it has got. Elsewhere (CI logs,
a file), one plain line per stage, with no timestamps and no redrawing, so a log reads the same
from run to run."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.text = ""
        self.drawn = 0.0

    def stage(self, text: str) -> None:
        """A new stage begins."""
        self.text = text
        if self.tty:
            self._draw(text, force=True)
        else:
            print(text, file=self.stream, flush=True)

    def update(self, done: int, total: int) -> None:
        """How far the stage has got (drawn on a terminal only, at most ten times a second)."""
        if self.tty:
            self._draw(f"{self.text} {done}/{total}", force=done == total)

    def note(self, text: str) -> None:
        """A line that stays (a result, a warning)."""
        if self.tty:
            self.stream.write("\r\x1b[K")
        print(text, file=self.stream, flush=True)
        if self.tty and self.text:
            self._draw(self.text, force=True)

    def close(self) -> None:
        if self.tty and self.text:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        self.text = ""

    def _draw(self, line: str, force: bool) -> None:
        now = time.monotonic()
        if force or now - self.drawn >= 0.1:
            self.drawn = now
            self.stream.write(f"\r\x1b[K{line}")
            self.stream.flush()
