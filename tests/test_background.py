"""background.py: a piece of the build in a forked process."""

from __future__ import annotations

import time

import pytest

from directory.background import Forked


def test_the_result_comes_back():
    assert Forked(lambda: {"shards": [1, 2, 3]}).result() == {"shards": [1, 2, 3]}


def test_a_failure_in_the_forked_process_fails_the_build(capfd):
    def broken():
        raise ValueError("broken index")

    with pytest.raises(RuntimeError, match="background process failed"):
        Forked(broken).result()
    assert "broken index" in capfd.readouterr().err


def test_abandoning_stops_the_forked_process():
    work = Forked(lambda: time.sleep(60))
    work.abandon()
    with pytest.raises(RuntimeError, match="abandoned"):
        work.result()
