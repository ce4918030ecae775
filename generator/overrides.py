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
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["imported_names", "inherited_names", "mark_redefined_fields", "top_level_statements"]


_STARTS = re.compile(r"(?![\s#)\]}]|(?:else|elif|except|finally)\b).")
_PIECE_LINES = 200
"""Lines parsed at once (whole statements): about as fast as the whole module, a small tree."""


def top_level_statements(code: str) -> Iterator[ast.stmt]:
    """The module's top-level statements, parsed one at a time, with their line numbers in
    ``code``: the syntax tree of a large module of models is many MiB at once (16 MiB for the 800
    models of a 400-operation spec), a few statements' is small.

    A statement starts on a line at column 0 that is not a comment, a closing bracket or the
    ``else`` of a compound statement; such a line can also lie inside a string, so a piece that
    does not parse alone is joined to the next one. A module that cannot be cut so is parsed whole.
    """
    lines = code.split("\n")
    starts = [number for number, line in enumerate(lines) if _STARTS.match(line)]
    index = 0
    while index < len(starts):
        end = index + 1
        while end < len(starts) and starts[end] - starts[index] < _PIECE_LINES:
            end += 1
        while True:
            stop = starts[end] if end < len(starts) else len(lines)
            try:
                # Blank lines first give the statements their line numbers (the parser skips them
                # faster than ast.increment_lineno renumbers a tree).
                module = ast.parse("\n" * starts[index] + "\n".join(lines[starts[index] : stop]))
                break
            except SyntaxError:
                if end >= len(starts):
                    yield from ast.parse(code).body[len(ast.parse("\n".join(lines[: starts[index]])).body) :]
                    return
                end += 1
        yield from module.body
        index = end


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


@dataclass(frozen=True)
class _Class:
    """What ``mark_redefined_fields`` reads of a class statement (its tree is not kept)."""

    bases: tuple[str, ...]
    fields: dict[str, str]
    """Each field's annotation, as source."""
    lines: tuple[tuple[str, int], ...]
    """Each field's name and line."""
    defaults: tuple[tuple[int, int, int, int], ...]
    """Where each default that holds a JSON object is: line, offset, end line, end offset."""


def _class(node: ast.ClassDef) -> _Class:
    fields = [
        statement
        for statement in node.body
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
    ]
    defaults = []
    for statement in fields:
        value = statement.value
        if value is not None and _json_object_in(value):
            assert value.end_lineno is not None and value.end_col_offset is not None
            defaults.append((value.lineno, value.col_offset, value.end_lineno, value.end_col_offset))
    return _Class(
        tuple(base.id for base in node.bases if isinstance(base, ast.Name)),
        _own_fields(node),
        tuple(
            (statement.target.id, statement.lineno)
            for statement in fields
            if isinstance(statement.target, ast.Name)
        ),
        tuple(defaults),
    )


def mark_redefined_fields(code: str) -> str:
    """``code`` with each field that redefines a base class's field with another type, or has a
    JSON object as its default, marked for mypy."""
    classes = {
        node.name: _class(node) for node in top_level_statements(code) if isinstance(node, ast.ClassDef)
    }
    inherited: dict[str, dict[str, str]] = {}

    def fields_of_bases(name: str, seen: frozenset[str]) -> dict[str, str]:
        if name not in inherited:
            found: dict[str, str] = {}
            for base in reversed(classes[name].bases):
                if base in classes and base not in seen:
                    found.update(fields_of_bases(base, seen | {name}))
                    found.update(classes[base].fields)
            inherited[name] = found
        return inherited[name]

    codes: dict[int, set[str]] = {}
    defaults: list[tuple[int, int, int, int]] = []
    for name, found_class in classes.items():
        base_fields = fields_of_bases(name, frozenset())
        for field, number in found_class.lines:
            if field in base_fields and base_fields[field] != found_class.fields[field]:
                codes.setdefault(number, set()).add("assignment")
        defaults += found_class.defaults
    lines = code.split("\n")
    for number, found in codes.items():
        if "# type:" not in lines[number - 1]:
            lines[number - 1] += f"  # type: ignore[{', '.join(sorted(found))}, unused-ignore]"
    # A JSON object as a model field's default (``= {"type": "content"}``): pydantic validates it
    # into the model (validate_default), mypy would see a dict; ``cast("Any", ...)`` tells it.
    for number, offset, end_number, end_offset in sorted(defaults, reverse=True):
        _insert(lines, end_number, end_offset, ")")
        _insert(lines, number, offset, 'cast("Any", ')
    if defaults:
        future = next((index for index, line in enumerate(lines) if line.startswith("from __future__")), -1)
        lines.insert(future + 1, "from typing import Any, cast")
    return "\n".join(lines)


def inherited_names(
    classes: list[tuple[str, tuple[str, ...]]], used: dict[str, set[str]]
) -> dict[str, set[str]]:
    """For each class (name and base names, in the module's order), the names its base classes'
    statements use (through their own bases).

    pydantic builds a subclass's inherited fields in the subclass's module: a base's annotation
    that names an alias of the base's module (``tools: list[Base_tools]``) or an import of it
    (``MISSING``) must be importable there too, or the subclass is "not fully defined" at its
    first use. ``used`` maps each class to the names its statement reads.
    """
    found: dict[str, set[str]] = {}
    for name, bases in classes:
        names: set[str] = set()
        for base in bases:
            if base in used:
                names |= used[base] | found.get(base, set())
        found[name] = names - {name}
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
