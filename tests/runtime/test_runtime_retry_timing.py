"""Retry timing: never sooner than the server asked, no retry when it asks for too long, the
server's x-should-retry first, and the async client's sleeps under asyncio and trio."""

from __future__ import annotations

import email.utils
import time

import anyio
import httpx
import pytest

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "headers",
    [{"Retry-After": "0"}, {"retry-after-ms": "0"}, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}],
    ids=["seconds", "ms", "past-date"],
)
async def test_a_zero_wait_is_honoured(h, headers):
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [httpx.Response(429, headers=headers), httpx.Response(200, json=h.task_json())]

    await h.call(h.client().get_task, "t1")

    assert route.call_count == 2
    assert h.clock.sleeps == [0.0]


@pytest.mark.parametrize(
    ("headers", "asked"),
    [({"Retry-After": "3600"}, 3600.0), ({"Retry-After": "120"}, 120.0), ({"retry-after-ms": "61000"}, 61.0)],
)
async def test_a_wait_above_the_cap_means_no_retry_and_the_error_says_how_long(h, headers, asked):
    route = h.create_route().respond(429, headers=headers, json={"message": "slow down"})

    with pytest.raises(h.pkg.RateLimitError) as info:
        await h.create_task(h.client(max_retries=3))

    assert route.call_count == 1
    assert h.clock.sleeps == []
    assert info.value.retry_after == pytest.approx(asked)
    assert "max_retry_after" in str(info.value)
    assert info.value.message == "slow down"


async def test_an_http_date_above_the_cap_means_no_retry(h):
    when = email.utils.formatdate(time.time() + 600, usegmt=True)
    route = h.router.get(h.url("/tasks/t1")).respond(503, headers={"Retry-After": when})

    with pytest.raises(h.pkg.InternalServerError) as info:
        await h.call(h.client().get_task, "t1")

    assert route.call_count == 1
    assert 590 <= info.value.retry_after <= 600


async def test_the_cap_is_a_client_option(h):
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": "3600"}),
        httpx.Response(200, json=h.task_json()),
    ]
    client = h.client(max_retry_after=7200)
    assert client.max_retry_after == 7200
    assert client.with_options(max_retries=1).max_retry_after == 7200

    await h.call(client.get_task, "t1")

    assert h.clock.sleeps == [3600.0]


async def test_retry_after_is_kept_on_the_error_when_retries_run_out(h):
    route = h.router.get(h.url("/tasks/t1")).respond(429, headers={"Retry-After": "5"})

    with pytest.raises(h.pkg.RateLimitError) as info:
        await h.call(h.client(max_retries=1).get_task, "t1")

    assert route.call_count == 2
    assert h.clock.sleeps == [5.0]
    assert info.value.retry_after == 5.0


async def test_should_retry_false_wins_over_the_status_rules(h):
    route = h.router.get(h.url("/tasks/t1")).respond(503, headers={"x-should-retry": "false"})

    with pytest.raises(h.pkg.InternalServerError):
        await h.call(h.client(max_retries=3).get_task, "t1")

    assert route.call_count == 1


@pytest.mark.parametrize("status", [500, 400, 409])
async def test_should_retry_true_resends_even_a_billed_post(h, status):
    route = h.create_route()
    route.side_effect = [
        httpx.Response(status, headers={"x-should-retry": "true"}),
        httpx.Response(200, json={"task_id": "t1"}),
    ]

    created = await h.create_task(h.client(max_retries=2))

    assert created.task_id == "t1"
    assert route.call_count == 2


async def test_without_should_retry_a_billed_post_after_a_500_is_not_resent(h):
    route = h.create_route().respond(500, headers={"x-should-retry": "maybe"})

    with pytest.raises(h.pkg.InternalServerError) as info:
        await h.create_task(h.client(max_retries=2))

    assert route.call_count == 1
    assert "may have been processed" in str(info.value)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_async_client_sleeps_under_asyncio_and_trio(pkg, backend):
    """Real sleeps (of a millisecond) between a retry and between polls, on each event loop."""
    answers = iter(
        [
            httpx.Response(429, headers={"retry-after-ms": "1"}),
            httpx.Response(200, json={"id": "t1", "status": "processing"}),
            httpx.Response(200, json={"id": "t1", "status": "completed", "result": ["https://x/v.mp4"]}),
        ]
    )
    seen = []

    def handler(request):
        seen.append(request.url.path)
        return next(answers)

    async def main():
        http_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with pkg.AsyncClient(api_key="k", http_client=http_client) as client:
            task = await client.wait_for_task("t1", poll_interval=0.001)
        await http_client.aclose()
        return task

    task = anyio.run(main, backend=backend)

    assert task.status == "completed"
    assert len(seen) == 3
