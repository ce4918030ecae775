"""The client's edges: arguments that would send a request elsewhere, keys that would leak, answers
whose bytes are hostile, and polling options that would never end. Each runs on both clients."""

from __future__ import annotations

import http.server
import json
import logging
import math
import threading
from urllib.parse import quote

import httpx
import pytest

pytestmark = pytest.mark.anyio


# Path parameters that are empty or dot segments


@pytest.mark.parametrize("task_id", ["", ".", ".."])
async def test_path_parameter_that_is_empty_or_a_dot_segment_is_refused_before_sending(h, task_id):
    route = h.router.route().respond(200, json=h.task_json())
    client = h.client()

    with pytest.raises(h.pkg.InvalidArgumentError, match="path parameter must not be empty") as info:
        await h.call(client.get_task, task_id)

    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, h.pkg.APIError)
    assert not route.called
    with pytest.raises(h.pkg.InvalidArgumentError):
        await h.call(client.wait_for_task, task_id, poll_interval=1.0)
    assert not route.called


@pytest.mark.parametrize("task_id", ["..a", "a..", "...", "%2E%2E", "a/..", "/"])
async def test_path_parameter_with_dots_or_slashes_inside_is_escaped_and_sent(h, task_id):
    route = h.router.route().respond(200, json=h.task_json())

    await h.call(h.client().get_task, task_id)

    path = route.calls.last.request.url.raw_path.decode()
    assert path.startswith("/v1/tasks/")
    assert path.count("/") == 3  # nothing climbed out of /tasks/ nor added a segment


# base_url with a query string or a fragment


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.example.com/v1?tenant=a",
        "https://api.example.com/v1#top",
        "https://api.example.com/v1?",
        "https://api.example.com/v1?token=hunter2",
    ],
)
async def test_base_url_with_a_query_or_fragment_is_refused_at_construction(h, base_url):
    with pytest.raises(h.pkg.InvalidArgumentError, match="query string or a fragment") as info:
        h.client(base_url=base_url)
    assert isinstance(info.value, ValueError)
    assert "hunter2" not in str(info.value)
    with pytest.raises(h.pkg.InvalidArgumentError):
        h.client().with_options(base_url=base_url)


# The api key: checked at construction, or each time a callable returns it


@pytest.mark.parametrize(
    "key",
    ["sk-abc\n", "sk-abc ", " sk-abc", "sk a", "sk-\tabc", "sk-\x00abc", "sk-\x7fabc", "sk-é", "sk-\u2028x"],
    ids=["newline", "trailing-space", "leading-space", "space", "tab", "nul", "del", "non-ascii", "u2028"],
)
async def test_api_key_with_whitespace_or_control_characters_is_refused_without_echoing_it(h, key):
    route = h.router.route().respond(200, json=h.task_json())

    with pytest.raises(h.pkg.InvalidArgumentError, match="api_key contains") as info:
        h.client(api_key=key)

    assert "sk-" not in str(info.value)
    assert repr(key)[1:-1] not in str(info.value)
    assert isinstance(info.value, ValueError)
    assert not route.called


async def test_api_key_from_the_environment_is_checked_too(h, monkeypatch):
    monkeypatch.setenv(h.config.api_key_env, "sk-from-a-file\n")

    with pytest.raises(h.pkg.InvalidArgumentError, match=h.config.api_key_env) as info:
        h.client(api_key=None)

    assert "sk-from-a-file" not in str(info.value)


@pytest.mark.parametrize("key", [12345, b"sk-bytes", 0, ["sk"]], ids=["int", "bytes", "zero", "list"])
async def test_api_key_that_is_not_a_string_is_refused_at_construction(h, key):
    route = h.router.route().respond(200, json=h.task_json())

    with pytest.raises(h.pkg.InvalidArgumentError, match="must be a str") as info:
        h.client(api_key=key)

    assert "sk-bytes" not in str(info.value)
    assert not route.called


