"""Answers built from a JSON schema: the values the mock sends when no example fits.

``sample_value`` walks the JSON schema of a type (as pydantic writes it) and builds a value of
it: required fields only, each from its first example, else its default, else a value of its
type. The value is checked by the caller, since a ``pattern``, for one, is not followed.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from typing import Any

from ._arguments import type_adapter

__all__ = ["NO_SAMPLE", "canonical", "json_schema", "resolve", "sample_value", "top_properties"]

_MAX_DEPTH = 32


def canonical(value: Any) -> str:
    """A JSON value as text that ignores key order; json keeps true and 1 apart, as JSON does."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@functools.cache
def _cached_schema(schema_type: Any) -> dict[str, Any]:
    return type_adapter(schema_type).json_schema()


def json_schema(schema_type: Any) -> dict[str, Any]:
    """The JSON schema of a type; shared between calls, so never changed (samples are copies)."""
    try:
        return _cached_schema(schema_type)
    except TypeError:
        return type_adapter(schema_type).json_schema()


def resolve(schema: Mapping[str, Any], definitions: Mapping[str, Any]) -> Mapping[str, Any]:
    """A schema with its ``$ref`` replaced by the definition (the schema's own keys win)."""
    seen: set[str] = set()
    while isinstance(schema.get("$ref"), str) and schema["$ref"] not in seen:
        reference = schema["$ref"]
        seen.add(reference)
        target = definitions.get(reference.rsplit("/", 1)[-1])
        rest = {key: value for key, value in schema.items() if key != "$ref"}
        schema = {**target, **rest} if isinstance(target, Mapping) else rest
    return schema


def _number(schema: Mapping[str, Any], integer: bool) -> int | float:
    low = schema.get("minimum")
    if low is None and isinstance(schema.get("exclusiveMinimum"), int | float):
        low = schema["exclusiveMinimum"] + 1
    high = schema.get("maximum")
    if high is None and isinstance(schema.get("exclusiveMaximum"), int | float):
        high = schema["exclusiveMaximum"] - 1
    value: int | float = low if low is not None else 0
    if high is not None and value > high:
        value = high
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step > 0 and value % step:
        value = (value // step + 1) * step
    return int(value) if integer else float(value)


_FORMATS = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "00:00:00",
    "duration": "P1D",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
}


def _string(schema: Mapping[str, Any]) -> str:
    text = _FORMATS.get(str(schema.get("format")), "string")
    minimum, maximum = schema.get("minLength"), schema.get("maxLength")
    if isinstance(minimum, int) and len(text) < minimum:
        text += "x" * (minimum - len(text))
    if isinstance(maximum, int) and len(text) > maximum:
        text = text[:maximum]
    return text


def _sample(schema: Any, definitions: Mapping[str, Any], use_examples: bool, depth: int = 0) -> Any:
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return None
    schema = resolve(schema, definitions)
    if "const" in schema:
        return copy.deepcopy(schema["const"])
    examples = schema.get("examples")
    if use_examples and isinstance(examples, list) and examples:
        return copy.deepcopy(examples[0])
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return copy.deepcopy(schema["enum"][0])
    for keyword in ("anyOf", "oneOf"):
        branches = [branch for branch in schema.get(keyword) or [] if isinstance(branch, Mapping)]
        if branches:
            # A null branch only when nothing else is possible: an answer with values shows more.
            chosen = next((branch for branch in branches if branch.get("type") != "null"), branches[0])
            return _sample(chosen, definitions, use_examples, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = _sample(part, definitions, use_examples, depth + 1)
            if not isinstance(value, dict):
                return value
            merged.update(value)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "null")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {
            name: _sample(properties.get(name, {}), definitions, use_examples, depth + 1)
            for name in schema.get("required") or []
        }
    if kind == "array":
        count = max(int(schema.get("minItems", 1)), 1)
        if schema.get("maxItems") == 0:
            count = 0
        return [_sample(schema.get("items", {}), definitions, use_examples, depth + 1) for _ in range(count)]
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, kind == "integer")
    if kind == "boolean":
        return False
    return None


class _NoSample:
    """Marks that no valid answer could be built (None is a valid JSON answer)."""


NO_SAMPLE: Any = _NoSample()


def sample_value(schema_type: Any, *, use_examples: bool = True) -> Any:
    """A JSON value of ``schema_type`` built from its JSON schema (required fields only).

    The value is not validated here: a ``pattern``, for one, is not followed.
    """
    schema = json_schema(schema_type)
    return _sample(schema, schema.get("$defs") or {}, use_examples)


def top_properties(schema_type: Any) -> set[str]:
    schema = json_schema(schema_type)
    resolved = resolve(schema, schema.get("$defs") or {})
    return set(resolved.get("properties") or {})
