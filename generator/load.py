"""Stage 1: read the OpenAPI document (``read.py``), check its references and schemas, validate
it and lint its examples.

Problems are collected and returned as values (``Problem``) so that one run reports all of
them with their places, instead of stopping at the first one with a traceback.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import sys
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .problems import GenerationError, Problem
from .read import ReadError, escape_pointer, on_deep_stack, read_document

# openapi-spec-validator and jsonschema (about 30 MiB of imports) are imported by the functions
# that validate, on first use: reading a spec and the later stages do without them, and
# ``cli.build`` validates in a child process so that they never share memory with
# datamodel-code-generator's.
if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from openapi_schema_validator import OAS30Validator, OAS31Validator
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from openapi_spec_validator.validation import keywords
    from referencing import Registry

__all__ = [
    "HTTP_METHODS",
    "Spec",
    "escape_pointer",
    "iter_operations",
    "lint",
    "load_spec",
    "named_examples",
    "ref_target",
    "validate",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SPEC_URI = "urn:openapi-document"


@dataclass
class Spec:
    """A loaded document: its data, where it came from, and the line of every node."""

    path: Path
    document: dict[str, Any]
    sha256: str
    lines: MutableMapping[str, int] = field(default_factory=dict)

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
        document, lines = read_document(text, is_json=path.suffix.lower() == ".json")
    except ReadError as error:
        raise GenerationError(str(path), [error.problem]) from None
    if not isinstance(document, dict):
        raise GenerationError(str(path), [Problem("", "the document is not a mapping", 1)])
    return Spec(path, document, hashlib.sha256(raw).hexdigest(), lines)


# ---------------------------------------------------------------------------------------------
# Checks of our own, before openapi-spec-validator: every $ref resolves inside the document
# (nothing is ever fetched), no $ref cycle without a model in between, and every Schema Object
# uses known keywords, has a type where a field or body needs one, and is not nested past reach.

# Mappings whose keys are names chosen by the spec's author, not keywords.
_NAME_CONTAINERS = frozenset(
    {
        "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "schemas",
        "responses", "parameters", "examples", "requestBodies", "headers", "securitySchemes",
        "links", "callbacks", "pathItems", "paths", "content", "encoding", "webhooks", "variables",
        "mapping",
    }
)  # fmt: skip
# Keywords whose values are data (instances), never references or schemas.
_VALUE_KEYWORDS = frozenset({"example", "default", "const", "enum"})
SCHEMA_DEPTH_LIMIT = 100
_SCHEMA_KEYWORDS = frozenset(
    {
        # JSON Schema 2020-12 (core, applicator, validation, meta-data, format, content) and older
        "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary",
        "$comment", "$defs", "definitions", "$recursiveRef", "$recursiveAnchor",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems",
        "items", "contains", "properties", "patternProperties", "additionalProperties",
        "propertyNames", "additionalItems", "unevaluatedItems", "unevaluatedProperties",
        "dependencies", "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum",
        "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
        "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
        "dependentRequired", "title", "description", "default", "deprecated", "readOnly",
        "writeOnly", "examples", "format", "contentEncoding", "contentMediaType", "contentSchema",
        # OpenAPI's own
        "discriminator", "xml", "externalDocs", "example", "nullable",
    }
)  # fmt: skip
_ONE_SUBSCHEMA = (
    "additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema", "additionalItems",
)  # fmt: skip
_LIST_OF_SUBSCHEMAS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_DEFINING = frozenset(
    {"properties", "items", "prefixItems", "additionalProperties", "allOf", "$defs", "definitions"}
)
_MAP_OF_SUBSCHEMAS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
# A schema with none of these compiles to Any: it accepts every value.
_TYPING_KEYWORDS = frozenset(
    {"type", "$ref", "allOf", "anyOf", "oneOf", "const", "enum", "properties", "items", "prefixItems",
     "additionalProperties", "patternProperties"}
)  # fmt: skip
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _walk_document(document: Any) -> Iterator[tuple[str, str, Any, Any]]:
    """Every mapping entry that the OpenAPI structure can give a meaning, as
    ``(pointer of the mapping, key, value, key of the mapping)``; example and default values and
    ``x-`` extensions are data and are not entered. Iterative: deep documents are fine."""
    stack: list[tuple[Any, str, Any, Any]] = [(document, "", None, None)]
    while stack:
        node, pointer, key, parent_key = stack.pop()
        if isinstance(node, list):  # items of a list are not named: a list of parameters is no name container
            stack.extend((child, f"{pointer}/{index}", None, key) for index, child in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        names = key in _NAME_CONTAINERS
        for child_key, child in node.items():
            yield pointer, child_key, child, key
            if not names and isinstance(child_key, str):
                data = child_key in _VALUE_KEYWORDS or child_key.startswith("x-")
                if data or (child_key == "value" and parent_key == "examples"):
                    continue
                if child_key == "examples" and isinstance(child, list):
                    continue
            stack.append((child, f"{pointer}/{escape_pointer(child_key)}", child_key, key))


def _lookup(document: Any, ref: str) -> tuple[Any, str | None]:
    """The target of a local ``$ref`` and None, or None and why it has none."""
    if not ref.startswith("#/"):
        return None, "is not a pointer into this document (it should start with '#/')"
    for raw in ref[2:].split("/"):
        if re.search(r"~[^01]|~$", unquote(raw)):
            return None, f"has a malformed escape in {raw!r} (only ~0 and ~1 are allowed)"
    target = document
    walked = "#"
    for raw in ref[2:].split("/"):
        token = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict):
            key: Any = token
            if key not in target and token.isdigit() and int(token) in target:
                key = int(token)  # YAML read `200:` as a number
            if key not in target:
                names = [str(name) for name in target]
                close = difflib.get_close_matches(token, names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                return None, f"points nowhere: {walked} has no {token!r}{hint}"
            target = target[key]
        elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
            target = target[int(token)]
        else:
            return None, f"points nowhere: {walked} has no {token!r}"
        walked += f"/{raw}"
    return target, None


def _reference_problem(spec: Spec, ref: Any, pointer: str) -> Problem | None:
    if not isinstance(ref, str):
        return spec.problem(pointer, f"$ref must be a string, not {type(ref).__name__}")
    shown = ref if len(ref) <= 120 else ref[:117] + "..."
    base = ref.partition("#")[0]
    if _URI_SCHEME.match(base) or base.startswith("//"):
        return spec.problem(
            pointer,
            f"remote $ref {shown!r} is refused: generating never reaches the network "
            "(copy the target into this document's components)",
        )
    if base:
        return spec.problem(
            pointer,
            f"$ref {shown!r} names another file: only references inside this document "
            "('#/components/...') are supported",
        )
    _target, why = _lookup(spec.document, ref)
    return spec.problem(pointer, f"$ref {shown!r} {why}") if why else None


def _edges(schema: Any) -> list[str]:
    """The local $refs that a schema *is*, with no object in between: its own $ref and those of
    its allOf/anyOf/oneOf members. A cycle of these can never be a model."""
    if not isinstance(schema, dict):
        return []
    refs = [schema["$ref"]] if isinstance(schema.get("$ref"), str) else []
    for combinator in ("allOf", "anyOf", "oneOf"):
        members = schema.get(combinator)
        for member in members if isinstance(members, list) else ():
            if isinstance(member, dict) and isinstance(member.get("$ref"), str):
                refs.append(member["$ref"])
    return [ref for ref in refs if ref.startswith("#/")]


def check_references(spec: Spec) -> list[Problem]:
    """Every ``$ref`` resolves inside the document; remote and file references are refused."""
    problems: list[Problem] = []
    sites: list[tuple[str, str]] = []
    for pointer, key, value, _parent in _walk_document(spec.document):
        if key != "$ref":
            continue
        at = f"{pointer}/$ref"
        problem = _reference_problem(spec, value, at)
        if problem is not None:
            problems.append(problem)
        else:
            sites.append((at, value))
    # Cycles through $refs alone (or combinators of them): A -> B -> A.
    explored: set[str] = set()
    for _at, ref in sites:
        path: list[str] = []
        stack: list[tuple[str, int]] = [(ref, 0)]
        while stack:
            current, depth = stack.pop()
            del path[depth:]
            if current in path:
                cycle = [*path[path.index(current) :], current]
                chain = " -> ".join(cycle)
                message = f"$ref cycle with no object in between, so no model can stand for it: {chain}"
                problems.append(spec.problem(cycle[0][1:], message))
                continue
            if current in explored:
                continue
            explored.add(current)
            path.append(current)
            target, _why = _lookup(spec.document, current)
            stack.extend((step, depth + 1) for step in reversed(_edges(target)))
    return problems


def _schema_roots(spec: Spec) -> tuple[list[tuple[str, Any]], set[str]]:
    """``(pointer, schema)`` of each Schema Object that the document holds outside other schemas,
    and the pointers of the request bodies' schemas: one walk of the document for both."""
    roots: list[tuple[str, Any]] = []
    bodies: set[str] = set()
    for pointer, key, value, parent in _walk_document(spec.document):
        if key == "schema" and parent not in _NAME_CONTAINERS and not pointer.endswith("/properties"):
            roots.append((f"{pointer}/schema", value))
        elif parent == "components" and key == "schemas" and isinstance(value, dict):
            for name, schema in value.items():
                roots.append((f"{pointer}/schemas/{escape_pointer(name)}", schema))
        if key == "requestBody" and isinstance(value, dict):
            for media_type in value.get("content") or {}:
                bodies.add(f"{pointer}/requestBody/content/{escape_pointer(media_type)}/schema")
    return roots, bodies


