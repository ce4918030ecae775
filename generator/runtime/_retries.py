"""When a failed request may be sent again, and how long to wait first.

Sending a request twice is only harmless when the operation is idempotent. A non-idempotent
request (for example one that creates a billed job) is sent again only when it provably never
reached the server (the connection was never made) or the server refused it before doing
anything (429). After a read timeout, a broken connection or a 5xx it may well have been
processed, so the error is raised at once with a note saying so.
"""

from __future__ import annotations

import email.utils
import random
import time

import httpx

__all__ = [
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "MAY_HAVE_BEEN_PROCESSED",
    "may_have_been_processed",
    "retry_after",
    "retry_delay",
    "status_is_retryable",
    "transport_error_is_retryable",
]

INITIAL_RETRY_DELAY = 0.5
"""Seconds before the first retry; doubled for each further one."""

MAX_RETRY_DELAY = 8.0
"""Upper bound of the computed backoff, in seconds."""

MAX_RETRY_AFTER = 60.0
"""A server's ``Retry-After`` is honoured when it asks for more than 0 and at most this many seconds."""

MAY_HAVE_BEEN_PROCESSED = (
    "the request may have been processed by the server (for example a billed task created); "
    "check before retrying"
)

# Failures that happen before any byte of the request reaches the server.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures worth retrying for an idempotent request; other RequestErrors (an unsupported
# protocol, a malformed request, an undecodable body) would fail the same way again.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def transport_error_is_retryable(exc: httpx.RequestError, *, idempotent: bool) -> bool:
    """Whether the request may be sent again after ``exc``."""
    if isinstance(exc, _NEVER_SENT):
        return True
    return idempotent and isinstance(exc, _TRANSIENT)


def status_is_retryable(status: int, *, idempotent: bool) -> bool:
    """Whether the request may be sent again after an answer with ``status``."""
    if status == 429:
        return True
    return idempotent and (status == 408 or status >= 500)


def may_have_been_processed(
    *, idempotent: bool, exc: httpx.RequestError | None = None, status: int = 0
) -> bool:
    """Whether a failed non-idempotent request may nevertheless have had its effect on the server."""
    if idempotent:
        return False
    if exc is not None:
        return not isinstance(exc, _NEVER_SENT)
    return status == 408 or status >= 500


def retry_after(headers: httpx.Headers) -> float | None:
    """The wait a server asks for in ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date).

    Returns None when absent, unreadable, not positive, or above :data:`MAX_RETRY_AFTER`.
    """
    seconds: float | None = None
    millis = headers.get("retry-after-ms")
    value = headers.get("retry-after")
    if millis is not None:
        try:
            seconds = float(millis) / 1000
        except ValueError:
            seconds = None
    if seconds is None and value is not None:
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            seconds = when.timestamp() - time.time()
    if seconds is None or not 0 < seconds <= MAX_RETRY_AFTER:
        return None
    return seconds


def retry_delay(retries_done: int, headers: httpx.Headers | None = None) -> float:
    """Seconds to wait before retry number ``retries_done + 1``.

    The server's ``Retry-After`` when acceptable, else exponential backoff from
    :data:`INITIAL_RETRY_DELAY` (x2 per retry, at most :data:`MAX_RETRY_DELAY`) with +-25% jitter
    so that many clients failing together do not retry in step.
    """
    if headers is not None:
        asked = retry_after(headers)
        if asked is not None:
            return asked
    base = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_done, 16), MAX_RETRY_DELAY)
    jitter = random.uniform(0.75, 1.25)  # noqa: S311 - spreading retries, not cryptography
    return min(base * jitter, MAX_RETRY_DELAY)
