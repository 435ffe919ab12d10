"""A second process for the large path's min-cost flows, beside the main process's own work.

When a core looks free (``_spare_core``: the 1-minute load average at most the cores less a half;
on the shared 2-core development machine under other work the two processes only competed for
busy cores), a large plain session (``PARALLEL_EDGES`` candidate pairs or more) starts one child
Python process (``FlowWorker``). It receives the double cover's arrays once
(``flow.Net``), then solves flows given their rewards, one job at a time, in the order sent: the
selection flow while this process computes the greedy baseline, and in the bound search
(``large``) a second multiplier each round. A job's result is the result of the same function on
the same integers here, so schedules and bounds do not depend on whether the worker ran; only
the wall time does (and only when the second core is free: on a machine busy with other work the
two processes share the cores). If the child fails (it exits, is killed, runs out of memory),
this and every later job is solved in this process instead.

Messages are pickles over the child's stdin and stdout; a writer thread sends them, so this
process never waits for the child to read (the child needs about a second to import its modules).
The child holds a second copy of the network while it solves (about as much memory as the
flow takes here).
"""

from __future__ import annotations

import os
# bandit B403: pickle only carries arrays between this process and its own child, over a private pipe
import pickle  # nosec B403
import queue
# bandit B404: starts this interpreter on this package's own worker loop only
import subprocess  # nosec B404
import sys
import threading
from pathlib import Path

import numpy as np

from .flow import Net, Solved, network

PARALLEL = True  # and only when a core looks free (``_spare_core``): on busy cores it did not pay
PARALLEL_EDGES = 300_000  # below, the child's start (about 1 s) eats the gain: regular 20,000 (224,000 pairs) broke even
_ROOT = Path(__file__).resolve().parents[3]  # the folder holding the ``matchmaker`` package
_START = "from matchmaker.core.scheduling.worker import serve; serve()"


def _spare_core() -> bool:
    """Whether a core looks free now: two cores or more, and the 1-minute load average, in which this
    process counts for about 1, at most the cores less a half."""
    cores = os.cpu_count() or 1
    return cores >= 2 and os.getloadavg()[0] <= cores - 0.5


def wanted(edges: int) -> bool:
    """Whether a session with *edges* candidate pairs gets a flow worker (module docstring)."""
    return PARALLEL and edges >= PARALLEL_EDGES and _spare_core()


def start(net: Net) -> FlowWorker | None:
    """A flow worker for *net*, or None when its process cannot be started (no flows are lost: they run here)."""
    try:
        return FlowWorker(net)
    except OSError:
        return None


class FlowWorker:
    """A child process solving ``flow.network`` jobs on one network (module docstring)."""

    def __init__(self, net: Net) -> None:
        self.net = net
        self.failed = False
        self._pending: list[tuple[list[int], np.ndarray]] = []  # jobs sent whose results are not read yet
        path = os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))
        # bandit B603: fixed argv (this interpreter and a constant program), no shell
        self._proc = subprocess.Popen([sys.executable, "-c", _START], stdin=subprocess.PIPE, stdout=subprocess.PIPE,  # nosec B603
                                      env={**os.environ, "PYTHONPATH": path}, cwd=str(_ROOT))
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write, name="flow-worker-writer", daemon=True)
        self._writer.start()
        self._outbox.put(net)

    def _write(self) -> None:
        stdin = self._proc.stdin
        try:
            while (message := self._outbox.get()) is not None:
                pickle.dump(message, stdin, protocol=pickle.HIGHEST_PROTOCOL)
                stdin.flush()
        except (BrokenPipeError, OSError, ValueError):  # the child is gone: result() notices
            pass
        try:
            stdin.close()
        except (BrokenPipeError, OSError):
            pass

    def submit(self, level_rewards: list[int], edge_rewards: np.ndarray) -> None:
        """Queue a flow with these rewards (``flow.network``); ``result`` returns results in order."""
        job = ([int(r) for r in level_rewards], np.asarray(edge_rewards, dtype=np.int64))
        self._pending.append(job)
        if not self.failed:
            self._outbox.put(job)

    def result(self) -> Solved:
        """The optimal flow of the oldest job not yet returned (solved here if the child failed).

        Raises RuntimeError, as ``flow.network`` does, when the solver finds no optimal flow.
        """
        job = self._pending.pop(0)
        if not self.failed:
            try:
                # bandit B301: the pipe is our own child's stdout; nothing else writes to it
                answer = pickle.load(self._proc.stdout)  # nosec B301
            except (EOFError, OSError, pickle.UnpicklingError):
                answer = None
            if answer is not None and answer[0] == "ok":
                return Solved(*answer[1:])
            if answer is not None:
                raise RuntimeError(answer[1])
            self.failed = True
            self._proc.kill()
        return network(self.net, *job)

    def close(self) -> None:
        """End the child: at once if it still works on a job, else once it has read the end of its input."""
        if self._pending or self.failed:
            self._proc.kill()
        self._outbox.put(None)
        self._writer.join(timeout=5.0)
        try:
            self._proc.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc.stdout.close()


def serve() -> None:
    """The child's loop: read the network, then solve each job and write its result, until the input ends."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the result pipe
    # bandit B301: stdin is the pipe from the parent process that started this child
    net = pickle.load(stdin)  # nosec B301
    while True:
        try:
            # bandit B301: as above, the parent's pipe
            job = pickle.load(stdin)  # nosec B301
        except EOFError:
            return
        try:
            solved = network(net, *job)
            answer: tuple = ("ok", solved.reward, solved.x, solved.on_level)
        except RuntimeError as exc:
            answer = ("error", str(exc))
        pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()
