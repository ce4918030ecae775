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

from pydantic import MISSING, BaseModel, TypeAdapter

from ._enums import match_enum, parameter_enum
from ._exceptions import InvalidArgumentError
from ._styles import cookie_pairs, header_text, path_text, query_pairs, wire_text

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


# Segments that a URL resolver (the client's, a proxy's or the server's) removes or climbs:
# ``/tasks/..`` is ``/``. Escaping cannot help, since "." is unreserved and stays as it is.
_UNSAFE_SEGMENTS = frozenset({"", ".", ".."})


def path_value(
    schema_type: Any, value: Any, name: str = "", style: str = "simple", explode: bool = False
) -> str:
    """A path parameter, validated and URL-escaped (``/`` included), in its ``style``.

    Raises :class:`InvalidArgumentError` for an empty value or a dot segment (``.``, ``..``),
    which would send the request to another path.
    """
    segment = path_text(
        name,
        _wire(schema_type, _validated(schema_type, value, name or "a path parameter")),
        style=style,
        explode=explode,
    )
    if segment in _UNSAFE_SEGMENTS:
        raise InvalidArgumentError(
            f"a path parameter must not be empty, '.' or '..' (got {segment!r}): "
            "the request would go to another path"
        )
    return segment


def query_params(items: Mapping[str, tuple[Any, ...]]) -> dict[str, str | list[str]]:
    """Query parameters by wire name from ``(type, value)`` or ``(type, value, style, explode)``;
    MISSING ones are left out."""
    params: dict[str, str | list[str]] = {}
    for name, (schema_type, value, *how) in items.items():
        if value is MISSING:
            continue
        style, explode = how if how else ("form", True)
        wire = _wire(schema_type, _validated(schema_type, value, name))
        if style == "json":  # described with `content: application/json`: the value's JSON text
            params[name] = json.dumps(wire, ensure_ascii=False, separators=(",", ":"))
            continue
        if isinstance(wire, list) and not wire:
            params[name] = []
        for key, text in query_pairs(name, wire, style=style, explode=explode):
            present = params.get(key)
            if present is None:
                params[key] = [text] if isinstance(wire, list) else text
            else:
                params[key] = [*(present if isinstance(present, list) else [present]), text]
    return params


def header_values(
    items: Mapping[str, tuple[Any, ...]], cookies: Mapping[str, tuple[Any, ...]] | None = None
) -> dict[str, str]:
    """Header parameters by wire name from ``(type, value)`` or ``(type, value, explode)``, plus
    cookie parameters as one ``Cookie`` header; MISSING ones are left out."""
    headers: dict[str, str] = {}
    for name, (schema_type, value, *how) in items.items():
        if value is not MISSING:
            wire = _wire(schema_type, _validated(schema_type, value, name))
            headers[name] = header_text(wire, explode=bool(how and how[0]))
    pairs: list[str] = []
    for name, (schema_type, value, *how) in (cookies or {}).items():
        if value is not MISSING:
            wire = _wire(schema_type, _validated(schema_type, value, name))
            explode = bool(how[0]) if how else True
            pairs += [f"{key}={text}" for key, text in cookie_pairs(name, wire, explode=explode)]
    if pairs:
        headers["Cookie"] = "; ".join(pairs)
    return headers
