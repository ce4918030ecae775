"""Stage 2: the intermediate model of the API, built from the validated document.

``build_api`` walks the validated document once and decides every name: method names from
operationIds, argument names from parameter and property names, and a model name for every
schema the client needs (a component schema keeps its own; an inline one is hoisted into the
models under a name made from the operation). Operations that use a construct this generator
does not support are left out with a ``Problem`` that names the construct and where it stands.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from generator.load import Spec, escape_pointer, iter_operations, named_examples
from generator.naming import (
    class_name,
    is_reserved_class_name,
    reserved_argument_names,
    reserved_method_names,
    snake_name,
    unreserved,
)
from generator.problems import GenerationError, Problem

from ._support import SCHEMA_REF, Reasons, UnsupportedError, UnsupportedOperationError, text
from .bodies import build_body, build_responses, is_json
from .model import Api, Argument, ExamplePair, Operation, Response, Result, Wait
from .parameters import build_parameters, distinct_names
from .security import build_security

__all__ = ["Builder", "build_api"]

_IDEMPOTENT_METHODS = frozenset({"get", "head", "options", "put", "delete", "trace"})


class Builder:
    def __init__(self, spec: Spec, package: str) -> None:
        self.spec = spec
        self.package = package
        self.document = spec.document
        self.components: Mapping[str, Any] = (self.document.get("components") or {}).get("schemas") or {}
        self.hoisted: dict[str, tuple[str, Any]] = {}
        self.taken = {class_name(name) for name in self.components}
        self.renamed: list[str] = []  # naming hook: warnings for names renamed away from reserved ones

    # -- schemas and annotations -------------------------------------------------------------

    def model_for(self, schema: Any, pointer: str, name_hint: str) -> str:
        """The models name that stands for ``schema``: its component's, or a hoisted one."""
        if isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
            match = SCHEMA_REF.match(schema["$ref"])
            if match and match.group(1).replace("~1", "/").replace("~0", "~") in self.components:
                return class_name(match.group(1).replace("~1", "/").replace("~0", "~"))
            if not schema["$ref"].startswith("#/"):
                raise UnsupportedError(pointer, f"external reference {schema['$ref']!r} is not supported")
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
            match = SCHEMA_REF.match(ref)
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
        operation_id = text(raw.get("operationId")) or f"{method}_{path}"
        name = snake_name(operation_id)
        prefix = class_name(name)
        path_item = self.spec.resolve(self.document["paths"][path])
        reasons = Reasons()
        empty: dict[str, tuple[Argument, ...]] = {"path": (), "query": (), "header": ()}
        parameters = reasons.attempt(lambda: build_parameters(self, pointer, path_item, raw, prefix), empty)
        body = reasons.attempt(lambda: build_body(self, pointer, raw, prefix), None)
        no_responses: tuple[Response, ...] = ()
        no_security: tuple[tuple[str, str], ...] = ()
        responses = reasons.attempt(lambda: build_responses(self, pointer, raw, prefix), no_responses)
        security = reasons.attempt(lambda: build_security(self, pointer, raw), no_security)
        wait = reasons.attempt(lambda: self.wait(pointer, raw), None)
        result = reasons.attempt(lambda: self.result(pointer, raw), None)
        if reasons.found:
            raise UnsupportedOperationError(reasons.found)
        parameters, body = distinct_names(parameters, body)
        for argument in (
            *(arg for group in parameters.values() for arg in group),
            *(body.fields if body else ()),
        ):
            if snake_name(argument.wire_name) in reserved_argument_names():  # naming hook
                what = f"{argument.location} argument {argument.wire_name!r}"
                self.renamed.append(self.renamed_note(pointer, what, argument.name))
        idempotent = method in _IDEMPOTENT_METHODS
        if isinstance(raw.get("x-idempotent"), bool):
            idempotent = raw["x-idempotent"]
        return Operation(
            name=name,
            operation_id=operation_id,
            method=method.upper(),
            path=path,
            summary=text(raw.get("summary")),
            description=text(raw.get("description")),
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
            result=result,
        )

    def renamed_note(self, pointer: str, what: str, new_name: str) -> str:
        where = str(self.spec.problem(pointer, "")).rstrip(": ")
        return f"{where}: {what} takes one of the generated package's own names; it is {new_name} in Python"

    def object_properties(self, schema: Any) -> tuple[dict[str, Any], set[str]]:
        """Properties and required names of an object schema, through ``allOf``."""
        properties: dict[str, Any] = {}
        required: set[str] = set()
        if not isinstance(schema, Mapping):
            return properties, required
        for part in schema.get("allOf") or []:
            part_properties, part_required = self.object_properties(self.spec.resolve(part))
            properties.update(part_properties)
            required |= part_required
        properties.update(schema.get("properties") or {})
        required |= set(schema.get("required") or [])
        return properties, required

    def description(self, schema: Any) -> str:
        if not isinstance(schema, Mapping):
            return ""
        return text(schema.get("description")) or text(self.spec.resolve(schema).get("description"))

    def wait(self, pointer: str, raw: Mapping[str, Any]) -> Wait | None:
        declared = raw.get("x-wait")
        if declared is None:
            return None
        where = f"{pointer}/x-wait"
        if not isinstance(declared, Mapping):
            raise UnsupportedError(where, "x-wait must be a mapping")
        missing = [key for key in ("name", "status-field", "success", "failure") if key not in declared]
        if missing:
            raise UnsupportedError(where, f"x-wait lacks {', '.join(missing)}")
        name = str(declared["name"])
        if not name.isidentifier():
            raise UnsupportedError(f"{where}/name", f"{name!r} is not a Python identifier")
        if name in reserved_method_names():  # naming hook
            name = unreserved(name, reserved_method_names())
            self.renamed.append(self.renamed_note(f"{where}/name", f"x-wait name {declared['name']!r}", name))
        return Wait(
            name=name,
            status_field=str(declared["status-field"]),
            success=tuple(str(value) for value in declared["success"]),
            failure=tuple(str(value) for value in declared["failure"]),
            error_code_field=declared.get("error-code-field"),
            error_message_field=declared.get("error-message-field"),
        )

    def result(self, pointer: str, raw: Mapping[str, Any]) -> Result | None:
        declared = raw.get("x-result")
        if declared is None:
            return None
        where = f"{pointer}/x-result"
        if not isinstance(declared, Mapping) or not isinstance(declared.get("field"), str):
            raise UnsupportedError(where, "x-result must be a mapping with a 'field' string")
        name = str(declared.get("name", "result_urls"))
        if not name.isidentifier():
            raise UnsupportedError(f"{where}/name", f"{name!r} is not a Python identifier")
        url_field = declared.get("url-field")
        if url_field is not None and not isinstance(url_field, str):
            raise UnsupportedError(f"{where}/url-field", "url-field must be a string")
        return Result(name=name, field=declared["field"], url_field=url_field)

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
                if is_json(media_type):
                    for name, (_where, value) in named_examples(self.spec, media, pointer).items():
                        request.setdefault(name, {})["body"] = value
                        summaries[name] = text(self.spec.resolve(media["examples"][name]).get("summary"))
                    break
        pairs = []
        for status, item in (raw.get("responses") or {}).items():
            response = self.spec.resolve(item)
            for media_type, media in (response.get("content") or {}).items():
                if not is_json(media_type):
                    continue
                for name, (_where, value) in named_examples(self.spec, media, pointer).items():
                    if name not in request or not str(status).isdigit():
                        continue
                    side = request[name]
                    summary = summaries.get(name) or text(
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
    renamed_classes = _class_names_checked(spec)  # naming hook
    builder = Builder(spec, package)
    builder.renamed += renamed_classes
    operations: list[Operation] = []
    skipped: list[Problem] = []
    names: dict[str, str] = {}
    waits = {unreserved(name, reserved_method_names()) for name in _wait_names(spec)}
    reserved = reserved_method_names() | waits  # naming hook
    for pointer, path, method, raw in iter_operations(spec):
        if exclude and pointer in exclude:
            skipped.extend(exclude[pointer])
            continue
        try:
            operation = builder.operation(pointer, path, method, raw)
        except UnsupportedOperationError as reasons:
            skipped.extend(spec.problem(reason.pointer, reason.message) for reason in reasons.reasons)
            continue
        if operation.name in reserved:  # naming hook
            new_name = unreserved(operation.name, reserved)
            builder.renamed.append(
                builder.renamed_note(pointer, f"operation {operation.operation_id!r}", new_name)
            )
            operation = replace(operation, name=new_name)
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
        title=text(info.get("title")) or package,
        description=text(info.get("description")),
        version=text(str(info.get("version", "0"))) or "0",
        package=package,
        server_url=_server_url(document),
        api_key_env=str(settings.get("api-key-env") or f"{prefix}_API_KEY"),
        base_url_env=str(settings.get("base-url-env") or f"{prefix}_BASE_URL"),
        log_env=str(settings.get("log-env") or _log_env(str(settings.get("api-key-env") or ""), prefix)),
        requires_api_key=has_security,
        operations=tuple(operations),
        spec_sha256=spec.sha256,
        hoisted=builder.hoisted,
        skipped=tuple(skipped),
        renamed=tuple(builder.renamed),
    )


