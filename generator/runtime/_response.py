"""The answer to one operation: the raw HTTP response plus lazy, validated parsing."""

from __future__ import annotations

import functools
import json
import logging
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

import httpx
import pydantic

from ._body import body_text
from ._exceptions import APIResponseValidationError, request_id, scrub
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
        self,
        spec: RequestSpec[T],
        response: httpx.Response,
        *,
        secrets: Sequence[str] = (),
        lenient: bool = False,
        logger: logging.Logger | None = None,
    ) -> None:
        self.http_response = response
        self.operation = spec.operation
        self._responses = spec.responses
        self._secrets = tuple(secrets)
        self._subject = spec.subject
        self._lenient = lenient
        self._logger = logger
        self._parsed: T | _Unparsed = _UNPARSED

    @property
    def request_id(self) -> str | None:
        """The server's id of the request (``x-request-id`` or ``request-id``), when it sent one."""
        return request_id(self.http_response)

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
        """The body decoded as text (as UTF-8 when its charset label does not fit the bytes)."""
        return body_text(self.http_response)

    def parse(self) -> T:
        """Return the body validated against the documented type (None for an answer without body).

        Raises :class:`APIResponseValidationError` when the body is not JSON, does not match the
        schema, or the status is not documented for this operation. A client made with
        ``lenient_responses=True`` instead returns a JSON object that does not match as a model
        built without validation (``model_construct``), and logs a warning naming the mismatch.
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
            if self._lenient:
                constructed = self._construct(tp, response.content)
                if constructed is not None:
                    if self._logger is not None:
                        self._logger.warning(
                            "%s", scrub(f"{self.operation}: {summary}; returned unvalidated", self._secrets)
                        )
                    return cast(T, constructed)
            raise self._validation_error(summary, [dict(error) for error in errors]) from exc

    @staticmethod
    def _construct(tp: Any, content: bytes) -> pydantic.BaseModel | None:
        """The documented model built from the raw JSON object without validation, if possible."""
        try:
            data = json.loads(content)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        options = typing.get_args(tp) if isinstance(tp, types.UnionType) else (tp,)
        for option in options:
            if isinstance(option, type) and issubclass(option, pydantic.BaseModel):
                fields = {
                    name: data[field.alias or name]
                    for name, field in option.model_fields.items()
                    if (field.alias or name) in data
                }
                extra = {key: value for key, value in data.items() if key not in option.model_fields}
                return option.model_construct(**fields, **extra)
        return None

    def _validation_error(self, problem: str, errors: list[dict[str, Any]]) -> APIResponseValidationError:
        response = self.http_response
        message = f"{self.operation}: unexpected {response.status_code} answer: {problem}"
        if self._subject is not None:
            message += f" (task {self._subject})"
        return APIResponseValidationError(
            scrub(message, self._secrets),
            response=response,
            body=body_text(response),
            errors=errors,
            task_id=self._subject,
        )

    def __repr__(self) -> str:
        return f"<APIResponse {self.operation} [{self.status_code} {self.http_response.reason_phrase}]>"
