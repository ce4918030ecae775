"""Stage 2: the intermediate model of the API, which is all that the templates read.

``build_api`` walks the validated document once and decides every name: method names from
operationIds, argument names from parameter and property names, and a model name for every
schema the client needs (a component schema keeps its own; an inline one is hoisted into the
models under a name made from the operation). Operations that use a construct this generator
does not support are left out with a ``Problem`` that names the construct and where it stands.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from .load import Spec, escape_pointer, iter_operations, named_examples
from .naming import class_name, snake_name
from .problems import Problem

__all__ = ["Api", "Argument", "Body", "ExamplePair", "Operation", "Response", "Wait", "build_api"]

T = TypeVar("T")

_IDEMPOTENT_METHODS = frozenset({"get", "head", "options", "put", "delete", "trace"})
_SCHEMA_REF = re.compile(r"^#/components/schemas/([^/]+)$")
# The styles each parameter location allows (OpenAPI "Style Values"), its default first.
_STYLES = {
    "path": ("simple", "label", "matrix"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
    "cookie": ("form",),
}
# Names that the generated methods use themselves, so no argument may take them.
_RESERVED_ARGUMENTS = frozenset({"self", "body", "poll_interval", "timeout"})


@dataclass(frozen=True)
class Argument:
    """A keyword argument of a generated method: a parameter or a property of the JSON body."""

    name: str
    wire_name: str
    location: str  # "path", "query", "header", "cookie", "body" or "file" (a multipart file)
    annotation: str
    required: bool
    description: str
    validator: str | None = None  # the models name that validates a parameter's value
    style: str = ""  # a parameter's OpenAPI style ("" for a body field)
    explode: bool = False

    @property
    def default_style(self) -> bool:
        """Whether the parameter uses its location's default style and explode."""
        return (self.style, self.explode) in (("form", True), ("simple", False), ("", False))


@dataclass(frozen=True)
class Body:
    model: str  # the models name of a JSON/form/multipart body; the Python type of a raw one
    required: bool
    fields: tuple[Argument, ...]  # keyword arguments when the body is an object with properties
    description: str
    media_type: str = "application/json"
    kind: str = "json"  # "json", "form", "multipart", "text" or "binary" (see media_kind)
    alternatives: tuple[str, ...] = ()  # other media types the operation accepts
    part_types: dict[str, str] = field(default_factory=dict)  # multipart `encoding` contentType

    @property
    def is_raw(self) -> bool:
        """A text or binary body, given whole: no model, no keyword arguments."""
        return self.kind in ("text", "binary")

    @property
    def model_fields(self) -> tuple[Argument, ...]:
        """The fields that the body's model validates (multipart files are sent apart)."""
        return tuple(argument for argument in self.fields if argument.location == "body")

    @property
    def file_fields(self) -> tuple[Argument, ...]:
        return tuple(argument for argument in self.fields if argument.location == "file")


@dataclass(frozen=True)
class Response:
    status: str  # "200", "2XX" or "default"
    model: str | None  # None: no body; "str" for text, "bytes" for binary answers
    description: str
    media_type: str = ""


@dataclass(frozen=True)
class Wait:
    """A polling helper declared with ``x-wait`` on an operation."""

    name: str
    status_field: str
    success: tuple[str, ...]
    failure: tuple[str, ...]
    error_code_field: str | None
    error_message_field: str | None


@dataclass(frozen=True)
class ExamplePair:
    """Request and response examples that share a name."""

    name: str
    summary: str
    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, Any]
    body: Any
    has_body: bool
    status: int
    response: Any
    has_response: bool


@dataclass(frozen=True)
class Operation:
    name: str  # the Python method name
    operation_id: str
    method: str  # upper case
    path: str
    summary: str
    description: str
    path_args: tuple[Argument, ...]
    query_args: tuple[Argument, ...]
    header_args: tuple[Argument, ...]
    body: Body | None
    responses: tuple[Response, ...]
    idempotent: bool
    security: tuple[tuple[str, str], ...]  # (kind, name): ("bearer", ""), ("header", "X-Key")...
    wait: Wait | None
    examples: tuple[ExamplePair, ...]
    deprecated: bool

    @property
    def return_models(self) -> tuple[str | None, ...]:
        """The distinct models of the 2xx answers, in order (None for one without a body)."""
        seen: list[str | None] = []
        for response in self.responses:
            if response.status.startswith("2") and response.model not in seen:
                seen.append(response.model)
        return tuple(seen) or (None,)

    @property
    def arguments(self) -> tuple[Argument, ...]:
        body_fields = self.body.fields if self.body else ()
        return self.path_args + self.query_args + self.header_args + body_fields


