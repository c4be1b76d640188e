"""Peak memory of a whole process tree (a command and every process it starts), for the benchmark scripts.

Sampled every 20 ms as the sum of each process's proportional set size (Pss in /proc/PID/smaps_rollup): pages
that a forked worker shares with its parent count once between them. Linux only; a peak shorter than the
sampling interval can be missed, so the scripts report at least the largest single process's peak resident
size (getrusage) too.
"""

from __future__ import annotations

import os
import threading


def tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [int(child) for child in fh.read().split()]
        except OSError:
            pass
    return pids


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreePeak:
    """Samples the tree below ``pid`` (``pid`` itself left out with ``below=True``) until stopped."""

    def __init__(self, pid: int, *, below: bool = False, interval: float = 0.02) -> None:
        self.pid, self.below, self.interval = pid, below, interval
        self.peak_kb = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            pids = tree(self.pid)[1:] if self.below else tree(self.pid)
            self.peak_kb = max(self.peak_kb, sum(pss_kb(p) for p in pids))
            self._done.wait(self.interval)

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak_kb
