"""``seedance_client.testing.MockAPI``: a mock of the API built from the spec's examples.

Everything is driven by the intermediate model (operations, example pairs, the x-wait rule),
so nothing here names an endpoint, and each test runs with the sync and the async client.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import seedance_client
from invalid_bodies import INVALID_CASES
from mock_calls import answer_of, call, minimal_arguments
from openapi_adapter import OpenAPIRequest, OpenAPIResponse
from openapi_core import OpenAPI
from replay import SPEC_PATH, call_arguments, dump, expected_request, load_api
from seedance_client.testing import OPERATIONS, MockAPI

from generator.naming import class_name
from tests import fast_yaml

# The module's fixtures are made once per run: under xdist (make test) its tests share one worker.
pytestmark = pytest.mark.xdist_group("test_testing_mock")

API = load_api()
FLAVOURS = ("sync", "async")
PAIRS = [(operation, pair) for operation in API.operations for pair in operation.examples]
WAITS = [operation for operation in API.operations if operation.wait]
SECURED = [operation for operation in API.operations if operation.security]
BODIES = {operation.body.model: operation for operation in API.operations if operation.body}
KEY = "sk-mock-test"


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(fast_yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8")))


def _client(mock: MockAPI, flavour: str, **options: Any) -> Any:
    return mock.client(**options) if flavour == "sync" else mock.async_client(**options)


def _raw(mock: MockAPI, request: httpx.Request) -> httpx.Response:
    with httpx.Client(transport=mock) as http:
        return http.send(request)


def _example_request(operation, pair, **changes: Any) -> httpx.Request:
    """The pair's request as httpx builds it (``body``/``headers`` may be replaced)."""
    expected = expected_request(API, operation, pair, KEY)
    headers = changes.get("headers", expected.headers)
    body = changes.get("body", expected.body if expected.has_body else None)
    content = changes.get("content", None if body is None else json.dumps(body).encode())
    return httpx.Request(
        operation.method, expected.url, params=list(expected.query), headers=headers, content=content
    )


