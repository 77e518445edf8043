"""background.py: a piece of the build in a forked process."""

from __future__ import annotations

import time

import pytest

from directory.background import BackgroundFailed, Job, cancel_all


def test_the_result_comes_back():
    assert Job(lambda: {"shards": [1, 2, 3]}, "shards").result() == {"shards": [1, 2, 3]}


def test_a_failure_in_the_forked_process_fails_the_build(capfd):
    def broken():
        raise ValueError("broken index")

    with pytest.raises(BackgroundFailed, match="the index failed"):
        Job(broken, "the index").result()
    assert "broken index" in capfd.readouterr().err


def test_cancelling_stops_the_forked_process():
    work = Job(lambda: time.sleep(60), "sleeping")
    started = time.monotonic()
    work.cancel()
    with pytest.raises(BackgroundFailed, match="cancelled"):
        work.result()
    assert time.monotonic() - started < 30


def test_a_failed_build_cancels_every_job_still_running():
    jobs = [Job(lambda: time.sleep(60), f"sleeping {n}") for n in range(2)]
    cancel_all()
    for job in jobs:
        with pytest.raises(BackgroundFailed, match="cancelled"):
            job.result()