async def test_api_key_callable_is_called_before_every_attempt(h):
    keys = iter(["sk-first-key", "sk-second-key", "sk-third-key"])
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [httpx.Response(503)] + [httpx.Response(200, json=h.task_json())] * 2
    client = h.client(api_key=lambda: next(keys))

    await h.call(client.get_task, "t1")
    await h.call(client.get_task, "t1")

    sent = [call.request.headers["Authorization"] for call in route.calls]
    assert sent == ["Bearer sk-first-key", "Bearer sk-second-key", "Bearer sk-third-key"]


async def test_a_retry_with_a_callable_key_keeps_the_per_call_options(h):
    # The request is rebuilt for the new key: the call's own headers and query go with it.
    keys = iter(["sk-first-key", "sk-second-key"])
    route = h.router.get(h.url("/tasks/t1"))
    route.side_effect = [httpx.Response(503), httpx.Response(200, json=h.task_json())]
    client = h.client(api_key=lambda: next(keys))

    await h.call(client.get_task, "t1", extra_headers={"X-Trace": "7"}, extra_query={"v": 2})

    assert [call.request.headers.get("X-Trace") for call in route.calls] == ["7", "7"]
    assert [call.request.url.params.get("v") for call in route.calls] == ["2", "2"]
    assert route.calls.last.request.headers["Authorization"] == "Bearer sk-second-key"


async def test_api_key_callable_keeps_working_in_a_copy_with_options(h):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())
    client = h.client(api_key=lambda: "sk-rotating").with_options(max_retries=0)

    await h.call(client.get_task, "t1")

    assert route.calls.last.request.headers["Authorization"] == "Bearer sk-rotating"


@pytest.mark.parametrize("returned", ["sk-bad\n", 42], ids=["newline", "int"])
async def test_api_key_callable_returning_a_bad_key_is_refused_before_sending(h, returned):
    route = h.router.route().respond(200, json=h.task_json())
    client = h.client(api_key=lambda: returned)

    with pytest.raises(h.pkg.InvalidArgumentError, match="api_key callable") as info:
        await h.call(client.get_task, "t1")

    assert "sk-bad" not in str(info.value)
    assert not route.called


async def test_keys_returned_by_the_callable_are_redacted_from_errors(h):
    h.router.get(h.url("/tasks/t1")).respond(401, json={"message": "unknown key sk-rotated-0042"})
    client = h.client(api_key=lambda: "sk-rotated-0042")

    with pytest.raises(h.pkg.AuthenticationError) as info:
        await h.call(client.get_task, "t1")

    assert "sk-rotated-0042" not in str(info.value)
    assert "unknown key <redacted>" in str(info.value)


# Redaction: whole values, whole tokens, escaped forms, and the libraries' log records


async def test_a_short_key_is_redacted_only_as_a_whole_token(h, caplog):
    caplog.set_level(logging.DEBUG, logger=h.config.package)
    h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())

    await h.call(h.client(api_key="k", default_headers={"Connection": "keep-alive"}).get_task, "t1")

    requests = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Request ")]
    assert requests
    assert all("'connection': 'keep-alive'" in message for message in requests)
    assert all("'authorization': '<redacted>'" in message for message in requests)
    assert all("eep-alive'" not in message.replace("keep-alive", "") for message in requests)


async def test_whole_header_and_query_values_holding_the_key_are_redacted(make_harness, zoo, caplog):
    h = make_harness(zoo)
    caplog.set_level(logging.DEBUG, logger=h.config.package)
    h.router.get(h.url("/search")).respond(200, json=[])
    client = h.client(default_headers={"X-Trace": f"user=1;key={h.api_key};x"})

    await h.call(client.search_pets, tag=[f"tag-{h.api_key}-end", "plain"])

    requests = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Request ")]
    assert requests
    for message in requests:
        assert h.api_key not in message
        assert "user=1" not in message  # the whole header value goes, not only the key in it
        assert "'x-trace': '<redacted>'" in message
        assert "-end" not in message
        assert "tag=plain" in message


