"""datamodel-code-generator run on groups of schemas, one group at a time, and the outputs merged
into the module that one run on every schema writes.

One run holds the whole document's parser alive at once (on discourse, 275 schemas, 40 MiB above
its imports, the peak of the whole generation), and some of its passes grow faster than the
number of models (renaming duplicates in the module was a fifth of that run). Schemas that do
not refer to each other, directly or through others, give the same models alone as together,
with two exceptions: a name that both want (two inline models of the same name, a model named
like an import) is made unique over the whole module, and the order of the module interleaves
them. So the schemas are grouped by the connected components of their
references (a component is never split), each group is generated alone, and then:

- groups whose outputs share a name (a model of both, a model or a field of one that the other
  imports, an import that they bind to different names) are generated again together, until no
  two share one: the module-wide renaming then happens inside one run, as it would in one run
  on everything;
- the models are merged in the order that one run writes: it orders them by class name, moving a
  model after the models of its module that it needs first (a topological order that takes the
  smallest name ready at each step), so with no reference between the groups, the merged order
  takes the group whose next model has the smallest name at each step;
- the imports are the union of the groups' imports.

Anything unusual (a reference that does not name a component schema, an ``$id``, a run that
fails) falls back to one run on everything, which then reports its errors as before.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

__all__ = ["GROUP_SIZE", "generate_in_groups", "schema_groups"]

GROUP_SIZE = 60
"""Schemas per run (a component larger than that is one run). The generation's peak on
discourse (2026-11-22, medians of 3): one run 86 MiB, groups of 120: 71, of 60: 67, of 30: 66;
time within the noise of this machine between 30 and 120."""

_PREFIX = "#/components/schemas/"
# Keywords that name a schema by other means than a local "$ref" to a component: not grouped.
_OPAQUE = frozenset({"$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor"})

Generate = Callable[..., Any]

# The capitalised names that datamodel-code-generator 0.89 imports in a module (its ``Import``
# constants). A property with one of these names makes one run bind the import to another name
# in every model (``Field as Field_aliased``): such a document is generated in one run, as its
# groups would all be generated again together (``_conflicts`` would find them). The lower-case
# ones (``date``, ``time``, ``field``) are common property names that conflict only when the
# import is made, which ``_conflicts`` finds.
_IMPORTED = (
    "AliasChoices Annotated Any AnyUrl AwareDatetime Base64Bytes Base64Encoder Base64Str BaseModel "
    "ClassVar ConfigDict Date DateTime Decimal Dict Duration EmailStr EncodedBytes Enum Field "
    "FrozenSet FutureDate FutureDatetime IPv4Address IPv4Network IPv6Address IPv6Network IntEnum "
    "Iterator List Literal MISSING Mapping Meta MultipleOf NaiveDatetime NegativeFloat NegativeInt "
    "NonNegativeFloat NonNegativeInt NonPositiveFloat NonPositiveInt NotRequired Optional PastDate "
    "PastDatetime Path PositiveFloat PositiveInt ReadOnly Required RootModel SecretStr Sequence "
    "SerializeAsAny Set StrEnum StrictBool StrictBytes StrictFloat StrictInt StrictStr "
    "StringConstraints Struct SupportsIndex Time Tuple TypeAdapter TypeAlias TypeAliasType TypedDict "
    "ULID UNSET UUID UUID1 UUID3 UUID4 UUID5 Union UnsetType ValidationInfo "
    "ValidatorFunctionWrapHandler"
)
_IMPORTED_NAMES = frozenset(_IMPORTED.split())


def _targets(schema: Any, names: Mapping[str, int]) -> set[int] | None:
    """The indexes of the component schemas that ``schema`` names anywhere (``$ref``, a
    discriminator's mapping, any string that is a reference to one); None when it names one in a
    way that cannot be followed."""
    found: set[int] = set()
    todo = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, Mapping):
            if not _OPAQUE.isdisjoint(node):
                return None
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith(_PREFIX) and ref.startswith("#"):
                return None
            mapping = node.get("discriminator")
            if isinstance(mapping, Mapping) and isinstance(mapping.get("mapping"), Mapping):
                for value in mapping["mapping"].values():
                    if isinstance(value, str) and value in names:
                        found.add(names[value])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, str) and node.startswith(_PREFIX):
            key = node[len(_PREFIX) :].split("/", 1)[0]
            key = key.replace("~1", "/").replace("~0", "~")
            index = names.get(key, names.get(unquote(key)))
            if index is None:
                return None
            found.add(index)
    return found


def _names_an_import(schemas: Mapping[str, Any]) -> bool:
    """Whether a property of a schema is named like something a module of models imports."""
    todo: list[Any] = list(schemas.values())
    while todo:
        node = todo.pop()
        if isinstance(node, Mapping):
            properties = node.get("properties")
            if isinstance(properties, Mapping) and not _IMPORTED_NAMES.isdisjoint(map(str, properties)):
                return True
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return False


def schema_groups(schemas: Mapping[str, Any], size: int) -> list[list[str]] | None:
    """The schemas' names in groups of about ``size`` that do not refer to each other, each in the
    document's order, the groups in the order of their first schema; None when the references
    cannot all be followed, or when a property is named like an import (``_IMPORTED_NAMES``)."""
    if _names_an_import(schemas):
        return None
    names = {str(name): index for index, name in enumerate(schemas)}
    parent = list(range(len(names)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for index, schema in enumerate(schemas.values()):
        targets = _targets(schema, names)
        if targets is None:
            return None
        for target in targets:
            first, second = sorted((root(index), root(target)))
            parent[second] = first
    components: dict[int, list[str]] = {}
    for name, index in names.items():
        components.setdefault(root(index), []).append(name)
    groups: list[list[str]] = []
    for component in components.values():  # in the order of their first schema
        if groups and len(groups[-1]) + len(component) <= size:
            groups[-1].extend(component)
        else:
            groups.append(list(component))
    place = {name: index for index, name in enumerate(names)}
    return [sorted(group, key=place.__getitem__) for group in groups]


class _Output:
    """One run's module: its imports; its top-level statements, each with what follows it up to
    the next one that defines a name (a type alias's docstring follows the alias); and the
    statements after the last model (``model_rebuild()`` calls), which one run writes last."""

    def __init__(self, code: str) -> None:
        tree = ast.parse(code)
        lines = code.split("\n")
        self.imports: list[ast.Import | ast.ImportFrom] = []
        body: list[ast.stmt] = []
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom) and not body:
                self.imports.append(node)
            else:
                body.append(node)
        firsts = [
            min([node.lineno] + [item.lineno for item in getattr(node, "decorator_list", [])])
            for node in body
        ]
        named = [number for number, node in enumerate(body) if _defined(node) is not None]
        last = named[-1] if named else -1
        # After the last model: its docstring, then the statements that one run writes last.
        end = last + 1
        if 0 <= last < len(body) - 1 and _is_docstring(body[last + 1]):
            end += 1
        ends = [*named[1:], end]

        def text(first: int, stop: int) -> str:
            stop_line = firsts[stop] - 1 if stop < len(body) else len(lines)
            return "\n".join(lines[firsts[first] - 1 : stop_line]).strip()

        self.leading: list[str] = [text(0, named[0])] if named and named[0] > 0 else []
        self.segments: list[tuple[str, str]] = [
            (str(_defined(body[number])), text(number, stop))
            for number, stop in zip(named, ends, strict=True)
        ]
        self.trailing: list[tuple[str, str]] = []
        for number in range(end, len(body)):
            found = [inner.id for inner in ast.walk(body[number]) if isinstance(inner, ast.Name)]
            self.trailing.append((found[0] if found else "", text(number, number + 1)))
        self.defined = {name for name, _ in self.segments}
        # Both the imported name and the name it is bound to: an import is bound to another name
        # ("Field as Field_aliased") when a model or a field of the module has its name.
        self.bound: dict[tuple[str, str], str] = {
            (node.module or "" if isinstance(node, ast.ImportFrom) else "", alias.name): alias.asname
            or alias.name
            for node in self.imports
            for alias in node.names
        }
        self.imported = {part.split(".")[0] for item in self.bound.items() for part in (item[0][1], item[1])}
        self.fields = {
            statement.target.id
            for node in body
            if isinstance(node, ast.ClassDef)
            for statement in node.body
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
        }


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _defined(node: ast.stmt) -> str | None:
    if isinstance(node, ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and node.targets and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _conflicts(outputs: list[_Output]) -> list[set[int]]:
    """The sets of groups (by index) that one run on them all could name differently: a model of
    one that another defines or imports, a field of one that another imports, an import that
    they bind to different names. Each set is to be generated again as one group."""
    parent = list(range(len(outputs)))

    def root(index: int) -> int:
        while parent[index] != index:
            index = parent[index]
        return index

    def join(indexes: list[int]) -> None:
        for index in indexes[1:]:
            first, second = sorted((root(indexes[0]), root(index)))
            parent[second] = first

    holders: dict[str, list[int]] = {}
    for index, output in enumerate(outputs):
        for name in output.defined | output.fields | output.imported:
            holders.setdefault(name, []).append(index)
    for index, output in enumerate(outputs):
        for name in output.defined:
            join(holders[name])
        for name in output.fields & output.imported:
            join(holders[name])
        for name in output.fields:
            join([index, *(other for other in holders[name] if name in outputs[other].imported)])
    binders: dict[tuple[str, str], dict[str, list[int]]] = {}
    for index, output in enumerate(outputs):
        for key, bound in output.bound.items():
            binders.setdefault(key, {}).setdefault(bound, []).append(index)
    for found in binders.values():
        if len(found) > 1:
            join([index for indexes in found.values() for index in indexes])
    merged: dict[int, set[int]] = {}
    for index in range(len(outputs)):
        merged.setdefault(root(index), set()).add(index)
    return [found for found in merged.values() if len(found) > 1]


def _merge(outputs: list[_Output]) -> str:
    header: list[str] = []
    names_from: dict[str, list[str]] = {}
    for output in outputs:
        for node in output.imports:
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module not in names_from:
                    names_from[node.module] = []
                    header.append(node.module)
                names_from[node.module] += [
                    alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
                    for alias in node.names
                ]
            else:
                line = ast.unparse(node)
                if line not in header:
                    header.append(line)
    lines = [
        f"from {entry} import {', '.join(sorted(set(names_from[entry])))}" if entry in names_from else entry
        for entry in header
    ]
    body = [text for output in outputs for text in output.leading]
    positions = [0] * len(outputs)
    place: dict[str, int] = {}
    while True:
        ready = [
            (output.segments[positions[index]][0], index)
            for index, output in enumerate(outputs)
            if positions[index] < len(output.segments)
        ]
        if not ready:
            break
        name, index = min(ready)
        place[name] = len(place)
        body.append(outputs[index].segments[positions[index]][1])
        positions[index] += 1
    # After every model, in the order of the models they name.
    trailing = [entry for output in outputs for entry in output.trailing]
    if trailing:
        body.append(
            "\n".join(text for _, text in sorted(trailing, key=lambda entry: place.get(entry[0], len(place))))
        )
    return "\n".join(lines) + "\n\n\n" + "\n\n\n".join(body)


def generate_in_groups(
    document: Mapping[str, Any], options: Mapping[str, Any], generate: Generate, size: int | None = None
) -> Any:
    """What ``generate(document, **options)`` returns, generated a group of schemas at a time
    (see the module's docstring); ``document`` has its schemas under ``components``."""
    schemas: Mapping[str, Any] = document["components"]["schemas"]
    groups = schema_groups(schemas, size or GROUP_SIZE)
    if groups is None or len(groups) < 2:
        return generate(document, **options)

    def run(group: list[str]) -> _Output:
        part = {**document, "components": {"schemas": {name: schemas[name] for name in group}}}
        code = generate(part, **options)
        if not isinstance(code, str):
            raise TypeError("no single module")
        return _Output(code)

    try:
        outputs = [run(group) for group in groups]
        while conflicts := _conflicts(outputs):
            joined = {
                min(found): sorted(name for index in found for name in groups[index]) for found in conflicts
            }
            dropped = {index for found in conflicts for index in found} - set(joined)
            place = {str(name): index for index, name in enumerate(schemas)}
            for index, group in joined.items():
                groups[index] = sorted(group, key=place.__getitem__)
                outputs[index] = run(groups[index])
            groups = [group for index, group in enumerate(groups) if index not in dropped]
            outputs = [output for index, output in enumerate(outputs) if index not in dropped]
    except Exception:  # one run on everything reports the problem as it always has
        return generate(document, **options)
    return _merge(outputs)
