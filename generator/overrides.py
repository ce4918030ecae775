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
