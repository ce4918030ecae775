"""The replay bites: clients generated from broken copies of the spec fail it.

Each mutation changes one thing in a copy of spec/openapi.yaml (its named examples removed, so
that the broken copy still generates), a client package is generated from it into a temporary
folder and imported under a name of its own, and the real spec's example pairs are replayed
against it with the same ``replay`` function as test_contract_replay.py. Each mutation must make
the replay of the operations it touches fail, and only of those: a harness that failed for any
reason would otherwise look like a caught mutation. The control (no mutation) must pass.

Targets are chosen from the intermediate model and the examples (the first operation with a
body, a field that its examples use...), never by endpoint name. A changed default is not among
the mutations: the client sends only what the caller set, so a server default never shows in a
request and replay cannot see it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from replay import load_api, replay, replay_cases

from generator.ir import Operation

API = load_api()
CASES = replay_cases(API)
ALL = frozenset(operation.name for operation in API.operations)

# A mutation edits the document in place and returns (operations whose replay must fail,
# operations whose replay may fail).
Mutation = Callable[[dict[str, Any]], tuple[set[str], frozenset[str]]]


# -- finding targets ------------------------------------------------------------------------------


def _raw(document: dict[str, Any], operation: Operation) -> dict[str, Any]:
    result: dict[str, Any] = document["paths"][operation.path][operation.method.lower()]
    return result


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = document
        for token in schema["$ref"][2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        schema = target
    return schema


def _body_operation() -> Operation:
    return next(o for o in API.operations if o.body and any(p.has_body for p in o.examples))


def _body_schema(document: dict[str, Any], operation: Operation) -> dict[str, Any]:
    content = _raw(document, operation)["requestBody"]["content"]
    return _resolve(document, next(iter(content.values()))["schema"])


def _users_of(document: dict[str, Any], schema_name: str) -> frozenset[str]:
    """Operations whose request or response refers to a component schema, directly or not."""
    users = set()
    for operation in API.operations:
        if f'"#/components/schemas/{schema_name}"' in json.dumps(
            _closure(document, _raw(document, operation))
        ):
            users.add(operation.name)
    return frozenset(users)


def _closure(document: dict[str, Any], node: Any, seen: set[str] | None = None) -> list[Any]:
    seen = set() if seen is None else seen
    found = [node]
    for ref in _refs(node):
        if ref not in seen:
            seen.add(ref)
            found += _closure(document, _resolve(document, {"$ref": ref}), seen)
    return found


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _used_fields(operation: Operation) -> list[str]:
    """Body fields that the operation's examples send, most used first."""
    counts: dict[str, int] = {}
    for pair in operation.examples:
        for name in pair.body or {}:
            counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda name: -counts[name])


def _only_a_property(schema: dict[str, Any], name: str) -> bool:
    """True when ``name`` appears in the schema only as a property (and in ``required``)."""
    rest = {key: value for key, value in schema.items() if key not in ("properties", "required")}
    return f'"{name}"' not in json.dumps(rest)


def _free_fields(document: dict[str, Any], operation: Operation) -> list[str]:
    schema = _body_schema(document, operation)
    return [name for name in _used_fields(operation) if _only_a_property(schema, name)]


# -- the mutations ----------------------------------------------------------------------------------


def wrong_path(document: dict[str, Any]) -> tuple[set[str], frozenset[str]]:
    operation = API.operations[0]
    document["paths"][operation.path + "-v2"] = document["paths"].pop(operation.path)
    moved = frozenset(o.name for o in API.operations if o.path == operation.path)
    return {operation.name}, moved


def wrong_method(document: dict[str, Any]) -> tuple[set[str], frozenset[str]]:
    operation = _body_operation()
    item = document["paths"][operation.path]
    other = next(m for m in ("put", "patch", "post") if m != operation.method.lower() and m not in item)
    item[other] = item.pop(operation.method.lower())
    return {operation.name}, frozenset({operation.name})


def renamed_field(document: dict[str, Any]) -> tuple[set[str], frozenset[str]]:
    operation = _body_operation()
    schema, name = _body_schema(document, operation), _free_fields(document, operation)[0]
    schema["properties"] = {
        (f"{key}_renamed" if key == name else key): value for key, value in schema["properties"].items()
    }
    schema["required"] = [f"{key}_renamed" if key == name else key for key in schema.get("required", [])]
    return {operation.name}, frozenset({operation.name})


def dropped_field(document: dict[str, Any]) -> tuple[set[str], frozenset[str]]:
    operation = _body_operation()
    schema, name = _body_schema(document, operation), _free_fields(document, operation)[-1]
    del schema["properties"][name]
    schema["required"] = [key for key in schema.get("required", []) if key != name]
    return {operation.name}, frozenset({operation.name})


