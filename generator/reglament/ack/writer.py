"""Group commit: concurrent acknowledgements of one instance written together, one transaction per batch.

The hash chain makes every write take the chain's lock until it commits, so
one record per transaction caps an instance at one commit (a disk flush) per
record. The writer thread instead takes whatever has queued up while the
previous batch was committing and writes it in one transaction
(:func:`records.append_many`). A request is answered only after its batch has
committed, so a ``kill -9`` loses nothing that was confirmed; a request whose
batch never committed was never confirmed and is simply posted again.
Several instances still share one PostgreSQL safely: each batch takes the
chain's row lock like a single write does.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

from sqlalchemy import Engine

from .records import Acknowledgement, append_many

MAX_BATCH = 256


class GroupCommit:
    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[Acknowledgement, Future]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, ack: Acknowledgement) -> Future[tuple[dict, bool]]:
        """Queue ``ack``; the future resolves to (record, written now) once its batch has committed."""
        future: Future[tuple[dict, bool]] = Future()
        self._queue.put((ack, future))
        self._ensure_thread()
        return future

    def append(self, ack: Acknowledgement) -> tuple[dict, bool]:
        """:func:`records.append` through the group commit (blocks the calling thread until committed)."""
        return self.submit(ack).result()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ack-group-commit", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                results = append_many(self.engine, [ack for ack, _ in batch])
            except Exception as exc:  # every waiting request learns of it; the writer goes on
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results):
                future.set_result(result)
