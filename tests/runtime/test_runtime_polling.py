"""wait_for_task: polls until a final status, with growing pauses, a deadline and no real sleeping."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


def _answers(h, *statuses, **fields):
    return [httpx.Response(200, json=h.task_json(status, **fields)) for status in statuses]


async def test_polls_until_completed(h):
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = _answers(h, "pending", "processing", "processing", "completed")

    task = await h.call(h.client().wait_for_task, "t1", poll_interval=2.0, timeout=600)

    assert isinstance(task, h.pkg.Task)
    assert task.status == "completed"
    assert route.call_count == 4
    assert h.clock.sleeps == [2.0, 3.0, 4.5]


async def test_returns_at_once_when_already_completed(h):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json("completed"))

    task = await h.call(h.client().wait_for_task, "t1")

    assert task.status == "completed"
    assert route.call_count == 1
    assert h.clock.sleeps == []


async def test_failed_status_raises_task_failed_error_with_code_and_message(h):
    route = h.router.get(h.url("/tasks/t1"))
    failed = {"error_code": "OutputVideoSensitiveContentDetected", "error_msg": "The output was flagged"}
    route.side_effect = _answers(h, "pending") + _answers(h, "failed", **failed)

    with pytest.raises(h.pkg.TaskFailedError) as info:
        await h.call(h.client().wait_for_task, "t1", poll_interval=1.0)

    error = info.value
    assert isinstance(error, h.pkg.APIError)
    assert error.error_code == "OutputVideoSensitiveContentDetected"
    assert error.error_msg == "The output was flagged"
    assert error.status == "failed"
    assert isinstance(error.task, h.pkg.Task)
    assert error.task.status == "failed"
    assert error.result is error.task
    assert "t1" in str(error)
    assert "OutputVideoSensitiveContentDetected" in str(error)
    assert "The output was flagged" in str(error)
    assert route.call_count == 2


@pytest.mark.parametrize("message", [{}, {"error_msg": ""}], ids=["absent", "empty"])
async def test_failure_message_falls_back_to_the_code(h, message):
    h.router.get(h.url("/tasks/t1")).respond(
        200, json=h.task_json("failed", error_code="InvalidParameter", **message)
    )

    with pytest.raises(h.pkg.TaskFailedError) as info:
        await h.call(h.client().wait_for_task, "t1")

    assert info.value.error_code == "InvalidParameter"
    assert info.value.error_msg == "InvalidParameter"


async def test_unknown_status_is_not_final(h):
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = _answers(h, "queued_upstream", "cancelled", "completed")

    task = await h.call(h.client().wait_for_task, "t1", poll_interval=1.0)

    assert task.status == "completed"
    assert route.call_count == 3


async def test_timeout_raises_wait_timeout_error_with_the_last_status(h):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json("processing"))

    with pytest.raises(h.pkg.WaitTimeoutError) as info:
        await h.call(h.client().wait_for_task, "t1", poll_interval=2.0, timeout=10.0)

    error = info.value
    assert error.last_status == "processing"
    assert error.last_result.status == "processing"
    assert error.timeout == 10.0
    assert "processing" in str(error)
    # 2 + 3 + 4.5 = 9.5 s; the next pause (6.75 s) would end after the deadline.
    assert h.clock.sleeps == [2.0, 3.0, 4.5]
    assert route.call_count == 4
    assert sum(h.clock.sleeps) <= 10.0


async def test_pauses_grow_up_to_five_times_the_interval(h):
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = _answers(h, *["processing"] * 9, "completed")

    await h.call(h.client().wait_for_task, "t1", poll_interval=1.0, timeout=1000.0)

    assert h.clock.sleeps == [1.0, 1.5, 2.25, 3.375, 5.0, 5.0, 5.0, 5.0, 5.0]
    assert route.call_count == 10


async def test_errors_of_a_poll_propagate(h):
    h.router.get(h.url("/tasks/t1")).respond(404, json={"message": "no such task"})

    with pytest.raises(h.pkg.NotFoundError):
        await h.call(h.client().wait_for_task, "t1")


async def test_a_poll_that_fails_transiently_is_retried_by_the_client(h):
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [httpx.Response(503), *_answers(h, "completed")]

    task = await h.call(h.client().wait_for_task, "t1", poll_interval=2.0)

    assert task.status == "completed"
    assert route.call_count == 2


@pytest.mark.parametrize(("poll_interval", "timeout"), [(0.0, 10.0), (-1.0, 10.0), (1.0, -1.0)])
async def test_invalid_poll_settings_are_refused(h, poll_interval, timeout):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())

    with pytest.raises(ValueError):
        await h.call(h.client().wait_for_task, "t1", poll_interval=poll_interval, timeout=timeout)

    assert route.call_count == 0


async def test_wait_helper_comes_from_the_specs_x_wait(make_harness, variant):
    # The variant spec names the helper wait_until_done and lists "cancelled" as a failure.
    h = make_harness(variant)
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = _answers(h, "pending", "cancelled")

    with pytest.raises(variant.TaskFailedError) as info:
        await h.call(h.client().wait_until_done, "t1", poll_interval=1.0)

    assert info.value.status == "cancelled"
    assert route.call_count == 2
    assert not hasattr(h.client_class, "wait_for_task")
