"""Compare two versions of a spec from the point of view of code that calls the generated client.

Every change gets a rule id in the style of oasdiff's catalogue (``request-property-removed``,
``response-property-enum-value-added``, ...), a level (breaking, non-breaking, worth a look), the
operation and field it touches, a JSON pointer (in the new document when the thing still exists
there, otherwise in the old one) with the line of the nearest node of the new document, and one
sentence. ``RULES`` is the catalogue; ``diff_specs`` walks operations, parameters, bodies,
responses, schemas (``$ref`` followed, siblings merged as in 3.1), cross-field rules, security and
named examples.

A side of the comparison is a spec file, ``git:REV`` (the spec at a revision) or a generated
package (its ``_spec.json``), so a vendored copy can be compared with the current spec.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .load import Spec, escape_pointer, iter_operations, load_spec
from .problems import GenerationError, Problem

__all__ = [
    "BREAKING",
    "INFO",
    "NON_BREAKING",
    "RULES",
    "SPEC_FILE",
    "Change",
    "compact_spec",
    "diff_specs",
    "format_changes",
    "load_side",
]

BREAKING = "breaking"
NON_BREAKING = "non-breaking"
INFO = "worth a look"
LEVELS = (BREAKING, NON_BREAKING, INFO)
# The compact copy of the spec that every generated package carries, for `diff` and `check --vendored`.
SPEC_FILE = "_spec.json"
DEFAULT_SPEC = "spec/openapi.yaml"

# The bounds of JSON Schema, by keyword: (rule name, True when a larger value is looser).
_BOUNDS = {
    "maxLength": ("max-length", True),
    "minLength": ("min-length", False),
    "maxItems": ("max-items", True),
    "minItems": ("min-items", False),
    "maximum": ("max", True),
    "minimum": ("min", False),
    "exclusiveMaximum": ("exclusive-max", True),
    "exclusiveMinimum": ("exclusive-min", False),
    "maxProperties": ("max-properties", True),
    "minProperties": ("min-properties", False),
}
# Keywords of an object schema that state rules between fields.
_RULE_KEYWORDS = ("not", "if", "then", "else", "dependentRequired", "dependentSchemas", "allOf", "oneOf")


def _bound_rules() -> dict[str, str]:
    rules: dict[str, str] = {}
    for name, larger_is_looser in _BOUNDS.values():
        looser, tighter = ("increased", "decreased") if larger_is_looser else ("decreased", "increased")
        rules[f"request-property-{name}-{tighter}"] = BREAKING
        rules[f"request-property-{name}-set"] = BREAKING
        rules[f"request-property-{name}-{looser}"] = NON_BREAKING
        rules[f"request-property-{name}-unset"] = NON_BREAKING
        for change in ("increased", "decreased", "set", "unset"):
            rules[f"response-property-{name}-{change}"] = INFO
    return rules


# rule id -> level. Every rule has a test of its own in tests/generator/test_diff.py.
RULES: dict[str, str] = {
    # operations
    "operation-removed": BREAKING,
    "operation-path-changed": BREAKING,
    "operation-method-changed": BREAKING,
    "operation-id-changed": BREAKING,
    "operation-added": NON_BREAKING,
    "operation-summary-changed": INFO,
    "operation-description-changed": INFO,
    "operation-example-added": NON_BREAKING,
    "operation-example-removed": INFO,
    "operation-example-changed": INFO,
    "wait-helper-removed": BREAKING,
    "wait-helper-added": NON_BREAKING,
    "wait-statuses-changed": INFO,
    # auth and client settings
    "security-changed": BREAKING,
    "security-scheme-changed": BREAKING,
    "client-env-changed": BREAKING,
    "server-url-changed": INFO,
    # parameters
    "request-parameter-removed": BREAKING,
    "new-required-request-parameter": BREAKING,
    "new-optional-request-parameter": NON_BREAKING,
    "request-parameter-became-required": BREAKING,
    "request-parameter-became-optional": NON_BREAKING,
    # bodies
    "request-body-removed": BREAKING,
    "request-body-added": NON_BREAKING,
    "new-required-request-body": BREAKING,
    "request-body-became-required": BREAKING,
    "request-body-became-optional": NON_BREAKING,
    "request-body-media-type-removed": BREAKING,
    "request-body-media-type-added": NON_BREAKING,
    "request-body-rule-added": BREAKING,
    "request-body-rule-changed": BREAKING,
    "request-body-rule-removed": NON_BREAKING,
    # request fields
    "request-property-removed": BREAKING,
    "request-property-renamed": BREAKING,
    "new-required-request-property": BREAKING,
    "new-optional-request-property": NON_BREAKING,
    "request-property-became-required": BREAKING,
    "request-property-became-optional": NON_BREAKING,
    "request-property-type-changed": BREAKING,
    "request-property-type-generalized": NON_BREAKING,
    "request-property-format-changed": BREAKING,
    "request-property-pattern-changed": BREAKING,
    "request-property-enum-value-removed": BREAKING,
    "request-property-enum-value-added": NON_BREAKING,
    "request-property-enum-set": BREAKING,
    "request-property-enum-unset": NON_BREAKING,
    "request-property-const-changed": BREAKING,
    "request-property-any-of-removed": BREAKING,
    "request-property-any-of-added": NON_BREAKING,
    "request-property-default-changed": INFO,
    "request-property-description-changed": INFO,
    # responses
    "response-success-status-removed": BREAKING,
    "response-success-status-added": NON_BREAKING,
    "response-media-type-removed": BREAKING,
    "response-media-type-added": NON_BREAKING,
    "response-property-removed": BREAKING,
    "response-property-became-optional": BREAKING,
    "response-property-became-required": NON_BREAKING,
    "response-property-added": NON_BREAKING,
    "response-property-type-changed": BREAKING,
    "response-property-format-changed": BREAKING,
    "response-property-pattern-changed": INFO,
    "response-property-enum-value-removed": BREAKING,
    "response-property-enum-value-removed-unmatched": NON_BREAKING,
    "response-property-enum-value-added": INFO,
    "response-property-enum-set": NON_BREAKING,
    "response-property-enum-unset": BREAKING,
    "response-property-const-changed": BREAKING,
    "response-property-any-of-added": BREAKING,
    "response-property-any-of-removed": NON_BREAKING,
    "response-property-default-changed": INFO,
    "response-property-description-changed": INFO,
    **_bound_rules(),
}


@dataclass(frozen=True)
class Change:
    """One difference between the two specs, classified by ``rule``."""

    rule: str
    operation: str  # the operationId (the method name), or "" for the whole API
    field: str  # "body.model", "response.status", "parameter id", or ""
    pointer: str
    line: int | None
    message: str

    @property
    def level(self) -> str:
        return RULES[self.rule]

    @property
    def place(self) -> str:
        where = " ".join(part for part in (self.operation, self.field) if part)
        line = f"line {self.line}, " if self.line is not None else ""
        return f"{where} ({line}{self.pointer or '/'})" if where else f"{line}{self.pointer or '/'}"


# ------------------------------------------------------------------------------------ sides


def load_side(source: str, other: str | None = None) -> Spec:
    """A spec file, ``git:REV`` (or ``git:REV:path``), or a generated package folder.

    For ``git:REV`` the spec path is the other side's path (relative to its repository's root)
    when that is a file, otherwise ``spec/openapi.yaml`` of the repository of the working folder.
    """
    if source.startswith("git:"):
        return _load_git(source[4:], other)
    path = Path(source)
    if path.is_dir():
        spec = load_spec(_package_spec(path))
        spec.lines = {}  # one line of JSON: its line numbers would say nothing
        return spec
    return load_spec(path)


def _package_spec(folder: Path) -> Path:
    """The ``_spec.json`` of a package folder, or of the one package inside an output folder."""
    if (folder / SPEC_FILE).is_file():
        return folder / SPEC_FILE
    inside = sorted(folder.glob(f"*/{SPEC_FILE}"))
    if len(inside) == 1:
        return inside[0]
    reason = (
        "holds several generated packages" if inside else f"holds no {SPEC_FILE} (not a generated package)"
    )
    raise GenerationError(str(folder), [Problem("", f"this folder {reason}")])


def _git(arguments: list[str], cwd: Path) -> str:
    try:
        result = subprocess.run(  # noqa: S603 - git with fixed arguments
            ["git", *arguments],  # noqa: S607 - git from PATH, as a person would run it
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        raise GenerationError("git", [Problem("", f"cannot run git: {error.strerror}")]) from None
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["git failed"])[0]
        raise GenerationError("git " + " ".join(arguments), [Problem("", message)])
    return result.stdout


def _load_git(reference: str, other: str | None) -> Spec:
    revision, _, explicit = reference.partition(":")
    if explicit:
        anchor = Path(explicit)
    elif other and not other.startswith("git:") and Path(other).is_file():
        anchor = Path(other)
    else:
        anchor = Path(DEFAULT_SPEC)
    folder = anchor.parent if anchor.parent.is_dir() else Path.cwd()
    root = Path(_git(["rev-parse", "--show-toplevel"], folder.resolve()).strip())
    try:
        relative = anchor.resolve().relative_to(root).as_posix()
    except ValueError:
        raise GenerationError(str(anchor), [Problem("", f"not inside the repository {root}")]) from None
    text = _git(["show", f"{revision}:{relative}"], root)
    with tempfile.TemporaryDirectory(prefix="codegen-diff-") as scratch:
        copy = Path(scratch) / Path(relative).name
        copy.write_text(text, encoding="utf-8")
        spec = load_spec(copy)
    spec.path = Path(f"git:{revision}:{relative}")
    return spec


# -------------------------------------------------------------------------------- comparing


@dataclass(frozen=True)
class _Operation:
    pointer: str
    path: str
    method: str
    operation_id: str
    data: dict[str, Any]
    path_item: dict[str, Any]


def _operations(spec: Spec) -> dict[str, _Operation]:
    found: dict[str, _Operation] = {}
    for pointer, path, method, operation in iter_operations(spec):
        item = spec.resolve(spec.document["paths"][path])
        operation_id = str(operation.get("operationId") or f"{method.upper()} {path}")
        found[f"{method} {path}"] = _Operation(pointer, path, method, operation_id, operation, item)
    return found


class _Differ:
    def __init__(self, old: Spec, new: Spec) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.operation = ""
        self.wait_status = ""

    def line(self, pointer: str) -> int | None:
        probe = pointer
        while probe and probe not in self.new.lines:
            probe = probe.rpartition("/")[0]
        return self.new.lines.get(probe)

    def add(self, rule: str, field: str, pointer: str, message: str) -> None:
        assert rule in RULES, rule
        self.changes.append(Change(rule, self.operation, field, pointer, self.line(pointer), message))

    # ---------------------------------------------------------------------------- the API

    def run(self) -> list[Change]:
        self.compare_api()
        old_operations, new_operations = _operations(self.old), _operations(self.new)
        new_by_id = {operation.operation_id: operation for operation in new_operations.values()}
        old_ids = {operation.operation_id for operation in old_operations.values()}
        matched: set[str] = set()
        for key, old in old_operations.items():
            self.operation = old.operation_id
            new = new_operations.get(key)
            if new is None and old.operation_id in new_by_id:
                new = new_by_id[old.operation_id]
                if new.path != old.path:
                    self.add(
                        "operation-path-changed",
                        "",
                        new.pointer,
                        f"the path changed from {old.path} to {new.path}.",
                    )
                if new.method != old.method:
                    message = f"the method changed from {old.method.upper()} to {new.method.upper()}."
                    self.add("operation-method-changed", "", new.pointer, message)
            if new is None:
                message = f"{old.method.upper()} {old.path} was removed: calls to {old.operation_id}() fail."
                self.add("operation-removed", "", old.pointer, message)
                continue
            matched.add(f"{new.method} {new.path}")
            if new.operation_id != old.operation_id:
                self.operation = new.operation_id
                message = f"the operationId (the method name) changed from {old.operation_id} to {new.operation_id}."
                self.add("operation-id-changed", "", f"{new.pointer}/operationId", message)
            self.compare_operation(old, new)
        for key, new in new_operations.items():
            if key not in matched and not (new.operation_id in old_ids and key not in old_operations):
                self.operation = new.operation_id
                message = f"new operation {new.method.upper()} {new.path} ({new.operation_id}())."
                self.add("operation-added", "", new.pointer, message)
        return sorted(self.changes, key=lambda change: (LEVELS.index(change.level), change.operation))

    def compare_api(self) -> None:
        old, new = self.old.document, self.new.document
        old_schemes = (old.get("components") or {}).get("securitySchemes") or {}
        new_schemes = (new.get("components") or {}).get("securitySchemes") or {}
        for name in sorted(set(old_schemes) | set(new_schemes)):
            if old_schemes.get(name) != new_schemes.get(name):
                pointer = f"/components/securitySchemes/{escape_pointer(name)}"
                self.add("security-scheme-changed", "", pointer, f"the security scheme {name!r} changed.")
        old_client, new_client = old.get("x-client") or {}, new.get("x-client") or {}
        for key in sorted(set(old_client) | set(new_client)):
            if old_client.get(key) != new_client.get(key):
                message = f"x-client {key} changed from {old_client.get(key)!r} to {new_client.get(key)!r}."
                self.add("client-env-changed", "", f"/x-client/{escape_pointer(key)}", message)
        old_servers = [server.get("url") for server in old.get("servers") or [] if isinstance(server, dict)]
        new_servers = [server.get("url") for server in new.get("servers") or [] if isinstance(server, dict)]
        if old_servers[:1] != new_servers[:1]:
            message = f"the default server changed from {old_servers[:1]} to {new_servers[:1]}."
            self.add("server-url-changed", "", "/servers", message)

    # ----------------------------------------------------------------------- an operation

    def compare_operation(self, old: _Operation, new: _Operation) -> None:
        for key, rule in (
            ("summary", "operation-summary-changed"),
            ("description", "operation-description-changed"),
        ):
            if old.data.get(key) != new.data.get(key):
                self.add(rule, "", f"{new.pointer}/{key}", f"the operation's {key} changed.")
        old_security = old.data.get("security", self.old.document.get("security"))
        new_security = new.data.get("security", self.new.document.get("security"))
        if old_security != new_security:
            message = f"the security requirement changed from {old_security} to {new_security}."
            self.add("security-changed", "", f"{new.pointer}/security", message)
        self.compare_wait(old, new)
        self.compare_parameters(old, new)
        self.compare_body(old, new)
        self.compare_responses(old, new)
        self.compare_examples(old, new)

    def compare_wait(self, old: _Operation, new: _Operation) -> None:
        old_wait, new_wait = old.data.get("x-wait"), new.data.get("x-wait")
        pointer = f"{new.pointer}/x-wait"
        old_name = old_wait.get("name") if isinstance(old_wait, dict) else None
        new_name = new_wait.get("name") if isinstance(new_wait, dict) else None
        self.wait_status = str(new_wait.get("status-field", "")) if isinstance(new_wait, dict) else ""
        if old_name and old_name != new_name:
            self.add("wait-helper-removed", "", pointer, f"the polling helper {old_name}() was removed.")
        if new_name and old_name != new_name:
            self.add("wait-helper-added", "", pointer, f"new polling helper {new_name}().")
        if isinstance(old_wait, dict) and isinstance(new_wait, dict) and old_name == new_name:
            for key in ("status-field", "success", "failure", "error-code-field", "error-message-field"):
                if old_wait.get(key) != new_wait.get(key):
                    message = f"x-wait {key} changed from {old_wait.get(key)!r} to {new_wait.get(key)!r}."
                    self.add("wait-statuses-changed", "", f"{pointer}/{key}", message)

    def _parameters(
        self, spec: Spec, operation: _Operation
    ) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
        found: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        for owner, pointer in ((operation.data, operation.pointer), (operation.path_item, operation.pointer)):
            base = pointer if owner is operation.data else pointer.rpartition("/")[0]
            for index, parameter in enumerate(owner.get("parameters") or []):
                resolved = spec.resolve(parameter)
                if isinstance(resolved, dict) and "name" in resolved:
                    key = (str(resolved.get("in")), str(resolved["name"]))
                    found.setdefault(key, (f"{base}/parameters/{index}", resolved))
        return found

    def compare_parameters(self, old: _Operation, new: _Operation) -> None:
        old_parameters, new_parameters = self._parameters(self.old, old), self._parameters(self.new, new)
        for key in sorted(set(old_parameters) | set(new_parameters)):
            field = f"{key[0]} parameter {key[1]}"
            if key not in new_parameters:
                self.add(
                    "request-parameter-removed", field, old_parameters[key][0], f"the {field} was removed."
                )
                continue
            new_pointer, new_parameter = new_parameters[key]
            if key not in old_parameters:
                required = bool(new_parameter.get("required"))
                rule = "new-required-request-parameter" if required else "new-optional-request-parameter"
                kind = "required" if required else "optional"
                self.add(rule, field, new_pointer, f"new {kind} {field}.")
                continue
            old_pointer, old_parameter = old_parameters[key]
            was, now = bool(old_parameter.get("required")), bool(new_parameter.get("required"))
            if was != now:
                rule = "request-parameter-became-required" if now else "request-parameter-became-optional"
                self.add(
                    rule,
                    field,
                    f"{new_pointer}/required",
                    f"the {field} is now {'required' if now else 'optional'}.",
                )
            self.compare_schema(
                old_parameter.get("schema"),
                new_parameter.get("schema"),
                "request",
                key[1],
                f"{old_pointer}/schema",
                f"{new_pointer}/schema",
                set(),
            )

    def compare_body(self, old: _Operation, new: _Operation) -> None:
        old_body, new_body = (
            self.old.resolve(old.data.get("requestBody")),
            self.new.resolve(new.data.get("requestBody")),
        )
        pointer = f"{new.pointer}/requestBody"
        if not isinstance(old_body, dict) and not isinstance(new_body, dict):
            return
        if not isinstance(new_body, dict):
            self.add(
                "request-body-removed", "body", f"{old.pointer}/requestBody", "the request body was removed."
            )
            return
        if not isinstance(old_body, dict):
            if new_body.get("required"):
                self.add("new-required-request-body", "body", pointer, "a request body is now required.")
            else:
                self.add("request-body-added", "body", pointer, "new optional request body.")
            return
        was, now = bool(old_body.get("required")), bool(new_body.get("required"))
        if was != now:
            rule = "request-body-became-required" if now else "request-body-became-optional"
            self.add(
                rule,
                "body",
                f"{pointer}/required",
                f"the request body is now {'required' if now else 'optional'}.",
            )
        old_content, new_content = old_body.get("content") or {}, new_body.get("content") or {}
        for media in sorted(set(old_content) | set(new_content)):
            media_pointer = f"{pointer}/content/{escape_pointer(media)}"
            if media not in new_content:
                self.add(
                    "request-body-media-type-removed",
                    "body",
                    media_pointer,
                    f"the body no longer accepts {media}.",
                )
            elif media not in old_content:
                self.add(
                    "request-body-media-type-added",
                    "body",
                    media_pointer,
                    f"the body now also accepts {media}.",
                )
            else:
                old_schema = (self.old.resolve(old_content[media]) or {}).get("schema")
                new_schema = (self.new.resolve(new_content[media]) or {}).get("schema")
                old_pointer = f"{old.pointer}/requestBody/content/{escape_pointer(media)}/schema"
                self.compare_schema(
                    old_schema, new_schema, "request", "body", old_pointer, f"{media_pointer}/schema", set()
                )

    def compare_responses(self, old: _Operation, new: _Operation) -> None:
        old_responses, new_responses = old.data.get("responses") or {}, new.data.get("responses") or {}
        for status in sorted(set(old_responses) | set(new_responses), key=str):
            pointer = f"{new.pointer}/responses/{escape_pointer(str(status))}"
            success = str(status).startswith("2")
            if status not in new_responses:
                if success:
                    self.add(
                        "response-success-status-removed",
                        "response",
                        pointer,
                        f"the {status} answer was removed.",
                    )
                continue
            if status not in old_responses:
                if success:
                    self.add("response-success-status-added", "response", pointer, f"new {status} answer.")
                continue
            old_content = (self.old.resolve(old_responses[status]) or {}).get("content") or {}
            new_content = (self.new.resolve(new_responses[status]) or {}).get("content") or {}
            for media in sorted(set(old_content) | set(new_content)):
                media_pointer = f"{pointer}/content/{escape_pointer(media)}"
                if media not in new_content:
                    message = f"the {status} answer no longer comes as {media}."
                    self.add("response-media-type-removed", "response", media_pointer, message)
                elif media not in old_content:
                    self.add(
                        "response-media-type-added",
                        "response",
                        media_pointer,
                        f"the {status} answer may come as {media}.",
                    )
                else:
                    old_schema = (self.old.resolve(old_content[media]) or {}).get("schema")
                    new_schema = (self.new.resolve(new_content[media]) or {}).get("schema")
                    old_pointer = f"{old.pointer}/responses/{escape_pointer(str(status))}/content/{escape_pointer(media)}/schema"
                    self.compare_schema(
                        old_schema,
                        new_schema,
                        "response",
                        "response",
                        old_pointer,
                        f"{media_pointer}/schema",
                        set(),
                    )

    def _examples(self, spec: Spec, operation: _Operation) -> dict[str, tuple[str, Any]]:
        """Named examples of every request and response container: "side name" -> (pointer, value)."""
        found: dict[str, tuple[str, Any]] = {}

        def collect(side: str, container: Any, pointer: str) -> None:
            container = spec.resolve(container)
            if not isinstance(container, Mapping):
                return
            for name, example in (container.get("examples") or {}).items():
                example = spec.resolve(example)
                value = example.get("value") if isinstance(example, Mapping) else example
                key = f"{side} {name}"
                found.setdefault(key, (f"{pointer}/examples/{escape_pointer(name)}", []))[1].append(value)

        for index, parameter in enumerate(operation.data.get("parameters") or []):
            collect("request", parameter, f"{operation.pointer}/parameters/{index}")
        body = spec.resolve(operation.data.get("requestBody"))
        if isinstance(body, Mapping):
            for media, content in (body.get("content") or {}).items():
                collect(
                    "request", content, f"{operation.pointer}/requestBody/content/{escape_pointer(media)}"
                )
        for status, response in (operation.data.get("responses") or {}).items():
            response = spec.resolve(response)
            if isinstance(response, Mapping):
                for media, content in (response.get("content") or {}).items():
                    where = f"{operation.pointer}/responses/{escape_pointer(str(status))}/content/{escape_pointer(media)}"
                    collect("response", content, where)
        return found

    def compare_examples(self, old: _Operation, new: _Operation) -> None:
        old_examples, new_examples = self._examples(self.old, old), self._examples(self.new, new)
        for key in sorted(set(old_examples) | set(new_examples)):
            side, _, name = key.partition(" ")
            if key not in old_examples:
                self.add(
                    "operation-example-added",
                    f"example {name}",
                    new_examples[key][0],
                    f"new {side} example {name!r}.",
                )
            elif key not in new_examples:
                message = f"the {side} example {name!r} was removed (the mock no longer offers it)."
                self.add("operation-example-removed", f"example {name}", old_examples[key][0], message)
            elif old_examples[key][1] != new_examples[key][1]:
                self.add(
                    "operation-example-changed",
                    f"example {name}",
                    new_examples[key][0],
                    f"the {side} example {name!r} changed.",
                )

    # ------------------------------------------------------------------------------ schemas

    def _schema(self, spec: Spec, schema: Any, pointer: str) -> tuple[dict[str, Any], str]:
        """The schema with its ``$ref`` followed, the reference's siblings winning (3.1)."""
        if not isinstance(schema, Mapping):
            return {}, pointer
        if isinstance(schema.get("$ref"), str):
            target = spec.resolve(schema)
            if isinstance(target, Mapping) and target is not schema:
                reference = str(schema["$ref"])
                merged = {**target, **{key: value for key, value in schema.items() if key != "$ref"}}
                siblings = set(schema) - {"$ref"}
                # Siblings stand where the property stands; the rest where the reference points.
                return merged, pointer if siblings >= set(target) else reference[1:]
        return dict(schema), pointer

    def compare_schema(  # noqa: PLR0917 - the two sides and where they stand
        self,
        old_raw: Any,
        new_raw: Any,
        side: str,
        field: str,
        old_pointer: str,
        new_pointer: str,
        seen: set[tuple[str, str]],
    ) -> None:
        old, old_at = self._schema(self.old, old_raw, old_pointer)
        new, new_at = self._schema(self.new, new_raw, new_pointer)
        if (old_at, new_at) in seen:
            return
        seen = seen | {(old_at, new_at)}
        # Siblings of a $ref (default, description) live at the property's own place.
        here = new_pointer
        self.compare_types(old, new, side, field, new_at)
        self.compare_enum(old, new, side, field, new_at)
        for keyword, (name, larger_is_looser) in _BOUNDS.items():
            self.compare_bound(old, new, keyword, name, larger_is_looser, side, field, new_at)
        if old.get("pattern") != new.get("pattern"):
            message = f"{field}: the pattern changed from {old.get('pattern')!r} to {new.get('pattern')!r}."
            self.add(f"{side}-property-pattern-changed", field, f"{new_at}/pattern", message)
        if ("default" in old or "default" in new) and (
            old.get("default") != new.get("default") or ("default" in old) != ("default" in new)
        ):
            was = repr(old["default"]) if "default" in old else "none"
            now = repr(new["default"]) if "default" in new else "none"
            message = f"{field}: the default changed from {was} to {now} (callers who leave it out get another behaviour)."
            self.add(f"{side}-property-default-changed", field, f"{here}/default", message)
        if old.get("description") != new.get("description"):
            self.add(
                f"{side}-property-description-changed",
                field,
                f"{here}/description",
                f"{field}: the description changed.",
            )
        for keyword in ("anyOf", "oneOf"):
            self.compare_branches(old, new, keyword, side, field, old_at, new_at, seen)
        if isinstance(old.get("items"), Mapping) and isinstance(new.get("items"), Mapping):
            self.compare_schema(
                old["items"], new["items"], side, f"{field}[]", f"{old_at}/items", f"{new_at}/items", seen
            )
        self.compare_properties(old, new, side, field, old_at, new_at, seen)
        if side == "request":
            self.compare_rules(old, new, field, new_at)

    def compare_types(
        self, old: dict[str, Any], new: dict[str, Any], side: str, field: str, pointer: str
    ) -> None:
        def types(schema: dict[str, Any]) -> set[str]:
            value = schema.get("type")
            found = set(value) if isinstance(value, list) else {value} if isinstance(value, str) else set()
            if schema.get("nullable") is True:
                found.add("null")
            return found

        old_types, new_types = types(old), types(new)
        if old_types and new_types and old_types != new_types:
            message = f"{field}: the type changed from {'|'.join(sorted(old_types))} to {'|'.join(sorted(new_types))}."
            widened = old_types <= new_types or (old_types == {"integer"} and "number" in new_types)
            rule = (
                "request-property-type-generalized"
                if side == "request" and widened
                else f"{side}-property-type-changed"
            )
            self.add(rule, field, f"{pointer}/type", message)
        if old.get("format") != new.get("format") and old_types == new_types:
            message = f"{field}: the format changed from {old.get('format')!r} to {new.get('format')!r}."
            self.add(f"{side}-property-format-changed", field, f"{pointer}/format", message)
        if "const" in old and "const" in new and old["const"] != new["const"]:
            message = f"{field}: the constant changed from {old['const']!r} to {new['const']!r}."
            self.add(f"{side}-property-const-changed", field, f"{pointer}/const", message)

    def compare_enum(
        self, old: dict[str, Any], new: dict[str, Any], side: str, field: str, pointer: str
    ) -> None:
        old_values, new_values = old.get("enum"), new.get("enum")
        if isinstance(old_values, list) != isinstance(new_values, list):
            # An enum where there was none narrows the values; no enum any more widens them.
            change, text = (
                ("set", f"now one of {new_values}") if new_values else ("unset", "no longer an enum")
            )
            self.add(f"{side}-property-enum-{change}", field, f"{pointer}/enum", f"{field}: {text}.")
            return
        if not isinstance(old_values, list) or not isinstance(new_values, list):
            return
        for value in old_values:
            if value not in new_values:
                rule = f"{side}-property-enum-value-removed"
                note = ""
                if side == "response" and not self._matched(field):
                    rule += "-unmatched"
                    note = " (the client does not match on it)"
                elif side == "response":
                    note = " (the client's polling helper matches on it)"
                self.add(rule, field, f"{pointer}/enum", f"{field}: the value {value!r} was removed{note}.")
        for value in new_values:
            if value not in old_values:
                note = " (code that matches on the values should handle it)" if side == "response" else ""
                self.add(
                    f"{side}-property-enum-value-added",
                    field,
                    f"{pointer}/enum",
                    f"{field}: new value {value!r}{note}.",
                )

    def _matched(self, field: str) -> bool:
        """Whether the client matches on this response field's values (the ``x-wait`` status)."""
        return bool(self.wait_status) and field == f"response.{self.wait_status}"

    def compare_bound(  # noqa: PLR0917 - the two sides and where they stand
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        keyword: str,
        name: str,
        larger_is_looser: bool,
        side: str,
        field: str,
        pointer: str,
    ) -> None:
        was, now = old.get(keyword), new.get(keyword)
        if was == now or isinstance(was, bool) or isinstance(now, bool):
            return
        if was is None:
            change, text = "set", f"new {keyword} {now}"
        elif now is None:
            change, text = "unset", f"{keyword} {was} was removed"
        else:
            change = "increased" if now > was else "decreased"
            text = f"{keyword} changed from {was} to {now}"
        self.add(f"{side}-property-{name}-{change}", field, f"{pointer}/{keyword}", f"{field}: {text}.")

    def compare_branches(  # noqa: PLR0917 - the two sides and where they stand
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        keyword: str,
        side: str,
        field: str,
        old_at: str,
        new_at: str,
        seen: set[tuple[str, str]],
    ) -> None:
        old_branches, new_branches = old.get(keyword), new.get(keyword)
        if not isinstance(old_branches, list) and not isinstance(new_branches, list):
            return
        old_branches, new_branches = old_branches or [], new_branches or []
        if len(old_branches) == len(new_branches):
            for index, (was, now) in enumerate(zip(old_branches, new_branches, strict=True)):
                where = f"{keyword}/{index}"
                self.compare_schema(was, now, side, field, f"{old_at}/{where}", f"{new_at}/{where}", seen)
            return
        for branch in old_branches:
            if branch not in new_branches:
                message = f"{field}: a {keyword} branch was removed: {json.dumps(branch)}."
                self.add(f"{side}-property-any-of-removed", field, f"{new_at}/{keyword}", message)
        for branch in new_branches:
            if branch not in old_branches:
                message = f"{field}: new {keyword} branch {json.dumps(branch)}."
                self.add(f"{side}-property-any-of-added", field, f"{new_at}/{keyword}", message)

    def compare_properties(  # noqa: PLR0917 - the two sides and where they stand
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        side: str,
        field: str,
        old_at: str,
        new_at: str,
        seen: set[tuple[str, str]],
    ) -> None:
        old_properties: dict[str, Any] = dict(old.get("properties") or {})
        new_properties: dict[str, Any] = dict(new.get("properties") or {})
        old_required, new_required = set(old.get("required") or []), set(new.get("required") or [])
        removed = [name for name in old_properties if name not in new_properties]
        added = [name for name in new_properties if name not in old_properties]
        renamed = {}
        if side == "request" and len(removed) == 1 and len(added) == 1:
            was, now = (
                self._schema(spec, properties[key], "")[0]
                for spec, properties, key in (
                    (self.old, old_properties, removed[0]),
                    (self.new, new_properties, added[0]),
                )
            )
            if _shape(was) == _shape(now):
                renamed = {removed[0]: added[0]}
        for name in removed:
            child = f"{field}.{name}"
            pointer = f"{old_at}/properties/{escape_pointer(name)}"
            if name in renamed:
                new_name = renamed[name]
                message = f"{child} was renamed to {new_name}: calls that pass {name}= fail."
                self.add(
                    "request-property-renamed",
                    child,
                    f"{new_at}/properties/{escape_pointer(new_name)}",
                    message,
                )
                continue
            consequence = "calls that pass it fail" if side == "request" else "code that reads it fails"
            self.add(f"{side}-property-removed", child, pointer, f"{child} was removed: {consequence}.")
        for name in added:
            if name in renamed.values():
                continue
            child = f"{field}.{name}"
            pointer = f"{new_at}/properties/{escape_pointer(name)}"
            if side == "response":
                self.add("response-property-added", child, pointer, f"new response field {child}.")
            elif name in new_required:
                self.add("new-required-request-property", child, pointer, f"new required field {child}.")
            else:
                self.add("new-optional-request-property", child, pointer, f"new optional field {child}.")
        for name, old_property in old_properties.items():
            if name not in new_properties:
                continue
            child = f"{field}.{name}"
            if (name in old_required) != (name in new_required):
                state = "required" if name in new_required else "optional"
                self.add(
                    f"{side}-property-became-{state}", child, f"{new_at}/required", f"{child} is now {state}."
                )
            self.compare_schema(
                old_property,
                new_properties[name],
                side,
                child,
                f"{old_at}/properties/{escape_pointer(name)}",
                f"{new_at}/properties/{escape_pointer(name)}",
                seen,
            )

    def compare_rules(self, old: dict[str, Any], new: dict[str, Any], field: str, pointer: str) -> None:
        for keyword in _RULE_KEYWORDS:
            if keyword not in old and keyword not in new:
                continue
            was, now = old.get(keyword), new.get(keyword)
            if (
                keyword in ("dependentRequired", "dependentSchemas")
                and isinstance(was, Mapping | None)
                and isinstance(now, Mapping | None)
            ):
                was, now = dict(was or {}), dict(now or {})
                for key in sorted(set(was) | set(now)):
                    self._rule(
                        was.get(key),
                        now.get(key),
                        f"{field} {keyword} {key}",
                        f"{pointer}/{keyword}/{escape_pointer(key)}",
                        field,
                    )
            else:
                self._rule(was, now, f"{field} {keyword}", f"{pointer}/{keyword}", field)

    def _rule(self, was: Any, now: Any, what: str, pointer: str, field: str) -> None:
        if was == now:
            return
        if was is None:
            self.add(
                "request-body-rule-added", field, pointer, f"new cross-field rule {what}: {json.dumps(now)}."
            )
        elif now is None:
            self.add("request-body-rule-removed", field, pointer, f"the cross-field rule {what} was removed.")
        else:
            self.add(
                "request-body-rule-changed",
                field,
                pointer,
                f"the cross-field rule {what} changed to {json.dumps(now)}.",
            )


