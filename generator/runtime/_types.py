"""Plain values shared by the generated operations and the client: what to send, how to
authenticate, how the client is configured, and when polling stops.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, Literal, TypeAlias, TypeVar

import httpx

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRY_AFTER",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AuthScheme",
    "ClientConfig",
    "NotGiven",
    "QueryValue",
    "RequestSpec",
    "ResultRule",
    "TimeoutTypes",
    "WaitRule",
]

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
"""60 s to send the request and for each read of the answer, 10 s to connect."""

DEFAULT_MAX_RETRIES = 2
"""Extra attempts after the first one, for failures that are safe to retry."""

DEFAULT_MAX_RETRY_AFTER = 60.0
"""Longest wait, in seconds, that a server's ``Retry-After`` may ask for and still get a retry."""


class NotGiven(enum.Enum):
    """The type of :data:`NOT_GIVEN`, for options where None has a meaning of its own."""

    NOT_GIVEN = "NOT_GIVEN"


NOT_GIVEN = NotGiven.NOT_GIVEN
"""Marks an option that was not passed (``timeout=None`` means no timeout)."""

TimeoutTypes: TypeAlias = float | httpx.Timeout | None
"""What a ``timeout`` option accepts: seconds, an ``httpx.Timeout``, or None for no timeout."""

QueryValue: TypeAlias = str | int | float | bool | Sequence[str | int | float | bool]
"""A query parameter value; a sequence is sent as the parameter repeated."""

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    # One shared read-only mapping: a dataclass refuses a (seemingly mutable) mapping as default.
    return _EMPTY


@dataclass(frozen=True, slots=True)
class AuthScheme:
    """Where the api key goes in a request: a bearer token, HTTP basic, a named header, a query
    parameter or a cookie (see ``_auth``)."""

    kind: Literal["bearer", "basic", "header", "query", "cookie"]
    name: str
    """The header, query parameter or cookie that carries the key."""

    @classmethod
    def bearer(cls) -> AuthScheme:
        """``Authorization: Bearer <api key>``."""
        return cls("bearer", "Authorization")

    @classmethod
    def basic(cls) -> AuthScheme:
        """``Authorization: Basic <base64 of the credential>``, the credential being ``user:password``."""
        return cls("basic", "Authorization")

    @classmethod
    def cookie(cls, name: str) -> AuthScheme:
        """``Cookie: <name>=<api key>``."""
        return cls("cookie", name)

    @classmethod
    def header(cls, name: str) -> AuthScheme:
        """``<name>: <api key>``."""
        return cls("header", name)

    @classmethod
    def query(cls, name: str) -> AuthScheme:
        """``?<name>=<api key>``.

        Avoid where possible: URLs end up in the logs of proxies and servers, and httpx's own
        INFO log line shows the full URL (this client's log lines redact it).
        """
        return cls("query", name)


@dataclass(frozen=True, slots=True)
class RequestSpec(Generic[T]):
    """Everything needed to send one operation and parse its answer into ``T``.

    Built by the generated ``_operations`` module; the same value is sent by the sync and the async
    client. ``path`` is already filled in and escaped, relative to the base URL, starting with "/".
    ``responses`` maps a status ("200", "2XX" or "default") to the type of its body, or None when
    the answer has no body.
    """

    operation: str
    method: str
    path: str
    responses: Mapping[str, Any]
    idempotent: bool
    """True when sending the request twice has the effect of sending it once (safe to retry)."""
    params: Mapping[str, QueryValue] = field(default_factory=_empty)
    headers: Mapping[str, str] = field(default_factory=_empty)
    json: Any = None
    has_body: bool = False
    security: tuple[AuthScheme, ...] = ()
    """Accepted ways to send the api key; the client applies the first. Empty: no authentication."""
    subject: str | None = None
    """The id of the job this request is about (the polled operation's path parameter), if any."""
    body_kind: Literal["json", "form", "multipart", "text", "binary"] = "json"
    """How the body is sent (see ``_content``); ``json`` holds a form's or multipart's fields."""
    media_type: str = "application/json"
    content: Any = None
    """A text or binary body, given whole."""
    files: Mapping[str, Any] = field(default_factory=_empty)
    """The file parts of a multipart body, by field name."""
    part_types: Mapping[str, str] = field(default_factory=_empty)
    """Content types of multipart parts, from the spec's ``encoding``."""


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """The per-API settings of a generated client class."""

    api_key_env: str
    """Environment variable read when no api key is passed."""
    base_url_env: str
    """Environment variable read when no base URL is passed."""
    default_base_url: str
    package: str
    """Name of the generated package: the logger name and the first part of the User-Agent."""
    version: str
    requires_api_key: bool = True
    log_env: str = ""
    """Environment variable that turns on the package's logging (``debug`` or ``info``)."""


@dataclass(frozen=True, slots=True)
class WaitRule:
    """How to tell from a status answer whether a job is finished.

    Field names are the wire names (aliases) of the answer's fields. Any status that is in neither
    ``success`` nor ``failure`` (including one the API adds later) means "not finished yet".
    """

    status_field: str
    success: tuple[str, ...]
    failure: tuple[str, ...]
    error_code_field: str | None = None
    error_message_field: str | None = None
    subject: str = ""
    """What is being waited for (e.g. the job id), named in error messages."""


@dataclass(frozen=True, slots=True)
class ResultRule:
    """Where a finished job's output URLs are (``x-result``): a field holding a URL, a list of
    URLs, or a list of objects whose ``url_field`` is the URL (wire names)."""

    field: str
    url_field: str | None = None
