"""Results shared between the processes of one run: computed once, by whoever comes first."""

from __future__ import annotations

import multiprocessing
import time

from depmap_models import _sharing


def _slow_result(log: str) -> dict:
    with open(log, "a") as handle:
        handle.write("computed\n")
    time.sleep(1.0)  # long enough for the other process to ask meanwhile
    return {"value": 42}


def _ask(directory: str, log: str, queue) -> None:
    import os

    os.environ[_sharing.FIT_CACHE_VARIABLE] = directory
    queue.put(_sharing.shared("key", "test", lambda: _slow_result(log)))


def test_two_processes_asking_at_once_compute_the_result_once(tmp_path):
    log = tmp_path / "log"
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    askers = [context.Process(target=_ask, args=(str(tmp_path / "shared"), str(log), queue))
              for _ in range(2)]
    for asker in askers:
        asker.start()
    results = [queue.get(timeout=120) for _ in askers]
    for asker in askers:
        asker.join(timeout=120)
    assert results == [{"value": 42}, {"value": 42}]
    assert log.read_text().splitlines() == ["computed"]


def test_unset_every_call_computes(tmp_path):
    calls = []
    for _ in range(2):
        _sharing.shared("key", "test", lambda: calls.append(1) or len(calls))
    assert calls == [1, 1]
