import itertools
import socket

import pytest

from kiosk.printing.cups import CupsPrinter

from .cups_server import PrivateCups

_names = itertools.count(1)


@pytest.fixture(scope="session")
def cups():
    """One private cupsd for the whole run (about 0.1 s to start)."""
    with PrivateCups() as server:
        yield server


def _new_queue(cups, prefix: str, device: str | None = None) -> str:
    name = f"{prefix}{next(_names)}"
    cups.add_queue(name, device=device)
    return name


@pytest.fixture
def queue(cups):
    """A fresh queue (enabled, accepting) printing to cups.output(queue)."""
    name = _new_queue(cups, "receipt")
    yield name
    cups.delete_queue(name)


@pytest.fixture
def stalled_queue(cups):
    """A queue whose device takes the connection and never finishes the job: a socket://
    printer that listens but never reads nor closes, so the job stays processing."""
    sink = socket.socket()
    sink.bind(("127.0.0.1", 0))
    sink.listen(8)
    port = sink.getsockname()[1]
    name = _new_queue(cups, "stalled", device=f"socket://127.0.0.1:{port}")
    yield name
    cups.delete_queue(name)       # cancels what is left
    sink.close()


@pytest.fixture
def printer(cups, queue):
    p = CupsPrinter(queue, server=cups.server)
    yield p
    p.close()
