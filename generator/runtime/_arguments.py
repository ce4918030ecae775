"""Validation and encoding of a method's arguments, before anything is sent.

Every value goes through the type that the spec gives it (a model or a type alias of
``models``), so an argument the spec forbids raises pydantic's ``ValidationError`` and no
request leaves the client.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import quote

from pydantic import MISSING, BaseModel, TypeAdapter

from ._enums import match_enum, parameter_enum
from ._exceptions import InvalidArgumentError

__all__ = ["encode_body", "header_values", "path_value", "query_params", "type_adapter", "wire_text"]


@cache
def _cached_adapter(schema_type: Any) -> TypeAdapter[Any]:
    return TypeAdapter(schema_type)


def type_adapter(schema_type: Any) -> TypeAdapter[Any]:
    """A ``TypeAdapter`` for a model or type alias, built once per type."""
    try:
        return _cached_adapter(schema_type)
    except TypeError:  # an unhashable type expression
        return TypeAdapter(schema_type)


def _validated(schema_type: Any, value: Any, name: str = "a path parameter") -> Any:
    if isinstance(schema_type, type) and issubclass(schema_type, BaseModel):
        # Errors then carry the model's name ("1 validation error for Seedance20Request").
        return schema_type.model_validate(value, strict=True)
    enum = parameter_enum(schema_type)
    if enum is not None:  # matched by JSON value and type, which a Literal does not do
        try:
            value = match_enum(name, value, enum[0], items=enum[1])
        except ValueError as error:
            raise InvalidArgumentError(str(error)) from None
    return type_adapter(schema_type).validate_python(value, strict=True)


def _wire(schema_type: Any, value: Any) -> Any:
    return type_adapter(schema_type).dump_python(value, mode="json", by_alias=True, exclude_unset=True)


def encode_body(
    schema_type: Any, body: Any, fields: Mapping[str, Any], *, required: bool
) -> tuple[bool, Any]:
    """``(has_body, json)`` for a request body given whole (``body``) or as keyword ``fields``.

    ``fields`` maps JSON names to the keyword arguments; those left out (MISSING) are not sent,
    so the server's defaults apply and the JSON body is exactly what the caller set.
    """
    given = {name: value for name, value in fields.items() if value is not MISSING}
    if body is not None and given:
        names = ", ".join(sorted(given))
        raise TypeError(f"pass either a request model or keyword arguments, not both (got {names})")
    if body is None and not given and not required:
        return False, None
    if isinstance(body, BaseModel):
        # Validated again: a model may have been changed after it was made (no
        # validate_assignment) or built with model_construct, which checks nothing.
        body = body.model_dump(by_alias=True, exclude_unset=True, round_trip=True)
    value = _validated(schema_type, body if body is not None else given)
    return True, _wire(schema_type, value)


def wire_text(value: Any) -> str:
    """A parameter value as it is written in a URL or header: JSON spelling for booleans and numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, int | float) else str(value)


# Segments that a URL resolver (the client's, a proxy's or the server's) removes or climbs:
# ``/tasks/..`` is ``/``. Escaping cannot help, since "." is unreserved and stays as it is.
_UNSAFE_SEGMENTS = frozenset({"", ".", ".."})


def path_value(schema_type: Any, value: Any) -> str:
    """A path parameter, validated and URL-escaped (``/`` included).

    Raises :class:`InvalidArgumentError` for an empty value or a dot segment (``.``, ``..``),
    which would send the request to another path.
    """
    segment = quote(wire_text(_wire(schema_type, _validated(schema_type, value))), safe="")
    if segment in _UNSAFE_SEGMENTS:
        raise InvalidArgumentError(
            f"a path parameter must not be empty, '.' or '..' (got {segment!r}): "
            "the request would go to another path"
        )
    return segment


def query_params(items: Mapping[str, tuple[Any, Any]]) -> dict[str, str | list[str]]:
    """Query parameters by wire name from ``(type, value)``; MISSING ones are left out."""
    params: dict[str, str | list[str]] = {}
    for name, (schema_type, value) in items.items():
        if value is MISSING:
            continue
        wire = _wire(schema_type, _validated(schema_type, value, name))
        params[name] = [wire_text(item) for item in wire] if isinstance(wire, list) else wire_text(wire)
    return params


def header_values(items: Mapping[str, tuple[Any, Any]]) -> dict[str, str]:
    """Header parameters by wire name from ``(type, value)``; MISSING ones are left out."""
    headers: dict[str, str] = {}
    for name, (schema_type, value) in items.items():
        if value is not MISSING:
            wire = _wire(schema_type, _validated(schema_type, value, name))
            headers[name] = (
                ",".join(wire_text(item) for item in wire) if isinstance(wire, list) else wire_text(wire)
            )
    return headers