def narrowed_enum(document: dict[str, Any]) -> tuple[set[str], frozenset[str]]:
    """Drop from an enum a value that an example sends (and that is no default)."""
    for operation in API.operations:
        if not operation.body:
            continue
        properties = _body_schema(document, operation)["properties"]
        for pair in operation.examples:
            for name, value in (pair.body or {}).items():
                declared = properties.get(name, {})
                target = _resolve(document, declared)
                enum = target.get("enum")
                defaults = (declared.get("default"), target.get("default"))
                if isinstance(enum, list) and value in enum and len(enum) > 1 and value not in defaults:
                    enum.remove(value)
                    shared = declared.get("$ref", "").rsplit("/", 1)[-1]
                    return {operation.name}, _users_of(document, shared) if shared else frozenset(
                        {operation.name}
                    )
    raise AssertionError("no example sends an enum value")


def tightened_bound(document: dict[str, Any]) -> tuple[set[str], frozenset[str]]:
    """A string field's maxLength below the shortest value the examples send."""
    operation = _body_operation()
    properties = _body_schema(document, operation)["properties"]
    for name in _used_fields(operation):
        values = [p.body[name] for p in operation.examples if isinstance((p.body or {}).get(name), str)]
        if values and properties[name].get("type") == "string" and min(map(len, values)) > 1:
            properties[name]["maxLength"] = min(map(len, values)) - 1
            return {operation.name}, frozenset({operation.name})
    raise AssertionError("no example sends a string field")


def changed_type(document: dict[str, Any]) -> tuple[set[str], frozenset[str]]:
    """A boolean field becomes a string."""
    operation = _body_operation()
    properties = _body_schema(document, operation)["properties"]
    for name in _used_fields(operation):
        if properties[name].get("type") == "boolean":
            properties[name] = {"type": "string", "description": "changed type"}
            return {operation.name}, frozenset({operation.name})
    raise AssertionError("no example sends a boolean field")


def renamed_response_field(document: dict[str, Any]) -> tuple[set[str], frozenset[str]]:
    operation = API.operations[0]
    content = _raw(document, operation)["responses"][str(operation.examples[0].status)]["content"]
    declared = next(iter(content.values()))["schema"]
    schema = _resolve(document, declared)
    name = schema["required"][0]
    schema["properties"] = {
        (f"{key}_renamed" if key == name else key): value for key, value in schema["properties"].items()
    }
    schema["required"] = [f"{key}_renamed" if key == name else key for key in schema["required"]]
    shared = declared.get("$ref", "").rsplit("/", 1)[-1]
    return {operation.name}, _users_of(document, shared) if shared else frozenset({operation.name})


def wrong_server(document: dict[str, Any]) -> tuple[set[str], frozenset[str]]:
    document["servers"][0]["url"] = document["servers"][0]["url"].rstrip("/") + "/v2"
    return set(ALL), ALL


def changed_security(document: dict[str, Any]) -> tuple[set[str], frozenset[str]]:
    """Every security scheme becomes an api key in an X-API-Key header."""
    for name in document["components"]["securitySchemes"]:
        document["components"]["securitySchemes"][name] = {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
        }
    secured = {operation.name for operation in API.operations if operation.security}
    assert secured, "no operation is secured"
    return secured, frozenset(secured)


MUTATIONS: dict[str, Mutation | None] = {
    "control (no mutation)": None,
    "wrong path": wrong_path,
    "wrong method": wrong_method,
    "renamed body field": renamed_field,
    "dropped body field": dropped_field,
    "narrowed enum": narrowed_enum,
    "tightened maxLength": tightened_bound,
    "changed field type": changed_type,
    "renamed response field": renamed_response_field,
    "wrong server URL": wrong_server,
    "changed security scheme": changed_security,
}


# -- generating and replaying ---------------------------------------------------------------------


def _without_named_examples(document: dict[str, Any]) -> None:
    """The broken copy's own examples would no longer lint; the real spec's are what is replayed."""
    for item in document["paths"].values():
        for node in [item, *(v for v in item.values() if isinstance(v, dict))]:
            for parameter in node.get("parameters", []) if isinstance(node, dict) else []:
                parameter.pop("examples", None)
            for media in (node.get("requestBody") or {}).get("content", {}).values():
                media.pop("examples", None)
            for response in (node.get("responses") or {}).values():
                for media in response.get("content", {}).values():
                    media.pop("examples", None)


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_replaying_the_real_examples_catches_the_mutation(
    name, generate_package, spec_document, tmp_path
) -> None:
    document = copy.deepcopy(spec_document)
    _without_named_examples(document)
    mutation = MUTATIONS[name]
    must_fail, may_fail = mutation(document) if mutation else (set(), frozenset())
    # The broken copy is written as JSON, which the generator reads as it reads YAML: PyYAML's
    # pure-Python emitter took ~40 ms a copy, as long as the rest of the generation.
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    package = generate_package(spec)
    failures: dict[str, list[str]] = {}
    for case in CASES:
        try:
            replay(package, API, case)
        except Exception as error:  # every way a client can fail a replay counts
            line = str(error).splitlines()[0]
            failures.setdefault(case.operation.name, []).append(
                line if line.startswith(case.id) else f"{case.id}: {line}"
            )
    caught = set(failures)
    shown = "\n".join(line for lines in failures.values() for line in lines[:3])
    assert must_fail <= caught, f"{name}: not caught for {sorted(must_fail - caught)}\n{shown}"
    assert caught <= may_fail, f"{name}: operations it does not touch failed too:\n{shown}"
