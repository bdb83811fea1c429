"""The background sync worker of a running kiosk: a thread that sends the queue.

It has its own SQLite connection to the outbox (WAL lets it write while the kiosk
saves new submissions) and sleeps until the next retry is due, a new submission wakes
it (``poke()``), or ``interval`` passes. Its ``status`` (pending count, last success,
last error, online) is what the agent's screen and the discreet indicator read; it is
replaced as a whole, so a reader on another thread never sees half of it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from typing import Callable

from .client import SyncClient, SyncStatus

log = logging.getLogger(__name__)


class SyncWorker:
    def __init__(self, make_client: Callable[[], SyncClient], interval: float = 30.0,
                 on_status: Callable[[SyncStatus], None] | None = None):
        self._make_client = make_client
        self._interval = interval
        self.on_status = on_status
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.status = SyncStatus()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """A submission was just saved: try now rather than at the next interval."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _publish(self, status: SyncStatus) -> None:
        self.status = dataclasses.replace(status)
        if self.on_status is not None:
            self.on_status(self.status)

    def _run(self) -> None:
        client = self._make_client()
        try:
            client.outbox.reset_sending()
            while not self._stop.is_set():
                try:
                    client.run_until_empty(stop=self._stop)
                except Exception as e:  # never let the worker die: report and go on
                    log.error("sync worker: %s", type(e).__name__)
                    client.status.last_error = type(e).__name__
                self._publish(client.status)
                self._wake.wait(self._interval)
                self._wake.clear()
        finally:
            client.close()
            client.outbox.close()
