"""Where a batch's reports are read: a local pool of worker processes, or a Dask cluster.

Both take :class:`Task` objects and yield an :class:`Outcome` per task, in the order they finish;
only the driver (the caller) writes results down. Each report runs in a separate worker process
(:mod:`.worker`), so a report that crashes the PDF library, exhausts memory or hangs in C code ends
as that report's error (``internal`` or ``timeout``) and the batch goes on with a fresh worker.

On Dask, each task hands its report to such a worker process on the Dask worker's machine (one
per Dask worker thread), for the same isolation; report paths must be readable there (shared storage).
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from typing import IO, Any

from ..errors import ExtractionTimeoutError, InternalError
from ..model import Report
from .worker import FileRead, read_message, write_message

DEFAULT_FN = "extractor.corpus.worker:extract_one"
WORKER_MAIN = "import sys; from extractor.corpus.worker import main; sys.exit(main())"
GRACE_SECONDS = 15.0  # beyond the report's own deadline, before the driver kills a stuck worker


@dataclass(frozen=True)
class Task:
    key: str  # the file's sha256
    path: str
    options: Any  # pipeline.Options

    @property
    def args(self) -> tuple[Any, ...]:
        return (self.path, self.options)


@dataclass
class Outcome:
    task: Task
    result: dict[str, Any]  # the contract JSON
    seconds: float = 0.0
    peak_rss_kb: int | None = None
    worker: str = ""
    read: FileRead | None = None  # what the worker read (None: the worker died, or a task function of old)
    stopped: bool = False  # the worker was stopped by a signal meant for the batch: nothing to record


def error_outcome(task: Task, err: Exception, worker: str = "", seconds: float = 0.0) -> Outcome:
    from ..errors import ExtractorError

    e = err if isinstance(err, ExtractorError) else InternalError(str(err), file=task.path)
    j = Report(file=task.path, sha256=task.key, status="error", error=e.to_dict()).to_json()
    return Outcome(task, j, seconds, None, worker)


def _died_message(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        how = f"was killed by {name}"
        if -returncode == signal.SIGKILL:
            how += " (the system may have run out of memory: lower --jobs or set --memory-limit)"
    else:
        how = f"exited with status {returncode}"
    return (f"the worker process reading this report {how}; the batch went on. "
            "Try the file alone with `extractor extract` and report it if it fails again")


class WorkerProcess:
    """One worker subprocess and the task it is running. It stays in the driver's process group (a
    signal to the group reaches it); with ``die_with_parent`` the kernel kills it when the driver dies."""

    def __init__(self, fn: str = DEFAULT_FN, log: IO[bytes] | int | None = None,
                 die_with_parent: bool = False) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER_MAIN], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=log)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.task: Task | None = None
        self.started = 0.0
        self.ready = False
        write_message(self.stdin, {"fn": fn, "sys_path": list(sys.path), "die_with_parent": die_with_parent,
                                   "parent": os.getpid()})

    @property
    def name(self) -> str:
        return f"local:{self.proc.pid}"

    def fileno(self) -> int:
        return self.stdout.fileno()

    def submit(self, task: Task) -> None:
        self.task, self.started = task, time.monotonic()
        write_message(self.stdin, (task.key, task.args))

    def receive(self) -> Any | None:
        """The next message; None when the worker died (its task is still in ``self.task``)."""
        msg = read_message(self.stdout)
        if msg is not None and msg[0] == "ready":
            self.ready = True
        return msg

    def overdue(self, timeout: float | None, grace: float = GRACE_SECONDS) -> bool:
        if not timeout:
            return False
        return self.task is not None and time.monotonic() - self.started > timeout + grace

    def signal_kill(self) -> None:
        """Send SIGKILL without waiting (to stop many workers at once)."""
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass

    def kill(self) -> int | None:
        self.signal_kill()
        self.proc.wait()
        for fh in (self.stdin, self.stdout):
            try:
                fh.close()
            except OSError:
                pass
        return self.proc.returncode

    def close(self) -> None:
        try:
            self.stdin.close()  # end of input: the worker exits by itself
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def run_one(self, task: Task, timeout: float | None) -> Outcome:
        """Run one task and wait for it (the Dask path); the worker is dead afterwards if it failed."""
        self.submit(task)
        while True:
            wait = None if not timeout else max(0.1, self.started + timeout + GRACE_SECONDS - time.monotonic())
            with selectors.DefaultSelector() as sel:
                sel.register(self.stdout, selectors.EVENT_READ)
                ready = sel.select(wait)
            if not ready and self.overdue(timeout):
                self.kill()
                return _overdue_outcome(task, timeout, self.name)
            if not ready:
                continue
            msg = self.receive()
            if msg is None:
                return _died_outcome(task, self.kill(), self.name)
            if msg[0] == "done":
                self.task = None
                return _done_outcome(task, msg, self.name)


def _overdue_outcome(task: Task, timeout: float | None, worker: str, grace: float = GRACE_SECONDS) -> Outcome:
    err = ExtractionTimeoutError(f"extraction took longer than {timeout:g} s and did not stop (stuck inside "
                                 "the PDF library?); its worker was killed. Raise --timeout or check the file",
                                 file=task.path)
    return error_outcome(task, err, worker, (timeout or 0) + grace)


def _done_outcome(task: Task, msg: tuple[Any, ...], worker: str) -> Outcome:
    _, _key, ok, result, seconds, rss = msg
    if not ok:
        out = error_outcome(task, InternalError(f"internal error in the worker: {result.strip().splitlines()[-1]}",
                                                file=task.path), worker, seconds)
        out.peak_rss_kb = rss
        return out
    read = None
    if isinstance(result, tuple):  # (contract JSON, FileRead) from worker.extract_one
        result, read = result
    return Outcome(task, result, seconds, rss, worker, read)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _died_outcome(task: Task, returncode: int | None, worker: str) -> Outcome:
    out = error_outcome(task, InternalError(_died_message(returncode), file=task.path), worker)
    # killed by a signal meant for the batch (e.g. SIGTERM to the process group): the report is not at fault
    out.stopped = returncode is not None and -returncode in STOP_SIGNALS
    return out


class LocalExecutor:
    """``jobs`` worker processes on this machine; a dead or stuck worker is replaced."""

    def __init__(self, jobs: int = 1, timeout: float | None = None, fn: str = DEFAULT_FN,
                 log: IO[bytes] | int | None = None, grace: float = GRACE_SECONDS) -> None:
        self.jobs, self.timeout, self.fn, self.log, self.grace = max(1, jobs), timeout, fn, log, grace
        self.name = f"local pool ({self.jobs} worker{'s' if self.jobs > 1 else ''})"

    def run(self, tasks: Iterable[Task]) -> Generator[Outcome, None, None]:
        """Outcomes as tasks finish. Closing the generator early (the batch is stopped: a signal, --strict,
        a full disk) kills every worker at once, busy or not."""
        pending = deque(tasks)
        workers: list[WorkerProcess] = []
        sel = selectors.DefaultSelector()
        completed = False

        def start() -> None:
            w = WorkerProcess(self.fn, self.log, die_with_parent=True)
            workers.append(w)
            sel.register(w.stdout, selectors.EVENT_READ, w)

        def retire(w: WorkerProcess) -> int | None:
            sel.unregister(w.stdout)
            workers.remove(w)
            return w.kill()

        try:
            for _ in range(min(self.jobs, len(pending))):
                start()
            while workers:
                for w in workers:
                    if w.ready and w.task is None and pending:
                        w.submit(pending.popleft())
                busy = [w for w in workers if w.task is not None]
                if not busy and not pending and all(w.ready for w in workers):
                    break
                for key, _ in sel.select(timeout=1.0):
                    w = key.data
                    msg = w.receive()
                    if msg is None:
                        task, code = w.task, retire(w)
                        if task is not None:
                            yield _died_outcome(task, code, w.name)
                        elif not w.ready:
                            raise InternalError(f"a batch worker could not start (exit status {code}); "
                                                f"run `{sys.executable} -c '{WORKER_MAIN}'` to see why")
                        if pending:
                            start()
                    elif msg[0] == "done":
                        task, w.task = w.task, None
                        assert task is not None
                        yield _done_outcome(task, msg, w.name)
                for w in [w for w in workers if w.overdue(self.timeout, self.grace)]:
                    task = w.task
                    retire(w)
                    assert task is not None
                    yield _overdue_outcome(task, self.timeout, w.name, self.grace)
                    if pending:
                        start()
            completed = True
        finally:
            if not completed:
                for w in workers:
                    w.signal_kill()
            for w in workers:
                sel.unregister(w.stdout)
                if completed:
                    w.close()  # idle: end of input ends it at once
                else:
                    w.kill()
            sel.close()


_local = threading.local()


def _dask_task(task: Task, timeout: float | None, fn: str) -> Outcome:
    """Runs on a Dask worker: the report goes to this thread's worker process (started on first use)."""
    w: WorkerProcess | None = getattr(_local, "worker", None)
    if w is None or w.proc.poll() is not None:
        w = _local.worker = WorkerProcess(fn, subprocess.DEVNULL)
        while not w.ready:
            if w.receive() is None:
                _local.worker = None
                raise InternalError(f"a batch worker could not start on this Dask worker (exit {w.kill()})")
    out = w.run_one(task, timeout)
    if w.proc.poll() is not None:
        _local.worker = None
    import socket

    out.worker = f"dask:{socket.gethostname()}:{w.proc.pid}"
    return out


