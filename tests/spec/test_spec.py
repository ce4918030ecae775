"""Checks of spec/openapi.yaml: structure, documented facts, examples and invalid bodies.

Examples are validated with JSON Schema Draft 2020-12; ``$ref`` is resolved through a
``referencing`` registry that holds the whole spec document under ``urn:spec``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from docs_facts import ENUMS as DOCS_ENUMS
from docs_facts import FIELDS as DOCS_FIELDS
from docs_facts import OPERATIONS as DOCS_OPERATIONS
from docs_facts import PAIRS as DOCS_PAIRS
from invalid_bodies import INVALID_CASES, MINIMAL_BODIES
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests import fast_yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"
SPEC: dict[str, Any] = fast_yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
SPEC_URI = "urn:spec"
REGISTRY = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(SPEC))
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# jsonschema only checks "uri" when the optional rfc3987 package is installed. This
# deliberately small check needs nothing extra: a scheme, something after it, and none
# of the characters that RFC 3986 never allows in a URI. It is enough to reject the
# documentation's "<string>" placeholders while leaving presigned URLs alone.
FORMATS = FormatChecker(formats=())


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return (
        re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme) is not None
        and bool(parts.netloc or parts.path)
        and re.search(r'[\s<>"{}|\\^`]', value) is None
    )


# ----------------------------------------------------------------------------- helpers


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def validator(pointer: str, *, formats: bool = True) -> Draft202012Validator:
    """A validator for the schema found at ``pointer`` inside the spec."""
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=REGISTRY,
        format_checker=FORMATS if formats else None,
    )


def errors(pointer: str, instance: Any, *, formats: bool = True) -> list[str]:
    found = validator(pointer, formats=formats).iter_errors(instance)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in found]


def operations() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(operationId, method, path, operation) for every operation."""
    for path, item in SPEC["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield item[method]["operationId"], method, path, item[method]


# operationId -> (JSON pointer of the operation, operation)
OPERATIONS = {op_id: (f"/paths/{escape(path)}/{method}", op) for op_id, method, path, op in operations()}
PATH_OF = {op_id: path for op_id, _, path, _ in operations()}


def parameters(op_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(pointer, parameter) for the operation's parameters, path-level ones included."""
    pointer, op = OPERATIONS[op_id]
    path = PATH_OF[op_id]
    found = {
        (p["name"], p["in"]): (f"{pointer}/parameters/{i}", p) for i, p in enumerate(op.get("parameters", []))
    }
    for i, p in enumerate(SPEC["paths"][path].get("parameters", [])):
        found.setdefault((p["name"], p["in"]), (f"/paths/{escape(path)}/parameters/{i}", p))
    return list(found.values())


def media_types(container: dict[str, Any], pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for media, content in container.get("content", {}).items():
        yield f"{pointer}/content/{escape(media)}", content


def named_examples(op_id: str) -> Iterator[tuple[str, str, str, Any]]:
    """(side, where, example name, example object) of every named example of an operation.

    side is "request" (body or parameter) or "response".
    """
    pointer, op = OPERATIONS[op_id]
    if "requestBody" in op:
        for media_pointer, content in media_types(op["requestBody"], f"{pointer}/requestBody"):
            for name, example in content.get("examples", {}).items():
                yield "request", f"{media_pointer}/schema", name, example
    for param_pointer, param in parameters(op_id):
        for name, example in param.get("examples", {}).items():
            yield "request", f"{param_pointer}/schema", name, example
    for status, response in op["responses"].items():
        for media_pointer, content in media_types(response, f"{pointer}/responses/{escape(status)}"):
            for name, example in content.get("examples", {}).items():
                yield "response", f"{media_pointer}/schema", name, example


SUBSCHEMA = ("items", "not", "if", "then", "else", "additionalProperties", "contains", "propertyNames")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs")


def walk_schema(schema: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for key in SUBSCHEMA:
        yield from walk_schema(schema.get(key), f"{pointer}/{key}")
    for key in SUBSCHEMA_LISTS:
        for i, sub in enumerate(schema.get(key, [])):
            yield from walk_schema(sub, f"{pointer}/{key}/{i}")
    for key in SUBSCHEMA_MAPS:
        for name, sub in schema.get(key, {}).items():
            yield from walk_schema(sub, f"{pointer}/{key}/{escape(name)}")


def all_schemas() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, schema in SCHEMAS.items():
        yield from walk_schema(schema, f"/components/schemas/{escape(name)}")
    for op_id, (pointer, op) in OPERATIONS.items():
        for param_pointer, param in parameters(op_id):
            yield from walk_schema(param.get("schema"), f"{param_pointer}/schema")
        if "requestBody" in op:
            for media_pointer, content in media_types(op["requestBody"], f"{pointer}/requestBody"):
                yield from walk_schema(content.get("schema"), f"{media_pointer}/schema")
        for status, response in op["responses"].items():
            for media_pointer, content in media_types(response, f"{pointer}/responses/{escape(status)}"):
                yield from walk_schema(content.get("schema"), f"{media_pointer}/schema")


def example_cases() -> list[Any]:
    """Every example and default of the spec, with the schema pointer it must satisfy."""
    cases = []
    for op_id in OPERATIONS:
        for side, schema_pointer, name, example in named_examples(op_id):
            cases.append(pytest.param(schema_pointer, example["value"], id=f"{op_id}:{side}:{name}"))
    for pointer, schema in all_schemas():
        label = pointer.removeprefix("/components/schemas/")
        for i, value in enumerate(schema.get("examples", [])):
            cases.append(pytest.param(pointer, value, id=f"{label}:examples[{i}]"))
        if "default" in schema:
            cases.append(pytest.param(pointer, schema["default"], id=f"{label}:default"))
    return cases


# --------------------------------------------------------------- document and metadata


def test_spec_is_valid_openapi() -> None:
    validate(SPEC)


def test_root_metadata() -> None:
    assert SPEC["openapi"] == "3.1.0"
    assert SPEC["info"]["title"] == "Sinancode video generation API"
    # info.version is the package's version: it moves with the spec, so it is not pinned here.
    assert isinstance(SPEC["info"]["version"], str) and SPEC["info"]["version"].strip()
    assert SPEC["info"]["description"].strip()
    assert SPEC["servers"] == [{"url": "https://api.sinancode.com/v1"}]
    assert SPEC["security"] == [{"bearerAuth": []}]
    scheme = SPEC["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert SPEC["x-client"] == {"api-key-env": "SINANCODE_API_KEY", "base-url-env": "SINANCODE_BASE_URL"}


def test_operation_ids_methods_and_paths() -> None:
    found = {op_id: (method, path) for op_id, method, path, _ in operations()}
    assert found == {op_id: (method, path) for op_id, (method, path, _, _) in DOCS_OPERATIONS.items()}


@pytest.mark.parametrize("op_id", DOCS_OPERATIONS)
def test_operation_shape(op_id: str) -> None:
    _, op = OPERATIONS[op_id]
    _, _, request_schema, response_schema = DOCS_OPERATIONS[op_id]
    assert op["summary"].strip() and op["description"].strip()
    assert "security" not in op, "the top-level security applies to every operation"
    if request_schema is None:
        assert "requestBody" not in op
    else:
        body = op["requestBody"]
        assert body["required"] is True
        assert list(body["content"]) == ["application/json"]
        assert body["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{request_schema}"
        }
    # Error bodies are undocumented: the spec claims no non-2xx response.
    assert list(op["responses"]) == ["200"]
    content = op["responses"]["200"]["content"]
    assert list(content) == ["application/json"]
    assert content["application/json"]["schema"] == {"$ref": f"#/components/schemas/{response_schema}"}


def test_get_task_parameter_and_wait_extension() -> None:
    _, op = OPERATIONS["get_task"]
    [(_, param)] = parameters("get_task")
    assert (param["name"], param["in"], param["required"], param["schema"]) == (
        "id",
        "path",
        True,
        {"type": "string"},
    )
    assert param["description"].strip()
    assert op["x-wait"] == {
        "name": "wait_for_task",
        "status-field": "status",
        "success": ["completed"],
        "failure": ["failed"],
        "error-code-field": "error_code",
        "error-message-field": "error_msg",
    }
    task = SCHEMAS["Task"]["properties"]
    assert {"status", "error_code", "error_msg"} <= set(task), "x-wait names fields of Task"


# ----------------------------------------------------------------- documented schemas
# The facts come from tests/spec/docs_facts.py; these helpers describe the spec in its notation.


def describe_type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rpartition("/")[2]
    if "type" not in schema and "anyOf" in schema:
        return "|".join(describe_type(branch) for branch in schema["anyOf"])
    if schema.get("type") == "array":
        return describe_type(schema.get("items", {})) + "[]"
    if schema.get("format") == "uri":
        return "uri"
    return str(schema.get("type", "?"))


def _span(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f" {low}..{high}"
    return f"<={high}" if high is not None else f">={low}" if low is not None else ""


def describe_limits(schema: dict[str, Any]) -> str:
    parts = []
    if "minLength" in schema or "maxLength" in schema:
        parts.append("len" + _span(schema.get("minLength"), schema.get("maxLength")))
    if "minItems" in schema or "maxItems" in schema:
        parts.append("items" + _span(schema.get("minItems"), schema.get("maxItems")))
    if "minimum" in schema or "maximum" in schema:
        parts.append(_span(schema.get("minimum"), schema.get("maximum")).strip())
    if "type" in schema and "anyOf" in schema:
        parts.append(
            "|".join(
                json.dumps(branch["const"]) if "const" in branch else describe_limits(branch)
                for branch in schema["anyOf"]
            )
        )
    return " ".join(parts) or "-"


def describe_field(schema_name: str, field: str) -> tuple[str, str, str, bool]:
    """A row of docs_facts.FIELDS, read from the spec."""
    schema = SCHEMAS[schema_name]
    definition = schema["properties"][field]
    default = json.dumps(definition["default"], ensure_ascii=False) if "default" in definition else "-"
    required = field in schema.get("required", [])
    return describe_type(definition), describe_limits(definition), default, required


def test_component_schema_names() -> None:
    assert set(SCHEMAS) == set(DOCS_ENUMS) | set(DOCS_FIELDS)


@pytest.mark.parametrize("name", DOCS_ENUMS)
def test_enum_schema(name: str) -> None:
    schema = SCHEMAS[name]
    # An open enum (TaskStatus) lists its documented values in its first anyOf branch.
    values_schema = schema["anyOf"][0] if "anyOf" in schema else schema
    assert values_schema["type"] == "string"
    assert values_schema["enum"] == DOCS_ENUMS[name]
    assert schema["description"].strip()
    assert "default" not in schema, "defaults sit on the properties that use the enum"


@pytest.mark.parametrize("name", DOCS_FIELDS)
def test_object_schema_fields_match_the_docs_table(name: str) -> None:
    schema = SCHEMAS[name]
    assert schema["type"] == "object"
    assert schema["description"].strip()
    assert list(schema["properties"]) == list(DOCS_FIELDS[name]), "fields and their order"
    found = {field: describe_field(name, field) for field in schema["properties"]}
    assert found == DOCS_FIELDS[name]
    assert list(schema.get("required", [])) == [field for field, row in DOCS_FIELDS[name].items() if row[3]]
    # Requests refuse unknown fields; answers accept the ones the server adds later.
    is_request = name in {request for _, _, request, _ in DOCS_OPERATIONS.values()}
    assert schema["additionalProperties"] is (not is_request)
    for prop, definition in schema["properties"].items():
        assert isinstance(definition.get("description"), str) and definition["description"].strip(), prop
        assert isinstance(definition.get("examples"), list) and definition["examples"], prop


def test_task_status_is_an_open_enum() -> None:
    schema = SCHEMAS["TaskStatus"]
    assert schema["anyOf"] == [{"type": "string", "enum": DOCS_ENUMS["TaskStatus"]}, {"type": "string"}]
    assert schema["description"].strip()
    assert not errors("/components/schemas/TaskStatus", "cancelled")
    assert errors("/components/schemas/TaskStatus", 3)


def test_cross_field_rules_have_the_generator_shapes() -> None:
    s20, p15 = SCHEMAS["Seedance20Request"], SCHEMAS["SeedancePro15Request"]
    assert s20["dependentRequired"] == {"last_frame": ["first_frame"]}
    assert p15["dependentRequired"] == {"last_frame": ["first_frame"]}
    assert s20["not"] == {
        "anyOf": [
            {"required": ["reference_images", "first_frame"]},
            {"required": ["reference_images", "last_frame"]},
        ]
    }
    assert p15["if"] == {"properties": {"draft": {"const": True}}, "required": ["draft"]}
    assert p15["then"] == {"properties": {"resolution": {"const": "480p"}}, "required": ["resolution"]}
    # No other rule keywords: the generator compiles exactly these shapes.
    assert not {"if", "then", "else", "allOf", "oneOf", "anyOf"} & set(s20)
    assert not {"not", "else", "allOf", "oneOf", "anyOf"} & set(p15)


def test_no_singular_example_keyword() -> None:
    def walk(node: Any, path: str) -> Iterator[str]:
        if isinstance(node, dict):
            if "example" in node:
                yield path
            for key, value in node.items():
                yield from walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{path}/{i}")

    assert list(walk(SPEC, "")) == []


# ------------------------------------------------------------------------- examples


def test_uri_format_check_is_active() -> None:
    url = "/components/schemas/TaskResultItem/properties/url"
    assert errors(url, "<string>")
    assert not errors(
        url, "https://Bucket.s3.example.com/in%20put/frame.png?X-Amz-Signature=AbC%2Fdef&X-Amz-Expires=3600"
    )


@pytest.mark.parametrize(("pointer", "value"), example_cases())
def test_example_is_valid(pointer: str, value: Any) -> None:
    assert errors(pointer, value) == []


@pytest.mark.parametrize("op_id", OPERATIONS)
def test_every_named_example_has_summary_and_value(op_id: str) -> None:
    for side, where, name, example in named_examples(op_id):
        assert "value" in example and "externalValue" not in example, (side, where, name)
        assert example.get("summary", "").strip(), (side, where, name)


@pytest.mark.parametrize("op_id", OPERATIONS)
def test_examples_pair_up_by_name(op_id: str) -> None:
    _, op = OPERATIONS[op_id]
    found = list(named_examples(op_id))
    request_names = {name for side, _, name, _ in found if side == "request"}
    response_names = [name for side, _, name, _ in found if side == "response"]
    duplicated = [name for name, count in Counter(response_names).items() if count > 1]
    assert duplicated == [], "a pair name may appear under one response only"
    assert request_names == set(response_names)
    assert request_names, "every operation needs at least one pair"
    # Each pair is a complete request: every required input has an entry under its name.
    for param_pointer, param in parameters(op_id):
        if param.get("required"):
            assert set(param.get("examples", {})) == request_names, param_pointer
    if op.get("requestBody", {}).get("required"):
        for media_pointer, content in media_types(op["requestBody"], "requestBody"):
            assert set(content.get("examples", {})) == request_names, media_pointer


def test_get_task_pairs_ask_for_the_task_they_answer() -> None:
    _, op = OPERATIONS["get_task"]
    [(_, param)] = parameters("get_task")
    responses = op["responses"]["200"]["content"]["application/json"]["examples"]
    for name, example in param["examples"].items():
        assert responses[name]["value"]["id"] == example["value"], name


def test_example_task_ids_are_distinct() -> None:
    ids = []
    for op_id in OPERATIONS:
        for side, _, _, example in named_examples(op_id):
            value = example["value"]
            if side == "response":
                ids.append(value.get("task_id", value.get("id")))
    assert None not in ids
    assert [i for i, count in Counter(ids).items() if count > 1] == []


@pytest.mark.parametrize("op_id", DOCS_PAIRS)
def test_expected_pairs_exist(op_id: str) -> None:
    assert {name for side, _, name, _ in named_examples(op_id) if side == "response"} == DOCS_PAIRS[op_id]


def test_both_result_shapes_have_examples() -> None:
    _, op = OPERATIONS["get_task"]
    examples = op["responses"]["200"]["content"]["application/json"]["examples"]
    shapes = {type(item).__name__ for e in examples.values() for item in e["value"].get("result", [])}
    assert shapes == {"str", "dict"}


# ------------------------------------------------------------------- invalid bodies


def test_invalid_case_ids_are_unique() -> None:
    assert [i for i, count in Counter(c.id for c in INVALID_CASES).items() if count > 1] == []


def test_null_cases_cover_every_optional_request_field() -> None:
    for name in MINIMAL_BODIES:
        schema = SCHEMAS[name]
        optional = set(schema["properties"]) - set(schema.get("required", []))
        nulled = {k for c in INVALID_CASES if c.schema == name for k, v in c.body.items() if v is None}
        assert nulled == optional, name


@pytest.mark.parametrize("case", INVALID_CASES, ids=[c.id for c in INVALID_CASES])
def test_invalid_body_is_rejected(case: Any) -> None:
    pointer = f"/components/schemas/{case.schema}"
    # format is not checked: every rejection must come from the structure of the body.
    assert errors(pointer, case.base, formats=False) == [], "the base body must be valid"
    assert errors(pointer, case.body, formats=False), f"accepted: {case.body!r}"
