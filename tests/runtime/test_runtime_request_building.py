"""The client builds a call's request without ``httpx.Client.build_request`` when nothing but
header merging would happen there, keeping the merged headers per client. The request must be the
one ``build_request`` makes, byte for byte; and whatever ``build_request`` would add (the http
client's cookies and query parameters, a subclass's own building) must still be added."""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

KEY = "sk-test-SECRET-0123456789abcdef"
BASE = "https://api.example.com/v1"


class _SyncBuilding(httpx.Client):
    """Builds requests as httpx does, but as a subclass: the client must call its build_request."""

    def build_request(self, *args: Any, **kwargs: Any) -> httpx.Request:
        return super().build_request(*args, **kwargs)


class _AsyncBuilding(httpx.AsyncClient):
    def build_request(self, *args: Any, **kwargs: Any) -> httpx.Request:
        return super().build_request(*args, **kwargs)


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"task_id": "t1"})


def _specs(pkg: Any) -> list[Any]:
    spec, auth = pkg._types.RequestSpec, pkg._types.AuthScheme
    common: dict[str, Any] = {"responses": {"200": None}, "idempotent": False}
    return [
        spec(
            operation="json",
            method="POST",
            path="/a",
            json={"é": [1, 2.5, None]},
            has_body=True,
            security=(auth.bearer(),),
            **common,
        ),
        spec(
            operation="get",
            method="GET",
            path="/tasks/t%2F1",
            params={"tag": ["a", "b"], "n": "1"},
            security=(auth.bearer(),),
            **common,
        ),
        spec(
            operation="form",
            method="POST",
            path="/f",
            json={"a": "1", "b": ["x", "y"]},
            has_body=True,
            body_kind="form",
            media_type="application/x-www-form-urlencoded",
            security=(auth.basic(),),
            **common,
        ),
        spec(
            operation="multipart",
            method="POST",
            path="/m",
            json={"meta": {"k": 1}, "name": "n"},
            has_body=True,
            body_kind="multipart",
            media_type="multipart/form-data",
            files={"file": ("a.txt", b"abc", "text/plain")},
            security=(auth.header("X-Api-Key"),),
            **common,
        ),
        spec(
            operation="empty_multipart",
            method="POST",
            path="/m",
            json={},
            has_body=True,
            body_kind="multipart",
            media_type="multipart/form-data",
            **common,
        ),
        spec(
            operation="text",
            method="PUT",
            path="/t",
            content="héllo",
            has_body=True,
            body_kind="text",
            media_type="text/plain",
            params={"q": "1"},
            security=(auth.query("api_key"),),
            **common,
        ),
        spec(
            operation="binary",
            method="POST",
            path="/b",
            content=b"\x00\x01",
            has_body=True,
            body_kind="binary",
            media_type="application/octet-stream",
            **common,
        ),
        spec(operation="cookie", method="DELETE", path="/c", security=(auth.cookie("sid"),), **common),
        spec(operation="no_body", method="POST", path="/n", security=(auth.bearer(),), **common),
        spec(
            operation="empty_text",
            method="PATCH",
            path="/t",
            content="",
            has_body=True,
            body_kind="text",
            media_type="text/plain",
            **common,
        ),
    ]


HTTP_HEADERS: list[dict[str, str] | None] = [
    None,  # httpx's own defaults
    {
        "Authorization": "Bearer other",
        "Cookie": "a=1",
        "Accept": "text/plain",
        "Content-Type": "text/csv",
        "X-Team": "a",
        "user-agent": "theirs",
        "Host": "other.example",
    },
    {"Content-Length": "7", "Transfer-Encoding": "chunked"},
]
DEFAULT_HEADERS: list[dict[str, str] | None] = [None, {"X-Trace": "1", "Accept": "*/*"}]