@dataclass(frozen=True)
class Api:
    title: str
    description: str
    version: str
    package: str
    server_url: str
    api_key_env: str
    base_url_env: str
    requires_api_key: bool
    operations: tuple[Operation, ...]
    spec_sha256: str
    # Inline schemas that become models: name -> (pointer, schema). Fed to the models stage.
    hoisted: dict[str, tuple[str, Any]] = field(default_factory=dict)
    skipped: tuple[Problem, ...] = ()

    @property
    def model_names(self) -> tuple[str, ...]:
        """Every models name that the client modules import."""
        names: set[str] = set()
        for operation in self.operations:
            names.update(
                response.model
                for response in operation.responses
                if response.model and response.model not in ("str", "bytes")
            )
            if operation.body and not operation.body.is_raw:
                names.add(operation.body.model)
            names.update(argument.validator for argument in operation.arguments if argument.validator)
        return tuple(sorted(names))


class _UnsupportedError(Exception):
    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.message = message


class _UnsupportedOperationError(Exception):
    """Every reason why one operation cannot be generated."""

    def __init__(self, reasons: list[_UnsupportedError]) -> None:
        super().__init__("; ".join(reason.message for reason in reasons))
        self.reasons = reasons


class _Reasons:
    """Collects the reasons of one operation, so that each is reported, not just the first."""

    def __init__(self) -> None:
        self.found: list[_UnsupportedError] = []

    def attempt(self, step: Callable[[], T], fallback: T) -> T:
        try:
            return step()
        except _UnsupportedError as reason:
            self.found.append(reason)
            return fallback
        except _UnsupportedOperationError as reasons:
            self.found.extend(reasons.reasons)
            return fallback


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str) else ""


def _is_json(media_type: str) -> bool:
    base = media_type.split(";", maxsplit=1)[0].strip().lower()
    return base == "application/json" or (base.startswith("application/") and base.endswith("+json"))


def media_kind(media_type: str) -> str:
    """How a body of ``media_type`` is sent or read: json, form, multipart, text or binary."""
    base = media_type.split(";", maxsplit=1)[0].strip().lower()
    if _is_json(base):
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


