"""Stage 1: read the OpenAPI document, keep line numbers, validate it and lint its examples.

Problems are collected and returned as values (``Problem``) so that one run reports all of
them with their places, instead of stopping at the first one with a traceback.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

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


# ---------------------------------------------------------------------------------------------
# Reading. JSON goes through the json module (exact numbers and escapes) and a small scan for the
# line of every key; YAML is composed into nodes by PyYAML (libyaml when present) and built here
# with YAML 1.2's core schema, so `yes` stays a string and `1e-05` is a float. Building the
# values ourselves lets us bound alias expansion and walk deep documents without recursion.

# Aliases may add at most this many nodes, or as many as the document has itself, if more.
ALIAS_EXPANSION_LIMIT = 100_000
# Deeper documents are refused at load: every later stage may then walk them recursively.
DEPTH_LIMIT = 1000

_PLAIN_TAG = "tag:seedance-codegen,2026:plain"
_YAML_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_DECIMAL = re.compile(r"[-+]?[0-9]+")
_OCTAL = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INFINITY = re.compile(r"([-+]?)\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


class _LoadError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _composer() -> type[Any]:
    """A PyYAML loader that tags every untagged plain scalar, leaving its meaning to us."""
    base: type[Any] = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

    class Composer(base):  # type: ignore[misc]
        yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {None: [(_PLAIN_TAG, re.compile(""))]}

    return Composer


def _plain_scalar(text: str) -> Any:
    """A plain (unquoted) scalar by the YAML 1.2 core schema."""
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _DECIMAL.fullmatch(text):
        return int(text)
    if _OCTAL.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    infinity = _INFINITY.fullmatch(text)
    if infinity:
        return float(f"{infinity.group(1)}inf")
    if _NAN.fullmatch(text):
        return math.nan
    return text


def _scalar(node: yaml.ScalarNode, pointer: str) -> Any:
    tag = node.tag
    if tag == _PLAIN_TAG:
        return _plain_scalar(node.value)
    if tag in (f"{_YAML_TAG}str", "!"):
        return node.value
    kind = tag.removeprefix(_YAML_TAG)
    if kind in ("int", "float", "bool", "null"):
        value = _plain_scalar(node.value)
        if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value).__name__ == {"null": "NoneType"}.get(kind, kind):
            return value
        raise _LoadError(
            Problem(pointer, f"{node.value!r} is not a valid !!{kind}", node.start_mark.line + 1)
        )
    raise _LoadError(Problem(pointer, f"unsupported YAML tag {tag}", node.start_mark.line + 1))


def _build_yaml(root: yaml.Node) -> tuple[Any, dict[str, int]]:
    """The document's values and the line of every pointer, without recursion, aliases bounded.

    A mapping's entry is reported at its key's line (`requestBody:`), not where its value starts.
    Every occurrence of an alias is built afresh (nothing downstream sees shared objects), and
    counted: past the limit the document is refused instead of filling the memory.
    """
    distinct: set[int] = set()
    merges: dict[int, list[Any]] = {}
    lines: dict[str, int] = {}
    built: list[Any] = [None]
    # Work items: (node, pointer, line, container, key) -> built value goes to container[key].
    stack: list[tuple[yaml.Node, str, int, Any, Any, int]] = [
        (root, "", root.start_mark.line + 1, built, 0, 0)
    ]
    count = 0
    while stack:
        node, pointer, line, container, key, depth = stack.pop()
        count += 1
        if depth > DEPTH_LIMIT:
            raise _LoadError(Problem(pointer[:200] + "...", _too_deep(), line))
        if id(node) not in distinct:
            distinct.add(id(node))
        elif count - len(distinct) > max(ALIAS_EXPANSION_LIMIT, len(distinct)):
            message = (
                f"YAML aliases expand past {max(ALIAS_EXPANSION_LIMIT, len(distinct)):,} nodes "
                "(an alias bomb or a recursive alias?): refusing to expand them"
            )
            raise _LoadError(Problem(pointer, message, node.start_mark.line + 1))
        lines[pointer] = line
        if isinstance(node, yaml.ScalarNode):
            value: Any = _scalar(node, pointer)
        elif isinstance(node, yaml.SequenceNode):
            if node.tag not in (_PLAIN_TAG, f"{_YAML_TAG}seq"):
                raise _LoadError(Problem(pointer, f"unsupported YAML tag {node.tag}", line))
            value = [None] * len(node.value)
            for index in reversed(range(len(node.value))):
                child = node.value[index]
                stack.append(
                    (child, f"{pointer}/{index}", child.start_mark.line + 1, value, index, depth + 1)
                )
        elif isinstance(node, yaml.MappingNode):
            if node.tag not in (_PLAIN_TAG, f"{_YAML_TAG}map"):
                raise _LoadError(Problem(pointer, f"unsupported YAML tag {node.tag}", line))
            value = {}
            work: list[tuple[yaml.Node, str, int, Any, Any, int]] = []
            for key_node, child in _merged(node.value, pointer, merges):
                if not isinstance(key_node, yaml.ScalarNode):
                    where = key_node.start_mark.line + 1
                    raise _LoadError(Problem(pointer, "a mapping key must be a scalar", where))
                name = _scalar(key_node, pointer)
                if isinstance(name, float | type(None)):
                    name = key_node.value
                value[name] = None  # the document's key order; the value comes when its item is done
                child_pointer = f"{pointer}/{escape_pointer(key_node.value)}"
                work.append((child, child_pointer, key_node.start_mark.line + 1, value, name, depth + 1))
            stack.extend(reversed(work))
        else:  # pragma: no cover - PyYAML makes only these three kinds
            raise _LoadError(Problem(pointer, f"unexpected YAML node {type(node).__name__}", line))
        container[key] = value
    return built[0], lines


def _too_deep() -> str:
    return f"the document nests deeper than {DEPTH_LIMIT} levels here (a recursive alias?)"


def _merged(
    entries: list[tuple[yaml.Node, yaml.Node]], pointer: str, memo: dict[int, list[Any]], depth: int = 0
) -> list[tuple[yaml.Node, yaml.Node]]:
    """A mapping's entries with ``<<`` merge keys applied (own entries win), each key once."""
    merged: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
    own: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, child in entries:
        is_merge = isinstance(key_node, yaml.ScalarNode) and (
            key_node.tag == f"{_YAML_TAG}merge" or (key_node.tag == _PLAIN_TAG and key_node.value == "<<")
        )
        if not is_merge:
            own.append((key_node, child))
            continue
        sources = child.value if isinstance(child, yaml.SequenceNode) else [child]
        for source in sources:
            if not isinstance(source, yaml.MappingNode) or depth > 100:
                message = "a '<<' merge key takes a mapping or a list of mappings, not nested this deep"
                raise _LoadError(Problem(pointer, message, key_node.start_mark.line + 1))
            if id(source) not in memo:
                memo[id(source)] = _merged(source.value, pointer, memo, depth + 1)
            for entry in memo[id(source)]:
                merged.setdefault(getattr(entry[0], "value", None), entry)
    return list(merged.values()) + own


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def _json_lines(text: str) -> dict[str, int]:
    """The line of every pointer of a JSON text that ``json.loads`` accepted (keys at their line)."""
    lines: dict[str, int] = {}
    # One frame per open container: [pointer, is_object, next index, pending key pointer].
    frames: list[list[Any]] = []
    line = 1
    position = 0
    expect_key = False
    for match in _JSON_TOKEN.finditer(text):
        start = match.start()
        line += text.count("\n", position, start)
        position = start
        lexeme = match.group()
        if lexeme in (",", ":"):
            if lexeme == "," and frames and frames[-1][1]:
                expect_key = True
            continue
        if lexeme in ("}", "]"):
            frames.pop()
            expect_key = False
            continue
        if expect_key:
            key = json.loads(lexeme)
            frames[-1][3] = f"{frames[-1][0]}/{escape_pointer(key)}"
            lines[frames[-1][3]] = line
            expect_key = False
            continue
        # A value starts here.
        if not frames:
            pointer = ""
            lines[pointer] = line
        elif frames[-1][1]:
            pointer = frames[-1][3]
        else:
            pointer = f"{frames[-1][0]}/{frames[-1][2]}"
            frames[-1][2] += 1
            lines[pointer] = line
        if lexeme in ("{", "["):
            if len(frames) >= DEPTH_LIMIT:
                raise _LoadError(Problem(pointer[:200] + "...", _too_deep(), line))
            frames.append([pointer, lexeme == "{", 0, ""])
            expect_key = lexeme == "{"
    return lines


