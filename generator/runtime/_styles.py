"""OpenAPI's ``style``/``explode`` rules: how a parameter value is written in a path, query,
header or cookie (the "Style Examples" table of the OpenAPI Specification).

Values arrive already validated and in their JSON form (str, int, float, bool, None, list, dict).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

__all__ = ["cookie_pairs", "header_text", "path_text", "query_pairs", "wire_text"]


def wire_text(value: Any) -> str:
    """A value as it is written in a URL or header: JSON spelling for booleans and numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, int | float) else str(value)


def _items(value: Any) -> list[tuple[str, str]]:
    return [(str(key), wire_text(item)) for key, item in value.items()] if isinstance(value, Mapping) else []


def _escape(text: str) -> str:
    return quote(text, safe="")


def path_text(name: str, value: Any, *, style: str = "simple", explode: bool = False) -> str:
    """A path parameter's text (escaped), in ``simple``, ``label`` or ``matrix`` style."""
    if isinstance(value, list):
        parts = [_escape(wire_text(item)) for item in value]
        if style == "label":
            return "." + ("." if explode else ",").join(parts)
        if style == "matrix":
            if explode:
                return "".join(f";{name}={part}" for part in parts)
            return f";{name}=" + ",".join(parts)
        return ",".join(parts)
    if isinstance(value, Mapping):
        pairs = [(_escape(key), _escape(item)) for key, item in _items(value)]
        if explode:
            joined = [f"{key}={item}" for key, item in pairs]
            if style == "label":
                return "." + ".".join(joined)
            if style == "matrix":
                return "".join(f";{part}" for part in joined)
            return ",".join(joined)
        flat = ",".join(f"{key},{item}" for key, item in pairs)
        return {"label": f".{flat}", "matrix": f";{name}={flat}"}.get(style, flat)
    text = _escape(wire_text(value))
    return {"label": f".{text}", "matrix": f";{name}={text}"}.get(style, text)


def query_pairs(name: str, value: Any, *, style: str = "form", explode: bool = True) -> list[tuple[str, str]]:
    """A query parameter as (name, value) pairs, before URL encoding."""
    if isinstance(value, list):
        texts = [wire_text(item) for item in value]
        if style == "spaceDelimited":
            return [(name, " ".join(texts))]
        if style == "pipeDelimited":
            return [(name, "|".join(texts))]
        return [(name, text) for text in texts] if explode else [(name, ",".join(texts))]
    if isinstance(value, Mapping):
        items = _items(value)
        if style == "deepObject":
            return [(f"{name}[{key}]", item) for key, item in items]
        if explode:
            return items
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, separator.join(f"{key}{separator}{item}" for key, item in items))]
    return [(name, wire_text(value))]


def header_text(value: Any, *, explode: bool = False) -> str:
    """A header parameter's text (``simple`` style, the only one headers have)."""
    if isinstance(value, list):
        return ",".join(wire_text(item) for item in value)
    if isinstance(value, Mapping):
        separator = "=" if explode else ","
        return ",".join(f"{key}{separator}{item}" for key, item in _items(value))
    return wire_text(value)


def cookie_pairs(name: str, value: Any, *, explode: bool = True) -> list[tuple[str, str]]:
    """A cookie parameter as (name, value) pairs (``form`` style, the only one cookies have)."""
    if isinstance(value, list):
        texts = [wire_text(item) for item in value]
        return [(name, text) for text in texts] if explode else [(name, ",".join(texts))]
    if isinstance(value, Mapping):
        items = _items(value)
        return items if explode else [(name, ",".join(f"{key},{item}" for key, item in items))]
    return [(name, wire_text(value))]