class _Builder:
    def __init__(self, spec: Spec, package: str) -> None:
        self.spec = spec
        self.package = package
        self.document = spec.document
        self.components: Mapping[str, Any] = (self.document.get("components") or {}).get("schemas") or {}
        self.hoisted: dict[str, tuple[str, Any]] = {}
        self.taken = {class_name(name) for name in self.components}

    # -- schemas and annotations -------------------------------------------------------------

    def model_for(self, schema: Any, pointer: str, name_hint: str) -> str:
        """The models name that stands for ``schema``: its component's, or a hoisted one."""
        if isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
            match = _SCHEMA_REF.match(schema["$ref"])
            if match and match.group(1).replace("~1", "/").replace("~0", "~") in self.components:
                return class_name(match.group(1).replace("~1", "/").replace("~0", "~"))
            if not schema["$ref"].startswith("#/"):
                raise _UnsupportedError(pointer, f"external reference {schema['$ref']!r} is not supported")
            schema = self.spec.resolve(schema)
        name = class_name(name_hint)
        candidate, counter = name, 2
        while candidate in self.taken:
            candidate, counter = f"{name}{counter}", counter + 1
        self.taken.add(candidate)
        self.hoisted[candidate] = (pointer, copy.deepcopy(schema))
        return candidate

    def annotation(self, schema: Any) -> str:
        """A Python type for a keyword argument; the models validate the value itself."""
        if not isinstance(schema, Mapping):
            return "Any"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            match = _SCHEMA_REF.match(ref)
            if match and match.group(1) in self.components:
                return class_name(match.group(1))
            return self.annotation(self.spec.resolve(schema))
        if "const" in schema:
            return f"Literal[{schema['const']!r}]"
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            values = [value for value in schema["enum"] if value is not None]
            if all(isinstance(value, str | int | bool) for value in values) and values:
                literal = f"Literal[{', '.join(repr(value) for value in values)}]"
                return f"{literal} | None" if None in schema["enum"] else literal
        types = schema.get("type")
        type_list = types if isinstance(types, list) else [types] if isinstance(types, str) else []
        nullable = schema.get("nullable") is True or "null" in type_list
        if type_list == ["null"]:
            return "None"
        type_list = [item for item in type_list if item != "null"]
        branches = schema.get("anyOf") or schema.get("oneOf")
        result: str
        if len(type_list) == 1 and type_list[0] != "object" and type_list[0] != "array":
            result = self._primitive(type_list[0], schema.get("format"))
        elif len(type_list) > 1:
            result = " | ".join(self.annotation({**schema, "type": item}) for item in type_list)
        elif type_list == ["array"]:
            result = f"list[{self.annotation(schema.get('items'))}]"
        elif isinstance(branches, list) and branches:
            parts: list[str] = []
            for branch in branches:
                part = self.annotation(branch)
                if part == "Any":
                    return "Any"
                parts.extend(item for item in part.split(" | ") if item not in parts)
            if "None" in parts:
                parts.remove("None")
                nullable = True
            result = " | ".join(parts)
        elif isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            result = self.annotation(schema["allOf"][0])
        elif type_list == ["object"] or "properties" in schema:
            result = "dict[str, Any]"
        else:
            return "Any"
        return f"{result} | None" if nullable and result != "Any" else result

    def _primitive(self, type_name: str, format_name: Any) -> str:
        if type_name == "string":
            formats = {"date-time": "datetime.datetime", "date": "datetime.date", "uuid": "uuid.UUID"}
            if format_name in formats:
                return formats[format_name]
            return "bytes" if format_name == "binary" else "str"
        return {"integer": "int", "number": "float", "boolean": "bool"}.get(type_name, "Any")

    # -- operations --------------------------------------------------------------------------

    def operation(self, pointer: str, path: str, method: str, raw: dict[str, Any]) -> Operation:
        operation_id = _text(raw.get("operationId")) or f"{method}_{path}"
        name = snake_name(operation_id)
        prefix = class_name(name)
        path_item = self.spec.resolve(self.document["paths"][path])
        reasons = _Reasons()
        empty: dict[str, tuple[Argument, ...]] = {"path": (), "query": (), "header": ()}
        parameters = reasons.attempt(lambda: self.parameters(pointer, path_item, raw, prefix), empty)
        body = reasons.attempt(lambda: self.body(pointer, raw, prefix), None)
        no_responses: tuple[Response, ...] = ()
        no_security: tuple[tuple[str, str], ...] = ()
        responses = reasons.attempt(lambda: self.responses(pointer, raw, prefix), no_responses)
        security = reasons.attempt(lambda: self.security(pointer, raw), no_security)
        wait = reasons.attempt(lambda: self.wait(pointer, raw), None)
        if reasons.found:
            raise _UnsupportedOperationError(reasons.found)
        parameters, body = _distinct_names(parameters, body)
        idempotent = method in _IDEMPOTENT_METHODS
        if isinstance(raw.get("x-idempotent"), bool):
            idempotent = raw["x-idempotent"]
        return Operation(
            name=name,
            operation_id=operation_id,
            method=method.upper(),
            path=path,
            summary=_text(raw.get("summary")),
            description=_text(raw.get("description")),
            path_args=parameters["path"],
            query_args=parameters["query"],
            header_args=parameters["header"],
            body=body,
            responses=responses,
            idempotent=idempotent,
            security=security,
            wait=wait,
            examples=self.examples(pointer, path_item, raw),
            deprecated=raw.get("deprecated") is True,
        )

    def parameters(
        self, pointer: str, path_item: Mapping[str, Any], raw: Mapping[str, Any], prefix: str
    ) -> dict[str, tuple[Argument, ...]]:
        merged: dict[tuple[str, str], tuple[str, Any]] = {}
        for source, items in (("", path_item.get("parameters")), (pointer, raw.get("parameters"))):
            base = source or pointer.rsplit("/", 1)[0]
            for index, item in enumerate(items or []):
                parameter = self.spec.resolve(item)
                merged[(parameter.get("in"), parameter.get("name"))] = (
                    f"{base}/parameters/{index}",
                    parameter,
                )
        groups: dict[str, list[Argument]] = {"path": [], "query": [], "header": [], "cookie": []}
        reasons = _Reasons()
        for (location, wire_name), (parameter_pointer, parameter) in merged.items():
            try:
                argument = self._parameter(location, str(wire_name), parameter_pointer, parameter, prefix)
            except _UnsupportedError as reason:
                reasons.found.append(reason)
            else:
                groups[location].append(argument)
        # Cookies travel in a header: they are keyword arguments like headers.
        groups["header"] += groups.pop("cookie")
        if reasons.found:
            raise _UnsupportedOperationError(reasons.found)
        # Required arguments first, each group in the spec's order, so signatures read naturally.
        return {
            location: tuple(sorted(arguments, key=lambda argument: not argument.required))
            for location, arguments in groups.items()
        }

    def _parameter(
        self, location: str, wire_name: str, parameter_pointer: str, parameter: Mapping[str, Any], prefix: str
    ) -> Argument:
        if location not in _STYLES:
            raise _UnsupportedError(parameter_pointer, f"{location} parameters are not supported")
        if "schema" not in parameter:
            raise _UnsupportedError(
                parameter_pointer, "parameters described with 'content' are not supported"
            )
        schema = parameter["schema"]
        resolved = self.spec.resolve(schema)
        styles = _STYLES[location]
        style = parameter.get("style", styles[0])
        if style not in styles:
            raise _UnsupportedError(
                f"{parameter_pointer}/style",
                f"style {style!r} is not defined for {location} parameters (use {', '.join(styles)})",
            )
        explode = parameter.get("explode", style == "form")
        hint = f"{prefix}{class_name(snake_name(wire_name))}Param"
        return Argument(
            name=snake_name(wire_name),
            wire_name=wire_name,
            location=location,
            annotation=self.annotation(schema),
            required=location == "path" or parameter.get("required") is True,
            description=_text(parameter.get("description"))
            or (_text(resolved.get("description")) if isinstance(resolved, Mapping) else ""),
            validator=self.model_for(schema, f"{parameter_pointer}/schema", hint),
            style=str(style),
            explode=explode is True,
        )

    def body(self, pointer: str, raw: Mapping[str, Any], prefix: str) -> Body | None:
        request_body = raw.get("requestBody")
        if request_body is None:
            return None
        body_pointer = f"{pointer}/requestBody"
        resolved = self.spec.resolve(request_body)
        content = resolved.get("content") or {}
        media_type = choose_media_type(content)
        if media_type is None:
            raise _UnsupportedError(body_pointer, "a request body without content is not supported")
        kind = media_kind(media_type)
        alternatives = tuple(str(other) for other in content if other != media_type)
        description = _text(resolved.get("description"))
        media = self.spec.resolve(content[media_type]) or {}
        schema = media.get("schema")
        if kind in ("text", "binary"):
            return Body(
                model="str" if kind == "text" else "BinaryContent",
                required=resolved.get("required") is True,
                fields=(),
                description=description or self._description(schema),
                media_type=media_type,
                kind=kind,
                alternatives=alternatives,
            )
        if schema is None:
            if kind == "json":
                raise _UnsupportedError(body_pointer, "a JSON request body without a schema is not supported")
            schema = {"type": "object"}
        schema_pointer = f"{body_pointer}/content/{escape_pointer(media_type)}/schema"
        target = self.spec.resolve(schema)
        properties, required = self._object_properties(target)
        files = {name for name, part in properties.items() if _is_file(self.spec.resolve(part))}
        if kind == "form" and files:
            raise _UnsupportedError(schema_pointer, "files in a form-urlencoded body are not supported")
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
            model = self.model_for(hoisted, schema_pointer, f"{prefix}Request")
        else:
            model = self.model_for(schema, schema_pointer, f"{prefix}Request")
        fields = tuple(
            Argument(
                name=snake_name(wire_name),
                wire_name=wire_name,
                location="file" if wire_name in files else "body",
                annotation="FileUpload" if wire_name in files else self.annotation(property_schema),
                required=wire_name in required,
                description=self._description(property_schema),
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
            description=description or self._description(schema),
            media_type=media_type,
            kind=kind,
            alternatives=alternatives,
            part_types=part_types,
        )

    def _object_properties(self, schema: Any) -> tuple[dict[str, Any], set[str]]:
        """Properties and required names of an object schema, through ``allOf``."""
        properties: dict[str, Any] = {}
        required: set[str] = set()
        if not isinstance(schema, Mapping):
            return properties, required
        for part in schema.get("allOf") or []:
            part_properties, part_required = self._object_properties(self.spec.resolve(part))
            properties.update(part_properties)
            required |= part_required
        properties.update(schema.get("properties") or {})
        required |= set(schema.get("required") or [])
        return properties, required

    def _description(self, schema: Any) -> str:
        if not isinstance(schema, Mapping):
            return ""
        return _text(schema.get("description")) or _text(self.spec.resolve(schema).get("description"))

    def responses(self, pointer: str, raw: Mapping[str, Any], prefix: str) -> tuple[Response, ...]:
        result = []
        responses = raw.get("responses") or {}
        successes = [str(status) for status in responses if str(status).startswith("2")]
        for status, item in responses.items():
            status = str(status)
            response_pointer = f"{pointer}/responses/{escape_pointer(status)}"
            response = self.spec.resolve(item)
            content = response.get("content") or {}
            description = _text(response.get("description"))
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
            schema = (self.spec.resolve(content[media_type]) or {}).get("schema")
            model: str | None = None
            if schema is not None:
                suffix = "" if len(successes) <= 1 and status.startswith("2") else class_name(status)
                hint = f"{prefix}Response{suffix}"
                schema_pointer = f"{response_pointer}/content/{escape_pointer(media_type)}/schema"
                model = self.model_for(schema, schema_pointer, hint)
            result.append(Response(status, model, description, media_type))
        return tuple(result)

    def security(self, pointer: str, raw: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        """The schemes of the first requirement the client can meet (the requirements are
        alternatives; the schemes of one requirement all apply)."""
        requirements = raw.get("security", self.document.get("security")) or []
        schemes = (self.document.get("components") or {}).get("securitySchemes") or {}
        if not requirements or any(not requirement for requirement in requirements):
            return ()
        problems = []
        for requirement in requirements:
            applied: list[tuple[str, str]] = []
            for scheme_name in requirement:
                scheme = self.spec.resolve(schemes.get(scheme_name) or {})
                kind, scheme_type = str(scheme.get("scheme", "")).lower(), scheme.get("type")
                if (scheme_type == "http" and kind == "bearer") or scheme_type in ("oauth2", "openIdConnect"):
                    applied.append(("bearer", ""))
                elif scheme_type == "http" and kind == "basic":
                    applied.append(("basic", ""))
                elif scheme_type == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
                    applied.append((scheme["in"], str(scheme.get("name"))))
                else:
                    problems.append(f"{scheme_name!r} ({scheme_type} {kind})".replace(" )", ")"))
            if len(applied) == len(requirement):
                return tuple(dict.fromkeys(applied))
        raise _UnsupportedError(
            f"{pointer}/security",
            f"security scheme {', '.join(problems)} is not supported "
            "(http bearer and basic, apiKey, oauth2 and openIdConnect are)",
        )

    def wait(self, pointer: str, raw: Mapping[str, Any]) -> Wait | None:
        declared = raw.get("x-wait")
        if declared is None:
            return None
        where = f"{pointer}/x-wait"
        if not isinstance(declared, Mapping):
            raise _UnsupportedError(where, "x-wait must be a mapping")
        missing = [key for key in ("name", "status-field", "success", "failure") if key not in declared]
        if missing:
            raise _UnsupportedError(where, f"x-wait lacks {', '.join(missing)}")
        name = str(declared["name"])
        if not name.isidentifier():
            raise _UnsupportedError(f"{where}/name", f"{name!r} is not a Python identifier")
        return Wait(
            name=name,
            status_field=str(declared["status-field"]),
            success=tuple(str(value) for value in declared["success"]),
            failure=tuple(str(value) for value in declared["failure"]),
            error_code_field=declared.get("error-code-field"),
            error_message_field=declared.get("error-message-field"),
        )

    def examples(
        self, pointer: str, path_item: Mapping[str, Any], raw: Mapping[str, Any]
    ) -> tuple[ExamplePair, ...]:
        request: dict[str, dict[str, Any]] = {}
        summaries: dict[str, str] = {}
        for items in (path_item.get("parameters"), raw.get("parameters")):
            for item in items or []:
                parameter = self.spec.resolve(item)
                for name, (_where, value) in named_examples(self.spec, parameter, pointer).items():
                    location = {"path": "path", "query": "query", "header": "headers"}.get(
                        parameter.get("in")
                    )
                    if location:
                        request.setdefault(name, {}).setdefault(location, {})[parameter["name"]] = value
        body = self.spec.resolve(raw.get("requestBody"))
        if isinstance(body, Mapping):
            for media_type, media in (body.get("content") or {}).items():
                if _is_json(media_type):
                    for name, (_where, value) in named_examples(self.spec, media, pointer).items():
                        request.setdefault(name, {})["body"] = value
                        summaries[name] = _text(self.spec.resolve(media["examples"][name]).get("summary"))
                    break
        pairs = []
        for status, item in (raw.get("responses") or {}).items():
            response = self.spec.resolve(item)
            for media_type, media in (response.get("content") or {}).items():
                if not _is_json(media_type):
                    continue
                for name, (_where, value) in named_examples(self.spec, media, pointer).items():
                    if name not in request or not str(status).isdigit():
                        continue
                    side = request[name]
                    summary = summaries.get(name) or _text(
                        self.spec.resolve(media["examples"][name]).get("summary")
                    )
                    pairs.append(
                        ExamplePair(
                            name=name,
                            summary=summary,
                            path=side.get("path", {}),
                            query=side.get("query", {}),
                            headers=side.get("headers", {}),
                            body=side.get("body"),
                            has_body="body" in side,
                            status=int(status),
                            response=value,
                            has_response=True,
                        )
                    )
        return tuple(pairs)


def _distinct_names(
    parameters: dict[str, tuple[Argument, ...]], body: Body | None
) -> tuple[dict[str, tuple[Argument, ...]], Body | None]:
    """Rename arguments whose Python names clash (``param`` in the path and in the query,
    ``mixedCase`` and ``mixed_case``) to ``<name>_<location>``, in order of appearance."""
    taken = set(_RESERVED_ARGUMENTS)

    def distinct(argument: Argument) -> Argument:
        name = argument.name
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


def _server_url(document: Mapping[str, Any]) -> str:
    servers = document.get("servers") or [{}]
    server = servers[0] if isinstance(servers[0], Mapping) else {}
    url = str(server.get("url") or "/")
    for name, variable in (server.get("variables") or {}).items():
        url = url.replace("{" + name + "}", str(variable.get("default", "")))
    return url.rstrip("/")


def build_api(spec: Spec, package: str, exclude: Mapping[str, list[Problem]] | None = None) -> Api:
    """The intermediate model of ``spec``; unsupported operations are listed in ``skipped``.

    ``exclude`` maps operation pointers to the problems that already rule them out.
    """
    builder = _Builder(spec, package)
    operations: list[Operation] = []
    skipped: list[Problem] = []
    names: dict[str, str] = {}
    for pointer, path, method, raw in iter_operations(spec):
        if exclude and pointer in exclude:
            skipped.extend(exclude[pointer])
            continue
        try:
            operation = builder.operation(pointer, path, method, raw)
        except _UnsupportedOperationError as reasons:
            skipped.extend(spec.problem(reason.pointer, reason.message) for reason in reasons.reasons)
            continue
        if operation.name in names:
            message = f"method name {operation.name!r} is already used by {names[operation.name]}"
            skipped.append(spec.problem(pointer, message))
            continue
        names[operation.name] = pointer
        operations.append(operation)
    document = spec.document
    info = document.get("info") or {}
    settings = document.get("x-client") or {}
    prefix = snake_name(package).upper()
    has_security = any(operation.security for operation in operations)
    return Api(
        title=_text(info.get("title")) or package,
        description=_text(info.get("description")),
        version=_text(str(info.get("version", "0"))) or "0",
        package=package,
        server_url=_server_url(document),
        api_key_env=str(settings.get("api-key-env") or f"{prefix}_API_KEY"),
        base_url_env=str(settings.get("base-url-env") or f"{prefix}_BASE_URL"),
        requires_api_key=has_security,
        operations=tuple(operations),
        spec_sha256=spec.sha256,
        hoisted=builder.hoisted,
        skipped=tuple(skipped),
    )
