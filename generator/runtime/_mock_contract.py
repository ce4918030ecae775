"""What an answer says that its schema does not: drift, as opposed to a broken contract.

A JSON value can be valid against its schema and still show that the API moved on: a field
the schema does not list (response schemas allow unknown fields), or, in an open enum (``anyOf``
a list of documented values and any string), a value that is not documented. :func:`drift`
finds those; deciding that a value is *invalid* is left to a real validator (pydantic in the
package, jsonschema in the generator's ``verify``).

This module needs the standard library only: the generator imports it as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = ["Drift", "drift", "escape_pointer"]

_MAX_DEPTH = 64
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


class Drift(NamedTuple):
    """One thing an answer says that the schema does not document."""

    rule: str
    """``undocumented-field`` or ``undocumented-value``."""
    pointer: str
    """JSON pointer of the value in the answer."""
    schema_pointer: str
    """JSON pointer of the schema that does not document it (in the document that holds it)."""
    message: str


def escape_pointer(token: str | int) -> str:
    """One JSON pointer token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def _follow(root: Any, reference: str) -> tuple[Any, str] | None:
    if not reference.startswith("#"):
        return None
    node = root
    for token in reference[1:].split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node, reference[1:]


def _resolve(schema: Any, root: Any, where: str) -> tuple[Mapping[str, Any], str]:
    """The schema with ``$ref`` followed (its own keys win) and where it now comes from."""
    seen: set[str] = set()
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and schema["$ref"] not in seen:
        seen.add(schema["$ref"])
        found = _follow(root, schema["$ref"])
        rest = {key: value for key, value in schema.items() if key != "$ref"}
        if found is None or not isinstance(found[0], Mapping):
            return rest, where
        schema, where = {**found[0], **rest}, found[1]
    return (schema if isinstance(schema, Mapping) else {}), where


def _fits(value: Any, schema: Any, root: Any, depth: int = 0) -> bool:
    """A quick structural check: types, enums, required fields, items (not bounds or formats)."""
    if depth > _MAX_DEPTH:
        return True
    schema, _ = _resolve(schema, root, "")
    if "const" in schema and value != schema["const"]:
        return False
    if isinstance(schema.get("enum"), list) and value not in schema["enum"]:
        return False
    kinds = schema.get("type")
    if kinds is not None:
        names = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is_type(value, name) for name in names):
            return False
    for keyword in ("anyOf", "oneOf"):
        if isinstance(schema.get(keyword), list) and not any(
            _fits(value, branch, root, depth + 1) for branch in schema[keyword]
        ):
            return False
    if isinstance(schema.get("allOf"), list) and not all(
        _fits(value, part, root, depth + 1) for part in schema["allOf"]
    ):
        return False
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        if any(name not in value for name in schema.get("required") or []):
            return False
        if schema.get("additionalProperties") is False and any(name not in properties for name in value):
            return False
        return all(
            _fits(item, properties[name], root, depth + 1)
            for name, item in value.items()
            if name in properties
        )
    if isinstance(value, list) and "items" in schema:
        return all(_fits(item, schema["items"], root, depth + 1) for item in value)
    return True


def _is_type(value: Any, name: str) -> bool:
    if name == "null":
        return value is None
    if isinstance(value, bool) and name != "boolean":
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(name, (object,)))


def drift(value: Any, schema: Any, root: Any = None, *, pointer: str = "", where: str = "") -> list[Drift]:
    """What ``value`` says that ``schema`` does not document; ``$ref`` is resolved in ``root``.

    ``pointer`` and ``where`` are the places of the value and of the schema, prefixed to the
    places found. A value that does not fit the schema at all yields nothing here.
    """
    walker = _Walker(schema if root is None else root)
    walker.walk(value, schema, pointer, where, 0)
    return walker.found


class _Walker:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.found: list[Drift] = []

    def walk(self, value: Any, schema: Any, pointer: str, where: str, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        schema, where = _resolve(schema, self.root, where)
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if not isinstance(branches, list):
                continue
            fitting = [index for index, branch in enumerate(branches) if _fits(value, branch, self.root)]
            if not fitting:
                return
            documented = [
                item
                for branch in branches
                for item in (_resolve(branch, self.root, "")[0].get("enum") or [])
                if isinstance(branch, Mapping)
            ]
            if documented and value not in documented and not isinstance(value, dict | list):
                values = ", ".join(repr(item) for item in documented)
                message = f"{value!r} is not one of the documented values ({values})"
                self.found.append(Drift("undocumented-value", pointer or "/", where or "/", message))
                return
            index = fitting[0]
            self.walk(value, branches[index], pointer, f"{where}/{keyword}/{index}", depth + 1)
        for index, part in enumerate(schema.get("allOf") or []):
            self.walk(value, part, pointer, f"{where}/allOf/{index}", depth + 1)
        if isinstance(value, dict):
            properties = schema.get("properties") or {}
            patterns = schema.get("patternProperties") or {}
            for name, item in value.items():
                place = f"{pointer}/{escape_pointer(name)}"
                if name in properties:
                    where_item = f"{where}/properties/{escape_pointer(name)}"
                    self.walk(item, properties[name], place, where_item, depth + 1)
                elif (
                    not patterns
                    and schema.get("additionalProperties") in (None, True)
                    and (properties or schema.get("type") == "object")
                ):
                    listed = ", ".join(sorted(properties)) or "none"
                    message = f"field {name!r} is not in the schema (documented fields: {listed})"
                    self.found.append(Drift("undocumented-field", place, where or "/", message))
        elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
            for index, item in enumerate(value):
                self.walk(item, schema["items"], f"{pointer}/{index}", f"{where}/items", depth + 1)
