"""The packages under test, and a harness that runs each test against both client flavours.

``pkg`` is the committed generated package ``seedance_client``, imported as a user vendors it
(pytest's pythonpath includes generated/). Two more packages are generated into a tmp dir, once
per session and only when a test asks for them, for what the real spec does not have:

- ``variant``: spec/openapi.yaml with the retry policy flipped by ``x-idempotent`` on both kinds
  of operation and a different ``x-wait``, to show that both come from the spec;
- ``zoo``: tests/generator/specs/zoo.yaml (an ``apiKey`` header scheme) plus one operation that
  sends the key in the query and documents its answer as ``2XX``.
"""

from __future__ import annotations

import copy
import importlib
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import respx

from tests import fast_yaml

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec" / "openapi.yaml"
ZOO_SPEC = REPO / "tests" / "generator" / "specs" / "zoo.yaml"

API_KEY = "sk-test-SECRET-0123456789abcdef"
CREATE_PATH = "/generate/vol/seedance-2.0"
TASK_PATH = "/tasks/{id}"


@pytest.fixture(scope="session")
def spec_document() -> dict[str, Any]:
    """spec/openapi.yaml as a plain dict (never modified: tests copy it)."""
    document: dict[str, Any] = fast_yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="session")
def pkg() -> ModuleType:
    """The committed generated package."""
    return importlib.import_module("seedance_client")


@pytest.fixture(scope="session")
def variant(generate_package: Callable[..., ModuleType], spec_document: dict[str, Any]) -> ModuleType:
    """The real spec with ``x-idempotent`` flipping the retry policy of the POST and the GET, and an
    ``x-wait`` that names the helper ``wait_until_done`` and also treats ``cancelled`` as a failure."""
    spec = copy.deepcopy(spec_document)
    create = spec["paths"][CREATE_PATH]["post"]
    create["x-idempotent"] = True
    get_task = spec["paths"][TASK_PATH]["get"]
    get_task["x-idempotent"] = False
    get_task["x-wait"] = {**get_task["x-wait"], "name": "wait_until_done", "failure": ["failed", "cancelled"]}
    return generate_package(spec, "seedance_variant")


@pytest.fixture(scope="session")
def zoo(generate_package: Callable[..., ModuleType]) -> ModuleType:
    """The generator's zoo spec plus ``searchPets``: an apiKey in the query and a ``2XX`` answer."""
    spec: dict[str, Any] = fast_yaml.safe_load(ZOO_SPEC.read_text(encoding="utf-8"))
    spec["components"]["securitySchemes"]["queryKey"] = {"type": "apiKey", "in": "query", "name": "api_key"}
    spec["paths"]["/search"] = {
        "get": {
            "operationId": "searchPets",
            "security": [{"queryKey": []}],
            "parameters": [
                {"name": "tag", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}
            ],
            "responses": {
                "2XX": {
                    "description": "Matching pet names.",
                    "content": {
                        "application/json": {"schema": {"type": "array", "items": {"type": "string"}}}
                    },
                }
            },
        }
    }
    return generate_package(spec, "zoo_runtime")


# Packages generated once per worker: under xdist (make test) the tests that use one share a worker.
_GENERATED = {"variant", "zoo", "enums"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here) and _GENERATED & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("runtime-generated"))


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
    """One client flavour ("sync" or "async") of one package, wired to a respx router and a fake clock."""

    def __init__(self, pkg: ModuleType, flavour: str, router: respx.MockRouter, clock: FakeClock) -> None:
        self.pkg = pkg
        self.flavour = flavour
        self.router = router
        self.clock = clock
        self.api_key = API_KEY
        self.client_class: Any = pkg.AsyncClient if flavour == "async" else pkg.Client
        self.config = self.client_class._config
        self.base_url = self.config.default_base_url
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
        """Call the non-idempotent (billed) operation: POST /generate/vol/seedance-2.0."""
        return await self.call(client.generate_seedance_2_0, prompt="a cat")

    def create_route(self) -> respx.Route:
        return self.router.post(self.url(CREATE_PATH))

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
def make_harness(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[ModuleType], Harness]]:
    """``make_harness(package)``: a harness of this test's flavour for ``package``, with the
    package's clock faked and its environment variables cleared."""
    harnesses: list[Harness] = []

    def make(package: ModuleType) -> Harness:
        clock = FakeClock()
        base_client = importlib.import_module(package.__name__ + "._base_client")
        monkeypatch.setattr(base_client, "_sleep", clock.sleep)
        monkeypatch.setattr(base_client, "_async_sleep", clock.async_sleep)
        monkeypatch.setattr(base_client, "_monotonic", clock.monotonic)
        harness = Harness(package, request.param, respx.MockRouter(assert_all_called=False), clock)
        monkeypatch.delenv(harness.config.api_key_env, raising=False)
        monkeypatch.delenv(harness.config.base_url_env, raising=False)
        harnesses.append(harness)
        return harness

    yield make
    for harness in harnesses:
        harness.close_all()


@pytest.fixture
def h(make_harness: Callable[[ModuleType], Harness], pkg: ModuleType) -> Harness:
    """The harness of the committed package, for one flavour."""
    return make_harness(pkg)