def check_schemas(spec: Spec, roots: tuple[list[tuple[str, Any]], set[str]] | None = None) -> list[Problem]:
    """Unknown keywords (with a suggestion), fields and bodies typed ``Any``, and schemas nested
    deeper than the later stages can follow. The first two are ``warning`` problems: a lenient
    run may ignore the keyword or type the field loosely. ``roots``: ``_schema_roots(spec)``."""
    problems: list[Problem] = []
    schema_roots, bodies = roots or _schema_roots(spec)
    for root_pointer, root in schema_roots:
        stack: list[tuple[str, Any, int, bool, bool]] = [
            (root_pointer, root, 0, root_pointer in bodies, True)
        ]
        while stack:
            # ``defines``: the schema says what a value is, so its properties need types; below
            # if/then/else, not, anyOf/oneOf and the like, schemas only add rules to those.
            pointer, schema, depth, needs_type, defines = stack.pop()
            if needs_type and (
                schema is True or (isinstance(schema, dict) and not _TYPING_KEYWORDS & set(schema))
            ):
                what = "request body" if pointer in bodies else "property"
                message = (
                    f"this {what} has no type, $ref, allOf/anyOf/oneOf, const or enum: "
                    "it would accept any value (Any)"
                )
                problems.append(replace(spec.problem(pointer, message), warning=True))
            if not isinstance(schema, dict) or ("$ref" in schema and len(schema) == 1):
                continue
            if depth > SCHEMA_DEPTH_LIMIT:
                message = f"schemas nest deeper than {SCHEMA_DEPTH_LIMIT} levels here"
                problems.append(spec.problem(pointer, message))
                continue
            for keyword in schema:
                if (
                    isinstance(keyword, str)
                    and keyword not in _SCHEMA_KEYWORDS
                    and not keyword.startswith("x-")
                ):
                    close = difflib.get_close_matches(keyword, _SCHEMA_KEYWORDS, n=1, cutoff=0.7)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    where = f"{pointer}/{escape_pointer(keyword)}"
                    problems.append(
                        replace(spec.problem(where, f"unknown keyword {keyword!r}{hint}"), warning=True)
                    )
            children: list[tuple[str, Any, int, bool, bool]] = []
            for keyword in _ONE_SUBSCHEMA:
                if isinstance(schema.get(keyword), dict | bool):
                    children.append(
                        (
                            f"{pointer}/{keyword}",
                            schema[keyword],
                            depth + 1,
                            False,
                            defines and keyword in _DEFINING,
                        )
                    )
            for keyword in _LIST_OF_SUBSCHEMAS:
                if isinstance(schema.get(keyword), list):
                    children += [
                        (
                            f"{pointer}/{keyword}/{index}",
                            child,
                            depth + 1,
                            False,
                            defines and keyword in _DEFINING,
                        )
                        for index, child in enumerate(schema[keyword])
                    ]
            for keyword in _MAP_OF_SUBSCHEMAS:
                if isinstance(schema.get(keyword), dict):
                    children += [
                        (
                            f"{pointer}/{keyword}/{escape_pointer(name)}",
                            child,
                            depth + 1,
                            defines and keyword == "properties",
                            defines and keyword in _DEFINING,
                        )
                        for name, child in schema[keyword].items()
                    ]
            stack.extend(reversed(children))
    return problems


