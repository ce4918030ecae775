"""Per-call options on every generated method: extra_headers, extra_query, extra_body, timeout and
max_retries, for the plain methods and their raw-response twins."""

from __future__ import annotations

import copy
import inspect
import json

import httpx
import pydantic
import pytest

pytestmark = pytest.mark.anyio

OPTIONS = ["extra_headers", "extra_query", "timeout", "max_retries"]


def _methods(client):
    for name in ("generate_seedance_2_0", "generate_seedance_pro_1_5", "get_task"):
        yield name, getattr(client, name)
        yield f"with_raw_response.{name}", getattr(client.with_raw_response, name)


async def test_every_method_takes_the_options_as_keywords(h):
    client = h.client()
    for name, method in _methods(client):
        parameters = inspect.signature(method).parameters
        expected = (
            [*OPTIONS, "extra_body"] if name.endswith("generate_seedance_2_0") or "pro" in name else OPTIONS
        )
        for option in expected:
            assert parameters[option].kind is inspect.Parameter.KEYWORD_ONLY, (name, option)
        assert ("extra_body" in parameters) == ("extra_body" in expected), name


async def test_extra_headers_and_query_are_sent(h):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())
    client = h.client(default_headers={"X-Team": "a"})

    await h.call(client.get_task, "t1", extra_headers={"X-Team": "b", "X-Trace": "1"}, extra_query={"v": 2})

    request = route.calls.last.request
    assert request.headers["X-Team"] == "b"
    assert request.headers["X-Trace"] == "1"
    assert request.url.params["v"] == "2"
    assert request.headers["Authorization"] == f"Bearer {h.api_key}"


async def test_extra_body_is_merged_after_validation_and_not_validated(h):
    route = h.create_route().respond(200, json={"task_id": "t1"})
    client = h.client()

    await h.call(
        client.generate_seedance_2_0, prompt="a cat", extra_body={"seed": 7, "camera": {"pan": "left"}}
    )

    assert json.loads(route.calls.last.request.content) == {
        "prompt": "a cat",
        "seed": 7,
        "camera": {"pan": "left"},
    }


async def test_extra_body_alone_is_the_body_and_validation_still_applies_to_arguments(h):
    route = h.create_route().respond(200, json={"task_id": "t1"})
    client = h.client()

    await h.call(client.generate_seedance_2_0, extra_body={"new_field": True})
    assert json.loads(route.calls.last.request.content) == {"new_field": True}

    with pytest.raises(pydantic.ValidationError):
        await h.call(client.generate_seedance_2_0, duration=3, extra_body={"new_field": True})
    assert route.call_count == 1


async def test_extra_body_works_with_a_request_model(h):
    route = h.create_route().respond(200, json={"task_id": "t1"})
    body = h.pkg.Seedance20Request(prompt="a cat")

    await h.call(h.client().generate_seedance_2_0, body, extra_body={"seed": 1})

    assert json.loads(route.calls.last.request.content) == {"prompt": "a cat", "seed": 1}


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (2.5, {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}),
        (httpx.Timeout(9.0, connect=1.0), {"connect": 1.0, "read": 9.0, "write": 9.0, "pool": 9.0}),
        (None, {"connect": None, "read": None, "write": None, "pool": None}),
    ],
)
async def test_timeout_per_call(h, timeout, expected):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())
    client = h.client(timeout=60.0)

    await h.call(client.get_task, "t1", timeout=timeout)
    assert route.calls.last.request.extensions["timeout"] == expected

    await h.call(client.get_task, "t1")
    assert route.calls.last.request.extensions["timeout"]["read"] == 60.0


@pytest.mark.parametrize("max_retries", [0, 3])
async def test_max_retries_per_call(h, max_retries):
    route = h.router.get(h.url("/tasks/t1")).respond(503)
    client = h.client(max_retries=1)

    with pytest.raises(h.pkg.InternalServerError):
        await h.call(client.get_task, "t1", max_retries=max_retries)

    assert route.call_count == max_retries + 1


async def test_raw_response_methods_take_the_options(h):
    route = h.create_route().respond(200, json={"task_id": "t1"})
    client = h.client()

    raw = await h.call(
        client.with_raw_response.generate_seedance_2_0,
        prompt="a cat",
        extra_headers={"X-Trace": "1"},
        extra_body={"seed": 1},
        timeout=4.0,
    )

    request = route.calls.last.request
    assert raw.parse().task_id == "t1"
    assert request.headers["X-Trace"] == "1"
    assert json.loads(request.content)["seed"] == 1
    assert request.extensions["timeout"]["read"] == 4.0


async def test_a_spec_parameter_named_like_an_option_is_renamed(
    make_harness, generate_package, spec_document
):
    spec = copy.deepcopy(spec_document)
    spec["paths"]["/tasks/{id}"]["get"]["parameters"] = [
        *spec["paths"]["/tasks/{id}"]["get"].get("parameters", []),
        {"name": "max_retries", "in": "query", "schema": {"type": "integer"}},
    ]
    h = make_harness(generate_package(spec, "seedance_option_clash"))
    route = h.router.get(h.url("/tasks/t1")).respond(503)

    with pytest.raises(h.pkg.InternalServerError):
        await h.call(h.client(max_retries=2).get_task, "t1", max_retries_query=7, max_retries=0)

    assert route.call_count == 1
    assert route.calls.last.request.url.params["max_retries"] == "7"


async def test_extra_headers_never_replace_the_api_key(h):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())

    await h.call(h.client().get_task, "t1", extra_headers={"Authorization": "Bearer someone-else"})

    assert route.calls.last.request.headers["Authorization"] == f"Bearer {h.api_key}"
