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


def test_the_result_comes_back_before_the_work_afterwards_which_is_joined(tmp_path):
    """``afterwards`` runs in the forked process once the result is sent: the result does
    not wait for it; join_all does."""
    from directory.background import join_all

    marker = tmp_path / "afterwards"

    def afterwards():
        time.sleep(1.5)
        marker.write_text("written")

    started = time.monotonic()
    job = Job(lambda: "index", "the index", afterwards=afterwards)
    assert job.result() == "index"
    assert time.monotonic() - started < 1.2 and not marker.exists()
    join_all()
    assert marker.read_text() == "written"


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


def test_a_forked_process_dies_with_the_process_that_forked_it(tmp_path):
    """A build killed outright must not leave its helper writing into the staging folder."""
    import os
    import signal
    import subprocess
    import sys

    marker = tmp_path / "child.pid"
    script = (
        "import sys, time, os; sys.path.insert(0, sys.argv[1])\n"
        "from directory.background import Job\n"
        "def work():\n"
        "    open(sys.argv[2], 'w').write(str(os.getpid())); time.sleep(60)\n"
        "Job(work, 'sleeping'); time.sleep(60)\n")
    from conftest import ROOT

    process = subprocess.Popen([sys.executable, "-c", script, str(ROOT / "plugins"), str(marker)])
    deadline = time.monotonic() + 30
    while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    child = int(marker.read_text())
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        # Reaped by init once dead; until then it may linger as a zombie for a moment.
        with open(f"/proc/{child}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        raise AssertionError("the forked process outlived the process that forked it")


def test_ready_says_whether_the_result_is_in():
    """The build renders pages while a job is not ready (pages.render_pages_while) instead of
    waiting for it."""
    job = Job(lambda: time.sleep(1.0) or "index", "the index")
    assert not job.ready()
    deadline = time.monotonic() + 30
    while not job.ready():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert job.result() == "index"
    assert job.ready()


def test_a_failed_job_is_ready_with_its_failure(capfd):
    def broken():
        raise ValueError("broken index")

    job = Job(broken, "the index")
    deadline = time.monotonic() + 30
    while not job.ready():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with pytest.raises(BackgroundFailed, match="the index failed"):
        job.result()


def test_the_build_renders_pages_while_it_waits_for_a_job(tmp_path):
    """While another job runs, this process takes pages from the back (BackgroundPages); the
    forked renderer takes them from the front; every page is written exactly once."""
    import os

    from pelican.writers import Writer

    from directory.page_writer import PageWriter
    from directory.pages import PAGES_JOB, BackgroundPages, Page, render_pages_while
    from directory.progress import BuildReport

    written = tmp_path / "written"
    written.mkdir()

    def write(page):  # slow enough for the wait to outlast a few pages
        time.sleep(0.01)
        (written / page.save_as).write_text(str(os.getpid()))

    pages = [Page(f"page-{number}", "profile", {}) for number in range(300)]
    stage = BuildReport().open_stage("render", len(pages), "pages")
    page_writer = PageWriter(Writer(str(tmp_path / "output"), settings={}), {}, False)
    running = BackgroundPages(pages, write, stage, page_writer)
    settings = {PAGES_JOB: running}
    index = Job(lambda: time.sleep(0.8) or "index", "the index")
    render_pages_while(settings, lambda: not index.ready())
    mine_while_waiting = sum(path.read_text() == str(os.getpid()) for path in written.iterdir())
    assert index.result() == "index"
    running.finish()
    writers = [(written / page.save_as).read_text() for page in pages]
    assert len(writers) == len(pages)
    assert mine_while_waiting > 0
    assert str(os.getpid()) in writers and str(running.job.pid) in writers
    assert writers.index(str(os.getpid())) > writers.index(str(running.job.pid))  # the back


def test_a_job_that_yields_runs_at_a_lower_priority():
    """The pages' renderer and the open data make way for the search index (background.py)."""
    import os

    from directory.background import YIELDING_NICENESS

    here = os.nice(0)
    assert Job(lambda: os.nice(0), "the pages", yields=True).result() == here + YIELDING_NICENESS
    assert Job(lambda: os.nice(0), "the index").result() == here


def test_a_job_whose_result_nobody_took_is_cancelled_not_waited_for():
    """join_all: such a job would block for ever writing a result larger than a pipe holds."""
    import signal

    from directory.background import join_all

    forgotten = Job(lambda: "x" * 1_000_000, "the forgotten job")
    signal.alarm(20)  # a wait for ever fails the test instead
    try:
        with pytest.raises(BackgroundFailed, match="nothing took the result of the forgotten"):
            join_all()
    finally:
        signal.alarm(0)
    assert forgotten._done
