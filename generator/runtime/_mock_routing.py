"""What the mock knows of an API, and the first three rules of its answers.

An operation is described by a :class:`MockOperation` (the generated ``testing`` module writes
one per operation of the spec). A :class:`Route` recognises its path; :func:`find_route`,
:func:`authenticate` and :func:`check_request` apply, in order, routing (404, 405),
authentication (401) and validation of parameters and body (415, 422). What passes is a
:class:`Checked` request, which the mock then answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple
from urllib.parse import unquote

import httpx
import pydantic

from ._arguments import type_adapter
from ._auth import presented_credential
from ._mock_sampling import json_schema, resolve
from ._types import AuthScheme, WaitRule

__all__ = [
    "Checked",
    "MockCall",
    "MockExample",
    "MockOperation",
    "MockParameter",
    "Route",
    "authenticate",
    "check_request",
    "error_response",
    "find_route",
    "is_json",
    "path_values",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_PATH_PARAMETER = re.compile(r"\{([^{}]+)\}")


def _empty() -> Mapping[str, Any]:
    return _EMPTY


@dataclass(frozen=True)
class MockParameter:
    """A path, query or header parameter: its wire name and the type that validates its value."""

    name: str
    location: Literal["path", "query", "header"]
    schema_type: Any
    required: bool = False


@dataclass(frozen=True)
class MockExample:
    """A named example pair of the spec: a complete request and the answer documented for it."""

    name: str
    status: int
    response: Any
    path: Mapping[str, Any] = field(default_factory=_empty)
    query: Mapping[str, Any] = field(default_factory=_empty)
    headers: Mapping[str, Any] = field(default_factory=_empty)
    body: Any = None
    has_body: bool = False


@dataclass(frozen=True)
class MockOperation:
    """What the mock knows of one operation; ``body_type`` is None when it takes no body."""

    name: str
    method: str
    path: str
    parameters: tuple[MockParameter, ...] = ()
    body_type: Any = None
    body_required: bool = False
    responses: Mapping[str, Any] = field(default_factory=_empty)
    """Status ("200", "2XX", "default"...) -> type of the body, or None for an answer without one."""
    security: tuple[AuthScheme, ...] = ()
    wait: WaitRule | None = None
    examples: tuple[MockExample, ...] = ()


class MockCall(NamedTuple):
    """One request the mock received; ``operation`` is None when no operation matched it."""

    operation: str | None
    request: httpx.Request


def error_response(
    status: int, message: str, detail: Any = None, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """An error answer as a server would send it: ``{"message": ..., "detail": ...}``."""
    body: dict[str, Any] = {"message": message}
    if detail is not None:
        body["detail"] = detail
    return httpx.Response(status, json=body, headers=headers)


def is_json(content_type: str) -> bool:
    """Whether a Content-Type is JSON (``application/json`` or ``application/...+json``)."""
    base = content_type.split(";", maxsplit=1)[0].strip().lower()
    return base == "application/json" or (base.startswith("application/") and base.endswith("+json"))


def _errors(error: pydantic.ValidationError, *loc: str) -> list[dict[str, Any]]:
    """Pydantic's errors as JSON values, each ``loc`` prefixed with where the value came from."""
    found: list[dict[str, Any]] = json.loads(error.json(include_url=False))
    for item in found:
        item["loc"] = [*loc, *item.get("loc", [])]
    return found


def _from_text(schema_type: Any, value: str | list[str]) -> Any:
    """Validate a parameter that arrived as text: as it is, else with JSON scalars read as such."""
    adapter = type_adapter(schema_type)
    try:
        return adapter.validate_python(value)
    except pydantic.ValidationError:
        pass

    def read(item: str) -> Any:
        try:
            return json.loads(item)
        except ValueError:
            return item

    return adapter.validate_python([read(item) for item in value] if isinstance(value, list) else read(value))


def _is_list(parameter: MockParameter) -> bool:
    schema = json_schema(parameter.schema_type)
    return resolve(schema, schema.get("$defs") or {}).get("type") == "array"


class Route:
    """An operation and how to recognise its path: one regular expression per path segment."""

    def __init__(self, operation: MockOperation) -> None:
        self.operation = operation
        self.segments: list[tuple[re.Pattern[str], list[str]]] = []
        for segment in operation.path.strip("/").split("/"):
            names: list[str] = []
            pattern, position = "", 0
            for match in _PATH_PARAMETER.finditer(segment):
                pattern += re.escape(segment[position : match.start()]) + f"(?P<p{len(names)}>.+?)"
                names.append(match.group(1))
                position = match.end()
            pattern += re.escape(segment[position:])
            self.segments.append((re.compile(pattern + r"\Z"), names))
        self.path_parameters = {p.name: p for p in operation.parameters if p.location == "path"}
        success = [status for status in operation.responses if str(status).startswith("2")]
        key = success[0] if success else None
        self.status = int(key) if key is not None and key.isdigit() else 200
        self.response_type = operation.responses.get(key) if key is not None else None
        self.has_response_body = key is not None and self.response_type is not None
        self.creates = operation.method not in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")

    def match(self, raw_segments: list[str]) -> dict[str, str] | None:
        """The path parameters (decoded) when the raw path segments are this operation's path."""
        if len(raw_segments) != len(self.segments):
            return None
        found: dict[str, str] = {}
        for raw, (pattern, names) in zip(raw_segments, self.segments, strict=True):
            matched = pattern.match(unquote(raw))
            if matched is None:
                return None
            found.update({name: matched.group(f"p{index}") for index, name in enumerate(names)})
        return found