def _comparable(request: httpx.Request) -> tuple[Any, ...]:
    """Everything a request is made of; multipart's random boundary made constant."""
    headers = request.headers.multi_items()
    try:
        content, read = request.content, True  # a body given as bytes is read when the request is made
    except httpx.RequestNotRead:
        content, read = request.read(), False
    found = re.match(rb"--([0-9a-f]{32})\r\n", content)
    if found:
        boundary = found.group(1).decode("ascii")
        headers = [(key, value.replace(boundary, "B")) for key, value in headers]
        content = content.replace(boundary.encode("ascii"), b"B")
    return request.method, str(request.url), headers, content, read, request.extensions


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_the_kept_headers_make_the_request_that_build_request_makes(pkg, flavour):
    plain_class, building_class = (
        (httpx.Client, _SyncBuilding) if flavour == "sync" else (httpx.AsyncClient, _AsyncBuilding)
    )
    client_class = pkg.Client if flavour == "sync" else pkg.AsyncClient
    transport = httpx.MockTransport(_answer)
    compared = 0
    for http_headers, default_headers, timeout in itertools.product(
        HTTP_HEADERS, DEFAULT_HEADERS, [pkg._types.NOT_GIVEN, 5.0]
    ):
        kept = client_class(
            api_key=KEY,
            base_url=BASE,
            default_headers=default_headers,
            http_client=plain_class(transport=transport, headers=http_headers),
        )
        built = client_class(
            api_key=KEY,
            base_url=BASE,
            default_headers=default_headers,
            http_client=building_class(transport=transport, headers=http_headers),
        )
        assert kept._kept_requests() is not None and built._kept_requests() is None
        for spec in _specs(pkg):
            for _ in range(2):  # the second time from the kept headers
                assert _comparable(kept._build_request(spec, timeout=timeout)) == _comparable(
                    built._build_request(spec, timeout=timeout)
                ), spec.operation
                compared += 1
    assert compared == len(HTTP_HEADERS) * 2 * 2 * len(_specs(pkg)) * 2


async def test_headers_changed_on_the_http_client_are_sent_from_the_next_call(h):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())
    http_client = h.http_client(headers={"X-Team": "a"})
    client = h.client(http_client=http_client)
    await h.call(client.get_task, "t1")

    http_client.headers["X-Team"] = "b"
    await h.call(client.get_task, "t1")
    http_client.headers = {"X-Other": "c"}
    await h.call(client.get_task, "t1")

    sent = [call.request.headers for call in route.calls]
    assert [headers.get("X-Team") for headers in sent] == ["a", "b", None]
    assert sent[2]["X-Other"] == "c"
    assert all(headers["Authorization"] == f"Bearer {h.api_key}" for headers in sent)


async def test_cookies_and_query_parameters_of_the_http_client_are_still_sent(h):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())
    client = h.client(http_client=h.http_client(cookies={"session": "s1"}, params={"team": "a"}))

    await h.call(client.get_task, "t1")

    request = route.calls.last.request
    assert request.headers["Cookie"] == "session=s1"
    assert request.url.params["team"] == "a"
    assert request.headers["Authorization"] == f"Bearer {h.api_key}"


async def test_an_http_client_subclass_that_builds_its_own_requests_is_used(h):
    route = h.create_route().respond(200, json={"task_id": "t1"})
    base = httpx.AsyncClient if h.flavour == "async" else httpx.Client

    class Signing(base):  # type: ignore[misc, valid-type]
        def build_request(self, *args: Any, **kwargs: Any) -> httpx.Request:
            request = super().build_request(*args, **kwargs)
            request.headers["X-Signature"] = f"signed {len(request.content)}"
            return request

    http_client = Signing(transport=httpx.MockTransport(h.router.handler))
    try:
        await h.call(h.client(http_client=http_client).generate_seedance_2_0, prompt="a cat")
    finally:
        if h.flavour == "sync":
            http_client.close()

    request = route.calls.last.request
    assert request.headers["X-Signature"] == f"signed {len(request.content)}"


async def test_a_json_body_is_compact_utf8_with_the_given_fields_only(h):
    route = h.create_route().respond(200, json={"task_id": "t1"})

    await h.call(h.client().generate_seedance_2_0, prompt="狐狸 in the snow", duration=5)

    request = route.calls.last.request
    expected = '{"prompt":"狐狸 in the snow","duration":5}'.encode()
    assert request.content == expected
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Content-Length"] == str(len(expected))
