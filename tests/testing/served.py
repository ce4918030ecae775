"""A generated package's mock on a real HTTP server, on a loopback ephemeral port, in a thread."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any


@contextmanager
def serving(package: ModuleType, make_mock: Callable[[str], Any] | None = None) -> Iterator[Any]:
    """Serve ``package.testing.MockAPI`` (or ``make_mock(url)``); yields the server (``.url``, ``.mock``)."""
    testing = package.testing
    make_server = importlib.import_module(f"{package.__name__}._mock_server").make_server
    server = make_server(make_mock or (lambda url: testing.MockAPI(base_url=url)), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
