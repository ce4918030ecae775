"""Answers as Python expects them: absent fields are None, a request model's repr shows what is
sent, lenient parsing keeps a paid result, and errors say which task and which request."""

from __future__ import annotations

import copy
import logging
import subprocess
import sys
import textwrap

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_absent_optional_fields_of_an_answer_read_as_none(h):
    h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json("completed"))

    task = await h.call(h.client().get_task, "t1")

    assert task.result is None
    assert (task.result or []) == []
    assert (task.error_msg or task.error_code) is None
    assert task.model_fields_set == {"id", "status"}


async def test_null_and_absent_are_told_apart_by_model_fields_set(h):
    h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json("failed", error_code=None))

    with pytest.raises(h.pkg.TaskFailedError) as info:
        await h.call(h.client().wait_for_task, "t1")

    assert info.value.task.error_code is None
    assert "error_code" in info.value.task.model_fields_set
    assert "error_msg" not in info.value.task.model_fields_set


def test_request_models_keep_not_given_means_not_sent(pkg):
    body = pkg.Seedance20Request(prompt="a fox", watermark=False)

    assert repr(body) == "Seedance20Request(prompt='a fox', watermark=False)"
    assert "generate_audio" not in repr(pkg.Seedance20Request(prompt="a fox"))
    assert body.model_dump(exclude_unset=True) == {"prompt": "a fox", "watermark": False}


async def test_a_drifting_answer_raises_with_body_errors_and_the_task_id(h):
    body = {"id": "t1", "status": "completed", "result": [{"type": "video", "url": 5}]}
    h.router.get(h.url("/tasks/t1")).respond(200, json=body, headers={"x-request-id": "req-9"})

    with pytest.raises(h.pkg.APIResponseValidationError) as info:
        await h.call(h.client().wait_for_task, "t1")

    error = info.value
    assert error.task_id == "t1"
    assert "task t1" in str(error)
    assert error.request_id == "req-9"
    assert error.errors and "result" in str(error.errors[0]["loc"])
    assert '"url":5' in error.body.replace(" ", "")


async def test_lenient_parsing_returns_the_answer_unvalidated_with_a_warning(h, caplog):
    caplog.set_level(logging.WARNING)
    body = {"id": "t1", "status": "completed", "result": [{"type": "video", "url": 5}, "https://x/b.mp4"]}
    h.router.get(h.url("/tasks/t1")).respond(200, json=body)
    client = h.client(lenient_responses=True)

    task = await h.call(client.wait_for_task, "t1")

    assert isinstance(task, h.pkg.Task)
    assert task.id == "t1"
    assert task.result == body["result"]
    assert client.result_urls(task) == ["https://x/b.mp4"]
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "get_task" in warnings[0].getMessage() and "result" in warnings[0].getMessage()


async def test_lenient_parsing_still_refuses_a_body_that_is_not_a_json_object(h):
    h.router.get(h.url("/tasks/t1")).respond(200, content=b"<html>")

    with pytest.raises(h.pkg.APIResponseValidationError):
        await h.call(h.client(lenient_responses=True).get_task, "t1")


async def test_wait_timeout_error_carries_the_task_id(h):
    h.router.get(h.url("/tasks/t-42")).respond(200, json={"id": "t-42", "status": "processing"})

    with pytest.raises(h.pkg.WaitTimeoutError) as info:
        await h.call(h.client().wait_for_task, "t-42", poll_interval=1.0, timeout=3.0)

    assert info.value.task_id == "t-42"


async def test_status_error_message_is_the_servers_and_str_has_the_status_line(h):
    h.router.get(h.url("/tasks/t1")).respond(
        429, json={"message": "slow down"}, headers={"x-should-retry": "false", "request-id": "r-1"}
    )

    with pytest.raises(h.pkg.RateLimitError) as info:
        await h.call(h.client().get_task, "t1")

    assert info.value.message == "slow down"
    assert str(info.value).startswith("429 Too Many Requests: slow down")
    assert info.value.request_id == "r-1"
    assert "r-1" in str(info.value)


async def test_raw_response_carries_the_request_id(h):
    h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json(), headers={"x-request-id": "abc"})

    raw = await h.call(h.client().with_raw_response.get_task, "t1")

    assert raw.request_id == "abc"


