"""A hand-written stand-in for a generated package: the runtime modules plus a tiny API."""

from ._client import AsyncClient, Client
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIKeyMissingError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TaskFailedError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from ._response import APIResponse
from ._version import __version__
from .models import Task, TaskCreated, TaskRequest

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIKeyMissingError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Task",
    "TaskCreated",
    "TaskFailedError",
    "TaskRequest",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "__version__",
]
