"""The errors this client raises, all derived from :class:`APIError`.

Exception tree::

    APIError
     ├── APIKeyMissingError              no api key given and none in the environment
     ├── InsecureBaseURLError            a plain http:// base URL to a remote host (also a ValueError)
     ├── ClientClosedError               a call on a closed client (also a RuntimeError)
     ├── InvalidArgumentError            refused before sending (a ValueError too): key, URL, path...
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
     ├── DownloadError                   a download that could not be completed
     ├── TaskFailedError                 polling ended in a failure status
     └── WaitTimeoutError                polling ran out of time before a final status

No message or ``args`` of these errors ever contains the api key: the client passes it as a
secret to scrub. The raw ``body`` of an answer is kept as the server sent it. Errors about an
answer carry the server's request id (``x-request-id`` or ``request-id``) when it sent one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

import httpx

from ._body import body_json, body_text
from ._redact import redact

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIKeyMissingError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "DownloadError",
    "InsecureBaseURLError",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "TaskFailedError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "make_status_error",
    "request_id",
    "scrub",
]

ResultT = TypeVar("ResultT")

_MAX_MESSAGE_CHARS = 500

# Keys of a JSON error body that may carry a human-readable message, best first. Servers of
# this kind use several conventions, and none is documented, so the reading is lenient.
_MESSAGE_KEYS = ("message", "error_msg", "error_code")
_REQUEST_ID_HEADERS = ("x-request-id", "request-id")


def request_id(response: httpx.Response | None) -> str | None:
    """The server's id of the request (``x-request-id`` or ``request-id``), to quote to its support."""
    if response is None:
        return None
    headers = response.headers
    for name in _REQUEST_ID_HEADERS:
        value: str | None = headers.get(name)
        if value:
            return value
    return None


def scrub(text: str, secrets: Sequence[str]) -> str:
    """Return ``text`` with each secret (a whole token, also escaped) replaced by ``<redacted>``."""
    return redact(text, secrets)


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


class InsecureBaseURLError(APIError, ValueError):
    """The base URL is plain ``http://`` to a remote host: the api key would travel unencrypted."""


class ClientClosedError(APIError, RuntimeError):
    """The client (or the ``http_client`` it was given) was closed before the call."""


class InvalidArgumentError(APIError, ValueError):
    """An argument or option the client refuses before sending anything (never echoes the api key)."""


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

    request_id: str | None
    """The server's id of the request, from ``x-request-id`` or ``request-id``."""

    retry_after: float | None
    """Seconds the server asked to wait before trying again (``Retry-After``), when it said."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        detail: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """``message`` is the whole text of ``str(error)`` (status line first); ``detail`` the
        server's own message, which becomes ``.message`` (``message`` when not given)."""
        super().__init__(message, request=response.request)
        self.message = message if detail is None else detail
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.request_id = request_id(response)
        self.retry_after = retry_after


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

    request_id: str | None
    """The server's id of the request, from ``x-request-id`` or ``request-id``."""

    task_id: str | None
    """The id of the task (job) the answer is about, for the polled operation and its wait helper."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: str,
        errors: Sequence[Mapping[str, Any]],
        task_id: str | None = None,
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.errors = [dict(error) for error in errors]
        self.request_id = request_id(response)
        self.task_id = task_id


class DownloadError(APIError):
    """A download failed; nothing was left at the destination."""

    url: str
    """The URL that was being downloaded."""

    def __init__(self, message: str, *, url: str, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)
        self.url = url


class TaskFailedError(APIError, Generic[ResultT]):
    """Polling reached a status that means the job failed; ``task`` is the last answer.

    Generic in the polled model: the wait helper raises ``TaskFailedError[Task]``.
    """

    result: ResultT
    """The last model returned by the status operation."""

    status: str
    """The failure status that was reached."""

    error_code: str | None
    """The machine-readable error code reported by the server, if any."""

    error_msg: str | None
    """The server's message, falling back to the error code when empty."""

    def __init__(
        self, message: str, *, result: ResultT, status: str, error_code: str | None, error_msg: str | None
    ) -> None:
        super().__init__(message)
        self.result = result
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg

    @property
    def task(self) -> ResultT:
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

    task_id: str | None
    """The id of the task (job) that was waited for."""

    def __init__(
        self,
        message: str,
        *,
        last_status: str | None,
        last_result: object,
        timeout: float,
        task_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.last_status = last_status
        self.last_result = last_result
        self.timeout = timeout
        self.task_id = task_id


def _decode_body(response: httpx.Response) -> object:
    if not response.content:
        return None
    try:
        return body_json(response)
    except ValueError:
        return body_text(response)


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
        message = body_text(response).strip()
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
    response: httpx.Response,
    *,
    note: str = "",
    secrets: Sequence[str] = (),
    retry_after: float | None = None,
) -> APIStatusError:
    """Build the :class:`APIStatusError` subclass matching ``response.status_code``.

    Its ``message`` is read from the body's ``message``, ``error_msg`` or ``error_code`` (also
    under a nested ``error`` object), else the body text, else the reason phrase; ``str(error)``
    is the status line, that message, then ``note``. Each of ``secrets`` is replaced by
    ``<redacted>``.
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
    ident = request_id(response)
    if ident:
        message += f" (request id {ident})"
    error_class = _STATUS_ERRORS.get(status, InternalServerError if status >= 500 else APIStatusError)
    return error_class(
        scrub(message, secrets),
        response=response,
        body=body,
        detail=scrub(detail, secrets),
        retry_after=retry_after,
    )