@pytest.mark.parametrize(
    "shown",
    [
        repr,
        lambda key: repr(key.encode()),
        lambda key: httpx.URL("https://x/", params={"k": key}).query.decode(),
        lambda key: quote(key, safe=""),
        quote,
        lambda key: json.dumps({"key": key}),
    ],
    ids=["repr", "bytes-repr", "query-encoded", "percent-encoded", "path-encoded", "json"],
)
async def test_escaped_forms_of_the_key_are_redacted_from_errors(h, shown):
    key = "sk-abc+def/ghi\\jkl'mno=="
    text = shown(key)
    assert key not in text or text == repr(key)

    def refuse(request):
        raise httpx.ConnectError(f"refused: {text}")

    h.router.get(h.url("/tasks/t1")).mock(side_effect=refuse)
    with pytest.raises(h.pkg.APIConnectionError) as info:
        await h.call(h.client(api_key=key, max_retries=0).get_task, "t1")

    message = str(info.value)
    assert "abc" not in message and "mno" not in message
    assert "<redacted>" in message


async def test_httpx_and_httpcore_log_records_are_redacted_while_the_client_is_open(h, caplog):
    # A key of this test's own: another test's client with the shared test key, not yet
    # collected, would keep that key redacted after this client closes.
    key = "sk-key-of-the-log-record-test"
    caplog.set_level(logging.DEBUG)
    h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json())
    client = h.client(api_key=key)
    await h.call(client.get_task, "t1")

    # What httpx and httpcore log comes from deep inside them; log as they do.
    logging.getLogger("httpx").info("HTTP Request: GET %s", f"https://x/?key={key}")
    logging.getLogger("httpcore.http11").debug(
        "send_request_headers.started request=%r", [(b"Authorization", f"Bearer {key}".encode())]
    )
    logging.getLogger("httpcore.connection").debug("connect_tcp.failed exception=%r", OSError(key))

    library = [r for r in caplog.records if r.name.startswith(("httpx", "httpcore"))]
    assert len(library) >= 3
    for record in caplog.records:
        assert key not in record.getMessage()
    assert any("<redacted>" in record.getMessage() for record in library)

    await h.close(client)
    caplog.clear()
    logging.getLogger("httpcore.http11").debug("after close: %s", key)
    assert [record.getMessage() for record in caplog.records] == [f"after close: {key}"]


async def test_log_filter_stays_while_another_client_is_open(h, caplog):
    caplog.set_level(logging.DEBUG)
    first_key = "sk-first-client-key-of-this-test"  # not the shared test key (see above)
    first, second = h.client(api_key=first_key), h.client(api_key="sk-second-client-key")
    await h.close(first)

    logging.getLogger("httpx").info("keys %s %s", first_key, "sk-second-client-key")

    assert caplog.records[-1].getMessage() == "keys " + first_key + " <redacted>"
    await h.close(second)


# Answers whose bytes are hostile


def _deep_json(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("status", [200, 400, 500])
async def test_deeply_nested_json_ends_in_a_documented_error_keeping_the_body(h, status):
    body = _deep_json()
    h.router.get(h.url("/tasks/t1")).respond(
        status, content=body, headers={"Content-Type": "application/json"}
    )

    with pytest.raises(h.pkg.APIError) as info:
        await h.call(h.client(max_retries=0).get_task, "t1")

    error = info.value
    assert isinstance(error, h.pkg.APIStatusError | h.pkg.APIResponseValidationError)
    assert error.status_code == status
    assert error.body == body.decode()


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-16", "text/plain; charset=utf-32", "text/plain; charset=no-such-codec"],
)
@pytest.mark.parametrize("status", [200, 422, 503])
async def test_a_charset_label_that_does_not_fit_the_bytes_ends_in_a_documented_error(
    h, content_type, status
):
    body = '{"message": "héllo wörld", "id": 5}'.encode()
    h.router.get(h.url("/tasks/t1")).respond(status, content=body, headers={"Content-Type": content_type})

    with pytest.raises(h.pkg.APIError) as info:
        raw = await h.call(h.client(max_retries=0).with_raw_response.get_task, "t1")
        assert isinstance(raw.text, str)
        raw.parse()

    error = info.value
    assert error.status_code == status
    assert "héllo" in str(error.body) or error.body == {"message": "héllo wörld", "id": 5}


