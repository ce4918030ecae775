"""Errors: the tree, status -> error class, lenient messages, invalid arguments, validation of 2xx
bodies, and raw responses."""

from __future__ import annotations

import importlib
import re

import httpx
import pydantic
import pytest

pytestmark = pytest.mark.anyio

# The tree the issue asks for: every error class and its parent.
ERROR_TREE = {
    "APIError": Exception,
    "APIKeyMissingError": "APIError",
    "InsecureBaseURLError": "APIError",
    "ClientClosedError": "APIError",
    "InvalidArgumentError": "APIError",
    "APIConnectionError": "APIError",
    "APITimeoutError": "APIConnectionError",
    "APIStatusError": "APIError",
    "BadRequestError": "APIStatusError",
    "AuthenticationError": "APIStatusError",
    "PermissionDeniedError": "APIStatusError",
    "NotFoundError": "APIStatusError",
    "UnprocessableEntityError": "APIStatusError",
    "RateLimitError": "APIStatusError",
    "InternalServerError": "APIStatusError",
    "APIResponseValidationError": "APIError",
    "DownloadError": "APIError",
    "TaskFailedError": "APIError",
    "WaitTimeoutError": "APIError",
}


def _drawn_tree(docstring):
    """``{name: parent name}`` read from the tree drawn in a docstring (by the column of each name)."""
    tree, stack = {}, []  # stack: (column, name) of the open branches
    drawing = docstring.split("::", 1)[1].strip("\n").split("\n\n")[0]
    for line in drawing.splitlines():
        name = re.search(r"\w+", line)
        while stack and stack[-1][0] >= name.start():
            stack.pop()
        tree[name.group()] = stack[-1][1] if stack else None
        stack.append((name.start(), name.group()))
    return tree


def test_error_tree_is_exported_from_the_root_and_drawn_in_the_docstring(pkg):
    exceptions = importlib.import_module(pkg.__name__ + "._exceptions")
    for name, parent in ERROR_TREE.items():
        error_class = getattr(pkg, name)
        assert name in pkg.__all__
        assert error_class is getattr(exceptions, name)
        # The first base is the parent in the tree; a second one keeps older `except` clauses
        # working (ValueError, RuntimeError) or makes the error generic (TaskFailedError[Task]).
        assert error_class.__bases__[0] == (parent if parent is Exception else getattr(pkg, parent))
        assert error_class.__doc__
    defined = {name for name in exceptions.__all__ if isinstance(getattr(exceptions, name), type)}
    assert defined == set(ERROR_TREE)
    drawn = _drawn_tree(exceptions.__doc__)
    assert drawn == {name: None if parent is Exception else parent for name, parent in ERROR_TREE.items()}


@pytest.mark.parametrize(
    "arguments",
    [
        {"prompt": "a cat", "duration": 3},  # below the documented minimum
        {"prompt": "a cat", "duration": "5"},  # no coercion from strings
        {"prompt": "a cat", "last_frame": "https://example.com/end.png"},  # last_frame needs first_frame
    ],
)
async def test_invalid_arguments_raise_validation_error_before_sending(h, arguments):
    route = h.create_route().respond(200, json={"task_id": "t1"})
    client = h.client()

    with pytest.raises(pydantic.ValidationError):
        await h.call(client.generate_seedance_2_0, **arguments)
    with pytest.raises(pydantic.ValidationError):
        await h.call(client.get_task, 42)

    assert not route.called
    assert not h.router.calls


@pytest.mark.parametrize(
    ("status", "error_name"),
    [
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (422, "UnprocessableEntityError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (503, "InternalServerError"),
        (402, "APIStatusError"),
        (409, "APIStatusError"),
    ],
)
async def test_status_maps_to_error_class(h, status, error_name):
    body = {"message": "something is wrong", "error_code": "E1"}
    h.router.get(h.url("/tasks/t1")).respond(status, json=body)

    with pytest.raises(h.pkg.APIStatusError) as info:
        await h.call(h.client(max_retries=0).get_task, "t1")

    error = info.value
    assert type(error) is getattr(h.pkg, error_name)
    assert isinstance(error, h.pkg.APIError)
    assert error.status_code == status
    assert error.body == body
    assert error.response.status_code == status
    assert error.request.url == h.url("/tasks/t1")
    assert "something is wrong" in error.message
    assert str(status) in str(error)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"message": "from message", "error_msg": "no", "error_code": "no"}', "from message"),
        (b'{"error_msg": "from error_msg", "error_code": "no"}', "from error_msg"),
        (b'{"error_msg": "", "error_code": "InvalidParameter"}', "InvalidParameter"),
        (b'{"error": {"message": "nested message"}}', "nested message"),
        (b'{"error": {"error_code": "NestedCode"}}', "NestedCode"),
        (b'{"error": "plain string error"}', "plain string error"),
        (b"upstream exploded", "upstream exploded"),
        (b"", None),
    ],
)
async def test_error_message_is_read_leniently(h, content, expected):
    h.router.get(h.url("/tasks/t1")).respond(400, content=content)

    with pytest.raises(h.pkg.BadRequestError) as info:
        await h.call(h.client().get_task, "t1")

    assert info.value.message == (expected or "Bad Request")
    assert str(info.value) == "400 Bad Request" + (f": {expected}" if expected else "")


