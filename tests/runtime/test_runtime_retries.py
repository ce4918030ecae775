"""Retries: what is retried for idempotent and non-idempotent operations, and how long it waits."""

from __future__ import annotations

import email.utils
import random
import time

import httpx
import pytest

pytestmark = pytest.mark.anyio

PROCESSED_NOTE = "may have been"


def _first_backoffs_ok(sleeps):
    """The computed backoff: 0.5 s then 1 s, each with +-25% jitter."""
    bounds = [(0.375, 0.625), (0.75, 1.25), (1.5, 2.5), (3.0, 5.0), (6.0, 8.0), (6.0, 8.0)]
    return all(low <= slept <= high for slept, (low, high) in zip(sleeps, bounds, strict=False))


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.ReadTimeout,
        httpx.ReadError,
        httpx.RemoteProtocolError,
        httpx.Response(408),
        httpx.Response(429),
        httpx.Response(500),
        httpx.Response(503),
    ],
    ids=repr,
)
async def test_idempotent_request_is_retried(h, failure):
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [failure, failure, httpx.Response(200, json=h.task_json())]

    task = await h.call(h.client(max_retries=2).get_task, "t1")

    assert task.id == "t1"
    assert route.call_count == 3
    assert len(h.clock.sleeps) == 2
    assert _first_backoffs_ok(h.clock.sleeps), h.clock.sleeps


@pytest.mark.parametrize(("pick", "expected"), [(min, [0.375, 0.75, 1.5]), (max, [0.625, 1.25, 2.5])])
async def test_backoff_doubles_with_jitter_of_a_quarter(h, monkeypatch, pick, expected):
    monkeypatch.setattr(random, "uniform", pick)
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [httpx.Response(503)] * 3 + [httpx.Response(200, json=h.task_json())]

    await h.call(h.client(max_retries=3).get_task, "t1")

    assert h.clock.sleeps == pytest.approx(expected)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
async def test_client_errors_are_not_retried(h, status):
    route = h.router.get(h.url("/tasks/t1")).respond(status, json={"message": "no"})

    with pytest.raises(h.pkg.APIStatusError):
        await h.call(h.client(max_retries=3).get_task, "t1")

    assert route.call_count == 1
    assert h.clock.sleeps == []


@pytest.mark.parametrize("max_retries", [0, 1, 4])
async def test_max_retries_bounds_the_attempts(h, max_retries):
    route = h.router.get(h.url("/tasks/t1")).respond(500, json={"message": "down"})

    with pytest.raises(h.pkg.InternalServerError) as info:
        await h.call(h.client(max_retries=max_retries).get_task, "t1")

    assert route.call_count == max_retries + 1
    assert len(h.clock.sleeps) == max_retries
    assert _first_backoffs_ok(h.clock.sleeps), h.clock.sleeps
    assert PROCESSED_NOTE not in str(info.value)
    if max_retries:
        assert f"after {max_retries + 1} attempts" in str(info.value)


async def test_connection_errors_become_api_connection_errors_after_retries(h):
    route = h.router.get(h.url("/tasks/t1")).mock(side_effect=httpx.ConnectError)

    with pytest.raises(h.pkg.APIConnectionError) as info:
        await h.call(h.client(max_retries=2).get_task, "t1")

    assert type(info.value) is h.pkg.APIConnectionError
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert route.call_count == 3


async def test_timeouts_become_api_timeout_errors(h):
    h.router.get(h.url("/tasks/t1")).mock(side_effect=httpx.ReadTimeout)

    with pytest.raises(h.pkg.APITimeoutError) as info:
        await h.call(h.client(max_retries=0).get_task, "t1")

    assert isinstance(info.value, h.pkg.APIConnectionError)
    assert info.value.request.url == h.url("/tasks/t1")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": "0.25"}, 0.25),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),
        ({"Retry-After": "60"}, 60.0),
    ],
)
async def test_retry_after_is_honoured(h, headers, expected):
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [httpx.Response(429, headers=headers), httpx.Response(200, json=h.task_json())]

    await h.call(h.client().get_task, "t1")

    assert route.call_count == 2
    assert h.clock.sleeps == [pytest.approx(expected)]


