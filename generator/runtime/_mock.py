"""A stand-in for the API in tests: documented requests get their documented answers.

The generated ``testing`` module describes every operation as a :class:`MockOperation` (its
path, parameters, body and response types, security, polling rule and example pairs) and builds
a :class:`BaseMockAPI` from them. It is an ``httpx.MockTransport``, so it serves ``httpx.Client``
and ``httpx.AsyncClient`` alike and nothing is patched. Each request is answered by the first
rule that applies:

1. a URL outside ``base_url``, or a path of no operation: 404; a known path with a method it
   does not have: 405;
2. credentials missing or empty where the operation's security asks for them (or, when the mock
   was given an ``api_key``, different from it): 401;
3. parameters or a JSON body that the models reject: 422 with
   ``{"message": ..., "detail": [pydantic's errors]}``; a body that is not JSON: 415 or 422;
4. an answer scripted with :meth:`BaseMockAPI.script` or :meth:`BaseMockAPI.script_statuses`;
5. the response example paired with a request example equal to this request;
6. an answer built from the response type's JSON schema: required fields only, each from its
   first example, else its default, else a value of its type; fields named like a path
   parameter repeat its value; for an operation with a polling rule, the status is the first
   success status (an unknown job is finished, so a wait returns at once).

Every request is recorded in :attr:`BaseMockAPI.calls` as ``(operation name or None, request)``.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple
from urllib.parse import unquote

import httpx
import pydantic

from ._arguments import type_adapter, wire_text
from ._auth import presented_credential
from ._types import AuthScheme, WaitRule

__all__ = ["BaseMockAPI", "MockCall", "MockExample", "MockOperation", "MockParameter", "sample_value"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_PATH_PARAMETER = re.compile(r"\{([^{}]+)\}")
_MAX_DEPTH = 32


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


# -- values as they travel in URLs and headers ----------------------------------------------------


def _canonical(value: Any) -> str:
    # sort_keys makes key order irrelevant; json keeps true and 1 apart, as JSON does.
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _is_json(content_type: str) -> bool:
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
    schema = _json_schema(parameter.schema_type)
    return _resolve(schema, schema.get("$defs") or {}).get("type") == "array"


# -- answers built from a schema ------------------------------------------------------------------


@functools.cache
def _cached_schema(schema_type: Any) -> dict[str, Any]:
    return type_adapter(schema_type).json_schema()


def _json_schema(schema_type: Any) -> dict[str, Any]:
    """The JSON schema of a type; shared between calls, so never changed (samples are copies)."""
    try:
        return _cached_schema(schema_type)
    except TypeError:
        return type_adapter(schema_type).json_schema()


def _resolve(schema: Mapping[str, Any], definitions: Mapping[str, Any]) -> Mapping[str, Any]:
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
    schema = _resolve(schema, definitions)
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


_NO_SAMPLE: Any = _NoSample()


def sample_value(schema_type: Any, *, use_examples: bool = True) -> Any:
    """A JSON value of ``schema_type`` built from its JSON schema (required fields only).

    The value is not validated here: a ``pattern``, for one, is not followed.
    """
    schema = _json_schema(schema_type)
    return _sample(schema, schema.get("$defs") or {}, use_examples)


def _top_properties(schema_type: Any) -> set[str]:
    schema = _json_schema(schema_type)
    resolved = _resolve(schema, schema.get("$defs") or {})
    return set(resolved.get("properties") or {})


# -- the mock ---------------------------------------------------------------------------------------


def _error(
    status: int, message: str, detail: Any = None, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"message": message}
    if detail is not None:
        body["detail"] = detail
    return httpx.Response(status, json=body, headers=headers)


class _Route:
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
class _Script:
    path: dict[str, str]
    answers: list[Any]


@dataclass
class _Checked:
    """A request that passed routing, authentication and validation."""

    path_text: dict[str, str]
    path_values: dict[str, Any]
    body: Any
    has_body: bool


class BaseMockAPI(httpx.MockTransport):
    """An in-memory API answering from the spec's examples and schemas (see the module's doc).

    Args:
        operations: what the API offers, as the generated ``testing`` module describes it.
        base_url: requests are served under this URL only (404 elsewhere).
        api_key: when given, the only credential accepted; by default any non-empty one is.
    """

    def __init__(
        self, operations: Iterable[MockOperation], *, base_url: str | httpx.URL, api_key: str | None = None
    ) -> None:
        super().__init__(self.handle)
        self.base_url = httpx.URL(str(base_url).rstrip("/"))
        self.api_key = api_key
        self.calls: list[MockCall] = []
        """Every request received, in order."""
        self._routes = [_Route(operation) for operation in operations]
        self._scripts: dict[str, dict[tuple[tuple[str, str], ...], _Script]] = {}
        self._lock = threading.Lock()

    # -- what tests use ---------------------------------------------------------------------------

    def requests(self, operation: str) -> list[httpx.Request]:
        """The requests received by ``operation``, in order."""
        self._route_of(operation)
        return [call.request for call in self.calls if call.operation == operation]

    def script(
        self, operation: str, answers: Sequence[Any], *, path: Mapping[str, Any] | None = None
    ) -> None:
        """Answer the next calls of ``operation`` with ``answers``, one per call; the last repeats.

        An answer is an ``httpx.Response`` (sent as it is, whatever its status) or a JSON value
        (sent with the operation's success status). ``path`` limits the script to requests with
        these path parameters, e.g. ``{"id": "t1"}``. A new script for the same operation and
        ``path`` replaces the old one; validation (rules 1-3) still comes first.
        """
        route = self._route_of(operation)
        if not answers:
            raise ValueError("script needs at least one answer")
        filters = {str(name): wire_text(value) for name, value in (path or {}).items()}
        unknown = sorted(set(filters) - set(route.path_parameters))
        if unknown:
            raise ValueError(f"{operation} has no path parameter {', '.join(map(repr, unknown))}")
        key = tuple(sorted(filters.items()))
        with self._lock:
            scripts = self._scripts.setdefault(operation, {})
            scripts.pop(key, None)
            scripts[key] = _Script(filters, list(answers))

    def script_statuses(self, key: Any, statuses: Sequence[str], *, operation: str | None = None) -> None:
        """Make a polled job go through ``statuses``, one per call of its status operation.

        ``operation`` defaults to the only operation with a polling rule (``x-wait``); ``key`` is
        the value of its path parameter (a mapping when it has several, None for any). Each
        answer is the response example with that status when the spec has one, else an answer
        built from the schema; its status field is set to the status and the fields named like
        a path parameter to the key.
        """
        route = self._wait_route(operation)
        rule = route.operation.wait
        assert rule is not None
        names = list(route.path_parameters)
        if key is None:
            path: dict[str, Any] = {}
        elif isinstance(key, Mapping):
            path = dict(key)
        elif len(names) == 1:
            path = {names[0]: key}
        else:
            raise ValueError(f"{route.operation.name} has {len(names)} path parameters: pass a mapping")
        values = self._path_values(route, {name: wire_text(value) for name, value in path.items()})
        answers = [self._status_answer(route, rule, status, values) for status in statuses]
        self.script(route.operation.name, answers, path=path)

    # -- the transport's handler ------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (the ``httpx.MockTransport`` handler)."""
        route, path = self._find(request)
        with self._lock:
            self.calls.append(MockCall(route.operation.name if route else None, request))
        if isinstance(path, httpx.Response):
            return path
        assert route is not None
        checked = self._check(route, request, path)
        if isinstance(checked, httpx.Response):
            return checked
        scripted = self._scripted(route, checked)
        if scripted is not None:
            return scripted
        for example in route.operation.examples:
            if self._is_example(route, example, request, checked):
                return httpx.Response(example.status, json=example.response)
        return self._built_answer(route, checked.path_values)

    # -- routing, authentication, validation ------------------------------------------------------

    def _find(self, request: httpx.Request) -> tuple[_Route | None, dict[str, str] | httpx.Response]:
        url, base = request.url, self.base_url
        raw_path = url.raw_path.decode("ascii").split("?", 1)[0]
        base_path = base.raw_path.decode("ascii").rstrip("/")
        inside = (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port) and (
            raw_path == base_path or raw_path.startswith(base_path + "/")
        )
        if not inside:
            return None, _error(404, f"{url.copy_with(query=None)} is not under the mock's base URL {base}")
        segments = raw_path[len(base_path) :].strip("/").split("/")
        allowed: list[str] = []
        for route in self._routes:
            parameters = route.match(segments)
            if parameters is None:
                continue
            if route.operation.method == request.method:
                return route, parameters
            allowed.append(route.operation.method)
        if allowed:
            message = f"{request.method} is not allowed here (allowed: {', '.join(allowed)})"
            return None, _error(405, message, headers={"Allow": ", ".join(allowed)})
        return None, _error(404, f"no operation has the path {raw_path[len(base_path) :] or '/'}")

    def _authenticated(self, operation: MockOperation, request: httpx.Request) -> httpx.Response | None:
        for scheme in operation.security:
            given, where = presented_credential(scheme, request)
            challenge = {"WWW-Authenticate": "Bearer"} if scheme.kind == "bearer" else None
            if not given:
                return _error(401, f"missing credentials: {operation.name} needs {where}", headers=challenge)
            if self.api_key is not None and given != self.api_key:
                return _error(401, "invalid api key", headers=challenge)
        return None

    def _path_values(self, route: _Route, texts: Mapping[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, text in texts.items():
            parameter = route.path_parameters.get(name)
            if parameter is not None:
                adapter = type_adapter(parameter.schema_type)
                values[name] = adapter.dump_python(_from_text(parameter.schema_type, text), mode="json")
        return values

    def _check(
        self, route: _Route, request: httpx.Request, path: dict[str, str]
    ) -> _Checked | httpx.Response:
        operation = route.operation
        refused = self._authenticated(operation, request)
        if refused is not None:
            return refused
        errors: list[dict[str, Any]] = []
        path_values: dict[str, Any] = {}
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
                        {
                            "type": "missing",
                            "loc": [parameter.location, parameter.name],
                            "msg": "Field required",
                        }
                    )
                continue
            try:
                value = _from_text(parameter.schema_type, raw)
            except pydantic.ValidationError as error:
                errors += _errors(error, parameter.location, parameter.name)
                continue
            if parameter.location == "path":
                path_values[parameter.name] = type_adapter(parameter.schema_type).dump_python(
                    value, mode="json"
                )
        body: Any = None
        has_body = bool(request.content)
        if operation.body_type is not None:
            content_type = request.headers.get("Content-Type", "")
            if has_body and not _is_json(content_type):
                return _error(
                    415, f"the body must be JSON (Content-Type: application/json), not {content_type!r}"
                )
            if has_body:
                try:
                    body = json.loads(request.content)
                except ValueError as error:
                    return _error(422, f"the body is not valid JSON: {error}")
                try:
                    type_adapter(operation.body_type).validate_json(request.content, strict=True)
                except pydantic.ValidationError as error:
                    errors += _errors(error, "body")
            elif operation.body_required:
                errors.append({"type": "missing", "loc": ["body"], "msg": "A JSON body is required"})
        if errors:
            places = ", ".join(".".join(str(part) for part in error["loc"]) for error in errors[:5])
            count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''}"
            message = f"{operation.name}: {count} ({places})"
            return _error(422, message, errors)
        return _Checked(path, path_values, body, has_body)

    # -- answers ------------------------------------------------------------------------------------

    def _scripted(self, route: _Route, checked: _Checked) -> httpx.Response | None:
        with self._lock:
            scripts = self._scripts.get(route.operation.name) or {}
            for script in reversed(scripts.values()):
                if all(checked.path_text.get(name) == text for name, text in script.path.items()):
                    answer = script.answers.pop(0) if len(script.answers) > 1 else script.answers[0]
                    break
            else:
                return None
        if isinstance(answer, httpx.Response):
            # A copy: one Response object cannot be sent twice (the last answer repeats).
            return httpx.Response(answer.status_code, headers=answer.headers, content=answer.read())
        return httpx.Response(route.status, json=answer)

    def _is_example(
        self, route: _Route, example: MockExample, request: httpx.Request, checked: _Checked
    ) -> bool:
        if {name: wire_text(value) for name, value in example.path.items()} != checked.path_text:
            return False
        auth_params = {scheme.name for scheme in route.operation.security if scheme.kind == "query"}
        sent = sorted(
            (name, value) for name, value in request.url.params.multi_items() if name not in auth_params
        )
        expected = sorted(
            (name, wire_text(item))
            for name, value in example.query.items()
            for item in (value if isinstance(value, list) else [value])
        )
        if sent != expected:
            return False
        for name, value in example.headers.items():
            text = (
                ",".join(wire_text(item) for item in value) if isinstance(value, list) else wire_text(value)
            )
            if request.headers.get(name) != text:
                return False
        if example.has_body != checked.has_body:
            return False
        return not example.has_body or _canonical(example.body) == _canonical(checked.body)

    def _fill(self, route: _Route, value: Any, path_values: Mapping[str, Any], status: str | None) -> Any:
        """``value`` with path parameters echoed into same-named fields, and the status set."""
        if not isinstance(value, dict) or route.response_type is None:
            return value
        properties = _top_properties(route.response_type)
        value = dict(value)
        value.update({name: item for name, item in path_values.items() if name in properties})
        rule = route.operation.wait
        if rule is not None and status is not None and rule.status_field in properties:
            value[rule.status_field] = status
        return value

    def _built_answer(self, route: _Route, path_values: Mapping[str, Any]) -> httpx.Response:
        if not route.has_response_body:
            return httpx.Response(route.status)
        rule = route.operation.wait
        status = rule.success[0] if rule is not None and rule.success else None
        value = self._valid_sample(route, path_values, status)
        if value is _NO_SAMPLE:
            name = getattr(route.response_type, "__name__", repr(route.response_type))
            message = (
                f"the mock cannot build a valid {name} for {route.operation.name} from its schema; "
                f"script the answer with mock.script({route.operation.name!r}, [...])"
            )
            return _error(500, message)
        return httpx.Response(route.status, json=value)

    def _valid_sample(self, route: _Route, path_values: Mapping[str, Any], status: str | None) -> Any:
        adapter = type_adapter(route.response_type)
        for use_examples in (True, False):
            value = self._fill(
                route, sample_value(route.response_type, use_examples=use_examples), path_values, status
            )
            try:
                adapter.validate_json(json.dumps(value))
            except pydantic.ValidationError:
                continue
            return value
        return _NO_SAMPLE

    def _status_answer(
        self, route: _Route, rule: WaitRule, status: str, path_values: Mapping[str, Any]
    ) -> Any:
        for example in route.operation.examples:
            response = example.response
            if (
                200 <= example.status < 300
                and isinstance(response, dict)
                and response.get(rule.status_field) == status
            ):
                return self._fill(route, copy.deepcopy(response), path_values, status)
        value = self._valid_sample(route, path_values, status)
        if value is _NO_SAMPLE:
            raise ValueError(f"cannot build an answer of {route.operation.name} with status {status!r}")
        return value

    # -- lookups --------------------------------------------------------------------------------

    def _route_of(self, name: str) -> _Route:
        for route in self._routes:
            if route.operation.name == name:
                return route
        known = ", ".join(route.operation.name for route in self._routes)
        raise KeyError(f"no operation {name!r} (known: {known})")

    def _wait_route(self, name: str | None) -> _Route:
        if name is not None:
            route = self._route_of(name)
            if route.operation.wait is None:
                raise ValueError(f"{name} has no polling rule (x-wait)")
            return route
        polled = [route for route in self._routes if route.operation.wait is not None]
        if len(polled) != 1:
            names = ", ".join(route.operation.name for route in polled) or "none"
            raise ValueError(f"pass operation=...: operations with a polling rule: {names}")
        return polled[0]
