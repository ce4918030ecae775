"""The errors this client raises, all derived from :class:`APIError`.

Exception tree::

    APIError
     ├── APIKeyMissingError              no api key given and none in the environment
     ├── APIConnectionError              the server could not be reached or the answer was cut off
     │    └── APITimeoutError            connect, read, write or pool timeout
     ├── APIStatusError                  any answer that is not 2xx (3xx redirects included)
     │    ├── BadRequestError            400
     │    ├── AuthenticationError        401
     │    ├── PermissionDeniedError      403
     │    ├── NotFoundError              404
     │    ├── UnprocessableEntityError   422
     │    ├── RateLimitError             429
     │    └── InternalServerError        500 and above
     ├── APIResponseValidationError      a 2xx answer that is not JSON or does not match its schema
     ├── TaskFailedError                 polling ended in a failure status
     └── WaitTimeoutError                polling ran out of time before a final status

No message or ``args`` of these errors ever contains the api key: the client passes it as a
secret to scrub. The raw ``body`` of an answer is kept as the server sent it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIKeyMissingError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "TaskFailedError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "make_status_error",
    "scrub",
]

_MAX_MESSAGE_CHARS = 500
_REDACTED = "<redacted>"

# Keys of a JSON error body that may carry a human-readable message, best first. Servers of
# this kind use several conventions, and none is documented, so the reading is lenient.
_MESSAGE_KEYS = ("message", "error_msg", "error_code")


def scrub(text: str, secrets: Sequence[str]) -> str:
    """Return ``text`` with every occurrence of each non-empty secret replaced by ``<redacted>``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def _truncate(text: str, limit: int = _MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


class APIError(Exception):
    """Base class of every error raised by this client."""

    message: str
    """A readable description of what went wrong (never contains the api key)."""

    request: httpx.Request | None
    """The HTTP request that failed, when there was one."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIKeyMissingError(APIError):
    """No api key was passed to the client and its environment variable is unset or empty."""


class APIConnectionError(APIError):
    """The request did not get an HTTP answer: connection refused, reset, protocol error."""

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, sending, waiting for the answer, or for a pooled connection)."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)


class APIStatusError(APIError):
    """The server answered with a status outside 2xx."""

    response: httpx.Response
    """The full HTTP response."""

    status_code: int
    """The HTTP status code of the answer."""

    body: object
    """The decoded JSON body, or the body text when it is not JSON, or None when empty."""

    parsed: object = None
    """The body validated against the type the spec gives this status (or ``default``), when it
    matches; None otherwise."""

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body


class BadRequestError(APIStatusError):
    """HTTP 400: the server rejected the request's parameters."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the api key is missing, malformed or unknown."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the api key may not use this operation or resource."""


class NotFoundError(APIStatusError):
    """HTTP 404: the resource does not exist (or is no longer kept)."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the request was well-formed but its content was refused."""


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests; retried automatically up to ``max_retries`` times."""


class InternalServerError(APIStatusError):
    """HTTP 500 or above: the server failed."""


class APIResponseValidationError(APIError):
    """A 2xx answer whose body is not JSON or does not match the documented schema."""

    response: httpx.Response
    """The full HTTP response."""

    status_code: int
    """The HTTP status code of the answer."""

    body: str
    """The body text as received."""

    errors: list[dict[str, Any]]
    """Pydantic's validation errors (location, type and message of each), without input values."""

    def __init__(
        self, message: str, *, response: httpx.Response, body: str, errors: Sequence[Mapping[str, Any]]
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.errors = [dict(error) for error in errors]


class TaskFailedError(APIError):
    """Polling reached a status that means the job failed; ``task`` is the last answer."""

    result: object
    """The last model (or mapping) returned by the status operation."""

    status: str
    """The failure status that was reached."""

    error_code: str | None
    """The machine-readable error code reported by the server, if any."""

    error_msg: str | None
    """The server's message, falling back to the error code when empty."""

    def __init__(
        self, message: str, *, result: object, status: str, error_code: str | None, error_msg: str | None
    ) -> None:
        super().__init__(message)
        self.result = result
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg

    @property
    def task(self) -> object:
        """The failed task as last returned by the status operation (the same object as ``result``)."""
        return self.result


class WaitTimeoutError(APIError):
    """Polling did not reach a final status within ``timeout`` seconds; the job may still finish."""

    last_status: str | None
    """The status read from the last answer (None when it had none)."""

    last_result: object
    """The last model (or mapping) returned by the status operation."""

    timeout: float
    """The time budget, in seconds, that was exhausted."""

    def __init__(self, message: str, *, last_status: str | None, last_result: object, timeout: float) -> None:
        super().__init__(message)
        self.last_status = last_status
        self.last_result = last_result
        self.timeout = timeout


def _decode_body(response: httpx.Response) -> object:
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text


def _message_from_mapping(body: Mapping[str, Any]) -> str | None:
    for key in _MESSAGE_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value
    nested = body.get("error")
    if isinstance(nested, Mapping):
        return _message_from_mapping(nested)
    if isinstance(nested, str) and nested.strip():
        return nested
    return None


def _read_message(response: httpx.Response, body: object) -> str:
    message = _message_from_mapping(body) if isinstance(body, Mapping) else None
    if message is None and response.content:
        message = response.text.strip()
    return _truncate(message) if message else response.reason_phrase


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def make_status_error(
    response: httpx.Response, *, note: str = "", secrets: Sequence[str] = ()
) -> APIStatusError:
    """Build the :class:`APIStatusError` subclass matching ``response.status_code``.

    The message is read from the body's ``message``, ``error_msg`` or ``error_code`` (also under
    a nested ``error`` object), else the body text, else the reason phrase. ``note`` is appended
    to it, and each of ``secrets`` is replaced by ``<redacted>``.
    """
    status = response.status_code
    body = _decode_body(response)
    detail = _read_message(response, body)
    head = f"{status} {response.reason_phrase}".rstrip()
    message = head if detail == response.reason_phrase else f"{head}: {detail}"
    if 300 <= status < 400:
        location = response.headers.get("location")
        message += f" (redirect to {location!r} not followed)" if location else " (redirect not followed)"
    if note:
        message += f"; {note}"
    error_class = _STATUS_ERRORS.get(status, InternalServerError if status >= 500 else APIStatusError)
    return error_class(scrub(message, secrets), response=response, body=body)
