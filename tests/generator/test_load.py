"""Reading and loading specs: exact values, YAML 1.2, every place located, bounded work."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from generator.cli import build
from generator.load import load_spec
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
    models = result.files["exact_client/models.py"]
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