def _shape(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema without the words around it, to recognise a renamed field."""
    return {key: value for key, value in schema.items() if key not in ("description", "examples", "title")}


def diff_specs(old: Spec, new: Spec) -> list[Change]:
    """Every change from ``old`` to ``new``, breaking ones first."""
    return _Differ(old, new).run()


# ---------------------------------------------------------------------------------- output


def counts(changes: list[Change]) -> dict[str, int]:
    return {level: sum(1 for change in changes if change.level == level) for level in LEVELS}


def summary(changes: list[Change]) -> str:
    found = counts(changes)
    if not changes:
        return "no changes"
    return ", ".join(f"{count} {level}" for level, count in found.items() if count)


def format_changes(changes: list[Change], style: str = "text", *, old: str = "", new: str = "") -> str:
    """The changes as ``text`` (one line each), ``markdown`` (for a pull request) or ``json``."""
    if style == "json":
        records = [{**asdict(change), "level": change.level} for change in changes]
        document = {"old": old, "new": new, "summary": counts(changes), "changes": records}
        return json.dumps(document, indent=2, ensure_ascii=False)
    if style == "markdown":
        lines = [f"### API changes: {summary(changes)}", ""]
        if old or new:
            lines += [f"From `{old}` to `{new}`.", ""]
        for level in LEVELS:
            chosen = [change for change in changes if change.level == level]
            if not chosen:
                continue
            lines += [
                f"#### {level.capitalize()} ({len(chosen)})",
                "",
                "| rule | where | change |",
                "| --- | --- | --- |",
            ]
            for change in chosen:
                message, place = (text.replace("|", "\\|") for text in (change.message, change.place))
                lines.append(f"| `{change.rule}` | {place} | {message} |")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"
    lines = [f"{change.level}: {change.rule}: {change.place}: {change.message}" for change in changes]
    lines.append(f"{summary(changes)}.")
    return "\n".join(lines) + "\n"


def compact_spec(spec: Spec) -> str:
    """The document as one line of JSON: what a generated package carries for ``diff`` and ``check``."""
    return json.dumps(spec.document, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