async def test_a_valid_answer_under_a_wrong_charset_label_still_parses(h):
    body = b'{"id": "t1", "status": "completed"}'
    h.router.get(h.url("/tasks/t1")).respond(
        200, content=body, headers={"Content-Type": "application/json; charset=utf-16"}
    )

    raw = await h.call(h.client().with_raw_response.get_task, "t1")

    assert raw.parse().status == "completed"
    assert raw.text == body.decode()


# wait_for_task: non-finite or negative options


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("poll_interval", math.nan),
        ("poll_interval", math.inf),
        ("poll_interval", -1.0),
        ("poll_interval", 0),
        ("poll_interval", "2"),
        ("timeout", math.nan),
        ("timeout", math.inf),
        ("timeout", -math.inf),
        ("timeout", -1),
        ("timeout", None),
    ],
)
async def test_wait_options_that_are_not_finite_or_negative_are_refused_before_the_first_request(
    h, option, value
):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json("processing"))
    options = {"poll_interval": 1.0, "timeout": 10.0, option: value}

    with pytest.raises(h.pkg.InvalidArgumentError, match=option) as info:
        await h.call(h.client().wait_for_task, "t1", **options)

    assert isinstance(info.value, ValueError)
    assert not route.called
    assert h.clock.sleeps == []


async def test_wait_with_zero_timeout_polls_once(h):
    route = h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json("processing"))

    with pytest.raises(h.pkg.WaitTimeoutError):
        await h.call(h.client().wait_for_task, "t1", poll_interval=1.0, timeout=0)

    assert route.call_count == 1


# Enums matched by JSON value and type

ENUM_SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Enums", "version": "1"},
    "servers": [{"url": "https://api.example.com/v1"}],
    "components": {
        "schemas": {
            "Level": {"type": "integer", "enum": [1, 2, 3]},
            "Settings": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "scale": {"type": "number", "enum": [0.5, 1.5, 2.0]},
                    "mixed": {"enum": [1, True]},
                    "level": {"$ref": "#/components/schemas/Level"},
                    "maybe": {"anyOf": [{"enum": [0.25, "auto"]}, {"type": "null"}]},
                    "fixed": {"const": 7},
                    "levels": {"type": "array", "items": {"$ref": "#/components/schemas/Level"}},
                },
            },
        }
    },
    "paths": {
        "/levels/{level}": {
            "get": {
                "operationId": "get_level",
                "parameters": [
                    {
                        "name": "level",
                        "in": "path",
                        "required": True,
                        "schema": {"$ref": "#/components/schemas/Level"},
                    },
                    {"name": "scale", "in": "query", "schema": {"type": "number", "enum": [0.5, 1.5]}},
                    {
                        "name": "flags",
                        "in": "query",
                        "schema": {"type": "array", "items": {"enum": [1, True]}},
                    },
                    {"name": "X-Mode", "in": "header", "schema": {"enum": [0, False]}},
                ],
                "responses": {"204": {"description": "Exists."}},
            }
        },
        "/settings": {
            "post": {
                "operationId": "save_settings",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Settings"}}},
                },
                "responses": {
                    "200": {
                        "description": "The saved settings.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Settings"}}
                        },
                    }
                },
            }
        },
    },
}


@pytest.fixture(scope="session")
def enums(generate_package):
    return generate_package(ENUM_SPEC, "enums_runtime")


@pytest.mark.parametrize(
    "fields",
    [
        {"scale": 0},
        {"scale": 0.0},
        {"scale": 1.0},
        {"mixed": 0},
        {"level": True},
        {"maybe": 0.5},
        {"fixed": True},
        {"levels": [1, True]},
        {"levels": [0.5]},
    ],
    ids=repr,
)
async def test_enum_values_that_match_no_member_by_json_value_and_type_are_refused(
    make_harness, enums, fields
):
    h = make_harness(enums)
    route = h.router.route().respond(200, json={})

    with pytest.raises(ValueError, match="must be one of"):
        await h.call(h.client().save_settings, **fields)
    with pytest.raises(ValueError, match="must be one of"):
        enums.Settings(**fields)

    assert not route.called