class DaskExecutor:
    """Tasks on Dask distributed: the scheduler at ``scheduler`` (tcp://HOST:PORT), else a LocalCluster
    of ``jobs`` single-threaded worker processes started for this batch."""

    def __init__(self, scheduler: str | None = None, jobs: int = 1, timeout: float | None = None,
                 fn: str = DEFAULT_FN) -> None:
        self.scheduler, self.jobs, self.timeout, self.fn = scheduler, max(1, jobs), timeout, fn
        self.name = f"dask ({scheduler or f'local cluster, {self.jobs} workers'})"

    def run(self, tasks: Iterable[Task]) -> Generator[Outcome, None, None]:
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError as e:
            raise InternalError("--executor dask needs dask.distributed: pip install 'extractor[dask]'") from e
        todo = list(tasks)
        if not todo:
            return
        cluster = None
        if self.scheduler:
            client = Client(self.scheduler, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None)
            client = Client(cluster)
        try:
            futures = {client.submit(_dask_task, t, self.timeout, self.fn, pure=False,
                                     key=f"extract-{t.key[:16]}-{i}"): t for i, t in enumerate(todo)}
            for fut in as_completed(futures):
                task = futures.pop(fut)
                try:
                    yield fut.result()
                except Exception as e:  # noqa: BLE001 - e.g. KilledWorker: that report failed, the rest goes on
                    yield error_outcome(task, InternalError(
                        f"the Dask task for this report failed ({type(e).__name__}: {e}); the batch went on",
                        file=task.path), "dask")
        finally:
            for fut in list(futures):
                fut.cancel()
            client.close()
            if cluster is not None:
                cluster.close()