async def test_text_body_is_kept_and_long_text_is_truncated_in_the_message(h):
    text = "x" * 5000
    h.router.get(h.url("/tasks/t1")).respond(404, text=text)

    with pytest.raises(h.pkg.NotFoundError) as info:
        await h.call(h.client().get_task, "t1")

    assert info.value.body == text
    assert 400 < len(info.value.message) < 700


@pytest.mark.parametrize("content", [b"<html>Bad Gateway</html>", b"", b'{"id": "t1", "status": '])
async def test_non_json_success_raises_validation_error(h, content):
    h.router.get(h.url("/tasks/t1")).respond(200, content=content)

    with pytest.raises(h.pkg.APIResponseValidationError) as info:
        await h.call(h.client().get_task, "t1")

    error = info.value
    assert error.status_code == 200
    assert error.body == content.decode()
    assert error.response.content == content
    assert error.errors
    assert error.errors[0]["type"] == "json_invalid"


async def test_schema_mismatch_raises_validation_error_with_pydantic_errors(h):
    h.router.get(h.url("/tasks/t1")).respond(200, json={"id": 123})

    with pytest.raises(h.pkg.APIResponseValidationError) as info:
        await h.call(h.client().get_task, "t1")

    locations = {tuple(error["loc"]) for error in info.value.errors}
    assert ("status",) in locations
    assert "get_task" in str(info.value)
    assert "status" in str(info.value)
    assert all("input" not in error for error in info.value.errors)


async def test_unknown_fields_in_an_answer_are_accepted(h):
    h.router.get(h.url("/tasks/t1")).respond(200, json=h.task_json("completed", new_field=1))
    task = await h.call(h.client().get_task, "t1")
    assert task.status == "completed"


async def test_undocumented_success_status_raises_validation_error(h):
    h.router.get(h.url("/tasks/t1")).respond(201, json=h.task_json())

    with pytest.raises(h.pkg.APIResponseValidationError, match="201"):
        await h.call(h.client().get_task, "t1")


async def test_raw_response_exposes_status_headers_and_lazy_parse(h):
    h.router.get(h.url("/tasks/t1")).respond(
        200, json=h.task_json("pending"), headers={"X-Request-Id": "r-1"}
    )
    client = h.client()

    raw = await h.call(client.with_raw_response.get_task, "t1")

    assert isinstance(raw, h.pkg.APIResponse)
    assert raw.status_code == 200
    assert raw.headers["X-Request-Id"] == "r-1"
    assert isinstance(raw.http_response, httpx.Response)
    task = raw.parse()
    assert isinstance(task, h.pkg.Task)
    assert task.status == "pending"
    assert raw.parse() is task
    assert h.api_key not in repr(raw)


async def test_raw_response_of_the_billed_operation(h):
    route = h.create_route().respond(200, json={"task_id": "t9"})

    raw = await h.call(h.client().with_raw_response.generate_seedance_2_0, prompt="a cat")

    assert raw.status_code == 200
    assert raw.parse().task_id == "t9"
    assert raw.http_response.request.content == b'{"prompt":"a cat"}'
    assert route.call_count == 1


async def test_raw_response_parse_raises_validation_error_only_when_called(h):
    h.router.get(h.url("/tasks/t1")).respond(200, text="not json")

    raw = await h.call(h.client().with_raw_response.get_task, "t1")

    assert raw.status_code == 200
    with pytest.raises(h.pkg.APIResponseValidationError):
        raw.parse()


async def test_raw_response_still_raises_status_errors(h):
    h.router.get(h.url("/tasks/t1")).respond(404, json={"message": "no such task"})

    with pytest.raises(h.pkg.NotFoundError, match="no such task"):
        await h.call(h.client().with_raw_response.get_task, "t1")