async def test_plain_http_refusal_is_an_api_error_and_still_a_value_error(h):
    with pytest.raises(h.pkg.InsecureBaseURLError) as info:
        h.client(base_url="http://api.example.com/v1")
    assert isinstance(info.value, h.pkg.APIError)
    assert isinstance(info.value, ValueError)


async def test_a_closed_client_raises_an_api_error_that_is_still_a_runtime_error(h):
    http_client = h.http_client()
    client = h.client(http_client=http_client)
    if h.flavour == "async":
        await http_client.aclose()
    else:
        http_client.close()

    with pytest.raises(h.pkg.ClientClosedError) as info:
        await h.call(client.get_task, "t1")
    assert isinstance(info.value, h.pkg.APIError)
    assert isinstance(info.value, RuntimeError)


def test_log_variable_is_derived_from_the_spec_and_turns_logging_on(pkg, monkeypatch):
    config = pkg.Client._config
    assert config.log_env == "SINANCODE_LOG"
    logger = logging.getLogger(config.package)
    monkeypatch.setattr(logger, "level", logger.level)
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    monkeypatch.setenv("SINANCODE_LOG", "debug")

    pkg.Client(api_key="k")
    pkg.Client(api_key="k")

    assert logger.level == logging.DEBUG
    assert sum(1 for handler in logger.handlers if getattr(handler, "_from_log_env", False)) == 1


def test_log_variable_info_from_a_fresh_process(tmp_path):
    script = textwrap.dedent(
        """
        import logging, httpx
        from seedance_client import Client
        transport = httpx.MockTransport(lambda request: httpx.Response(503, headers={"Retry-After": "0"})
            if request.headers.get("x-n") is None else httpx.Response(200))
        client = Client(api_key="sk-secret", http_client=httpx.Client(transport=transport), max_retries=1)
        try:
            client.get_task("t1")
        except Exception:
            pass
        """
    )
    env = {"SINANCODE_LOG": "info", "PYTHONPATH": "generated", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )

    assert result.returncode == 0, result.stderr
    assert "Retrying get_task" in result.stderr
    assert "sk-secret" not in result.stderr


def test_task_failed_error_is_typed_with_the_polled_model(tmp_path, run_mypy):
    """mypy --strict accepts ``exc.task.id`` and ``task.result or []`` in a user's code."""
    user = tmp_path / "user_code.py"
    user.write_text(
        textwrap.dedent(
            """
            from seedance_client import Client, Task, TaskFailedError, WaitTimeoutError


            def urls(client: Client) -> list[str]:
                try:
                    task: Task = client.wait_for_task("t1")
                except TaskFailedError as exc:
                    failed: Task = exc.task
                    return [failed.id]
                except WaitTimeoutError as exc:
                    return [exc.task_id or ""]
                for item in task.result or []:
                    assert item
                return client.result_urls(task)
            """
        )
    )
    # run_mypy checks the package itself with every run (from the session's cache), and fails on
    # any error in it: what is left to this test is the user's code.
    result = run_mypy(str(user), env={"MYPYPATH": "generated", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (["https://x/a.mp4", "https://x/b.mp4"], ["https://x/a.mp4", "https://x/b.mp4"]),
        ([{"type": "video", "url": "https://x/a.mp4"}], ["https://x/a.mp4"]),
        (None, []),
        ([], []),
    ],
)
async def test_result_urls_reads_both_documented_shapes(h, result, expected):
    fields = {} if result is None else {"result": result}
    h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json("completed", **fields))
    client = h.client()

    task = await h.call(client.wait_for_task, "t1")

    assert client.result_urls(task) == expected


async def test_result_urls_come_from_the_specs_x_result(make_harness, generate_package, spec_document):
    spec = copy.deepcopy(spec_document)
    get_task = spec["paths"]["/tasks/{id}"]["get"]
    get_task["x-result"] = {"name": "output_links", "field": "result", "url-field": "type"}
    h = make_harness(generate_package(spec, "seedance_result_variant"))
    h.router.get(h.url("/tasks/t1")).respond(
        200, json=h.task_json("completed", result=[{"type": "https://x/t", "url": "https://x/u"}])
    )
    client = h.client()

    task = await h.call(client.get_task, "t1")

    assert client.output_links(task) == ["https://x/t"]
    assert not hasattr(client, "result_urls")
    assert isinstance(httpx.URL(client.output_links(task)[0]), httpx.URL)
