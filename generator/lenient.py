"""Lenient mode: a spec written elsewhere degrades locally, never globally.

Each problem that validation finds is reported once, as a warning with its line and pointer, and
then only the smallest thing it touches is loosened or left out: an invalid ``default`` or an
unknown keyword is removed from the document, and an operation that still has a problem is left
out with every reason listed. Problems that touch no operation never refuse the spec.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .load import HTTP_METHODS, Spec, escape_pointer
from .naming import class_name
from .problems import Problem

__all__ = ["Triage", "operation_of", "separate_schema_names", "triage"]

_UNEXPECTED = re.compile(
    r"^(?:Unevaluated|Additional) properties are not allowed \((.+) (?:was|were) unexpected\)"
)
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
# Keywords whose wrong value only loosens the schema when removed (nothing else relies on them).
_DROPPABLE = frozenset(
    {
        "default",
        "example",
        "examples",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "$recursiveAnchor",
        "$recursiveRef",
        "$dynamicAnchor",
        "$anchor",
        "format",
        "pattern",
        "title",
        "description",
        "deprecated",
        "readOnly",
        "writeOnly",
        "xml",
        "externalDocs",
        "discriminator",
        "nullable",
    }
)


@dataclass
class Triage:
    """What lenient mode makes of the problems: warnings, and operations left out with their reasons."""

    warnings: list[Problem] = field(default_factory=list)
    excluded: dict[str, list[Problem]] = field(default_factory=dict)

    def exclude(self, operation: str, problem: Problem) -> None:
        reasons = self.excluded.setdefault(operation, [])
        if problem not in reasons:
            reasons.append(problem)

    def warn(self, problem: Problem) -> None:
        if problem not in self.warnings:
            self.warnings.append(problem)


def operation_of(pointer: str, operations: Iterable[str]) -> str | None:
    """The pointer of the operation that ``pointer`` stands in, if any."""
    for operation in operations:
        if pointer == operation or pointer.startswith(operation + "/"):
            return operation
    return None


def _tokens(pointer: str) -> list[str]:
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def _parent(document: Any, pointer: str) -> tuple[Any, str] | None:
    """(The container holding what ``pointer`` names, its key), or None when it does not exist."""
    tokens = _tokens(pointer)
    if not tokens:
        return None
    node = document
    for token in tokens[:-1]:
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node, tokens[-1]


def _real_pointer(spec: Spec, pointer: str) -> str:
    """The document's pointer for a pointer that the validator gave relative to a schema."""
    if pointer in spec.lines or not pointer:
        return pointer
    matches = sorted(known for known in spec.lines if known.endswith(pointer))
    return matches[0] if len(matches) == 1 else pointer


def _remove(document: Any, pointer: str) -> bool:
    found = _parent(document, pointer)
    if found is None:
        return False
    container, key = found
    if isinstance(container, dict) and key in container:
        del container[key]
        return True
    return False


def triage(spec: Spec, problems: Iterable[Problem], operations: list[str], *, lint: bool = False) -> Triage:
    """Loosen the document in place for each problem, and say which operations must be left out.

    ``lint`` problems (examples and their pairing, a convention of this project) only remove the
    example they name; they never leave an operation out.
    """
    result = Triage()
    for problem in problems:
        pointer = _real_pointer(spec, problem.pointer)
        if pointer != problem.pointer:
            problem = spec.problem(pointer, problem.message)
        tokens = _tokens(pointer)
        if lint:
            # ".../examples/<name>/value" or ".../example": drop that example alone.
            if len(tokens) >= 2 and tokens[-1] == "value" and tokens[-3:-2] == ["examples"]:
                _remove(spec.document, pointer.rsplit("/", 1)[0])
            elif tokens and tokens[-1] == "example":
                _remove(spec.document, pointer)
            result.warn(problem)
            continue
        unexpected = _UNEXPECTED.match(problem.message)
        if unexpected:
            keys = [match.replace("\\'", "'") for match in _QUOTED.findall(unexpected.group(1))]
            container = _parent(spec.document, pointer + "/x")
            node = container[0] if container else None
            for key in keys:
                if isinstance(node, dict):
                    node.pop(key, None)
            if isinstance(node, dict) and any(key in HTTP_METHODS or key == "query" for key in keys):
                message = f"{problem.message}; that method is left out"
                result.warn(Problem(problem.pointer, message, problem.line))
            else:
                result.warn(problem)
            continue
        if tokens and tokens[-1] in _DROPPABLE and _remove(spec.document, pointer):
            result.warn(Problem(problem.pointer, f"{problem.message}; '{tokens[-1]}' ignored", problem.line))
            continue
        operation = operation_of(pointer, operations)
        if operation is not None:
            result.exclude(operation, problem)
        else:
            result.warn(problem)
    return result


def separate_schema_names(spec: Spec) -> list[Problem]:
    """Give a distinct key to each component schema whose Python name another one already has
    (``profile_picture``, ``profilePicture``), in place, and every reference to it with it.

    Strict mode refuses such a spec (one model for both would merge them silently). Here the first
    keeps its name and each later one becomes ``<name>2`` (then 3...), with a warning per renaming.
    """
    components = spec.document.get("components")
    if not isinstance(components, dict) or not isinstance(components.get("schemas"), dict):
        return []
    schemas: dict[str, Any] = components["schemas"]
    taken: set[str] = set()
    renames: dict[str, str] = {}
    keys = {str(name) for name in schemas}
    for name in schemas:
        python = class_name(str(name))
        if python not in taken:
            taken.add(python)
            continue
        counter = 2
        while f"{name}{counter}" in keys or class_name(f"{name}{counter}") in taken:
            counter += 1
        renames[str(name)] = f"{name}{counter}"
        keys.add(f"{name}{counter}")
        taken.add(class_name(f"{name}{counter}"))
    if not renames:
        return []
    warnings = []
    for old, new in renames.items():
        pointer = f"/components/schemas/{escape_pointer(old)}"
        warnings.append(
            spec.problem(
                pointer,
                f"schema {old!r} becomes the same Python name as another schema "
                f"({class_name(old)}); it is read as {new!r} (model {class_name(new)})",
            )
        )
    components["schemas"] = {renames.get(str(name), name): schema for name, schema in schemas.items()}
    prefixes = {
        f"/components/schemas/{escape_pointer(old)}": f"/components/schemas/{escape_pointer(new)}"
        for old, new in renames.items()
    }
    for pointer, line in list(spec.lines.items()):
        for old, new in prefixes.items():
            if pointer == old or pointer.startswith(old + "/"):
                spec.lines[new + pointer[len(old) :]] = line
    _rewrite_references(spec.document, {"#" + old: "#" + new for old, new in prefixes.items()})
    return warnings


def _renamed(reference: str, prefixes: Mapping[str, str]) -> str:
    for old, new in prefixes.items():
        if reference == old or reference.startswith(old + "/"):
            return new + reference[len(old) :]
    return reference


def _rewrite_references(node: Any, prefixes: Mapping[str, str]) -> None:
    """Every ``$ref`` and discriminator ``mapping`` value under ``node`` that names a renamed schema."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            reference = item.get("$ref")
            if isinstance(reference, str):
                item["$ref"] = _renamed(reference, prefixes)
            mapping = item.get("mapping")
            if isinstance(mapping, dict):
                for key, value in mapping.items():
                    if isinstance(value, str):
                        mapping[key] = _renamed(value, prefixes)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