def test_the_mock_serves_every_operation_and_pair_of_the_spec() -> None:
    assert [(o.name, o.method, o.path) for o in OPERATIONS] == [
        (o.name, o.method, o.path) for o in API.operations
    ]
    assert [[e.name for e in o.examples] for o in OPERATIONS] == [
        [p.name for p in o.examples] for o in API.operations
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("item", PAIRS, ids=[f"{o.name}/{p.name}" for o, p in PAIRS])
def test_each_documented_request_gets_its_paired_answer(item, flavour: str) -> None:
    operation, pair = item
    mock = MockAPI()
    args, kwargs = call_arguments(seedance_client, operation, pair, "keywords")
    result = call(_client(mock, flavour, api_key=KEY), operation.name, args, kwargs)
    assert dump(result) == pair.response
    assert [name for name, _ in mock.calls] == [operation.name]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("operation", API.operations, ids=lambda operation: operation.name)
def test_another_valid_request_gets_an_answer_built_from_the_schema(
    operation, flavour: str, openapi: OpenAPI
) -> None:
    mock = MockAPI()
    args, kwargs = minimal_arguments(seedance_client, operation)
    call(_client(mock, flavour, api_key=KEY), operation.name, args, kwargs)  # parsed: valid for the models
    ((name, request),) = mock.calls
    assert name == operation.name
    response = answer_of(mock, request)
    success = next(r.status for r in operation.responses if r.status.startswith("2"))
    assert str(response.status_code) == success
    assert response.json() not in [pair.response for pair in operation.examples]  # not a documented pair
    # and valid for the spec itself, not only for the models it was built from
    openapi.validate_response(OpenAPIRequest(request), OpenAPIResponse(response))


@pytest.mark.parametrize("operation", WAITS, ids=lambda operation: operation.name)
def test_an_unknown_job_is_finished_and_repeats_its_path_parameters(operation) -> None:
    mock = MockAPI()
    key = "no/such job"  # escaped in the URL, decoded by the mock
    result = dump(getattr(mock.client(), operation.name)(key))
    assert result[operation.wait.status_field] == operation.wait.success[0]
    echoed = [argument.wire_name for argument in operation.path_args if argument.wire_name in result]
    assert all(result[name] == key for name in echoed)


@pytest.mark.parametrize("operation", API.operations, ids=lambda operation: operation.name)
def test_schema_built_answers_never_name_a_documented_unfinished_job(operation) -> None:
    """Otherwise a downstream test that creates a job unscripted and then waits on it would wait
    on a documented job that never finishes (the docs reuse one id for both)."""
    mock = MockAPI()
    args, kwargs = minimal_arguments(seedance_client, operation)
    call(mock.client(api_key=KEY), operation.name, args, kwargs)
    ((_, request),) = mock.calls
    handed_out = set(_strings(answer_of(mock, request).json()))
    for waiting in WAITS:
        final = set(waiting.wait.success) | set(waiting.wait.failure)
        unfinished = {
            str(value)
            for pair in waiting.examples
            if pair.response.get(waiting.wait.status_field) not in final
            for value in pair.path.values()
        }
        assert not handed_out & unfinished, f"{operation.name} answers with the id of an unfinished example"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _waiting_statuses(operation) -> list[str]:
    """Statuses of the examples that are not final, in order, then the first success."""
    rule = operation.wait
    final = set(rule.success) | set(rule.failure)
    found = [pair.response.get(rule.status_field) for pair in operation.examples]
    waiting = list(dict.fromkeys(status for status in found if status and status not in final))
    return [*waiting, "a-status-the-spec-does-not-know", rule.success[0]]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("operation", WAITS, ids=lambda operation: operation.name)
def test_script_statuses_drives_the_wait_helper(operation, flavour: str) -> None:
    mock = MockAPI()
    statuses = _waiting_statuses(operation)
    mock.script_statuses("job-1", statuses)
    client = _client(mock, flavour)
    result = dump(call(client, operation.wait.name, ["job-1"], {"poll_interval": 0.001}))
    assert result[operation.wait.status_field] == operation.wait.success[0]
    # one poll per scripted status: the wait went through each of them
    assert len(mock.requests(operation.name)) == len(statuses)
    assert all(request.url.path.endswith("/job-1") for request in mock.requests(operation.name))
    # the script's last answer repeats; another job is not scripted
    assert dump(getattr(mock.client(), operation.name)("job-1"))[operation.wait.status_field] == statuses[-1]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("operation", WAITS, ids=lambda operation: operation.name)
def test_script_statuses_ending_in_failure_raises_the_failure(operation, flavour: str) -> None:
    mock = MockAPI()
    rule = operation.wait
    mock.script_statuses("job-2", [*_waiting_statuses(operation)[:1], rule.failure[0]])
    with pytest.raises(seedance_client.TaskFailedError) as caught:
        call(_client(mock, flavour), rule.name, ["job-2"], {"poll_interval": 0.001})
    assert caught.value.status == rule.failure[0]
    failed_example = next(
        (
            pair.response
            for pair in operation.examples
            if pair.response.get(rule.status_field) == rule.failure[0]
        ),
        None,
    )
    if failed_example and rule.error_code_field:
        assert caught.value.error_code == failed_example.get(rule.error_code_field)


@pytest.mark.parametrize("operation", WAITS, ids=lambda operation: operation.name)
def test_a_script_applies_to_its_job_only(operation) -> None:
    mock = MockAPI()
    rule = operation.wait
    mock.script_statuses("job-3", [rule.failure[0]])
    answer = dump(getattr(mock.client(), operation.name)("another-job"))
    assert answer[rule.status_field] == rule.success[0]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_script_answers_with_responses_then_json_and_repeats_the_last(flavour: str) -> None:
    operation, pair = next((o, p) for o, p in PAIRS if p.has_body)
    mock = MockAPI()
    mock.script(operation.name, [httpx.Response(500, json={"message": "scripted outage"}), pair.response])
    args, kwargs = call_arguments(seedance_client, operation, pair, "keywords")
    with pytest.raises(seedance_client.InternalServerError, match="scripted outage"):
        call(_client(mock, flavour), operation.name, args, kwargs)
    for _ in range(2):
        assert dump(call(_client(mock, flavour), operation.name, args, kwargs)) == pair.response
    assert len(mock.requests(operation.name)) == 3


def test_script_refuses_unknown_operations_and_parameters() -> None:
    mock = MockAPI()
    with pytest.raises(KeyError, match="no operation"):
        mock.script("no_such_operation", [{}])
    with pytest.raises(ValueError, match="at least one answer"):
        mock.script(API.operations[0].name, [])
    with pytest.raises(ValueError, match="no path parameter"):
        mock.script(API.operations[0].name, [{}], path={"no_such_parameter": "x"})


@pytest.mark.parametrize("case", INVALID_CASES, ids=[case.id for case in INVALID_CASES])
def test_an_invalid_body_gets_422_with_pydantic_errors(case) -> None:
    operation = BODIES[class_name(case.schema)]
    pair = next(pair for pair in operation.examples if pair.has_body)
    mock = MockAPI()
    assert _raw(mock, _example_request(operation, pair, body=case.base)).status_code == 200
    response = _raw(mock, _example_request(operation, pair, body=case.body))
    assert response.status_code == 422
    answer = response.json()
    assert isinstance(answer["message"], str) and answer["message"]
    assert answer["detail"] and all(error["loc"][0] == "body" and error["msg"] for error in answer["detail"])


@pytest.mark.parametrize("operation", list(BODIES.values()), ids=lambda operation: operation.name)
def test_a_body_that_is_not_json_is_refused(operation) -> None:
    pair = next(pair for pair in operation.examples if pair.has_body)
    mock = MockAPI()
    response = _raw(mock, _example_request(operation, pair, content=b"{not json"))
    assert response.status_code == 422 and "JSON" in response.json()["message"]
    headers = {**expected_request(API, operation, pair, KEY).headers, "Content-Type": "text/plain"}
    assert _raw(mock, _example_request(operation, pair, headers=headers)).status_code == 415
    if operation.body.required:
        assert _raw(mock, _example_request(operation, pair, content=b"")).status_code == 422


@pytest.mark.parametrize("authorization", [None, "", "Bearer ", "Bearer", "Basic dXNlcjpwYXNz", "Token abc"])
@pytest.mark.parametrize("operation", SECURED, ids=lambda operation: operation.name)
def test_missing_or_empty_credentials_get_401(operation, authorization) -> None:
    pair = operation.examples[0]
    headers = {
        k: v for k, v in expected_request(API, operation, pair, KEY).headers.items() if k != "Authorization"
    }
    if authorization is not None:
        headers["Authorization"] = authorization
    mock = MockAPI()
    response = _raw(mock, _example_request(operation, pair, headers=headers))
    assert response.status_code == 401
    assert "message" in response.json()
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_mock_with_an_api_key_accepts_that_key_only(flavour: str) -> None:
    operation, pair = PAIRS[0]
    mock = MockAPI(api_key="the-right-key")
    args, kwargs = call_arguments(seedance_client, operation, pair, "keywords")
    with pytest.raises(seedance_client.AuthenticationError):
        call(_client(mock, flavour, api_key="a-wrong-key"), operation.name, args, kwargs)
    assert dump(call(_client(mock, flavour), operation.name, args, kwargs)) == pair.response


def test_unknown_paths_get_404_and_unknown_methods_405() -> None:
    mock = MockAPI()
    base = str(mock.base_url)
    operation = API.operations[0]
    path = operation.path.replace("{", "").replace("}", "")
    with httpx.Client(transport=mock) as http:
        assert http.get(base + "/no/such/path").status_code == 404
        assert http.get(base.replace("https://", "https://other.") + path).status_code == 404
        assert http.get(base + "-v2" + path).status_code == 404
        other = next(
            m
            for m in ("DELETE", "PATCH", "PUT")
            if all(o.method != m for o in API.operations if o.path == operation.path)
        )
        refused = http.request(other, base + path)
        assert refused.status_code == 405 and operation.method in refused.headers["Allow"]
    assert [name for name, _ in mock.calls] == [None, None, None, None]


def test_calls_are_recorded_in_order_with_their_requests() -> None:
    mock = MockAPI()
    client = mock.client(api_key=KEY)
    order = []
    for operation, pair in PAIRS:
        args, kwargs = call_arguments(seedance_client, operation, pair, "keywords")
        getattr(client, operation.name)(*args, **kwargs)
        order.append(operation.name)
    assert [name for name, _ in mock.calls] == order
    for (operation, pair), (_, request) in zip(PAIRS, mock.calls, strict=True):
        expected = expected_request(API, operation, pair, KEY)
        assert str(request.url).startswith(expected.url)
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        assert (json.loads(request.content) if request.content else None) == (
            pair.body if pair.has_body else None
        )
    assert mock.requests(API.operations[0].name) == [r for n, r in mock.calls if n == API.operations[0].name]


def test_a_mock_under_another_base_url() -> None:
    mock = MockAPI(base_url="http://testserver/api")
    operation, pair = PAIRS[0]
    args, kwargs = call_arguments(seedance_client, operation, pair, "keywords")
    assert dump(getattr(mock.client(), operation.name)(*args, **kwargs)) == pair.response
    assert str(mock.calls[0].request.url).startswith("http://testserver/api/")
