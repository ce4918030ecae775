"""Fields that a model redefines from its base, for mypy.

An ``allOf`` of a base schema and more properties becomes a subclass; when the added part
narrows a property of the base to a type that is not a subtype of the base's (the base says
``item: {type: object}``, the subclass ``item: {$ref: Playlist}``), pydantic takes the subclass's
field, as JSON Schema does (both must hold), but mypy reports the override. Such a field gets
``# type: ignore[assignment, unused-ignore]``: the second code keeps it quiet where mypy finds
the override compatible after all.
"""

from __future__ import annotations

import ast

__all__ = ["mark_redefined_fields"]

_IGNORE = "  # type: ignore[assignment, unused-ignore]"


def _own_fields(node: ast.ClassDef) -> dict[str, str]:
    return {
        statement.target.id: ast.unparse(statement.annotation)
        for statement in node.body
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
    }


def mark_redefined_fields(code: str) -> str:
    """``code`` with each field that redefines a base class's field, with another type, marked."""
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

    lines = code.split("\n")
    for node in classes.values():
        base_fields = fields_of_bases(node, frozenset())
        for name, annotation in _own_fields(node).items():
            if name in base_fields and base_fields[name] != annotation:
                statement = next(
                    item
                    for item in node.body
                    if isinstance(item, ast.AnnAssign)
                    and isinstance(item.target, ast.Name)
                    and item.target.id == name
                )
                if "# type:" not in lines[statement.lineno - 1]:
                    lines[statement.lineno - 1] += _IGNORE
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