async def test_retry_after_as_http_date_is_honoured(h):
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [
        httpx.Response(503, headers={"Retry-After": when}),
        httpx.Response(200, json=h.task_json()),
    ]

    await h.call(h.client().get_task, "t1")

    assert len(h.clock.sleeps) == 1
    assert 8.0 <= h.clock.sleeps[0] <= 10.5


@pytest.mark.parametrize("value", ["-5", "soon", ""])
async def test_unusable_retry_after_falls_back_to_backoff(h, value):
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": value}),
        httpx.Response(200, json=h.task_json()),
    ]

    await h.call(h.client().get_task, "t1")

    assert len(h.clock.sleeps) == 1
    assert 0.375 <= h.clock.sleeps[0] <= 0.625


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.ConnectTimeout, httpx.Response(429)], ids=repr)
async def test_post_is_retried_when_it_never_reached_the_server_or_was_refused(h, failure):
    route = h.create_route()
    route.side_effect = [failure, httpx.Response(200, json={"task_id": "t1"})]

    created = await h.create_task(h.client())

    assert created.task_id == "t1"
    assert route.call_count == 2
    assert len(h.clock.sleeps) == 1


@pytest.mark.parametrize(
    ("failure", "error_name"),
    [
        (httpx.ReadTimeout, "APITimeoutError"),
        (httpx.WriteTimeout, "APITimeoutError"),
        (httpx.ReadError, "APIConnectionError"),
        (httpx.RemoteProtocolError, "APIConnectionError"),
        (httpx.Response(500, json={"message": "boom"}), "InternalServerError"),
        (httpx.Response(502), "InternalServerError"),
        (httpx.Response(408), "APIStatusError"),
    ],
    ids=repr,
)
async def test_post_is_not_retried_once_it_may_have_been_processed(h, failure, error_name):
    route = h.create_route()
    route.side_effect = [failure, httpx.Response(200, json={"task_id": "t1"})]

    with pytest.raises(h.pkg.APIError) as info:
        await h.create_task(h.client(max_retries=5))

    assert type(info.value) is getattr(h.pkg, error_name)
    assert route.call_count == 1
    assert len(h.router.calls) == 1
    assert h.clock.sleeps == []
    assert PROCESSED_NOTE in str(info.value)
    assert "check before retrying" in str(info.value)


async def test_post_that_exhausts_its_retries_on_429_says_nothing_was_processed(h):
    route = h.create_route().respond(429, json={"message": "slow down"})

    with pytest.raises(h.pkg.RateLimitError) as info:
        await h.create_task(h.client(max_retries=1))

    assert route.call_count == 2
    assert PROCESSED_NOTE not in str(info.value)


async def test_post_connection_refused_after_all_retries_says_nothing_was_processed(h):
    route = h.create_route().mock(side_effect=httpx.ConnectError)

    with pytest.raises(h.pkg.APIConnectionError) as info:
        await h.create_task(h.client(max_retries=1))

    assert route.call_count == 2
    assert PROCESSED_NOTE not in str(info.value)


async def test_retried_request_sends_the_same_body(h):
    route = h.create_route()
    route.side_effect = [httpx.ConnectError, httpx.Response(200, json={"task_id": "t1"})]

    await h.create_task(h.client())

    first, second = (call.request for call in route.calls)
    assert first.content == second.content == b'{"prompt":"a cat"}'


async def test_x_idempotent_true_lets_a_post_be_retried_after_a_500(make_harness, variant):
    # The variant spec marks generate_seedance_2_0 with x-idempotent: true.
    h = make_harness(variant)
    route = h.create_route()
    route.side_effect = [httpx.Response(500), httpx.Response(200, json={"task_id": "t1"})]

    created = await h.create_task(h.client())

    assert created.task_id == "t1"
    assert route.call_count == 2


async def test_x_idempotent_false_stops_a_get_from_being_retried_after_a_500(make_harness, variant):
    # The variant spec marks get_task with x-idempotent: false.
    h = make_harness(variant)
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [httpx.Response(500), httpx.Response(200, json=h.task_json())]

    with pytest.raises(variant.InternalServerError) as info:
        await h.call(h.client(max_retries=3).get_task, "t1")

    assert route.call_count == 1
    assert PROCESSED_NOTE in str(info.value)
