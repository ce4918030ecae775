"""Parameters (path, query, header, cookie) and their OpenAPI styles, as keyword arguments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from generator.load import escape_pointer
from generator.naming import class_name, reserved_argument_names, snake_name, unreserved

from ._support import Reasons, UnsupportedError, UnsupportedOperationError, text
from .bodies import is_json
from .model import Argument, Body

if TYPE_CHECKING:
    from .builder import Builder

__all__ = ["build_parameters", "distinct_names"]

# The styles each parameter location allows (OpenAPI "Style Values"), its default first.
_STYLES = {
    "path": ("simple", "label", "matrix"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
    "cookie": ("form",),
}
# Names that the generated methods use themselves, so no argument may take them.
# The per-call options of every method are reserved too (see _macros.jinja).
_RESERVED_ARGUMENTS = frozenset(
    {"self", "body", "poll_interval", "timeout", "extra_headers", "extra_query", "extra_body", "max_retries"}
)


def build_parameters(
    builder: Builder, pointer: str, path_item: Mapping[str, Any], raw: Mapping[str, Any], prefix: str
) -> dict[str, tuple[Argument, ...]]:
    merged: dict[tuple[str, str], tuple[str, Any]] = {}
    for source, items in (("", path_item.get("parameters")), (pointer, raw.get("parameters"))):
        base = source or pointer.rsplit("/", 1)[0]
        for index, item in enumerate(items or []):
            parameter = builder.spec.resolve(item)
            merged[(parameter.get("in"), parameter.get("name"))] = (
                f"{base}/parameters/{index}",
                parameter,
            )
    groups: dict[str, list[Argument]] = {"path": [], "query": [], "header": [], "cookie": []}
    reasons = Reasons()
    for (location, wire_name), (parameter_pointer, parameter) in merged.items():
        try:
            argument = _parameter(builder, location, str(wire_name), (parameter_pointer, parameter), prefix)
        except UnsupportedError as reason:
            reasons.found.append(reason)
        else:
            groups[location].append(argument)
    # Cookies travel in a header: they are keyword arguments like headers.
    groups["header"] += groups.pop("cookie")
    if reasons.found:
        raise UnsupportedOperationError(reasons.found)
    # Required arguments first, each group in the spec's order, so signatures read naturally.
    return {
        location: tuple(sorted(arguments, key=lambda argument: not argument.required))
        for location, arguments in groups.items()
    }


def _parameter(
    builder: Builder, location: str, wire_name: str, where: tuple[str, Mapping[str, Any]], prefix: str
) -> Argument:
    parameter_pointer, parameter = where
    if location not in _STYLES:
        raise UnsupportedError(parameter_pointer, f"{location} parameters are not supported")
    schema_pointer = f"{parameter_pointer}/schema"
    if "schema" in parameter:
        schema = parameter["schema"]
        styles = _STYLES[location]
        style = parameter.get("style", styles[0])
        if style not in styles:
            raise UnsupportedError(
                f"{parameter_pointer}/style",
                f"style {style!r} is not defined for {location} parameters (use {', '.join(styles)})",
            )
        explode = parameter.get("explode", style == "form")
    else:
        # `content` with one JSON media type: the value is sent as its JSON text (style and
        # explode do not apply). Query parameters only, the place APIs use it.
        content = parameter.get("content")
        if not isinstance(content, Mapping):
            content = {}
        media_types = [str(media_type) for media_type in content]
        if location != "query" or len(media_types) != 1 or not is_json(media_types[0]):
            raise UnsupportedError(
                parameter_pointer,
                f"{location} parameters described with 'content' are not supported "
                "(query parameters with one JSON media type are)",
            )
        media = builder.spec.resolve(content[media_types[0]])
        schema = media.get("schema", {}) if isinstance(media, Mapping) else {}
        schema_pointer = f"{parameter_pointer}/content/{escape_pointer(media_types[0])}/schema"
        style, explode = "json", False
    resolved = builder.spec.resolve(schema)
    hint = f"{prefix}{class_name(snake_name(wire_name))}Param"
    return Argument(
        name=snake_name(wire_name),
        wire_name=wire_name,
        location=location,
        annotation=builder.annotation(schema),
        required=location == "path" or parameter.get("required") is True,
        description=text(parameter.get("description"))
        or (text(resolved.get("description")) if isinstance(resolved, Mapping) else ""),
        validator=builder.model_for(schema, schema_pointer, hint),
        style=str(style),
        explode=explode is True,
    )


def distinct_names(
    parameters: dict[str, tuple[Argument, ...]], body: Body | None
) -> tuple[dict[str, tuple[Argument, ...]], Body | None]:
    """Rename arguments whose Python names clash (``param`` in the path and in the query,
    ``mixedCase`` and ``mixed_case``) to ``<name>_<location>``, in order of appearance."""
    taken = set(_RESERVED_ARGUMENTS)

    def distinct(argument: Argument) -> Argument:
        name = unreserved(argument.name, reserved_argument_names())  # naming hook
        if name in taken:
            name = f"{argument.name}_{argument.location}"
            counter = 2
            while name in taken:
                name, counter = f"{argument.name}_{argument.location}{counter}", counter + 1
        taken.add(name)
        return replace(argument, name=name)

    renamed = {
        location: tuple(distinct(argument) for argument in group) for location, group in parameters.items()
    }
    if body is not None:
        body = replace(body, fields=tuple(distinct(argument) for argument in body.fields))
    return renamed, body