def _import_validators() -> None:
    """openapi-spec-validator and openapi-schema-validator, imported without ``requests``.

    Their jsonschema-path imports ``requests`` when it is installed (an optional extra of
    jsonschema-path, installed here by the test tools) to fetch remote references, which this
    generator refuses (see ``_NO_FETCHING``): without it, jsonschema-path uses urllib, as it
    does in an environment with the generator's dependencies only. ``requests`` and urllib3
    were a fifth of the validators' import, the longest part of validating a small spec."""
    if "jsonschema_path" in sys.modules or "requests" in sys.modules:
        return  # imported already: nothing to save
    sys.modules["requests"] = None  # type: ignore[assignment]  # `import requests` raises ImportError
    try:
        import openapi_schema_validator  # noqa: F401, PLC0415 - see the imports
        import openapi_spec_validator  # noqa: F401, PLC0415
    finally:
        if "requests" in sys.modules and sys.modules["requests"] is None:
            del sys.modules["requests"]


def _refuse_to_fetch(uri: str) -> Any:
    raise ValueError(f"{uri} is outside the document: generating never reaches the network or other files")


_NO_FETCHING: Any = {scheme: _refuse_to_fetch for scheme in ("<all_urls>", "http", "https", "file")}


# Meta-checking every Schema Object with jsonschema is most of the time of validation (a large
# spec: seconds). jsonschema_rs answers "valid or not" in a fraction of it; jsonschema still
# checks every schema that jsonschema_rs does not certainly pass, so the messages and the
# verdicts stay jsonschema's own.
_QUICK_DEPTH = 64  # deeper schemas go to jsonschema, on its deep stack
_quick_validators: dict[int, tuple[Any, Any]] = {}


