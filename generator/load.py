"""Stage 1: read the OpenAPI document, keep line numbers, validate it and lint its examples.

Problems are collected and returned as values (``Problem``) so that one run reports all of
them with their places, instead of stopping at the first one with a traceback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .problems import GenerationError, Problem

__all__ = [
    "HTTP_METHODS",
    "Spec",
    "escape_pointer",
    "iter_operations",
    "lint",
    "load_spec",
    "named_examples",
    "validate",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SPEC_URI = "urn:openapi-document"


def escape_pointer(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


@dataclass
class Spec:
    """A loaded document: its data, where it came from, and the line of every node."""

    path: Path
    document: dict[str, Any]
    sha256: str
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.document.get("openapi", self.document.get("swagger", "")))

    def problem(self, pointer: str, message: str) -> Problem:
        """A problem at ``pointer``, with the line of the nearest node that has one."""
        probe = pointer
        while probe and probe not in self.lines:
            probe = probe.rpartition("/")[0]
        return Problem(pointer, message, self.lines.get(probe))

    def resolve(self, value: Any) -> Any:
        """Follow a local ``$ref`` (``#/components/...``) to what it names; other values pass."""
        seen: set[str] = set()
        while isinstance(value, Mapping) and isinstance(value.get("$ref"), str):
            ref = value["$ref"]
            if not ref.startswith("#/") or ref in seen:
                return value
            seen.add(ref)
            target: Any = self.document
            for token in ref[2:].split("/"):
                token = token.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, Mapping) or token not in target:
                    return value
                target = target[token]
            value = target
        return value


