"""Whatever a server answers (any status, any bytes, any headers), every generated operation of
both clients returns its model or raises one of the documented errors: nothing else comes out.

Deterministic (``derandomize=True``): CI sees the same examples on every run. Sleeping is faked by
the harness, so retries and polling cost no time.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=60, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


async def _result_urls(client: Any) -> list[str]:
    """The URLs of whatever task the server answers with (the method itself sends nothing)."""
    task = client.get_task("t1")
    if inspect.isawaitable(task):
        task = await task
    return client.result_urls(task)


# One valid call per public method of each package's client (also made on ``with_raw_response``,
# then parsed); a method missing here fails the test.
CALLS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "seedance_client": {
        "generate_seedance_2_0": lambda client: client.generate_seedance_2_0(prompt="a cat", duration=5),
        "generate_seedance_pro_1_5": lambda client: client.generate_seedance_pro_1_5(prompt="a cat"),
        "get_task": lambda client: client.get_task("t1"),
        "wait_for_task": lambda client: client.wait_for_task("t1", poll_interval=1.0, timeout=5.0),
        "result_urls": _result_urls,
    },
    "zoo_runtime": {
        "list_pets": lambda client: client.list_pets(x_request_id="r1", tags=["a", "b"], limit=3),
        "create_pet": lambda client: client.create_pet(name="Rex"),
        "get_pet": lambda client: client.get_pet(5),
        "replace_pet": lambda client: client.replace_pet(5, id=5, name="Rex"),
        "update_pet": lambda client: client.update_pet(5, nickname=None),
        "delete_pet": lambda client: client.delete_pet(5),
        "get_stats": lambda client: client.get_stats(),
        "search_pets": lambda client: client.search_pets(tag=["a"]),
    },
}

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_FIELDS = ("id", "status", "task_id", "message", "error_code", "error_msg", "result", "name", "count")


@st.composite
def _shaped_json(draw: st.DrawFn) -> bytes:
    """JSON objects with the field names the models know, so that bodies get past the first check."""
    keys = draw(st.lists(st.sampled_from(_FIELDS), max_size=5, unique=True))
    values = {
        key: draw(_JSON | st.sampled_from(["completed", "failed", "pending", "t1", "", "\x00"]))
        for key in keys
    }
    return json.dumps(values).encode()


def _deep(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


BODIES = st.one_of(
    st.binary(max_size=64),
    _JSON.map(lambda value: json.dumps(value).encode()),
    _shaped_json(),
    st.integers(min_value=1, max_value=3).map(lambda n: _deep(10**n * 3)),
    st.sampled_from([b"", b"null", b"[]", b"{}", b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b"NaN", b"1e999"]),
)

_TOKEN = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=12)
HEADERS = st.dictionaries(
    st.sampled_from(
        [
            "content-type",
            "retry-after",
            "retry-after-ms",
            "x-should-retry",
            "location",
            "content-encoding",
            "x-request-id",
            "www-authenticate",
        ]
    ),
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-16",
            "application/json; charset=utf-32-be",
            "text/plain; charset=bogus",
            "text/html; charset=latin-1",
            "0",
            "-1",
            "nan",
            "1e308",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "gzip",
            "br",
            "true",
            "false",
        ]
    )
    | _TOKEN,
    max_size=3,
)
STATUSES = st.integers(min_value=100, max_value=599) | st.sampled_from(
    [200, 201, 204, 302, 400, 401, 404, 422, 429, 500, 503]
)


def _public_methods(client_class: type) -> set[str]:
    module = client_class.__module__
    return {
        name
        for name, member in vars(client_class).items()
        if not name.startswith("_") and inspect.isfunction(member) and member.__module__ == module
    }


@pytest.fixture(params=["seedance_client", "zoo_runtime"])
def package(request: pytest.FixtureRequest, pkg: Any, zoo: Any) -> Any:
    return pkg if request.param == "seedance_client" else zoo


def test_every_public_method_of_the_clients_is_fuzzed(package):
    calls = CALLS[package.__name__]
    assert _public_methods(package.Client) == set(calls)
    assert _public_methods(package.AsyncClient) == set(calls)


def test_any_answer_ends_in_a_model_or_a_documented_error(make_harness, package):
    h = make_harness(package)
    calls = CALLS[package.__name__]
    state: dict[str, Any] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        status, headers, body = state["answer"]
        return httpx.Response(status, headers=headers, content=body)

    transport = httpx.MockTransport(answer)
    http_client = (
        httpx.AsyncClient(transport=transport) if h.flavour == "async" else httpx.Client(transport=transport)
    )
    client = h.client(http_client=http_client)

    @SETTINGS
    @given(
        status=STATUSES,
        headers=HEADERS,
        body=BODIES,
        operation=st.sampled_from(sorted(calls)),
        raw=st.booleans(),
    )
    def check(status: int, headers: dict[str, str], body: bytes, operation: str, raw: bool) -> None:
        state["answer"] = (status, headers, body)
        raw = raw and hasattr(client.with_raw_response, operation)  # wait_for_task has no raw form

        async def run() -> None:
            try:
                if raw:
                    response = await h.call(calls[operation], client.with_raw_response)
                    assert isinstance(response.text, str)
                    response.parse()
                else:
                    await h.call(calls[operation], client)
            except package.APIError as error:
                assert h.api_key not in str(error)
            # Anything else (RecursionError, UnicodeError, httpx's or pydantic's own errors)
            # propagates and fails the test with the example that caused it.

        asyncio.run(run())

    try:
        check()
    finally:
        if h.flavour == "sync":
            http_client.close()
