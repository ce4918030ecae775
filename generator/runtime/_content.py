"""Request bodies other than JSON (form-urlencoded, multipart, text, binary) and how each is sent.

Files go the way httpx takes them: bytes, a binary file object, or a ``(filename, content)`` or
``(filename, content, content_type)`` tuple. The other fields of a form or multipart body are
validated by their model first, like a JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any, TypeAlias
from urllib.parse import urlencode

from pydantic import MISSING
from pydantic_core import to_json

from ._styles import wire_text
from ._types import RequestSpec

__all__ = ["BinaryContent", "FileUpload", "encode_request_body", "file_parts"]

_EMPTY_BOUNDARY = "empty-multipart-body"

BinaryContent: TypeAlias = bytes | IO[bytes]
"""A binary body: bytes, or a binary file object (read when the request is built)."""

FileUpload: TypeAlias = (
    bytes
    | IO[bytes]
    | tuple[str | None, bytes | IO[bytes]]
    | tuple[str | None, bytes | IO[bytes], str | None]
)
"""A file part of a multipart body, as httpx takes it."""


def file_parts(files: Mapping[str, Any], *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The file parts that were given (MISSING ones are left out); a missing required one raises."""
    missing = [name for name in required if files.get(name, MISSING) is MISSING]
    if missing:
        raise TypeError(f"missing required file part(s): {', '.join(missing)}")
    return {name: value for name, value in files.items() if value is not MISSING}


def _form_items(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Form fields, ``style: form, explode: true`` (the default): arrays repeat, objects spread."""
    items: list[tuple[str, str]] = []
    for name, value in payload.items():
        if isinstance(value, list):
            items.extend((name, wire_text(item)) for item in value)
        elif isinstance(value, dict):
            items.extend((key, wire_text(item)) for key, item in value.items())
        elif value is not None:
            items.append((name, wire_text(value)))
    return items


def encode_request_body(
    spec: RequestSpec[Any],
) -> tuple[bytes | None, list[tuple[str, Any]] | None, str | None]:
    """``(content, files, content_type)`` for httpx; ``content_type`` is None where httpx writes
    the Content-Type header itself (multipart with parts, whose boundary it chooses)."""
    kind = spec.body_kind
    if kind == "json":
        # pydantic's serializer: compact UTF-8 like json.dumps(ensure_ascii=False), several times faster.
        return to_json(spec.json), None, spec.media_type
    if kind in ("text", "binary"):
        content = spec.content
        if isinstance(content, str):
            return content.encode("utf-8"), None, spec.media_type
        # A file object is read here, so that a retry sends the same bytes again.
        return (content if isinstance(content, bytes) else content.read()), None, spec.media_type
    payload: Mapping[str, Any] = spec.json if isinstance(spec.json, Mapping) else {}
    if kind == "form":
        return urlencode(_form_items(payload)).encode("ascii"), None, "application/x-www-form-urlencoded"
    # multipart: every field is a part of its own (httpx writes the Content-Type and boundary).
    parts: list[tuple[str, Any]] = []
    for name, value in payload.items():
        part_type = spec.part_types.get(name)
        if isinstance(value, dict | list) or part_type not in (None, "text/plain"):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            parts.append((name, (None, text.encode("utf-8"), part_type or "application/json")))
        elif value is not None:
            parts.append((name, (None, wire_text(value).encode("utf-8"))))
    for name, file in spec.files.items():
        for item in file if isinstance(file, list) else [file]:
            parts.append((name, item))
    if not parts:
        empty = f"--{_EMPTY_BOUNDARY}--\r\n".encode("ascii")
        return empty, None, f"multipart/form-data; boundary={_EMPTY_BOUNDARY}"
    return None, parts, None