def _record_lines(node: yaml.Node, pointer: str, lines: dict[str, int], line: int | None = None) -> None:
    # A mapping's entry is reported at its key's line (`requestBody:`), not where its value starts.
    lines[pointer] = line if line is not None else node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, child in node.value:
            _record_lines(child, f"{pointer}/{escape_pointer(key.value)}", lines, key.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _record_lines(child, f"{pointer}/{index}", lines)


def load_spec(path: Path) -> Spec:
    """Read a YAML or JSON document. Raises ``GenerationError`` when it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise GenerationError(str(path), [Problem("", f"cannot read the spec: {error.strerror}")]) from None
    try:
        loader = yaml.SafeLoader(raw.decode("utf-8"))
        try:
            node = loader.get_single_node()
            document = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError as error:
        raise GenerationError(str(path), [Problem("", f"not UTF-8 text: {error.reason}")]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        raise GenerationError(str(path), [Problem("", f"not valid YAML: {reason}", line)]) from None
    if not isinstance(document, dict):
        raise GenerationError(str(path), [Problem("", "the document is not a mapping", 1)])
    lines: dict[str, int] = {}
    assert node is not None
    _record_lines(node, "", lines)
    return Spec(path, document, hashlib.sha256(raw).hexdigest(), lines)


def validate(spec: Spec) -> list[Problem]:
    """Structural validation with openapi-spec-validator (3.0 and 3.1 documents)."""
    version = spec.version
    validator: OpenAPIV30SpecValidator | OpenAPIV31SpecValidator
    if version.startswith("3.0"):
        validator = OpenAPIV30SpecValidator(spec.document)
    elif version.startswith("3.1"):
        validator = OpenAPIV31SpecValidator(spec.document)
    else:
        shown = version or "no 'openapi' field"
        return [spec.problem("/openapi", f"OpenAPI {shown} is not supported: use 3.0.x or 3.1.x")]
    problems: list[Problem] = []
    for error in validator.iter_errors():
        pointer = "".join(f"/{escape_pointer(part)}" for part in error.path)
        if not pointer or pointer not in spec.lines:
            # Schemas (and their defaults) are checked apart from the document, so the error's
            # path is relative to the schema; the objects themselves are still the document's.
            if isinstance(error.instance, dict | list):
                found = _find_object(spec.document, error.instance, "")
                pointer = found if found is not None else pointer
            elif not pointer and isinstance(error.schema, dict):
                found = _find_object(spec.document, error.schema, "")
                pointer = f"{found}/default" if found is not None else pointer
        problem = spec.problem(pointer, error.message.splitlines()[0])
        if problem not in problems:
            problems.append(problem)
    return problems


def _find_object(node: Any, target: object, pointer: str) -> str | None:
    if node is target:
        return pointer
    children: Any = (
        node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    )
    for key, child in children:
        found = _find_object(child, target, f"{pointer}/{escape_pointer(key)}")
        if found is not None:
            return found
    return None


def iter_operations(spec: Spec) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Yield ``(pointer, path, method, operation)`` in document order."""
    for path, item in (spec.document.get("paths") or {}).items():
        item = spec.resolve(item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield f"/paths/{escape_pointer(path)}/{method}", path, method, operation


def named_examples(spec: Spec, media_or_parameter: Any, pointer: str) -> dict[str, tuple[str, Any]]:
    """The ``examples`` of a media type or parameter object: name -> (pointer, value)."""
    found: dict[str, tuple[str, Any]] = {}
    container = spec.resolve(media_or_parameter)
    if not isinstance(container, Mapping):
        return found
    for name, example in (container.get("examples") or {}).items():
        example = spec.resolve(example)
        if isinstance(example, Mapping) and "value" in example:
            found[str(name)] = (f"{pointer}/examples/{escape_pointer(name)}/value", example["value"])
    return found


class _ExampleChecker:
    """Validates example values against schemas, with ``$ref`` resolved in the whole document."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        resource = Resource.from_contents(spec.document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self.validator_class = OAS30Validator if spec.version.startswith("3.0") else OAS31Validator

    def check(self, schema_pointer: str, value: Any, value_pointer: str) -> list[Problem]:
        validator = self.validator_class({"$ref": f"{_SPEC_URI}#{schema_pointer}"}, registry=self.registry)
        problems = []
        try:
            errors: list[ValidationError] = list(validator.iter_errors(value))
        except Exception as failure:  # an unresolvable $ref or a malformed schema
            return [self.spec.problem(value_pointer, f"cannot check this example: {failure}")]
        for error in errors:
            where = "".join(f"/{escape_pointer(part)}" for part in error.absolute_path)
            message = f"example does not match its schema at {where or '/'}: {error.message}"
            problems.append(self.spec.problem(value_pointer, message))
        return problems


def _media_examples(
    spec: Spec, content: Any, pointer: str
) -> Iterator[tuple[str, str, dict[str, tuple[str, Any]], Any]]:
    """Per JSON media type: (schema pointer, media pointer, named examples, single example)."""
    for media_type, media in (spec.resolve(content) or {}).items():
        media_pointer = f"{pointer}/{escape_pointer(media_type)}"
        media = spec.resolve(media)
        if not isinstance(media, Mapping) or "schema" not in media:
            continue
        schema_pointer = f"{media_pointer}/schema"
        single = media.get("example")
        yield schema_pointer, media_pointer, named_examples(spec, media, media_pointer), single


def lint(spec: Spec) -> list[Problem]:
    """Examples against their schemas, and request/response example names that pair up.

    openapi-spec-validator does not check examples, so a wrong example would otherwise reach
    the contract tests and the shipped mocks.
    """
    checker = _ExampleChecker(spec)
    problems: list[Problem] = []
    for pointer, _path, _method, operation in iter_operations(spec):
        request_names: set[str] = set()
        response_names: set[str] = set()
        for index, parameter in enumerate(operation.get("parameters") or []):
            parameter_pointer = f"{pointer}/parameters/{index}"
            resolved = spec.resolve(parameter)
            if not isinstance(resolved, Mapping) or "schema" not in resolved:
                continue
            schema_pointer = _schema_pointer(spec, parameter, parameter_pointer)
            for name, (value_pointer, value) in named_examples(spec, parameter, parameter_pointer).items():
                request_names.add(name)
                problems += checker.check(schema_pointer, value, value_pointer)
        body = spec.resolve(operation.get("requestBody"))
        if isinstance(body, Mapping):
            content_pointer = _ref_target(operation.get("requestBody"), f"{pointer}/requestBody") + "/content"
            for schema_pointer, media_pointer, examples, single in _media_examples(
                spec, body.get("content"), content_pointer
            ):
                for name, (value_pointer, value) in examples.items():
                    request_names.add(name)
                    problems += checker.check(schema_pointer, value, value_pointer)
                if single is not None:
                    problems += checker.check(schema_pointer, single, f"{media_pointer}/example")
        for status, response in (operation.get("responses") or {}).items():
            response_pointer = _ref_target(response, f"{pointer}/responses/{escape_pointer(status)}")
            resolved = spec.resolve(response)
            if not isinstance(resolved, Mapping):
                continue
            for schema_pointer, media_pointer, examples, single in _media_examples(
                spec, resolved.get("content"), f"{response_pointer}/content"
            ):
                for name, (value_pointer, value) in examples.items():
                    response_names.add(name)
                    problems += checker.check(schema_pointer, value, value_pointer)
                if single is not None:
                    problems += checker.check(schema_pointer, single, f"{media_pointer}/example")
        if request_names and response_names:
            for name in sorted(request_names - response_names):
                problems.append(spec.problem(pointer, f"request example {name!r} has no response example"))
            for name in sorted(response_names - request_names):
                problems.append(spec.problem(pointer, f"response example {name!r} has no request example"))
    return problems


def _ref_target(value: Any, pointer: str) -> str:
    """The pointer of what ``value`` stands for: its ``$ref`` target when it is a local reference."""
    if isinstance(value, Mapping) and isinstance(value.get("$ref"), str) and value["$ref"].startswith("#/"):
        return str(value["$ref"][1:])
    return pointer


def _schema_pointer(spec: Spec, parameter: Any, pointer: str) -> str:
    return _ref_target(parameter, pointer) + "/schema"
