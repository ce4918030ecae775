"""`diff`: every rule of the catalogue has a case of its own on a small spec, plus the command's outputs."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cli
from generator.diff import BREAKING, INFO, NON_BREAKING, RULES, Change, diff_specs, load_side
from generator.load import Spec, load_spec

Document = dict[str, Any]

BASE: Document = {
    "openapi": "3.1.0",
    "info": {"title": "Things", "version": "1.0.0"},
    "servers": [{"url": "https://api.example.com"}],
    "security": [{"bearer": []}],
    "x-client": {"api-key-env": "THINGS_KEY"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Mode": {"type": "string", "enum": ["a", "b"], "description": "The mode."},
            "Req": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "description": "The name."},
                    "mode": {"$ref": "#/components/schemas/Mode", "default": "a", "description": "Mode."},
                    "count": {"type": "integer"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "when": {"type": "string", "format": "date"},
                    "code": {"type": "string", "pattern": "^x"},
                    "duration": {"type": "integer", "anyOf": [{"const": -1}, {"minimum": 4}]},
                    "first": {"type": "string"},
                    "last": {"type": "string"},
                },
                "additionalProperties": False,
                "dependentRequired": {"last": ["first"]},
            },
            "Task": {
                "type": "object",
                "required": ["id", "status"],
                "properties": {
                    "id": {"type": "string"},
                    "status": {"type": "string", "enum": ["pending", "done", "failed"]},
                    "count": {"type": "integer", "default": 0, "description": "How many."},
                    "code": {"type": "string", "pattern": "^x"},
                    "when": {"type": "string", "format": "date"},
                    "result": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    "level": {"const": 1},
                },
            },
        },
    },
    "paths": {
        "/things": {
            "post": {
                "operationId": "create_thing",
                "summary": "Create a thing.",
                "description": "Creates a thing.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Req"},
                            "examples": {"one": {"summary": "One.", "value": {"name": "x"}}},
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Created.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Task"},
                                "examples": {
                                    "one": {"summary": "One.", "value": {"id": "1", "status": "done"}}
                                },
                            }
                        },
                    }
                },
            }
        },
        "/tasks/{id}": {
            "get": {
                "operationId": "get_task",
                "x-wait": {
                    "name": "wait_for_task",
                    "status-field": "status",
                    "success": ["done"],
                    "failure": ["failed"],
                },
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                ],
                "responses": {
                    "200": {
                        "description": "The task.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}},
                    }
                },
            }
        },
    },
}

Edit = Callable[[Document], None]


def node(document: Document, pointer: str) -> Any:
    found: Any = document
    for token in filter(None, pointer.split("/")):
        key = token.replace("~1", "/").replace("~0", "~")
        found = found[int(key)] if isinstance(found, list) else found[key]
    return found


REQ = "/components/schemas/Req"
TASK = "/components/schemas/Task"
CREATE = "/paths/~1things/post"
GET = "/paths/~1tasks~1{id}/get"


def set_at(pointer: str, key: str, value: Any) -> Edit:
    return lambda document: node(document, pointer).__setitem__(key, value)


def delete_at(pointer: str, key: str) -> Edit:
    return lambda document: node(document, pointer).__delitem__(key)


def edits(*steps: Edit) -> Edit:
    def apply(document: Document) -> None:
        for step in steps:
            step(document)

    return apply


def rename_operation(document: Document) -> None:
    document["paths"]["/objects"] = document["paths"].pop("/things")


def move_to_put(document: Document) -> None:
    item = document["paths"]["/things"]
    item["put"] = item.pop("post")


# rule -> (edit of both specs before the change, or None; the change, applied to the new spec)
CASES: dict[str, tuple[Edit | None, Edit]] = {
    "operation-removed": (None, delete_at("/paths", "/tasks/{id}")),
    "operation-path-changed": (None, rename_operation),
    "operation-method-changed": (None, move_to_put),
    "operation-id-changed": (None, set_at(CREATE, "operationId", "make_thing")),
    "operation-added": (
        None,
        set_at("/paths", "/others", {"get": {"operationId": "list_others", "responses": {}}}),
    ),
    "operation-summary-changed": (None, set_at(CREATE, "summary", "Make a thing.")),
    "operation-description-changed": (None, set_at(CREATE, "description", "Makes a thing.")),
    "operation-example-added": (
        None,
        set_at(f"{CREATE}/requestBody/content/application~1json/examples", "two", {"value": {"name": "y"}}),
    ),
    "operation-example-removed": (
        None,
        delete_at(f"{CREATE}/requestBody/content/application~1json/examples", "one"),
    ),
    "operation-example-changed": (
        None,
        set_at(f"{CREATE}/requestBody/content/application~1json/examples/one", "value", {"name": "z"}),
    ),
    "wait-helper-removed": (None, delete_at(GET, "x-wait")),
    "wait-helper-added": (
        delete_at(GET, "x-wait"),
        set_at(GET, "x-wait", {"name": "poll", "status-field": "status"}),
    ),
    "wait-statuses-changed": (None, set_at(f"{GET}/x-wait", "success", ["done", "pending"])),
    "security-changed": (None, set_at(CREATE, "security", [])),
    "security-scheme-changed": (None, set_at("/components/securitySchemes/bearer", "scheme", "basic")),
    "client-env-changed": (None, set_at("/x-client", "api-key-env", "OTHER_KEY")),
    "server-url-changed": (None, set_at("", "servers", [{"url": "https://v2.example.com"}])),
    "request-parameter-removed": (None, lambda document: node(document, f"{GET}/parameters").pop()),
    "new-required-request-parameter": (
        None,
        lambda document: node(document, f"{GET}/parameters").append(
            {"name": "h", "in": "header", "required": True, "schema": {"type": "string"}}
        ),
    ),
    "new-optional-request-parameter": (
        None,
        lambda document: node(document, f"{GET}/parameters").append(
            {"name": "fields", "in": "query", "schema": {"type": "string"}}
        ),
    ),
    "request-parameter-became-required": (None, set_at(f"{GET}/parameters/1", "required", True)),
    "request-parameter-became-optional": (
        set_at(f"{GET}/parameters/1", "required", True),
        set_at(f"{GET}/parameters/1", "required", False),
    ),
    "request-body-removed": (None, delete_at(CREATE, "requestBody")),
    "request-body-added": (
        None,
        set_at(GET, "requestBody", {"content": {"application/json": {"schema": {"type": "object"}}}}),
    ),
    "new-required-request-body": (
        None,
        set_at(GET, "requestBody", {"required": True, "content": {"application/json": {"schema": {}}}}),
    ),
    "request-body-became-required": (
        set_at(f"{CREATE}/requestBody", "required", False),
        set_at(f"{CREATE}/requestBody", "required", True),
    ),
    "request-body-became-optional": (None, set_at(f"{CREATE}/requestBody", "required", False)),
    "request-body-media-type-removed": (
        set_at(f"{CREATE}/requestBody/content", "text/plain", {"schema": {"type": "string"}}),
        delete_at(f"{CREATE}/requestBody/content", "text/plain"),
    ),
    "request-body-media-type-added": (
        None,
        set_at(f"{CREATE}/requestBody/content", "text/plain", {"schema": {"type": "string"}}),
    ),
    "request-body-rule-added": (
        None,
        set_at(REQ, "not", {"required": ["first", "tags"]}),
    ),
    "request-body-rule-changed": (None, set_at(f"{REQ}/dependentRequired", "last", ["first", "tags"])),
    "request-body-rule-removed": (None, delete_at(REQ, "dependentRequired")),
    "request-property-removed": (None, delete_at(f"{REQ}/properties", "tags")),
    "request-property-renamed": (
        None,
        edits(
            delete_at(f"{REQ}/properties", "count"),
            set_at(f"{REQ}/properties", "amount", {"type": "integer"}),
        ),
    ),
    "new-required-request-property": (
        None,
        edits(
            set_at(f"{REQ}/properties", "owner", {"type": "string"}),
            set_at(REQ, "required", ["name", "owner"]),
        ),
    ),
    "new-optional-request-property": (None, set_at(f"{REQ}/properties", "seed", {"type": "integer"})),
    "request-property-became-required": (None, set_at(REQ, "required", ["name", "count"])),
    "request-property-became-optional": (None, set_at(REQ, "required", [])),
    "request-property-type-changed": (None, set_at(f"{REQ}/properties/count", "type", "string")),
    "request-property-type-generalized": (None, set_at(f"{REQ}/properties/count", "type", "number")),
    "request-property-format-changed": (None, set_at(f"{REQ}/properties/when", "format", "date-time")),
    "request-property-pattern-changed": (None, set_at(f"{REQ}/properties/code", "pattern", "^y")),
    "request-property-enum-value-removed": (None, set_at("/components/schemas/Mode", "enum", ["a"])),
    "request-property-enum-value-added": (None, set_at("/components/schemas/Mode", "enum", ["a", "b", "c"])),
    "request-property-enum-set": (None, set_at(f"{REQ}/properties/name", "enum", ["x", "y"])),
    "request-property-enum-unset": (
        set_at(f"{REQ}/properties/name", "enum", ["x", "y"]),
        delete_at(f"{REQ}/properties/name", "enum"),
    ),
    "response-property-enum-set": (None, set_at(f"{TASK}/properties/id", "enum", ["x", "y"])),
    "response-property-enum-unset": (None, delete_at(f"{TASK}/properties/status", "enum")),
    "request-property-const-changed": (None, set_at(f"{REQ}/properties/duration/anyOf/0", "const", 0)),
    "request-property-any-of-removed": (None, set_at(f"{REQ}/properties/duration", "anyOf", [{"const": -1}])),
    "request-property-any-of-added": (
        None,
        set_at(f"{REQ}/properties/duration", "anyOf", [{"const": -1}, {"minimum": 4}, {"const": 0}]),
    ),
    "request-property-default-changed": (None, set_at(f"{REQ}/properties/mode", "default", "b")),
    "request-property-description-changed": (
        None,
        set_at(f"{REQ}/properties/name", "description", "A name."),
    ),
    "response-success-status-removed": (
        set_at(f"{CREATE}/responses", "201", {"description": "Created."}),
        delete_at(f"{CREATE}/responses", "201"),
    ),
    "response-success-status-added": (
        None,
        set_at(f"{CREATE}/responses", "202", {"description": "Accepted."}),
    ),
    "response-media-type-removed": (
        set_at(f"{GET}/responses/200/content", "text/plain", {"schema": {"type": "string"}}),
        delete_at(f"{GET}/responses/200/content", "text/plain"),
    ),
    "response-media-type-added": (
        None,
        set_at(f"{GET}/responses/200/content", "text/plain", {"schema": {"type": "string"}}),
    ),
    "response-property-removed": (None, delete_at(f"{TASK}/properties", "count")),
    "response-property-became-optional": (None, set_at(TASK, "required", ["id"])),
    "response-property-became-required": (None, set_at(TASK, "required", ["id", "status", "count"])),
    "response-property-added": (None, set_at(f"{TASK}/properties", "progress", {"type": "integer"})),
    "response-property-type-changed": (None, set_at(f"{TASK}/properties/count", "type", "number")),
    "response-property-format-changed": (None, set_at(f"{TASK}/properties/when", "format", "date-time")),
    "response-property-pattern-changed": (None, set_at(f"{TASK}/properties/code", "pattern", "^y")),
    # get_task has x-wait on `status`: the client matches on its values there, not in create_thing.
    "response-property-enum-value-removed": (
        None,
        set_at(f"{TASK}/properties/status", "enum", ["done", "failed"]),
    ),
    "response-property-enum-value-removed-unmatched": (
        None,
        set_at(f"{TASK}/properties/status", "enum", ["done", "failed"]),
    ),
    "response-property-enum-value-added": (
        None,
        set_at(f"{TASK}/properties/status", "enum", ["pending", "done", "failed", "cancelled"]),
    ),
    "response-property-const-changed": (None, set_at(f"{TASK}/properties/level", "const", 2)),
    "response-property-any-of-added": (
        None,
        set_at(
            f"{TASK}/properties/result", "anyOf", [{"type": "string"}, {"type": "integer"}, {"type": "null"}]
        ),
    ),
    "response-property-any-of-removed": (
        None,
        set_at(f"{TASK}/properties/result", "anyOf", [{"type": "string"}]),
    ),
    "response-property-default-changed": (None, set_at(f"{TASK}/properties/count", "default", 1)),
    "response-property-description-changed": (
        None,
        set_at(f"{TASK}/properties/count", "description", "Count."),
    ),
}

_BOUND_NAMES = {
    "max-length": "maxLength",
    "min-length": "minLength",
    "max-items": "maxItems",
    "min-items": "minItems",
    "max": "maximum",
    "min": "minimum",
    "exclusive-max": "exclusiveMaximum",
    "exclusive-min": "exclusiveMinimum",
    "max-properties": "maxProperties",
    "min-properties": "minProperties",
}
# change -> (old value, new value) of the bound; None: absent
_BOUND_CHANGES = {"increased": (10, 20), "decreased": (10, 5), "set": (None, 10), "unset": (10, None)}


def _bound_case(side: str, name: str, change: str) -> tuple[Edit | None, Edit]:
    keyword = _BOUND_NAMES[name]
    schema = f"{REQ}/properties/count" if side == "request" else f"{TASK}/properties/count"
    was, now = _BOUND_CHANGES[change]
    before = set_at(schema, keyword, was) if was is not None else None
    after = set_at(schema, keyword, now) if now is not None else delete_at(schema, keyword)
    return before, after


for _rule in RULES:
    _side, _, _rest = _rule.partition("-property-")
    for _name in _BOUND_NAMES:
        for _change in _BOUND_CHANGES:
            if _rest == f"{_name}-{_change}" and _side in ("request", "response"):
                CASES[_rule] = _bound_case(_side, _name, _change)


def spec_of(document: Document, name: str) -> Spec:
    return Spec(Path(name), document, "", {})


def changes_for(rule: str) -> list[Change]:
    before, change = CASES[rule]
    old = copy.deepcopy(BASE)
    if before is not None:
        before(old)
    new = copy.deepcopy(old)
    change(new)
    return diff_specs(spec_of(old, "old"), spec_of(new, "new"))


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(RULES)
    assert set(RULES.values()) == {BREAKING, NON_BREAKING, INFO}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule(rule: str) -> None:
    found = changes_for(rule)
    matching = [change for change in found if change.rule == rule]
    assert matching, f"{rule} not reported; found {[change.rule for change in found]}"
    change = matching[0]
    assert change.level == RULES[rule]
    assert change.pointer.startswith("/") and change.message.endswith(".")
    # No change is reported as breaking unless its rule is: the classification is the rule's.
    if RULES[rule] != BREAKING and not rule.startswith(("operation-path", "operation-method")):
        same_operation = [other for other in found if other.operation == change.operation]
        assert all(other.level != BREAKING for other in same_operation), [
            other.rule for other in same_operation
        ]


def test_identical_specs_have_no_changes() -> None:
    assert diff_specs(spec_of(BASE, "old"), spec_of(copy.deepcopy(BASE), "new")) == []


def test_enum_value_removed_is_breaking_only_where_the_client_matches_on_it() -> None:
    found = {
        (change.operation, change.rule) for change in changes_for("response-property-enum-value-removed")
    }
    assert ("get_task", "response-property-enum-value-removed") in found
    assert ("create_thing", "response-property-enum-value-removed-unmatched") in found


def test_renamed_field_is_not_also_removed_and_added() -> None:
    rules = [change.rule for change in changes_for("request-property-renamed")]
    assert rules == ["request-property-renamed"]


def test_bound_tightened_on_a_request_is_breaking_and_loosened_is_not() -> None:
    assert RULES["request-property-max-length-decreased"] == BREAKING
    assert RULES["request-property-max-length-increased"] == NON_BREAKING
    assert RULES["request-property-min-increased"] == BREAKING
    assert RULES["request-property-min-decreased"] == NON_BREAKING


# ------------------------------------------------------------------------------- the command


def write(path: Path, document: Document) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_command_exit_codes_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.yaml", BASE)
    removed = copy.deepcopy(BASE)
    node(removed, "/components/schemas/Mode")["enum"] = ["a"]
    breaking = write(tmp_path / "breaking.yaml", removed)
    added = copy.deepcopy(BASE)
    node(added, f"{REQ}/properties")["seed"] = {"type": "integer"}
    additive = write(tmp_path / "additive.yaml", added)

    assert cli.main(["diff", str(old), str(breaking)]) == 1
    text = capsys.readouterr().out
    line = load_spec(breaking).lines["/components/schemas/Mode/enum"]
    assert (
        f"breaking: request-property-enum-value-removed: create_thing body.mode (line {line}, "
        "/components/schemas/Mode/enum): body.mode: the value 'b' was removed." in text
    )
    assert text.rstrip().endswith("1 breaking.")

    assert cli.main(["diff", str(old), str(additive), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {BREAKING: 0, NON_BREAKING: 1, INFO: 0}
    [record] = report["changes"]
    assert (record["rule"], record["level"], record["field"]) == (
        "new-optional-request-property",
        NON_BREAKING,
        "body.seed",
    )

    assert cli.main(["diff", str(old), str(breaking), "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert "#### Breaking (1)" in markdown and "| `request-property-enum-value-removed` |" in markdown

    assert cli.main(["diff", str(old), str(old)]) == 0
    assert capsys.readouterr().out == "no changes.\n"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["missing.yaml", "{old}"], "cannot read the spec"),
        (["git:no-such-revision", "{old}"], "git"),
        (["{folder}", "{old}"], "not a generated package"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], expected: str
) -> None:
    old = write(tmp_path / "old.yaml", BASE)
    (tmp_path / "folder").mkdir()
    values = {"old": str(old), "folder": str(tmp_path / "folder")}
    filled = [argument.format(**values) for argument in arguments]
    assert cli.main(["diff", *filled]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and expected in error and "Traceback" not in error


def test_git_revision_reads_the_spec_at_that_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def git(*arguments: str) -> None:
        subprocess.run(["git", *arguments], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    spec = write(tmp_path / "api.yaml", BASE)
    git("add", "api.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    changed = copy.deepcopy(BASE)
    del node(changed, "/paths")["/tasks/{id}"]
    write(spec, changed)
    assert load_side("git:HEAD", str(spec)).document == BASE
    assert cli.main(["diff", "git:HEAD", str(spec)]) == 1
    assert "operation-removed: get_task" in capsys.readouterr().out