def load_spec(path: Path) -> Spec:
    """Read a YAML or JSON document. Raises ``GenerationError`` when it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise GenerationError(str(path), [Problem("", f"cannot read the spec: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GenerationError(str(path), [Problem("", f"not UTF-8 text: {error.reason}")]) from None
    try:
        document, lines = _read(text, is_json=path.suffix.lower() == ".json")
    except _LoadError as error:
        raise GenerationError(str(path), [error.problem]) from None
    if not isinstance(document, dict):
        raise GenerationError(str(path), [Problem("", "the document is not a mapping", 1)])
    return Spec(path, document, hashlib.sha256(raw).hexdigest(), lines)


def _read(text: str, *, is_json: bool) -> tuple[Any, dict[str, int]]:
    if is_json or text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            if is_json:
                raise _LoadError(Problem("", f"not valid JSON: {error.msg}", error.lineno)) from None
        except RecursionError:
            _json_lines(text)  # says where the document is too deep
            raise _LoadError(Problem("", _too_deep(), 1)) from None
        else:
            return document, _json_lines(text)
    try:
        node = yaml.compose(text, Loader=_composer())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        raise _LoadError(Problem("", f"not valid YAML: {reason}", line)) from None
    except RecursionError:  # only PyYAML's pure-Python composer recurses (no libyaml)
        raise _LoadError(Problem("", _too_deep(), 1)) from None
    if node is None:
        return None, {}
    return _build_yaml(node)


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
