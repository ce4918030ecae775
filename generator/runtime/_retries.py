"""When a failed request may be sent again, and how long to wait first.

Sending a request twice is only harmless when the operation is idempotent. A non-idempotent
request (for example one that creates a billed job) is sent again only when it provably never
reached the server (the connection was never made) or the server refused it before doing
anything (429). After a read timeout, a broken connection or a 5xx it may well have been
processed, so the error is raised at once with a note saying so. A server's explicit
``x-should-retry: true`` or ``false`` comes before these rules (``true`` is the only way a
non-idempotent request is re-sent after the server saw it).

A retry never comes sooner than the server asked (``retry-after-ms``, ``Retry-After`` in seconds
or as an HTTP date, 0 included); when it asks for longer than the client's cap, there is no retry.
"""

from __future__ import annotations

import datetime
import email.utils
import math
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
    "server_says_retry",
    "status_is_retryable",
    "transport_error_is_retryable",
]

INITIAL_RETRY_DELAY = 0.5
"""Seconds before the first retry; doubled for each further one."""

MAX_RETRY_DELAY = 8.0
"""Upper bound of the computed backoff, in seconds."""

MAX_RETRY_AFTER = 60.0
"""The default cap: a server asking to wait longer than this gets no automatic retry."""

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


def server_says_retry(headers: httpx.Headers) -> bool | None:
    """The server's ``x-should-retry`` (``true`` or ``false``), or None when absent or unreadable."""
    value = headers.get("x-should-retry")
    if value is None:
        return None
    value = value.strip().lower()
    return True if value == "true" else False if value == "false" else None


def retry_after(headers: httpx.Headers) -> float | None:
    """The wait in seconds a server asks for in ``retry-after-ms`` or ``Retry-After`` (seconds or
    an HTTP date); 0 for a date in the past; None when absent or unreadable."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            seconds = float(millis) / 1000
        except ValueError:
            pass
        else:
            if math.isfinite(seconds):
                return max(seconds, 0.0)
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
        if seconds < 0:  # not a valid delay-seconds value
            return None
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # an HTTP date is always GMT
            when = when.replace(tzinfo=datetime.UTC)
        seconds = when.timestamp() - time.time()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def retry_delay(retries_done: int, asked: float | None = None) -> float:
    """Seconds to wait before retry number ``retries_done + 1``.

    What the server asked for (``asked``, from :func:`retry_after`) when it did, else exponential
    backoff from :data:`INITIAL_RETRY_DELAY` (x2 per retry, at most :data:`MAX_RETRY_DELAY`) with
    +-25% jitter so that many clients failing together do not retry in step.
    """
    if asked is not None:
        return asked
    base = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_done, 16), MAX_RETRY_DELAY)
    jitter = random.uniform(0.75, 1.25)  # noqa: S311 - spreading retries, not cryptography
    return min(base * jitter, MAX_RETRY_DELAY)
