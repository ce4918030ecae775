"""The mock, for the failures users must test: transport errors, fresh ids, finished results, many scripts.

Driven by the intermediate model (creating operations, the polled one), with both clients.
"""

from __future__ import annotations

import importlib

import httpx
import pytest
import seedance_client
from mock_calls import call, minimal_arguments
from replay import dump, load_api
from seedance_client.testing import MockAPI

API = load_api()
FLAVOURS = ("sync", "async")
CREATES = [operation for operation in API.operations if not operation.idempotent]
(WAIT,) = [operation for operation in API.operations if operation.wait]


def _client(mock: MockAPI, flavour: str, **options: object) -> object:
    return mock.client(**options) if flavour == "sync" else mock.async_client(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    "scripted", [httpx.ReadTimeout, httpx.ReadTimeout("read timed out")], ids=["class", "instance"]
)
@pytest.mark.parametrize("operation", CREATES, ids=lambda operation: operation.name)
def test_a_scripted_timeout_is_raised_and_a_billed_post_is_not_sent_again(
    operation, scripted, flavour: str
) -> None:
    mock = MockAPI()
    mock.script(operation.name, [scripted])
    args, kwargs = minimal_arguments(seedance_client, operation)
    with pytest.raises(seedance_client.APITimeoutError) as raised:
        call(_client(mock, flavour, max_retries=3), operation.name, args, kwargs)
    assert "may have been processed" in str(raised.value)
    assert len(mock.requests(operation.name)) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_scripted_connection_error_on_a_get_is_retried_then_answered(
    flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The client's backoff is recorded, not slept (~0.5 s per run otherwise).
    slept: list[float] = []

    async def async_sleep(seconds: float) -> None:
        slept.append(seconds)

    base_client = importlib.import_module("seedance_client._base_client")
    monkeypatch.setattr(base_client, "_sleep", slept.append)
    monkeypatch.setattr(base_client, "_async_sleep", async_sleep)
    mock = MockAPI()
    mock.script(
        WAIT.name, [httpx.ConnectError("refused"), {"id": "t1", "status": "completed"}], path={"id": "t1"}
    )
    task = call(_client(mock, flavour, max_retries=1), WAIT.name, ["t1"], {})
    assert dump(task)["status"] == "completed"
    assert len(mock.requests(WAIT.name)) == 2
    assert len(slept) == 1 and slept[0] > 0  # one backoff, before the retry


def test_a_scripted_answer_that_cannot_be_sent_is_refused_at_once() -> None:
    with pytest.raises(TypeError, match=r"JSON value, an httpx\.Response or an exception"):
        MockAPI().script(CREATES[0].name, [object()])


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("operation", CREATES, ids=lambda operation: operation.name)
def test_unscripted_creates_get_distinct_ids_and_finished_tasks_carry_a_result(
    operation, flavour: str
) -> None:
    mock = MockAPI()
    client = _client(mock, flavour)
    args, kwargs = minimal_arguments(seedance_client, operation)
    answers = [dump(call(client, operation.name, args, kwargs)) for _ in range(3)]
    ids = [value for answer in answers for name, value in answer.items() if name.endswith("id")]
    assert len(ids) == 3 and len(set(ids)) == 3
    rule = WAIT.wait
    task = dump(call(client, rule.name, [ids[0]], {"poll_interval": 0.001}))
    assert task[rule.status_field] == rule.success[0]
    assert task["id"] == ids[0]
    assert task["result"], "a finished task answered from the spec carries the example's result"


def test_script_lookups_do_not_scan_the_scripts() -> None:
    """1,000 scripted tasks: each request finds its script by key, never by looking at the others."""
    mock = MockAPI()
    for index in range(1000):
        mock.script_statuses(f"t{index}", ["processing", "completed"])

    class NoScan(dict):  # type: ignore[type-arg]
        def values(self):  # type: ignore[no-untyped-def]
            raise AssertionError("the scripts were scanned")

        __iter__ = items = values  # type: ignore[assignment]

    scripts = mock._scripts._scripts
    scripts[WAIT.name] = NoScan(scripts[WAIT.name])
    client = mock.client()
    assert client.wait_for_task("t999", poll_interval=0.001).status == "completed"
    assert len(mock.requests(WAIT.name)) == 2


@pytest.mark.anyio
async def test_async_with_the_async_client_leaves_the_mock_usable() -> None:
    mock = MockAPI()
    async with mock.async_client() as client:
        await client.get_task("t1")
    async with mock.async_client() as client:
        await client.get_task("t2")
    with mock.client() as client:
        client.get_task("t3")
    assert len(mock.calls) == 3