def _log_env(api_key_env: str, prefix: str) -> str:
    """``SINANCODE_API_KEY`` -> ``SINANCODE_LOG``: the same prefix as the key's variable."""
    if api_key_env.endswith("_API_KEY"):
        return api_key_env.removesuffix("_API_KEY") + "_LOG"
    return f"{prefix}_LOG"


def _wait_names(spec: Spec) -> set[str]:
    """The ``x-wait`` helpers' names: the methods they become are the client's own."""
    waits = (raw.get("x-wait") for *_, raw in iter_operations(spec))
    return {str(wait["name"]) for wait in waits if isinstance(wait, Mapping) and "name" in wait}


def _class_names_checked(spec: Spec) -> list[str]:
    """Warnings for schemas renamed away from the package's own names. Two schema names that
    become one Python name (``pet-info``, ``PetInfo``) are refused: one model for both would
    silently merge them, and any renaming would depend on the spec's order."""
    schemas = (spec.document.get("components") or {}).get("schemas") or {}
    by_class: dict[str, list[str]] = {}
    warnings = []
    for name in schemas:
        by_class.setdefault(class_name(str(name)), []).append(str(name))
        if is_reserved_class_name(str(name)):
            where = str(spec.problem(f"/components/schemas/{escape_pointer(str(name))}", "")).rstrip(": ")
            warnings.append(
                f"{where}: schema {name!r} takes one of the generated package's own names; "
                f"its model is {class_name(str(name))}"
            )
    problems = [
        spec.problem(
            f"/components/schemas/{escape_pointer(names[1])}",
            f"schema names {', '.join(repr(name) for name in names)} all become the Python name {python}; rename one",
        )
        for python, names in by_class.items()
        if len(names) > 1
    ]
    if problems:
        raise GenerationError(str(spec.path), problems)
    return warnings
