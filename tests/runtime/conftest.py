"""The package under test, and a harness that runs each test against both client flavours.

The ``pkg`` fixture is the ONE place that decides which package is tested. Today it assembles a
throwaway package in a tmp dir from the runtime modules (generator/runtime/*.py) plus the
hand-written stand-ins in ``fakepkg/`` (shaped like the generated ``_client.py`` and
``_operations.py``). To test the real generated package instead, make ``pkg`` import it and make
``create_task`` below call its generate operation; the tests only use contract names
(Client, AsyncClient, get_task, wait_for_task, with_raw_response, the error classes).
"""

from __future__ import annotations

import importlib
import inspect
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import respx

collect_ignore = ["fakepkg"]

_HERE = Path(__file__).resolve().parent
_RUNTIME = _HERE.parents[1] / "generator" / "runtime"
_PACKAGE = "fakepkg"

BASE_URL = "https://api.example.com/v1"
API_KEY = "sk-test-SECRET-0123456789abcdef"


@pytest.fixture(scope="session")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package under test (imported from a tmp dir put on sys.path)."""
    root = tmp_path_factory.mktemp("runtime_pkg")
    target = root / _PACKAGE
    target.mkdir()
    for source in [*_RUNTIME.glob("*.py"), *(_HERE / "fakepkg").glob("*.py")]:
        shutil.copy(source, target / source.name)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(_PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == _PACKAGE or name.startswith(_PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeClock:
    """Stands in for the runtime's sleep and monotonic functions: sleeping only advances time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Harness:
    """One client flavour ("sync" or "async") wired to a respx router, with a fake clock."""

    def __init__(self, pkg: ModuleType, flavour: str, router: respx.MockRouter, clock: FakeClock) -> None:
        self.pkg = pkg
        self.flavour = flavour
        self.router = router
        self.clock = clock
        self.base_url = BASE_URL
        self.api_key = API_KEY
        self.client_class: Any = pkg.AsyncClient if flavour == "async" else pkg.Client
        self.config = self.client_class._config
        self._http_clients: list[httpx.Client] = []

    @staticmethod
    def task_json(status: str = "processing", **fields: Any) -> dict[str, Any]:
        """A body of GET /tasks/t1."""
        return {"id": "t1", "status": status, **fields}

    def url(self, path: str) -> str:
        return self.base_url + path

    def http_client(self, **kwargs: Any) -> Any:
        """A caller-owned httpx client of the right flavour whose requests go to the router."""
        transport = httpx.MockTransport(self.router.handler)
        if self.flavour == "async":
            return httpx.AsyncClient(transport=transport, **kwargs)
        client = httpx.Client(transport=transport, **kwargs)
        self._http_clients.append(client)
        return client

    def client(self, **options: Any) -> Any:
        """A client with the test key and base URL (override any option) over the mock router."""
        options.setdefault("api_key", self.api_key)
        options.setdefault("base_url", self.base_url)
        if "http_client" not in options:
            options["http_client"] = self.http_client()
        return self.client_class(**options)

    async def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a client method and await its result when the client is async."""
        result = fn(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def create_task(self, client: Any) -> Any:
        """Call the non-idempotent (billed) operation: POST /generate/task."""
        return await self.call(client.create_task, self.pkg.TaskRequest(prompt="a cat"))

    async def close(self, client: Any) -> None:
        """Use the client as a context manager and leave it."""
        if self.flavour == "async":
            async with client:
                pass
        else:
            with client:
                pass

    def close_all(self) -> None:
        for client in self._http_clients:
            client.close()


@pytest.fixture(params=["sync", "async"])
def h(request: pytest.FixtureRequest, pkg: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    """The harness for one flavour; the environment variables of the client are cleared."""
    clock = FakeClock()
    base_client = importlib.import_module(pkg.__name__ + "._base_client")
    monkeypatch.setattr(base_client, "_sleep", clock.sleep)
    monkeypatch.setattr(base_client, "_async_sleep", clock.async_sleep)
    monkeypatch.setattr(base_client, "_monotonic", clock.monotonic)
    router = respx.MockRouter(assert_all_called=False)
    harness = Harness(pkg, request.param, router, clock)
    monkeypatch.delenv(harness.config.api_key_env, raising=False)
    monkeypatch.delenv(harness.config.base_url_env, raising=False)
    yield harness
    harness.close_all()
