"""Fields of the models that mypy would misread, made plain to it.

An ``allOf`` of a base schema and more properties becomes a subclass; when the added part
narrows a property of the base to a type that is not a subtype of the base's (the base says
``item: {type: object}``, the subclass ``item: {$ref: Playlist}``), pydantic takes the subclass's
field, as JSON Schema does (both must hold), but mypy reports the override. Such a field gets
``# type: ignore[assignment, unused-ignore]``: the second code keeps it quiet where mypy finds
the override compatible after all. A JSON object as a model field's default is validated into
the model by pydantic; it is written ``cast("Any", {...})`` for mypy.
"""

from __future__ import annotations

import ast

__all__ = ["imported_names", "inherited_names", "mark_redefined_fields"]


def _own_fields(node: ast.ClassDef) -> dict[str, str]:
    return {
        statement.target.id: ast.unparse(statement.annotation)
        for statement in node.body
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
    }


def _insert(lines: list[str], number: int, offset: int, text: str) -> None:
    """Insert ``text`` at a 1-based line and a UTF-8 byte offset, as ``ast`` counts them."""
    encoded = lines[number - 1].encode("utf-8")
    lines[number - 1] = (encoded[:offset] + text.encode("utf-8") + encoded[offset:]).decode("utf-8")


def _json_object_in(value: ast.expr | None) -> bool:
    """Whether a default is, or holds, a JSON object literal."""
    return value is not None and any(isinstance(node, ast.Dict) for node in ast.walk(value))


def mark_redefined_fields(code: str) -> str:
    """``code`` with each field that redefines a base class's field with another type, or has a
    JSON object as its default, marked for mypy."""
    tree = ast.parse(code)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    inherited: dict[str, dict[str, str]] = {}

    def fields_of_bases(node: ast.ClassDef, seen: frozenset[str]) -> dict[str, str]:
        if node.name not in inherited:
            found: dict[str, str] = {}
            for base in reversed(node.bases):
                if isinstance(base, ast.Name) and base.id in classes and base.id not in seen:
                    parent = classes[base.id]
                    found.update(fields_of_bases(parent, seen | {node.name}))
                    found.update(_own_fields(parent))
            inherited[node.name] = found
        return inherited[node.name]

    codes: dict[int, set[str]] = {}
    defaults: list[ast.expr] = []
    for node in classes.values():
        base_fields = fields_of_bases(node, frozenset())
        own = _own_fields(node)
        for statement in node.body:
            if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
                continue
            name = statement.target.id
            if name in base_fields and base_fields[name] != own[name]:
                codes.setdefault(statement.lineno, set()).add("assignment")
            if statement.value is not None and _json_object_in(statement.value):
                defaults.append(statement.value)
    lines = code.split("\n")
    for number, found in codes.items():
        if "# type:" not in lines[number - 1]:
            lines[number - 1] += f"  # type: ignore[{', '.join(sorted(found))}, unused-ignore]"
    # A JSON object as a model field's default (``= {"type": "content"}``): pydantic validates it
    # into the model (validate_default), mypy would see a dict; ``cast("Any", ...)`` tells it.
    for value in sorted(defaults, key=lambda node: (node.lineno, node.col_offset), reverse=True):
        assert value.end_lineno is not None and value.end_col_offset is not None
        _insert(lines, value.end_lineno, value.end_col_offset, ")")
        _insert(lines, value.lineno, value.col_offset, 'cast("Any", ')
    if defaults:
        future = next((index for index, line in enumerate(lines) if line.startswith("from __future__")), -1)
        lines.insert(future + 1, "from typing import Any, cast")
    return "\n".join(lines)


def inherited_names(
    statements: list[tuple[ast.stmt, set[str]]], used: dict[str, set[str]]
) -> dict[str, set[str]]:
    """For each class, the names its base classes' statements use (through their own bases).

    pydantic builds a subclass's inherited fields in the subclass's module: a base's annotation
    that names an alias of the base's module (``tools: list[Base_tools]``) or an import of it
    (``MISSING``) must be importable there too, or the subclass is "not fully defined" at its
    first use. ``used`` maps each class to every name its statement reads.
    """
    found: dict[str, set[str]] = {}
    for node, _ in statements:
        if isinstance(node, ast.ClassDef):
            names: set[str] = set()
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in used:
                    names |= used[base.id] | found.get(base.id, set())
            found[node.name] = names - {node.name}
    return found


def imported_names(header: list[str]) -> dict[str, str]:
    """Each name the header's ``from`` imports bring, with the import line that brings it alone."""
    lines: dict[str, str] = {}
    for line in header:
        for node in ast.parse(line).body:
            if isinstance(node, ast.ImportFrom):
                source = "." * node.level + (node.module or "")
                for alias in node.names:
                    name = alias.asname or alias.name
                    lines[name] = f"from {source} import {alias.name} as {name}"
    return lines
