"""The api key never leaks: not in a repr, an error, a log record, nor to another host."""

from __future__ import annotations

import logging

import httpx
import pytest

pytestmark = pytest.mark.anyio


def _assert_no_key_in_error(error, key):
    assert key not in str(error)
    assert key not in repr(error)
    assert all(key not in str(arg) for arg in error.args)
    assert key not in error.message


async def test_repr_of_client_hides_the_key(h):
    client = h.client()
    assert h.api_key not in repr(client)
    assert h.api_key not in repr(client.with_options(max_retries=1))
    assert h.base_url in repr(client)
    assert "max_retries=2" in repr(client)


async def test_repr_of_client_hides_credentials_in_the_base_url(h):
    client = h.client(base_url="https://user:hunter2@api.example.com/v1")
    assert "hunter2" not in repr(client)


async def test_status_error_never_contains_the_key_even_when_the_server_echoes_it(h):
    h.router.get(h.url("/tasks/t1")).respond(401, json={"message": f"invalid api key {h.api_key}"})

    with pytest.raises(h.pkg.AuthenticationError) as info:
        await h.call(h.client().get_task, "t1")

    _assert_no_key_in_error(info.value, h.api_key)
    assert "invalid api key <redacted>" in str(info.value)


async def test_connection_error_never_contains_the_key(h):
    def refuse(request):
        raise httpx.ConnectError(f"refused while sending {request.headers['Authorization']}")

    h.router.get(h.url("/tasks/t1")).mock(side_effect=refuse)

    with pytest.raises(h.pkg.APIConnectionError) as info:
        await h.call(h.client(max_retries=1).get_task, "t1")

    _assert_no_key_in_error(info.value, h.api_key)
    assert "refused while sending Bearer <redacted>" in str(info.value)


async def test_failed_task_error_never_contains_the_key(h):
    h.router.get(h.url("/tasks/t1")).respond(
        200, json=h.task_json("failed", error_code="E", error_msg=f"bad key {h.api_key}")
    )

    with pytest.raises(h.pkg.TaskFailedError) as info:
        await h.call(h.client().wait_for_task, "t1")

    _assert_no_key_in_error(info.value, h.api_key)


async def test_validation_error_never_contains_the_key(h):
    h.router.get(h.url("/tasks/t1")).respond(200, json={"id": h.api_key})

    with pytest.raises(h.pkg.APIResponseValidationError) as info:
        await h.call(h.client().get_task, "t1")

    _assert_no_key_in_error(info.value, h.api_key)


async def test_debug_logs_redact_the_key(h, caplog):
    caplog.set_level(logging.DEBUG)
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [httpx.Response(500), httpx.Response(200, json=h.task_json())]
    h.create_route().respond(401, json={"message": f"bad {h.api_key}"})
    client = h.client()

    await h.call(client.get_task, "t1")
    with pytest.raises(h.pkg.AuthenticationError):
        await h.create_task(client)

    ours = [record for record in caplog.records if record.name == h.config.package]
    assert any(record.levelno == logging.DEBUG for record in ours)
    messages = [record.getMessage() for record in caplog.records]
    requests = [message for message in messages if message.startswith("Request ")]
    assert any("GET" in message and "/tasks/t1" in message for message in requests)
    assert len(requests) == 3
    assert all("'authorization': '<redacted>'" in message for message in requests)
    for record in caplog.records:
        assert h.api_key not in record.getMessage()
        assert h.api_key not in repr(record.args)


async def test_debug_logs_redact_a_key_sent_in_the_query(make_harness, zoo, caplog):
    h = make_harness(zoo)
    caplog.set_level(logging.DEBUG, logger=h.config.package)
    h.router.get(h.url("/search")).respond(200, json=[])

    await h.call(h.client().search_pets, tag=["a"])

    requests = [record.getMessage() for record in caplog.records if record.name == h.config.package]
    assert any("api_key=%3Credacted%3E" in message or "api_key=<redacted>" in message for message in requests)
    for record in caplog.records:
        if record.name == h.config.package:
            assert h.api_key not in record.getMessage()
            assert h.api_key not in repr(record.args)


async def test_debug_logs_redact_a_key_sent_in_an_api_key_header(make_harness, zoo, caplog):
    h = make_harness(zoo)
    caplog.set_level(logging.DEBUG, logger=h.config.package)
    route = h.router.get(h.url("/pets/5")).respond(404, json={"message": f"unknown key {h.api_key}"})

    with pytest.raises(zoo.NotFoundError) as info:
        await h.call(h.client().get_pet, 5)

    assert route.calls.last.request.headers["X-Zoo-Key"] == h.api_key
    _assert_no_key_in_error(info.value, h.api_key)
    requests = [record.getMessage() for record in caplog.records if record.name == h.config.package]
    assert any("'x-zoo-key': '<redacted>'" in message for message in requests)
    for record in caplog.records:
        assert h.api_key not in record.getMessage()
        assert h.api_key not in repr(record.args)


async def test_debug_logs_redact_default_headers_carrying_secrets(h, caplog):
    caplog.set_level(logging.DEBUG, logger=h.config.package)
    h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())

    await h.call(h.client(default_headers={"X-Api-Key": "other-secret"}).get_task, "t1")

    assert caplog.records
    for record in caplog.records:
        assert "other-secret" not in record.getMessage()


async def test_redirect_to_another_host_is_not_followed(h):
    h.router.get(h.url("/tasks/t1")).respond(302, headers={"Location": "https://evil.example.net/steal"})
    evil = h.router.get("https://evil.example.net/steal").respond(200, json=h.task_json())
    # Even a caller's HTTP client configured to follow redirects must not follow this one.
    client = h.client(http_client=h.http_client(follow_redirects=True))

    with pytest.raises(h.pkg.APIStatusError) as info:
        await h.call(client.get_task, "t1")

    assert info.value.status_code == 302
    assert "not followed" in str(info.value)
    assert not evil.called
    assert all(call.request.url.host == httpx.URL(h.base_url).host for call in h.router.calls)
    assert len(h.router.calls) == 1
