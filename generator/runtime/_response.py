"""The answer to one operation: the raw HTTP response plus lazy, validated parsing."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

import httpx
import pydantic

from ._exceptions import APIResponseValidationError, scrub
from ._types import RequestSpec

__all__ = ["APIResponse", "parse_error_body"]

T = TypeVar("T")

_MAX_LISTED_ERRORS = 3


class _Unparsed:
    """Marks a response whose body has not been parsed yet (None is a valid parsed value)."""


_UNPARSED = _Unparsed()


@functools.cache
def _cached_adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(tp)


def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    # Building a TypeAdapter costs far more than a request's validation, so one is kept per type.
    try:
        return _cached_adapter(tp)
    except TypeError:  # an unhashable type expression: build it every time
        return pydantic.TypeAdapter(tp)


def _response_type(responses: Mapping[str, Any], status: int) -> tuple[bool, Any]:
    """Find the body type documented for ``status``: exact code, then "2XX", then "default"."""
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in responses:
            return True, responses[key]
    return False, None


def parse_error_body(responses: Mapping[str, Any], response: httpx.Response) -> object:
    """An error answer's body as the type the spec documents for it, or None when it does not fit."""
    found, tp = _response_type(responses, response.status_code)
    if not found or tp is None or tp is bytes or tp is str:
        return None
    try:
        return _adapter(tp).validate_json(response.content)
    except (pydantic.ValidationError, ValueError):
        return None


class APIResponse(Generic[T]):
    """A successful (2xx) answer, as returned by the ``with_raw_response`` methods.

    The body is parsed and validated only when :meth:`parse` is first called.
    """

    http_response: httpx.Response
    """The underlying httpx response (its body has been read)."""

    operation: str
    """The name of the operation that was called."""

    def __init__(
        self, spec: RequestSpec[T], response: httpx.Response, *, secrets: Sequence[str] = ()
    ) -> None:
        self.http_response = response
        self.operation = spec.operation
        self._responses = spec.responses
        self._secrets = tuple(secrets)
        self._parsed: T | _Unparsed = _UNPARSED

    @property
    def status_code(self) -> int:
        """The HTTP status code."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        """The raw body."""
        return self.http_response.content

    @property
    def text(self) -> str:
        """The body decoded as text."""
        return self.http_response.text

    def parse(self) -> T:
        """Return the body validated against the documented type (None for an answer without body).

        Raises :class:`APIResponseValidationError` when the body is not JSON, does not match the
        schema, or the status is not documented for this operation.
        """
        if isinstance(self._parsed, _Unparsed):
            self._parsed = self._parse()
        return self._parsed

    def _parse(self) -> T:
        response = self.http_response
        found, tp = _response_type(self._responses, response.status_code)
        if not found:
            raise self._validation_error(f"status {response.status_code} is not documented", [])
        if tp is None:
            return cast(T, None)
        if tp is bytes or tp is str:  # a binary or text answer, as it came
            return cast(T, response.content if tp is bytes else response.text)
        try:
            return cast(T, _adapter(tp).validate_json(response.content))
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False, include_context=False)
            listed = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or '<body>'}: {error['msg']}"
                for error in errors[:_MAX_LISTED_ERRORS]
            )
            more = (
                f" (and {len(errors) - _MAX_LISTED_ERRORS} more)" if len(errors) > _MAX_LISTED_ERRORS else ""
            )
            name = getattr(tp, "__name__", repr(tp))
            summary = f"the body does not match {name}: {listed}{more}"
            raise self._validation_error(summary, [dict(error) for error in errors]) from exc

    def _validation_error(self, problem: str, errors: list[dict[str, Any]]) -> APIResponseValidationError:
        response = self.http_response
        message = f"{self.operation}: unexpected {response.status_code} answer: {problem}"
        return APIResponseValidationError(
            scrub(message, self._secrets), response=response, body=response.text, errors=errors
        )

    def __repr__(self) -> str:
        return f"<APIResponse {self.operation} [{self.status_code} {self.http_response.reason_phrase}]>"
