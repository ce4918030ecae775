"""The bookkeeping of waiting for a job: read its status, decide whether it is final, pace the polls.

The clients own the loop (one sync, one async) and the clock; this module never sleeps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pydantic

from ._exceptions import InvalidArgumentError, TaskFailedError, WaitTimeoutError, scrub
from ._types import ResultRule, WaitRule

__all__ = ["POLL_BACKOFF", "POLL_MAX_INTERVAL_FACTOR", "PollState", "read_field", "result_urls"]

POLL_BACKOFF = 1.5
"""Each pause between polls is this much longer than the previous one..."""

POLL_MAX_INTERVAL_FACTOR = 5.0
"""...up to this many times ``poll_interval``."""

_MAX_SERVER_TEXT = 500


def read_field(result: object, name: str) -> object:
    """Read a field of an answer by its wire name (alias), from a pydantic model or a mapping."""
    if isinstance(result, pydantic.BaseModel):
        for attribute, field in type(result).model_fields.items():
            if (field.alias or attribute) == name:
                value = getattr(result, attribute, None)
                return None if value is pydantic.MISSING else value
        return (result.model_extra or {}).get(name)
    if isinstance(result, Mapping):
        return result.get(name)
    return getattr(result, name, None)


def result_urls(result: object, rule: ResultRule) -> list[str]:
    """The output URLs of a finished job, from a field holding a URL, a list of URLs, or a list
    of objects carrying one (models or mappings, as a lenient parse leaves them)."""
    value = read_field(result, rule.field)
    items = value if isinstance(value, list | tuple) else [] if value is None else [value]
    urls: list[str] = []
    for item in items:
        if isinstance(item, str):
            urls.append(item)
        elif rule.url_field is not None:
            url = read_field(item, rule.url_field)
            if isinstance(url, str):
                urls.append(url)
    return urls


def _read_text(result: object, name: str | None) -> str | None:
    if name is None:
        return None
    value = read_field(result, name)
    return str(value) if value is not None and str(value) != "" else None


def _check_seconds(name: str, value: object, *, zero_allowed: bool) -> None:
    # NaN compares false with everything: it would pass a plain `< 0` test, then poll forever.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentError(f"{name} must be a number of seconds, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_allowed):
        bound = (
            "a finite number of seconds, 0 or more" if zero_allowed else "a finite positive number of seconds"
        )
        raise InvalidArgumentError(f"{name} must be {bound}, got {value!r}")


class PollState:
    """Decides, after each answer, whether to return it, raise, or poll again after a pause."""

    def __init__(
        self, rule: WaitRule, *, poll_interval: float, timeout: float, now: float, secrets: Sequence[str] = ()
    ) -> None:
        _check_seconds("poll_interval", poll_interval, zero_allowed=False)
        _check_seconds("timeout", timeout, zero_allowed=True)
        self._rule = rule
        self._timeout = timeout
        self._deadline = now + timeout
        self._interval = poll_interval
        self._max_interval = poll_interval * POLL_MAX_INTERVAL_FACTOR
        self._secrets = tuple(secrets)

    def next_delay(self, result: object, *, now: float) -> float | None:
        """Return None when ``result`` is a success, else the pause before the next poll.

        Raises :class:`TaskFailedError` on a failure status, and :class:`WaitTimeoutError` when
        the pause would end after the deadline.
        """
        rule = self._rule
        raw_status = read_field(result, rule.status_field)
        status = None if raw_status is None else str(raw_status)
        subject = rule.subject or "the job"
        if status in rule.success:
            return None
        if status is not None and status in rule.failure:
            raise self._failed(result, status, subject)
        if now + self._interval > self._deadline:
            message = (
                f"{subject} did not finish within {self._timeout:g} s (last status: {status!r}); "
                "it may still finish: wait again or query it later"
            )
            raise WaitTimeoutError(
                scrub(message, self._secrets),
                last_status=status,
                last_result=result,
                timeout=self._timeout,
                task_id=rule.subject or None,
            )
        delay = self._interval
        self._interval = min(self._interval * POLL_BACKOFF, self._max_interval)
        return delay

    def _failed(self, result: object, status: str, subject: str) -> TaskFailedError[object]:
        rule = self._rule
        error_code = _read_text(result, rule.error_code_field)
        # The server's message falls back to the code when it is empty.
        error_msg = _read_text(result, rule.error_message_field) or error_code
        message = f"{subject} ended with status {status!r}"
        if error_code is not None:
            message += f" ({error_code})"
        if error_msg is not None and error_msg != error_code:
            message += f": {error_msg[:_MAX_SERVER_TEXT]}"
        return TaskFailedError(
            scrub(message, self._secrets),
            result=result,
            status=status,
            error_code=error_code,
            error_msg=error_msg,
        )