@dataclass
class Checked:
    """A request that passed routing, authentication and validation."""

    path_text: dict[str, str]
    path_values: dict[str, Any]
    body: Any
    has_body: bool


def find_route(
    routes: Sequence[Route], base_url: httpx.URL, request: httpx.Request
) -> tuple[Route | None, dict[str, str] | httpx.Response]:
    """The route of a request and its path parameters, or the 404 / 405 answer."""
    url, base = request.url, base_url
    raw_path = url.raw_path.decode("ascii").split("?", 1)[0]
    base_path = base.raw_path.decode("ascii").rstrip("/")
    inside = (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port) and (
        raw_path == base_path or raw_path.startswith(base_path + "/")
    )
    if not inside:
        return None, error_response(
            404, f"{url.copy_with(query=None)} is not under the mock's base URL {base}"
        )
    segments = raw_path[len(base_path) :].strip("/").split("/")
    allowed: list[str] = []
    for route in routes:
        parameters = route.match(segments)
        if parameters is None:
            continue
        if route.operation.method == request.method:
            return route, parameters
        allowed.append(route.operation.method)
    if allowed:
        message = f"{request.method} is not allowed here (allowed: {', '.join(allowed)})"
        return None, error_response(405, message, headers={"Allow": ", ".join(allowed)})
    return None, error_response(404, f"no operation has the path {raw_path[len(base_path) :] or '/'}")


def authenticate(
    operation: MockOperation, request: httpx.Request, api_key: str | None
) -> httpx.Response | None:
    """The 401 answer when the credentials that the operation's security asks for are missing."""
    for scheme in operation.security:
        given, where = presented_credential(scheme, request)
        challenge = {"WWW-Authenticate": "Bearer"} if scheme.kind == "bearer" else None
        if not given:
            return error_response(
                401, f"missing credentials: {operation.name} needs {where}", headers=challenge
            )
        if api_key is not None and given != api_key:
            return error_response(401, "invalid api key", headers=challenge)
    return None


def path_values(route: Route, texts: Mapping[str, str]) -> dict[str, Any]:
    """Path parameters given as text, as the JSON values their types make of them."""
    values: dict[str, Any] = {}
    for name, text in texts.items():
        parameter = route.path_parameters.get(name)
        if parameter is not None:
            adapter = type_adapter(parameter.schema_type)
            values[name] = adapter.dump_python(_from_text(parameter.schema_type, text), mode="json")
    return values


def check_request(
    route: Route, request: httpx.Request, path: dict[str, str], api_key: str | None
) -> Checked | httpx.Response:
    """The request's parameters and body, validated; or the 401, 415 or 422 answer."""
    operation = route.operation
    refused = authenticate(operation, request, api_key)
    if refused is not None:
        return refused
    errors: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    auth_params = {scheme.name for scheme in operation.security if scheme.kind == "query"}
    for parameter in operation.parameters:
        raw: str | list[str] | None
        if parameter.location == "path":
            raw = path.get(parameter.name)
        elif parameter.location == "query":
            if parameter.name in auth_params:
                continue
            listed = request.url.params.get_list(parameter.name)
            raw = None if not listed else listed if len(listed) > 1 or _is_list(parameter) else listed[0]
        else:
            header = request.headers.get(parameter.name)
            raw = header
            if header is not None and _is_list(parameter):
                raw = [item.strip() for item in header.split(",")]
        if raw is None:
            if parameter.required:
                errors.append(
                    {"type": "missing", "loc": [parameter.location, parameter.name], "msg": "Field required"}
                )
            continue
        try:
            value = _from_text(parameter.schema_type, raw)
        except pydantic.ValidationError as error:
            errors += _errors(error, parameter.location, parameter.name)
            continue
        if parameter.location == "path":
            values[parameter.name] = type_adapter(parameter.schema_type).dump_python(value, mode="json")
    body: Any = None
    has_body = bool(request.content)
    if operation.body_type is not None:
        content_type = request.headers.get("Content-Type", "")
        if has_body and not is_json(content_type):
            return error_response(
                415, f"the body must be JSON (Content-Type: application/json), not {content_type!r}"
            )
        if has_body:
            try:
                body = json.loads(request.content)
            except ValueError as error:
                return error_response(422, f"the body is not valid JSON: {error}")
            try:
                type_adapter(operation.body_type).validate_json(request.content, strict=True)
            except pydantic.ValidationError as error:
                errors += _errors(error, "body")
        elif operation.body_required:
            errors.append({"type": "missing", "loc": ["body"], "msg": "A JSON body is required"})
    if errors:
        places = ", ".join(".".join(str(part) for part in error["loc"]) for error in errors[:5])
        count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''}"
        return error_response(422, f"{operation.name}: {count} ({places})", errors)
    return Checked(path, values, body, has_body)