@pytest.mark.parametrize(
    ("fields", "sent"),
    [
        ({"scale": 0.5}, {"scale": 0.5}),
        ({"scale": 2}, {"scale": 2.0}),
        ({"mixed": 1}, {"mixed": 1}),
        ({"mixed": True}, {"mixed": True}),
        ({"level": 3}, {"level": 3}),
        ({"maybe": 0.25}, {"maybe": 0.25}),
        ({"maybe": None}, {"maybe": None}),
        ({"maybe": "auto"}, {"maybe": "auto"}),
        ({"fixed": 7}, {"fixed": 7}),
        ({"mixed": 1.0}, {"mixed": 1}),  # one JSON number: the member 1, never true
        ({"level": 2.0}, {"level": 2}),
        ({"fixed": 7.0}, {"fixed": 7}),
        ({"levels": [1, 3.0]}, {"levels": [1, 3]}),
    ],
    ids=repr,
)
async def test_enum_members_are_sent_as_the_member_itself(make_harness, enums, fields, sent):
    h = make_harness(enums)
    route = h.router.post(h.url("/settings")).respond(200, json=sent)

    result = await h.call(h.client().save_settings, **fields)

    body = json.loads(route.calls.last.request.content)
    assert body == sent
    assert json.dumps(body) == json.dumps(sent)  # same JSON types: 1 is not 1.0 nor true
    assert result.model_dump(mode="json", exclude_unset=True) == sent


async def test_an_answer_with_a_bool_for_an_integer_enum_is_a_validation_error(make_harness, enums):
    h = make_harness(enums)
    h.router.post(h.url("/settings")).respond(200, json={"level": True})

    with pytest.raises(enums.APIResponseValidationError, match="level"):
        await h.call(h.client().save_settings, level=1)


@pytest.mark.parametrize(
    ("arguments", "wrong"),
    [
        ({"level": True}, "a path parameter"),
        ({"level": 2.5}, "a path parameter"),
        ({"level": 1, "scale": 0}, "scale"),
        ({"level": 1, "scale": 1}, "scale"),
        ({"level": 1, "flags": [1, 2]}, r"flags\[1\]"),
        ({"level": 1, "x_mode": 1}, "X-Mode"),
    ],
    ids=repr,
)
async def test_parameter_enums_are_matched_by_json_value_and_type(make_harness, enums, arguments, wrong):
    h = make_harness(enums)
    route = h.router.route().respond(204)
    arguments = dict(arguments)
    level = arguments.pop("level")

    with pytest.raises(enums.InvalidArgumentError, match=f"{wrong} must be one of"):
        await h.call(h.client().get_level, level, **arguments)

    assert not route.called


async def test_parameter_enum_members_are_sent_in_their_json_spelling(make_harness, enums):
    h = make_harness(enums)
    route = h.router.route().respond(204)

    await h.call(h.client().get_level, 2.0, scale=1.5, flags=[1.0, True], x_mode=False)
    await h.call(h.client().get_level, 3, x_mode=0.0)

    first, second = (call.request for call in route.calls)
    assert first.url.path == "/v1/levels/2"
    assert first.url.params.get_list("flags") == ["1", "true"]
    assert first.url.params["scale"] == "1.5"
    assert first.headers["X-Mode"] == "false"
    assert second.headers["X-Mode"] == "0"


@pytest.fixture
def echo_server():
    """A local HTTP server that answers every GET with a task, echoing the Authorization header."""

    class Echo(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"id": "t1", "status": "processing"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Echo", self.headers.get("Authorization", ""))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    # shutdown() waits for serve_forever's next poll: the default interval made each test 0.5 s longer.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


async def test_real_httpcore_debug_records_are_redacted(h, caplog, echo_server):
    caplog.set_level(logging.DEBUG)
    client = h.client(base_url=echo_server, http_client=None, max_retries=0)
    try:
        task = await h.call(client.get_task, "t1")
    finally:
        await h.close(client)

    assert task.id == "t1"
    httpcore = [r.getMessage() for r in caplog.records if r.name.startswith("httpcore")]
    assert any("receive_response_headers.complete" in message for message in httpcore)
    assert any("<redacted>" in message for message in httpcore)  # the echoed header
    for record in caplog.records:
        assert h.api_key not in record.getMessage()