def _quick_meta_valid(meta_schema: Any, schema: Any, format_checker: Any) -> bool:
    """True only when ``schema`` certainly passes the meta-check against ``meta_schema`` with
    ``format_checker``: jsonschema_rs finds it valid (formats aside) and each of its regular
    expressions passes the checker's ``regex`` format, the only format the dialects' schemas use
    that jsonschema checks. False means: ask jsonschema."""
    if not isinstance(schema, dict):
        return False  # boolean schemas: not allowed in 3.0, rare in 3.1
    patterns: list[Any] = []
    stack: list[tuple[Any, int]] = [(schema, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _QUICK_DEPTH:
            return False
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.append(node["pattern"])
            if isinstance(node.get("patternProperties"), dict):
                patterns += list(node["patternProperties"])
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    try:
        entry = _quick_validators.get(id(meta_schema))
        if entry is None:
            import jsonschema_rs  # noqa: PLC0415 - only validation needs it
            from openapi_schema_validator._specifications import (  # noqa: PLC0415 - see the imports
                REGISTRY as OPENAPI_SPECIFICATIONS,
            )

            registry = jsonschema_rs.Registry(
                [(uri, OPENAPI_SPECIFICATIONS[uri].contents) for uri in OPENAPI_SPECIFICATIONS]
            )
            validator = jsonschema_rs.validator_for(meta_schema, registry=registry, validate_formats=False)
            entry = _quick_validators[id(meta_schema)] = (meta_schema, validator)
        if not entry[1].is_valid(schema):
            return False
    except Exception:  # a value jsonschema_rs cannot take: jsonschema decides
        return False
    return all(format_checker.conforms(pattern, "regex") for pattern in patterns)


def _located(base: type[keywords.SchemaValidator]) -> type[keywords.SchemaValidator]:
    """A schema checker whose errors are marked as about a Schema Object's own keywords."""

    class Located(base):  # type: ignore[valid-type,misc]
        def _quick_target(self, schema: Any, schema_value: Any) -> tuple[Any, Any] | None:
            """The meta-schema and format checker that the library would use on this schema."""
            if hasattr(self, "_get_validator_class_for_dialect"):  # 3.1: per dialect
                try:
                    dialect = self._get_schema_dialect_id(schema, schema_value)
                    validator_class = self._get_validator_class_for_dialect(dialect)
                except Exception:  # the library says why, below
                    return None
                if validator_class is None:
                    return None
                return validator_class.META_SCHEMA, self.schema_validator_format_checker
            return self.schema_validator_cls.META_SCHEMA, self.schema_validator_cls.FORMAT_CHECKER

        def _validate_schema_meta(self, schema: Any, schema_value: Any) -> Any:
            target = self._quick_target(schema, schema_value)
            if target is not None and _quick_meta_valid(target[0], schema_value, target[1]):
                return None
            error = super()._validate_schema_meta(schema, schema_value)
            if error is not None:
                error.seedance_schema = schema_value
            return error

    return Located


@functools.cache
def _spec_validators() -> tuple[type[OpenAPIV30SpecValidator], type[OpenAPIV31SpecValidator]]:
    """openapi-spec-validator's validators for 3.0 and 3.1, located and never fetching."""
    from openapi_spec_validator import (  # noqa: PLC0415 - see the imports
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )
    from openapi_spec_validator.validation import keywords  # noqa: PLC0415

    class _SpecValidator30(OpenAPIV30SpecValidator):
        resolver_handlers = _NO_FETCHING
        keyword_validators = {  # noqa: RUF012 - the library's own form
            **OpenAPIV30SpecValidator.keyword_validators,
            "schema": _located(keywords.OpenAPIV30SchemaValidator),
        }

    class _SpecValidator31(OpenAPIV31SpecValidator):
        resolver_handlers = _NO_FETCHING
        keyword_validators = {  # noqa: RUF012 - the library's own form
            **OpenAPIV31SpecValidator.keyword_validators,
            "schema": _located(keywords.OpenAPIV31SchemaValidator),
        }

    return _SpecValidator30, _SpecValidator31


def validate(spec: Spec) -> list[Problem]:
    """Our own checks of references and schemas, then openapi-spec-validator (3.0 and 3.1)."""
    version = spec.version
    if not version.startswith(("3.0", "3.1")):
        shown = version or "no 'openapi' field"
        return [spec.problem("/openapi", f"OpenAPI {shown} is not supported: use 3.0.x or 3.1.x")]
    problems = check_references(spec)
    if problems:  # the validator would follow them (and knows nothing of where they stand)
        return problems
    roots = _schema_roots(spec)
    problems = check_schemas(spec, roots)
    _import_validators()
    from openapi_schema_validator import OAS30Validator, OAS31Validator  # noqa: PLC0415 - see the imports

    validator_30, validator_31 = _spec_validators()
    validator_class = validator_30 if version.startswith("3.0") else validator_31
    validator = validator_class(spec.document)
    try:
        found, failed = on_deep_stack(lambda: _validator_problems(spec, validator))
    except Exception as error:
        found, failed = [_failure(error)], []
    # openapi-spec-validator meta-checks the Schema Objects it reaches (not request bodies), and
    # says only the first mistake of each, relative to it: each schema it did not reach, or
    # found wrong, is checked here again with every mistake at the document's pointer.
    checked = set(
        getattr(validator.keyword_validators_registry["schema"], "meta_checked_schema_ids", None) or ()
    )
    meta = OAS30Validator if validator_class is validator_30 else OAS31Validator
    unchecked = [(pointer, schema) for pointer, schema in roots[0] if id(schema) not in checked]
    for schema in failed:
        pointer = _find_object(spec.document, schema)
        if pointer is not None and all(root is not schema for _, root in unchecked):
            unchecked.append((pointer, schema))
    problems += _deep_call(lambda: _meta_problems(spec, meta, unchecked))
    said = {problem.pointer for problem in problems}
    for problem in sorted(found, key=_in_document_order):
        # A 3.0 document's own schema refuses unknown keywords too, in vaguer words.
        unknown = any(
            f"{problem.pointer}/{escape_pointer(name)}" in said for name in _quoted(problem.message)
        )
        if problem not in problems and problem.pointer not in said and not unknown:
            problems.append(problem)
    return problems


def _meta_problems(
    spec: Spec, validator_class: type[OAS30Validator | OAS31Validator], roots: list[tuple[str, Any]]
) -> list[Problem]:
    """Schema Objects checked against the OpenAPI schema dialect, every error located."""
    from jsonschema.validators import validator_for  # noqa: PLC0415 - see the imports
    from openapi_schema_validator._specifications import REGISTRY as OPENAPI_SPECIFICATIONS  # noqa: PLC0415

    meta_schema = validator_class.META_SCHEMA
    dialect = validator_for(meta_schema, default=validator_class)
    # The format checker too, as openapi-spec-validator has it: a `pattern` must be a regex.
    checker = dialect(meta_schema, registry=OPENAPI_SPECIFICATIONS, format_checker=dialect.FORMAT_CHECKER)
    problems: list[Problem] = []
    for root_pointer, schema in roots:
        if _quick_meta_valid(meta_schema, schema, dialect.FORMAT_CHECKER):
            continue
        found = []
        for error in checker.iter_errors(schema):
            where = "".join(f"/{escape_pointer(part)}" for part in error.absolute_path)
            found.append(spec.problem(f"{root_pointer}{where}", _said(error)))
        for problem in sorted(found, key=_in_document_order):
            if problem not in problems:
                problems.append(problem)
    return problems


def _in_document_order(problem: Problem) -> tuple[int, str, str]:
    """The validators' own order follows sets: it changed with the hash seed between runs."""
    return problem.line or 0, problem.pointer, problem.message


def _quoted(message: str) -> list[str]:
    """The names in jsonschema's "Additional properties are not allowed ('typ' was unexpected)"."""
    return re.findall(r"'([^']*)'", message) if "unexpected" in message else []


def _validator_problems(
    spec: Spec, validator: OpenAPIV30SpecValidator | OpenAPIV31SpecValidator
) -> tuple[list[Problem], list[Any]]:
    """The validator's problems, located, and the Schema Objects that it found wrong."""
    problems: list[Problem] = []
    failed: list[Any] = []
    for error in validator.iter_errors():
        pointer = "".join(f"/{escape_pointer(part)}" for part in error.path)
        if hasattr(error, "seedance_schema"):
            failed.append(error.seedance_schema)  # said again by _meta_problems, located
            continue
        if not pointer or pointer not in spec.lines:
            # Defaults are checked apart from the document too; the objects are still the document's.
            if isinstance(error.instance, dict | list):
                found = _find_object(spec.document, error.instance)
                pointer = found if found is not None else pointer
            elif not pointer and isinstance(error.schema, dict):
                found = _find_object(spec.document, error.schema)
                pointer = f"{found}/default" if found is not None else pointer
        problem = spec.problem(pointer, _said(error))
        if problem not in problems:
            problems.append(problem)
    return problems, failed


def _said(error: ValidationError) -> str:
    """jsonschema's message, unless the value it quotes makes it long: then the rule alone."""
    message = error.message.splitlines()[0]
    if len(message) <= 200:
        return message
    return f"the value (not shown: {len(message)} characters) fails {error.validator!r}: {error.validator_value!r}"[
        :300
    ]


def _deep_call(work: Callable[[], list[Problem]]) -> list[Problem]:
    """``work``'s problems, computed on a deep stack; a failure of the library is one problem."""
    try:
        return on_deep_stack(work)
    except Exception as error:
        return [_failure(error)]


def _failure(error: Exception) -> Problem:
    if isinstance(error, RecursionError):
        return Problem("", "the document is nested too deeply to validate")
    first = (str(error).splitlines() or [type(error).__name__])[0][:200]
    return Problem("", f"the spec cannot be validated: {first}")


def _find_object(document: Any, target: object) -> str | None:
    """The pointer of the object ``target`` (by identity) in the document, in document order."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, pointer = stack.pop()
        if node is target:
            return pointer
        children: Any = (
            node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        )
        stack.extend((child, f"{pointer}/{escape_pointer(key)}") for key, child in reversed(list(children)))
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
        _import_validators()
        from openapi_schema_validator import OAS30Validator, OAS31Validator  # noqa: PLC0415 - see the imports
        from referencing import Registry, Resource  # noqa: PLC0415
        from referencing.jsonschema import DRAFT202012  # noqa: PLC0415

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
            # The library's message can hold the whole document: its first line is enough.
            said = (str(failure).splitlines() or [type(failure).__name__])[0][:200]
            return [self.spec.problem(value_pointer, f"cannot check this example: {said}")]
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
    the contract tests and the shipped mocks. jsonschema recurses with the example's depth.
    """
    return _deep_call(lambda: _lint(spec))


def _lint(spec: Spec) -> list[Problem]:
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
            content_pointer = ref_target(operation.get("requestBody"), f"{pointer}/requestBody") + "/content"
            for schema_pointer, media_pointer, examples, single in _media_examples(
                spec, body.get("content"), content_pointer
            ):
                for name, (value_pointer, value) in examples.items():
                    request_names.add(name)
                    problems += checker.check(schema_pointer, value, value_pointer)
                if single is not None:
                    problems += checker.check(schema_pointer, single, f"{media_pointer}/example")
        for status, response in (operation.get("responses") or {}).items():
            response_pointer = ref_target(response, f"{pointer}/responses/{escape_pointer(status)}")
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


def ref_target(value: Any, pointer: str) -> str:
    """The pointer of what ``value`` stands for: its ``$ref`` target when it is a local reference."""
    if isinstance(value, Mapping) and isinstance(value.get("$ref"), str) and value["$ref"].startswith("#/"):
        return str(value["$ref"][1:])
    return pointer


def _schema_pointer(spec: Spec, parameter: Any, pointer: str) -> str:
    return ref_target(parameter, pointer) + "/schema"
