"""Reading and loading specs: exact values, YAML 1.2, every place located, bounded work."""

from __future__ import annotations

import json
import math
import socket
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import validator_for
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_schema_validator._specifications import REGISTRY as OPENAPI_SPECIFICATIONS

from generator.cli import build
from generator.load import Spec, _quick_meta_valid, load_spec, validate
from generator.problems import GenerationError, Problem

SPECS = Path(__file__).parent / "specs"


def refusal(path: Path) -> GenerationError:
    with pytest.raises(GenerationError) as caught:
        load_spec(path)
    return caught.value


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def small_spec(schema: dict[str, Any]) -> dict[str, Any]:
    """One POST operation whose JSON body is ``schema``, as a dict."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Small", "version": "1.0.0"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
                    "responses": {"204": {"description": "created"}},
                }
            }
        },
    }


# --- 1. Reading: JSON with a JSON parser, YAML with YAML 1.2 semantics ------------------------


def test_json_keeps_exact_numbers_escapes_and_lines() -> None:
    spec = load_spec(SPECS / "exact.json")
    schema = spec.document["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["ratio"]["minimum"] == 1e-05
    assert isinstance(schema["properties"]["ratio"]["minimum"], float)
    assert schema["properties"]["label"]["description"] == "Launch \U0001f680 now"
    assert spec.document["info"]["title"] == json.loads((SPECS / "exact.json").read_text())["info"]["title"]
    text = (SPECS / "exact.json").read_text().splitlines()
    # Every pointer has the line of its key (or, in an array, of its item).
    for pointer in ("/info/title", "/paths/~1things/post/requestBody", "/paths/~1things/post/tags/1"):
        line = spec.lines[pointer]
        last = pointer.rpartition("/")[2].replace("~1", "/")
        assert (f'"{last}"' if not last.isdigit() else '"second"') in text[line - 1], (pointer, line)


def test_json_spec_with_exact_numbers_and_escapes_generates() -> None:
    result = build(SPECS / "exact.json", "exact_client")
    models = "".join(text for name, text in result.files.items() if name.startswith("exact_client/models/"))
    assert "1e-05" in models
    assert "\U0001f680" in models or "\\U0001f680" in models


def test_json_syntax_error_is_located(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "broken.json", '{\n  "openapi": "3.1.0",\n  "info": {,}\n}\n'))
    assert error.problems == [
        Problem("", "not valid JSON: Expecting property name enclosed in double quotes", 3)
    ]


def test_yaml_reads_by_yaml_1_2_rules(tmp_path: Path) -> None:
    text = (
        "openapi: 3.1.0\n"
        "info: {title: T, version: 1.0.0}\n"
        "x-values:\n"
        "  words: [yes, no, on, off, y, n]\n"
        "  booleans: [true, false, True, FALSE]\n"
        "  numbers: [1e-05, 1.5, 012, 0o17, 0x1F, -3, .inf, 1_000]\n"
        "  nothing: [~, null, ]\n"
        "  dates: [2024-01-02, '3']\n"
        "  merged: {<<: {a: 1, b: 2}, b: 3}\n"
    )
    values = load_spec(write(tmp_path, "spec.yaml", text)).document["x-values"]
    assert values["words"] == ["yes", "no", "on", "off", "y", "n"]
    assert values["booleans"] == [True, False, True, False]
    assert values["numbers"][:7] == [1e-05, 1.5, 12, 15, 31, -3, math.inf]
    assert values["numbers"][7] == "1_000"
    assert [type(value) for value in values["numbers"][:3]] == [float, float, int]
    assert values["nothing"] == [None, None]
    assert values["dates"] == ["2024-01-02", "3"]
    assert values["merged"] == {"a": 1, "b": 3}


def test_yaml_explicit_tags(tmp_path: Path) -> None:
    text = "openapi: 3.1.0\nx-a: !!str 12\nx-b: !!float 1\nx-c: !!int 07\n"
    document = load_spec(write(tmp_path, "spec.yaml", text)).document
    assert (document["x-a"], document["x-b"], document["x-c"]) == ("12", 1.0, 7)
    error = refusal(write(tmp_path, "bad.yaml", "openapi: 3.1.0\nx-a: !!int twelve\n"))
    assert error.problems == [Problem("/x-a", "'twelve' is not a valid !!int", 2)]
    error = refusal(write(tmp_path, "python.yaml", "openapi: 3.1.0\nx-a: !!python/name:os.system ''\n"))
    assert "unsupported YAML tag" in error.problems[0].message
    assert error.problems[0].line == 2


# --- 2. Bounded alias expansion -------------------------------------------------------------


def test_billion_laughs_is_refused_with_its_place() -> None:
    error = refusal(SPECS / "alias_bomb.yaml")
    [problem] = error.problems
    assert "aliases expand past" in problem.message
    assert problem.line is not None
    assert problem.line > 1


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "spec.yaml", "openapi: 3.1.0\nx-loop: &loop\n  again: *loop\n"))
    [problem] = error.problems
    assert "(a recursive alias?)" in problem.message
    assert problem.pointer.startswith("/x-loop/again/again/")
    assert problem.line == 3


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    text = "openapi: 3.1.0\nx-one: &one {a: [1, 2]}\nx-two: *one\nx-three: [*one, *one]\n"
    spec = load_spec(write(tmp_path, "spec.yaml", text))
    assert spec.document["x-three"] == [{"a": [1, 2]}, {"a": [1, 2]}]
    # Each occurrence is its own object: nothing downstream can change two places at once.
    assert spec.document["x-two"] is not spec.document["x-one"]
    # A place reached through an alias is reported where its text stands: at the anchor.
    assert spec.lines["/x-three/1/a/0"] == 2
    assert spec.lines["/x-three"] == 4


# --- 3. References: resolved at load, located, never fetched ----------------------------------


def refusal_of(tmp_path: Path, document: dict[str, Any]) -> list[Problem]:
    path = write(tmp_path, "spec.json", json.dumps(document, indent=1))
    spec = load_spec(path)
    return validate(spec)


def ref_spec(ref: str) -> dict[str, Any]:
    # The body refers to ``ref`` and no example uses it: it is still resolved.
    return small_spec({"type": "object", "properties": {"thing": {"$ref": ref}}})


REF_POINTER = "/paths/~1things/post/requestBody/content/application~1json/schema/properties/thing/$ref"


@pytest.mark.parametrize(
    ("ref", "said"),
    [
        (
            "#/components/schemas/Missing",
            "'#/components/schemas/Missing' points nowhere: # has no 'components'",
        ),
        (
            "https://example.com/schemas.json#/Thing",
            "remote $ref 'https://example.com/schemas.json#/Thing' is refused",
        ),
        ("http://127.0.0.1:9/x.yaml", "remote $ref 'http://127.0.0.1:9/x.yaml' is refused"),
        ("file:///etc/passwd", "remote $ref 'file:///etc/passwd' is refused"),
        ("../outside.yaml#/Thing", "$ref '../outside.yaml#/Thing' names another file"),
        ("/etc/passwd", "$ref '/etc/passwd' names another file"),
        ("#components/schemas/Thing", "is not a pointer into this document"),
        ("#/components/schemas/Bad~2", "malformed escape"),
    ],
)
def test_a_bad_ref_is_one_line_at_its_own_place(tmp_path: Path, ref: str, said: str) -> None:
    problems = refusal_of(tmp_path, ref_spec(ref))
    [problem] = problems
    assert problem.pointer == REF_POINTER
    assert said in problem.message
    text = (tmp_path / "spec.json").read_text().splitlines()
    assert problem.line is not None and '"$ref"' in text[problem.line - 1]
    assert len(str(problem)) < 400  # one line, never the document


def test_a_misspelt_ref_names_the_missing_target_and_a_suggestion(tmp_path: Path) -> None:
    document = ref_spec("#/components/schemas/Promt")
    document["components"] = {"schemas": {"Prompt": {"type": "string"}}}
    [problem] = refusal_of(tmp_path, document)
    assert problem.message == (
        "$ref '#/components/schemas/Promt' points nowhere: "
        "#/components/schemas has no 'Promt' (did you mean 'Prompt'?)"
    )


def test_generate_refuses_a_remote_ref_without_fetching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*_arguments: object, **_keywords: object) -> None:
        raise AssertionError("the generator tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    path = write(tmp_path, "spec.json", json.dumps(ref_spec("https://example.com/thing.json")))
    with pytest.raises(GenerationError) as caught:
        build(path, "remote_client")
    assert [problem.pointer for problem in caught.value.problems] == [REF_POINTER]


# --- 4. Deep documents and reference cycles --------------------------------------------------


def test_an_extension_nested_500_levels_generates(tmp_path: Path) -> None:
    document = small_spec({"type": "object", "properties": {"name": {"type": "string"}}})
    deep: Any = "bottom"
    for _ in range(500):
        deep = {"level": deep}
    document["x-deep"] = deep
    path = write(tmp_path, "deep.json", json.dumps(document))
    assert build(path, "deep_client").operations == 1


def test_seventy_nested_object_schemas_generate(tmp_path: Path) -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(70):
        schema = {"type": "object", "properties": {"inner": schema}}
    document = small_spec({"$ref": "#/components/schemas/Nested"})
    document["components"] = {"schemas": {"Nested": schema}}
    path = write(tmp_path, "nested.json", json.dumps(document))
    result = build(path, "nested_client")
    assert result.operations == 1
    models = "".join(text for name, text in result.files.items() if name.startswith("nested_client/models/"))
    assert models.count("inner: ") == 70


def test_schemas_nested_past_the_limit_are_refused_at_their_place(tmp_path: Path) -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(150):
        schema = {"type": "object", "properties": {"inner": schema}}
    problems = refusal_of(tmp_path, small_spec(schema))
    assert [problem.message for problem in problems] == ["schemas nest deeper than 100 levels here"]
    assert problems[0].pointer.count("/properties/inner") == 101
    assert problems[0].line is not None


def test_a_document_nested_past_1000_levels_is_refused_with_its_place(tmp_path: Path) -> None:
    text = '{"openapi": "3.1.0",\n "x-deep": ' + "[" * 1200 + "]" * 1200 + "}\n"
    error = refusal(write(tmp_path, "deep.json", text))
    [problem] = error.problems
    assert "nests deeper than 1000 levels" in problem.message
    assert problem.pointer.startswith("/x-deep/0/0/0")
    assert problem.line == 2


def test_a_ref_cycle_without_an_object_is_a_located_problem(tmp_path: Path) -> None:
    document = ref_spec("#/components/schemas/A")
    document["components"] = {
        "schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}]},
        }
    }
    [problem] = refusal_of(tmp_path, document)
    assert problem.message == (
        "$ref cycle with no object in between, so no model can stand for it: "
        "#/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A"
    )
    assert problem.pointer == "/components/schemas/A"
    assert problem.line is not None


def test_a_recursive_model_is_not_a_cycle(tmp_path: Path) -> None:
    document = ref_spec("#/components/schemas/Node")
    document["components"] = {
        "schemas": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
            }
        }
    }
    assert refusal_of(tmp_path, document) == []


# --- 5. Mistakes inside a schema, at the document's pointer and line -------------------------


def test_schema_mistakes_are_reported_at_the_document_place() -> None:
    spec = load_spec(SPECS / "schema_mistakes.yaml")
    problems = validate(spec)
    body = "/paths/~1things/post/requestBody/content/application~1json/schema/properties"
    assert sorted((problem.line, problem.pointer) for problem in problems) == [
        (14, f"{body}/prompt/minLength"),
        (15, f"{body}/size/type"),
        (23, "/components/schemas/Thing/properties/name/type"),
    ]
    assert sorted(problems)[1].message == "-1 is less than the minimum of 0"


# --- 6. Unknown keywords, with a suggestion ---------------------------------------------------


def test_unknown_keywords_are_problems_with_a_suggestion(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "requried": ["seed"],
        "x-internal": True,
        "properties": {"seed": {"typ": "integer", "minimum": 0}, "note": {"type": "string", "colour": "red"}},
    }
    problems = refusal_of(tmp_path, small_spec(schema))
    body = "/paths/~1things/post/requestBody/content/application~1json/schema"
    found = {
        (problem.pointer, problem.message) for problem in problems if "unknown keyword" in problem.message
    }
    assert found == {
        (f"{body}/requried", "unknown keyword 'requried' (did you mean 'required'?)"),
        (f"{body}/properties/seed/typ", "unknown keyword 'typ' (did you mean 'type'?)"),
        (f"{body}/properties/note/colour", "unknown keyword 'colour'"),
    }
    assert all(problem.warning for problem in problems if "unknown keyword" in problem.message)
    assert all(problem.line is not None for problem in problems)


def test_the_project_mode_refuses_an_unknown_keyword_and_lenient_mode_warns(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"seed": {"type": "integer", "maximun": 9}}}
    path = write(tmp_path, "spec.json", json.dumps(small_spec(schema)))
    with pytest.raises(GenerationError) as caught:
        build(path, "strict_client")
    assert "unknown keyword 'maximun' (did you mean 'maximum'?)" in str(caught.value)
    result = build(path, "lenient_client", skip_unsupported=True)
    assert result.operations == 1
    assert any("unknown keyword 'maximun'" in str(warning) for warning in result.warnings)


# --- 7. Fields and bodies that would be Any ---------------------------------------------------


def test_a_property_or_body_without_a_type_is_refused(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"anything": {"description": "no type"}, "fine": {"enum": [1, 2]}},
        # Rules under if/then only add to the fields: no type needed there.
        "if": {"properties": {"fine": {"const": 1}}},
        "then": {"properties": {"anything": {"minLength": 2}}},
    }
    problems = refusal_of(tmp_path, small_spec(schema))
    body = "/paths/~1things/post/requestBody/content/application~1json/schema"
    assert [(problem.pointer, problem.warning) for problem in problems] == [
        (f"{body}/properties/anything", True)
    ]
    assert "would accept any value (Any)" in problems[0].message
    [untyped_body] = refusal_of(tmp_path, small_spec({"description": "whatever"}))
    assert untyped_body.pointer == body
    assert untyped_body.message.startswith("this request body has no type")


def test_parameter_schemas_are_checked_and_example_values_are_data() -> None:
    problems = validate(load_spec(SPECS / "parameter_mistakes.yaml"))
    assert sorted((problem.line, problem.pointer, problem.message) for problem in problems) == [
        (
            7,
            "/paths/~1things~1{id}/parameters/0/schema/type",
            "'integr' is not valid under any of the given schemas",
        ),
        (
            13,
            "/paths/~1things~1{id}/get/parameters/0/schema/maxLenght",
            "unknown keyword 'maxLenght' (did you mean 'maxLength'?)",
        ),
    ]


def test_an_example_nested_900_levels_generates(tmp_path: Path) -> None:
    deep: Any = "bottom"
    for _ in range(900):
        deep = {"level": deep}
    schema = {"type": "object", "properties": {"blob": {"type": "object"}}}
    document = small_spec(schema)
    document["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"]["example"] = {
        "blob": deep
    }
    path = write(tmp_path, "deep.json", json.dumps(document))
    assert build(path, "deep_example_client").operations == 1


# --- Validation cost: jsonschema_rs passes Schema Objects, jsonschema still judges the rest -----

_META_CASES: list[Any] = [
    {"type": "string", "minLength": 1},
    {"type": "strin"},
    {"exclusiveMinimum": True, "minimum": 1},
    {"exclusiveMaximum": 3},
    {"type": ["string", "null"]},
    {"required": ["a", "a"]},
    {"items": [{"type": "string"}]},
    {"pattern": "("},
    {"patternProperties": {"(": {}}},
    {"properties": {"a": {"properties": {"b": {"pattern": "[a-"}}}}},
    {"minLength": -1},
    {"multipleOf": 0},
    {"properties": {"a": True}},
    {"discriminator": {"propertyName": 3}},
    {"readOnly": "yes"},
    {"additionalProperties": 3},
    {"default": {"pattern": "("}},
    {"$schema": 3},
    {"maximum": True},
    True,
]


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_the_quick_meta_check_never_passes_what_jsonschema_refuses(version: str) -> None:
    base = OAS30Validator if version == "3.0" else OAS31Validator
    dialect = validator_for(base.META_SCHEMA, default=base)
    checker = dialect(
        base.META_SCHEMA, registry=OPENAPI_SPECIFICATIONS, format_checker=dialect.FORMAT_CHECKER
    )
    quick = [_quick_meta_valid(base.META_SCHEMA, case, dialect.FORMAT_CHECKER) for case in _META_CASES]
    refused = [bool(list(checker.iter_errors(case))) for case in _META_CASES]
    assert not [case for case, passed, no in zip(_META_CASES, quick, refused, strict=True) if passed and no]
    assert quick[0], "the quick check is not in use: every schema goes to jsonschema"


def test_an_invalid_pattern_is_still_refused_at_its_place() -> None:
    spec_document = small_spec(
        {"type": "object", "properties": {"code": {"type": "string", "pattern": "[a-"}}}
    )
    spec = Spec(Path("inline.json"), spec_document, "0" * 64, {})
    problems = validate(spec)
    body = "/paths/~1things/post/requestBody/content/application~1json/schema"
    assert [problem.pointer for problem in problems] == [f"{body}/properties/code/pattern"]
    assert "regex" in problems[0].message
