"""Request bodies and answers by media type: JSON, form-urlencoded, multipart, text, binary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from generator.load import escape_pointer
from generator.naming import class_name, snake_name

from ._support import UnsupportedError, text
from .model import Argument, Body, Response

if TYPE_CHECKING:
    from .builder import Builder

__all__ = ["build_body", "build_responses", "choose_media_type", "is_json", "media_kind"]


def is_json(media_type: str) -> bool:
    base = media_type.split(";", maxsplit=1)[0].strip().lower()
    return base == "application/json" or (base.startswith("application/") and base.endswith("+json"))


def media_kind(media_type: str) -> str:
    """How a body of ``media_type`` is sent or read: json, form, multipart, text or binary."""
    base = media_type.split(";", maxsplit=1)[0].strip().lower()
    if is_json(base):
        return "json"
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    if base.startswith("text/"):
        return "text"
    return "binary"


# When an operation offers several media types, the first kind in this order is used.
_PREFERENCE = ("json", "form", "multipart", "binary", "text")


def choose_media_type(content: Mapping[str, Any]) -> str | None:
    """JSON when there is one, then form, multipart, binary, text; None for no content."""
    ranked = sorted(content, key=lambda media_type: _PREFERENCE.index(media_kind(str(media_type))))
    return str(ranked[0]) if ranked else None


def _is_file(schema: Any) -> bool:
    """A multipart part that carries a file: a binary string (3.0) or one with a media type (3.1)."""
    if not isinstance(schema, Mapping):
        return False
    if schema.get("type") == "array":
        return _is_file(schema.get("items"))
    return schema.get("format") == "binary" or (
        "contentMediaType" in schema and schema.get("type") in (None, "string")
    )


def build_body(builder: Builder, pointer: str, raw: Mapping[str, Any], prefix: str) -> Body | None:
    request_body = raw.get("requestBody")
    if request_body is None:
        return None
    body_pointer = f"{pointer}/requestBody"
    resolved = builder.spec.resolve(request_body)
    content = resolved.get("content") or {}
    media_type = choose_media_type(content)
    if media_type is None:
        raise UnsupportedError(body_pointer, "a request body without content is not supported")
    kind = media_kind(media_type)
    alternatives = tuple(str(other) for other in content if other != media_type)
    description = text(resolved.get("description"))
    media = builder.spec.resolve(content[media_type]) or {}
    schema = media.get("schema")
    if kind in ("text", "binary"):
        return Body(
            model="str" if kind == "text" else "BinaryContent",
            required=resolved.get("required") is True,
            fields=(),
            description=description or builder.description(schema),
            media_type=media_type,
            kind=kind,
            alternatives=alternatives,
        )
    if schema is None:
        if kind == "json":
            raise UnsupportedError(body_pointer, "a JSON request body without a schema is not supported")
        schema = {"type": "object"}
    schema_pointer = f"{body_pointer}/content/{escape_pointer(media_type)}/schema"
    target = builder.spec.resolve(schema)
    properties, required = builder.object_properties(target)
    files = {name for name, part in properties.items() if _is_file(builder.spec.resolve(part))}
    if kind == "form" and files:
        raise UnsupportedError(schema_pointer, "files in a form-urlencoded body are not supported")
    if files:
        # Files are sent as parts of their own; the model validates the other fields.
        hoisted = {
            **{key: value for key, value in target.items() if key not in ("allOf", "$ref")},
            "type": "object",
            "properties": {name: part for name, part in properties.items() if name not in files},
            "required": sorted(required - files),
        }
        if not hoisted["required"]:
            del hoisted["required"]
        model = builder.model_for(hoisted, schema_pointer, f"{prefix}Request")
    else:
        model = builder.model_for(schema, schema_pointer, f"{prefix}Request")
    fields = tuple(
        Argument(
            name=snake_name(wire_name),
            wire_name=wire_name,
            location="file" if wire_name in files else "body",
            annotation="FileUpload" if wire_name in files else builder.annotation(property_schema),
            required=wire_name in required,
            description=builder.description(property_schema),
        )
        for wire_name, property_schema in properties.items()
    )
    fields = tuple(sorted(fields, key=lambda argument: not argument.required))
    encoding = media.get("encoding") if kind == "multipart" else None
    part_types = {
        str(name): str(value["contentType"]).split(",")[0].strip()
        for name, value in (encoding or {}).items()
        if isinstance(value, Mapping) and isinstance(value.get("contentType"), str) and name not in files
    }
    return Body(
        model=model,
        required=resolved.get("required") is True,
        fields=fields,
        description=description or builder.description(schema),
        media_type=media_type,
        kind=kind,
        alternatives=alternatives,
        part_types=part_types,
    )


def build_responses(
    builder: Builder, pointer: str, raw: Mapping[str, Any], prefix: str
) -> tuple[Response, ...]:
    result = []
    responses = raw.get("responses") or {}
    successes = [str(status) for status in responses if str(status).startswith("2")]
    for status, item in responses.items():
        status = str(status)
        response_pointer = f"{pointer}/responses/{escape_pointer(status)}"
        response = builder.spec.resolve(item)
        content = response.get("content") or {}
        description = text(response.get("description"))
        media_type = choose_media_type(content)
        if media_type is None:
            result.append(Response(status, None, description))
            continue
        kind = media_kind(media_type)
        if kind != "json":
            # Text answers are read as str, others as bytes; an error answer in another format
            # still becomes a typed status error.
            raw_type = "str" if kind == "text" else "bytes"
            result.append(Response(status, raw_type, description, media_type))
            continue
        schema = (builder.spec.resolve(content[media_type]) or {}).get("schema")
        model: str | None = None
        if schema is not None:
            suffix = "" if len(successes) <= 1 and status.startswith("2") else class_name(status)
            hint = f"{prefix}Response{suffix}"
            schema_pointer = f"{response_pointer}/content/{escape_pointer(media_type)}/schema"
            model = builder.model_for(schema, schema_pointer, hint)
        result.append(Response(status, model, description, media_type))
    return tuple(result)
