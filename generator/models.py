"""Stage 3: Pydantic v2 models with datamodel-code-generator, plus the spec's cross-field rules.

Every option given to datamodel-code-generator is set in ``_OPTIONS`` below with the reason
for it; the version is pinned in pyproject.toml because its output changes between releases.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from datamodel_code_generator import generate
from datamodel_code_generator.enums import DataModelType, InputFileType, NamingStrategy, StrictTypes
from datamodel_code_generator.format import PythonVersion
from datamodel_code_generator.parser import LiteralType

from .ir import Api
from .load import Spec, escape_pointer
from .naming import class_name
from .overrides import imported_names, inherited_names, mark_redefined_fields
from .problems import GenerationError, Problem

__all__ = ["ModelsModule", "generate_models", "split_models"]

# datamodel-code-generator needs an absolute module for base classes; the generated package
# must import relatively so that it can be vendored under any parent package. The placeholder
# is replaced by a relative import after generation (and checked to be replaced).
_PLACEHOLDER = "_spec_package_"
_PLACEHOLDER_IMPORT = re.compile(rf"^from {_PLACEHOLDER}\._model_base import (.+)$", re.MULTILINE)

_OPTIONS: dict[str, Any] = {
    "input_file_type": InputFileType.OpenAPI,
    "output_model_type": DataModelType.PydanticV2BaseModel,
    "target_python_version": PythonVersion.PY_311,
    # No timestamp and no input path in the header: the output depends on the spec alone.
    "disable_timestamp": True,
    "custom_file_header": "",
    # Reject type coercion ("5" or True for an int, 5 for a string), as JSON Schema does.
    "strict_types": [StrictTypes.str, StrictTypes.int, StrictTypes.float, StrictTypes.bool],
    # Enums become Literal types: editors complete them, and string defaults type-check.
    "enum_field_as_literal": LiteralType.All,
    # Non-object schemas become type aliases, not RootModel wrappers: `duration` is a plain
    # int (`Literal[-1] | <int 4..15>`), not Duration(root=5).
    "use_type_alias": True,
    # An optional field that is left out is MISSING (not sent, not None); None is accepted
    # only where the spec says null is allowed.
    "strict_nullable": True,
    "use_missing_sentinel": True,
    # Deliberately narrower than JSON Schema in one respect: 4.0 is refused for an integer (JSON
    # Schema counts it as one). A float passed for an int is a caller's mistake, like "4"; a
    # custom int type that took it would lose `minimum`/`maximum` from model_json_schema().
    "import_overrides": {"MISSING": "pydantic"},
    # `format: uri` stays a plain string: AnyUrl would rewrite presigned URLs.
    # No `format` may need a package the generated code does not declare: `email` and
    # `idn-email` would become EmailStr (email-validator), so they stay plain strings too.
    "type_mappings": [
        "string+uri=string",
        "string+uri-reference=string",
        "string+iri=string",
        "string+email=string",
        "string+idn-email=string",
    ],
    # Descriptions stay in Field(description=...) (and so in model_json_schema()); schema
    # descriptions become class docstrings.
    "use_schema_description": True,
    "field_constraints": True,
    "use_annotated": True,
    "use_standard_collections": True,
    "use_union_operator": True,
    "use_double_quotes": True,
    # One module, in the spec's order; a schema named with dots must not become a subpackage.
    "keep_model_order": True,
    "treat_dot_as_module": False,
    # ruff formats the whole package afterwards.
    "formatters": [],
    "base_class": f"{_PLACEHOLDER}._model_base.SpecModel",
    "custom_class_name_generator": class_name,
    # Two inline schemas with the same property name get names from their parents
    # (Seedance20Request_duration), not numbers that depend on the order of the spec.
    "naming_strategy": NamingStrategy.ParentPrefixed,
}

_WORD = re.compile(r"[A-Za-z_]\w*")
_RULE_KEYWORDS = ("dependentRequired", "dependentSchemas", "if", "then", "else", "not")


@dataclass(frozen=True)
class ModelsModule:
    code: str
    names: frozenset[str]
    warnings: tuple[str, ...]
    problems: tuple[Problem, ...] = ()
    """Lenient mode: rules that were not compiled (the models are looser than the spec there)."""
    operation_of: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """The operation of each name that one operation alone uses (its parameters' or answers' types)."""

    @property
    def modules(self) -> dict[str, str]:
        """The ``models`` package: file name -> source (see ``split_models``)."""
        return split_models(self.code, self.operation_of)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class _RuleCompiler:
    """Compiles the cross-field keywords of one object schema into ``_model_base`` rule values."""

    def __init__(self, spec: Spec, pointer: str) -> None:
        self.spec = spec
        self.pointer = pointer
        self.problems: list[Problem] = []

    def unsupported(self, keyword: str, detail: str) -> None:
        where = f"{self.pointer}/{keyword}"
        self.problems.append(self.spec.problem(where, f"'{keyword}' {detail}"))

    def compile(self, schema: Mapping[str, Any]) -> list[str]:
        rules: list[str] = []
        for field, required in (schema.get("dependentRequired") or {}).items():
            names = tuple(str(name) for name in required)
            message = f"{field} requires {' and '.join(names)}"
            rules.append(f"DependentRequired({message!r}, field={field!r}, required={names!r})")
        for keyword in ("anyOf", "oneOf"):
            groups = _required_groups(schema.get(keyword))
            if groups:
                words = " or ".join("+".join(group) for group in groups)
                exactly = keyword == "oneOf"
                message = f"{'exactly' if exactly else 'at least'} one of {words} must be given"
                rules.append(
                    f"RequiredGroups({message!r}, groups={tuple(groups)!r}, exactly_one={exactly!r})"
                )
        for field, property_schema in (schema.get("properties") or {}).items():
            resolved = self.spec.resolve(property_schema)
            if isinstance(resolved, Mapping) and resolved.get("uniqueItems") is True:
                rules.append(f"UniqueItems({f'the items of {field} must be unique'!r}, field={str(field)!r})")
        if "dependentSchemas" in schema:
            self.unsupported("dependentSchemas", "is not supported (use dependentRequired)")
        if "not" in schema:
            rules += self._not(schema["not"])
        if "if" in schema:
            rules += self._if_then(schema)
        elif "then" in schema or "else" in schema:
            self.unsupported("then", "without 'if' has no effect and is not supported")
        return rules

    def _not(self, negated: Any) -> list[str]:
        groups: list[Any] = []
        if isinstance(negated, Mapping) and set(negated) == {"required"}:
            groups = [negated["required"]]
        elif (
            isinstance(negated, Mapping)
            and set(negated) == {"anyOf"}
            and all(isinstance(part, Mapping) and set(part) == {"required"} for part in negated["anyOf"])
        ):
            groups = [part["required"] for part in negated["anyOf"]]
        if not groups:
            self.unsupported(
                "not", "is supported only as not: {required: [...]} or not: {anyOf: [{required}...]}"
            )
            return []
        rules = []
        for group in groups:
            names = tuple(str(name) for name in group)
            message = f"{' and '.join(names)} cannot be used together"
            rules.append(f"ForbiddenTogether({message!r}, fields={names!r})")
        return rules

    def _conditions(self, keyword: str, part: Any) -> tuple[list[str], list[str]] | None:
        """(Condition expressions, words) for a subschema of required names and const/enum properties."""
        if not isinstance(part, Mapping) or not set(part) <= {"required", "properties"}:
            self.unsupported(keyword, "is supported only with 'required' and const/enum 'properties'")
            return None
        required = [str(name) for name in part.get("required") or []]
        properties = part.get("properties") or {}
        expressions, words = [], []
        for name in dict.fromkeys([*required, *properties]):
            constraint = properties.get(name, {})
            values: list[Any] | None = None
            if isinstance(constraint, Mapping) and set(constraint) == {"const"}:
                values = [constraint["const"]]
            elif isinstance(constraint, Mapping) and set(constraint) == {"enum"}:
                values = list(constraint["enum"])
            elif constraint != {}:
                self.unsupported(keyword, f"property {name!r} may only use 'const' or 'enum'")
                return None
            is_required = name in required
            expressions.append(
                f"Condition({name!r}, required={is_required!r}"
                + (
                    f", values=({', '.join(repr(value) for value in values)},))"
                    if values is not None
                    else ")"
                )
            )
            if values is None:
                words.append(f"{name} is given")
            elif len(values) == 1:
                words.append(f"{name} is {_json(values[0])}")
            else:
                words.append(f"{name} is one of {', '.join(_json(value) for value in values)}")
        return expressions, words

    def _requirements(self, keyword: str, part: Any) -> tuple[list[str], list[str]] | None:
        compiled = self._conditions(keyword, part)
        if compiled is None:
            return None
        # The same conditions read as requirements: "must be 480p" rather than "is 480p".
        words = [
            word.replace(" is given", " must be given").replace(" is ", " must be ") for word in compiled[1]
        ]
        return compiled[0], words

    def _if_then(self, schema: Mapping[str, Any]) -> list[str]:
        when = self._conditions("if", schema["if"])
        then = self._requirements("then", schema.get("then", {}))
        otherwise = self._requirements("else", schema.get("else", {}))
        if when is None or then is None or otherwise is None:
            return []
        clauses = []
        if then[1]:
            clauses.append(f"when {' and '.join(when[1])}, {' and '.join(then[1])}")
        if otherwise[1]:
            clauses.append(f"unless {' and '.join(when[1])}, {' and '.join(otherwise[1])}")
        message = "; ".join(clauses)
        return [
            f"IfThen({message!r}, when=({', '.join(when[0])},), then=({', '.join(then[0])},)"
            f", otherwise=({', '.join(otherwise[0])},))".replace("(,)", "()")
        ]


def _required_groups(branches: Any) -> list[tuple[str, ...]]:
    """The groups of an ``anyOf``/``oneOf`` whose branches only list ``required`` names, else []."""
    if not isinstance(branches, list) or not branches:
        return []
    if not all(isinstance(part, Mapping) and set(part) == {"required"} for part in branches):
        return []
    return [tuple(str(name) for name in part["required"]) for part in branches]


def _walk_nested(schema: Any, pointer: str, top: bool = True) -> Iterator[tuple[str, str]]:
    """(pointer, keyword) of every cross-field keyword below the top of a schema."""
    if isinstance(schema, Mapping):
        for key, value in schema.items():
            if not top and key in _RULE_KEYWORDS:
                yield pointer, key
            if key in ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"):
                if isinstance(value, Mapping):
                    for name, child in value.items():
                        yield from _walk_nested(child, f"{pointer}/{key}/{escape_pointer(name)}", top=False)
            elif key not in ("example", "examples", "default", "const", "enum", "if", "then", "else", "not"):
                yield from _walk_nested(value, f"{pointer}/{key}", top=False)
    elif isinstance(schema, list):
        for index, child in enumerate(schema):
            yield from _walk_nested(child, f"{pointer}/{index}", top=False)


def _compile_rules(
    spec: Spec, schemas: Mapping[str, tuple[str, Any]]
) -> tuple[dict[str, list[str]], list[Problem]]:
    rules: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for name, (pointer, schema) in schemas.items():
        if not isinstance(schema, Mapping):
            continue
        compiler = _RuleCompiler(spec, pointer)
        compiled = compiler.compile(schema)
        problems += compiler.problems
        if compiled:
            rules[class_name(name)] = compiled
        for where, keyword in _walk_nested(schema, pointer):
            message = f"'{keyword}' is supported only at the top of a named object schema"
            problems.append(spec.problem(f"{where}/{keyword}", message))
    return rules, problems


def _enum_members(document: Mapping[str, Any], schema: Any, depth: int = 0) -> tuple[Any, ...] | None:
    """The values a property schema allows when it is an enum or const (also behind a local $ref,
    a one-branch allOf, or an anyOf/oneOf of enums and null); None when it allows any other."""
    if not isinstance(schema, Mapping) or depth > 20:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
        return _enum_members(document, target, depth + 1)
    if isinstance(schema.get("enum"), list):
        return tuple(schema["enum"])
    if "const" in schema:
        return (schema["const"],)
    all_of = schema.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:
        return _enum_members(document, all_of[0], depth + 1)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(branches, list) and branches:
        members: list[Any] = []
        for branch in branches:
            if isinstance(branch, Mapping) and branch.get("type") == "null" and len(branch) == 1:
                members.append(None)
                continue
            found = _enum_members(document, branch, depth + 1)
            if found is None:
                return None
            members += found
        return tuple(members)
    return None


def _scalar_enum(document: Mapping[str, Any], schema: Any) -> tuple[tuple[Any, ...], bool] | None:
    """``(members, items)`` when ``schema`` (or, with items, its array items) is an enum with a
    number or bool member; None otherwise."""
    for items, part in (
        (False, schema),
        (True, schema.get("items") if isinstance(schema, Mapping) else None),
    ):
        members = _enum_members(document, part)
        if members and any(isinstance(member, bool | int | float) for member in members):
            return members, items
    return None


def _enum_lines(
    document: Mapping[str, Any], schemas: Mapping[str, tuple[str, Any]], names: set[str]
) -> list[str]:
    """Lines recording the enums with a number or bool member, matched by JSON value and type.

    pydantic's ``Literal[1, True]`` takes ``1.0`` as ``True``, and a float enum becomes a plain
    float: ``SpecModel`` (properties) and ``_arguments`` (parameter aliases) match these instead.
    """
    lines: list[str] = []
    for name, (_, schema) in schemas.items():
        python_name = class_name(name)
        if python_name not in names or not isinstance(schema, Mapping):
            continue
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            tables: dict[bool, dict[str, tuple[Any, ...]]] = {False: {}, True: {}}
            for field, property_schema in properties.items():
                found = _scalar_enum(document, property_schema)
                if found:
                    tables[found[1]][str(field)] = found[0]
            for items, attribute in ((False, "__spec_enums__"), (True, "__spec_item_enums__")):
                if tables[items]:
                    lines.append(f"{python_name}.{attribute} = {tables[items]!r}")
        else:
            found = _scalar_enum(document, schema)
            if found:
                lines.append(f"spec_enum({python_name}, {found[0]!r}{', items=True' if found[1] else ''})")
    return lines


def _without_rule_keywords(schema: Any) -> Any:
    # The rules are compiled here; datamodel-code-generator would otherwise read `if`/`then`
    # properties as fields of their own.
    # An anyOf/oneOf of `required` lists is such a rule too: left in, it would turn the object
    # into a union of copies of itself (a type alias, where no rule can be attached).
    if isinstance(schema, Mapping):
        return {
            key: value
            for key, value in schema.items()
            if key not in _RULE_KEYWORDS and not (key in ("anyOf", "oneOf") and _required_groups(value))
        }
    return schema


def _defined_by(node: ast.stmt) -> set[str]:
    """The names a top-level statement defines: a class, or the targets of an assignment."""
    if isinstance(node, ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {target.id for target in node.targets if isinstance(target, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def _defined_names(tree: ast.Module) -> set[str]:
    return {name for node in tree.body for name in _defined_by(node)}


def _request_side(tree: ast.Module, api: Api) -> set[str]:
    """The models names that a request can contain: the bodies and parameter types, and every name
    they refer to, transitively."""
    uses: dict[str, set[str]] = {}
    for node in tree.body:
        defined = _defined_by(node) if isinstance(node, ast.ClassDef | ast.Assign) else set()
        refs = {name.id for name in ast.walk(node) if isinstance(name, ast.Name)}
        for name in defined:
            uses[name] = refs
    roots: set[str] = set()
    for operation in api.operations:
        texts = [operation.body.model] if operation.body else []
        texts += [text for arg in operation.arguments for text in (arg.annotation, arg.validator or "")]
        roots.update(word for text in texts for word in re.findall(r"\w+", text))
    seen: set[str] = set()
    todo = [name for name in roots if name in uses]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [used for used in uses[name] if used in uses and used not in seen]
    return seen


def _absent_as_none(code: str, tree: ast.Module, api: Api) -> str:
    """On models that only answers contain, an optional field left out reads as None, not MISSING.

    ``task.result or []`` then works, and ``model_fields_set`` still tells an absent field from
    a null one. Request models keep MISSING: a field not given is not sent.
    """
    request_side = _request_side(tree, api)
    lines = code.split("\n")
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name not in request_side:
            for index in range(node.lineno - 1, node.end_lineno or node.lineno):
                line = lines[index].replace("| None | MISSING", "| None")
                line = re.sub(r"([|=]) MISSING\b", r"\1 None", line)
                # A `type: null` field: `None | MISSING` became `None | None`, which fails at run time.
                lines[index] = re.sub(r"\bNone \| None\b", "None", line)
    code = "\n".join(lines)
    if not re.search(r"\bMISSING\b", code.replace("from pydantic import MISSING, ", "from pydantic import ")):
        code = code.replace("from pydantic import MISSING, ", "from pydantic import ")
    return code


def generate_models(spec: Spec, api: Api, *, lenient: bool = False) -> ModelsModule:
    """The models, as one module's source (without header or formatting), for the components and
    hoisted schemas; ``ModelsModule.modules`` splits it into the package's ``models/``.

    With ``lenient``, a rule that cannot be compiled is left out with a warning (``problems``).
    """
    components = (spec.document.get("components") or {}).get("schemas") or {}
    schemas: dict[str, tuple[str, Any]] = {
        name: (f"/components/schemas/{escape_pointer(name)}", schema) for name, schema in components.items()
    }
    schemas.update(api.hoisted)
    rules, problems = _compile_rules(spec, schemas)
    if problems and not lenient:
        raise GenerationError(str(spec.path), problems)
    problems = [
        Problem(problem.pointer, f"{problem.message}; the rule is not checked", problem.line)
        for problem in problems
    ]
    if not schemas:
        code = "from __future__ import annotations\n"
        return ModelsModule(code, frozenset(), (), tuple(problems))
    document = {
        "openapi": spec.document.get("openapi"),
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {
            "schemas": {name: _without_rule_keywords(schema) for name, (_, schema) in schemas.items()}
        },
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            output = generate(document, **_OPTIONS)
        except Exception as error:  # datamodel-code-generator reports spec problems as exceptions
            message = f"datamodel-code-generator could not generate the models: {error}"
            raise GenerationError(str(spec.path), [Problem("/components/schemas", message)]) from None
    if not isinstance(output, str):
        raise GenerationError(
            str(spec.path), [Problem("/components/schemas", "models did not fit in one module")]
        )
    if "SpecModel" not in output:
        raise GenerationError(str(spec.path), [Problem("", "internal: models do not use SpecModel")])
    # Drop datamodel-code-generator's own header comment; the writer adds the project's header.
    body = output.lstrip()
    while body.startswith("#"):
        body = body.split("\n", 1)[1].lstrip() if "\n" in body else ""
    used = sorted({rule.split("(")[0] for compiled in rules.values() for rule in compiled})
    used += ["Condition"] if "IfThen" in used else []
    code = _PLACEHOLDER_IMPORT.sub(lambda match: f"from ._model_base import {match.group(1)}", body)
    if used:
        code = code.replace("from ._model_base import ", f"from ._model_base import {', '.join(used)}, ", 1)
    if _PLACEHOLDER in code:
        raise GenerationError(str(spec.path), [Problem("", "internal: a model imports the package by name")])
    # Parsed once: rewriting fields keeps every line where it was, so the tree still names them
    # (marking redefined fields adds comments, never a class or a name).
    tree = ast.parse(code)
    code = _absent_as_none(code, tree, api)
    code = mark_redefined_fields(code)
    names = _defined_names(tree)
    missing = sorted(set(api.model_names) - names)
    if missing:
        message = f"internal: models {', '.join(missing)} were not generated under the expected names"
        raise GenerationError(str(spec.path), [Problem("/components/schemas", message)])
    if rules:
        lines = ["", ""]
        lines.append("# The spec's cross-field rules, checked by SpecModel after field validation.")
        classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
        pointers = {class_name(name): pointer for name, (pointer, _) in schemas.items()}
        for model, compiled in sorted(rules.items()):
            if model not in names:
                raise GenerationError(
                    str(spec.path), [Problem("", f"internal: no model {model} for its rules")]
                )
            if model not in classes:
                # Not an object model (a union or alias): nowhere to check its rules.
                problem = spec.problem(
                    pointers.get(model, ""),
                    f"the cross-field rules of {model} need an object schema; they are not checked",
                )
                if not lenient:
                    raise GenerationError(str(spec.path), [problem])
                problems.append(problem)
                continue
            lines.append(f"{model}.__spec_rules__ = ({', '.join(compiled)},)")
        code += "\n".join(lines) + "\n"
    enum_lines = _enum_lines(spec.document, schemas, names)
    if enum_lines:
        if any(line.startswith("spec_enum(") for line in enum_lines):
            code = code.replace(
                "from ._model_base import ", "from ._enums import spec_enum\nfrom ._model_base import ", 1
            )
        comment = "# Enums with number or boolean members: matched by JSON value and type, not by Literal."
        code += "\n".join(["", "", comment, *enum_lines]) + "\n"
    notes = tuple(sorted({str(warning.message) for warning in caught}))
    return ModelsModule(code, frozenset(names), notes, tuple(problems), _operation_of(api, names))


def _operation_of(api: Api, names: set[str]) -> dict[str, str]:
    users: dict[str, set[str]] = {}
    for operation in api.operations:
        texts = [
            text
            for argument in operation.arguments
            for text in (argument.annotation, argument.validator or "")
        ]
        texts += [operation.body.model] if operation.body else []
        texts += [response.model or "" for response in operation.responses]
        for word in {word for text in texts for word in re.findall(r"\w+", text)} & names:
            users.setdefault(word, set()).add(operation.name)
    return {name: next(iter(found)) for name, found in sorted(users.items()) if len(found) == 1}


def _module_name(name: str, taken: set[str]) -> str:
    """``_task_result`` for ``TaskResult``: a private module per group, unique in the package."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    base = "_" + (re.sub(r"\W+", "_", snake).strip("_") or "model")
    module, number = base, 2
    while module in taken:
        module, number = f"{base}_{number}", number + 1
    taken.add(module)
    return module


def _groups(order: list[str], uses: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of names (Tarjan, iterative), each in source order, ordered
    by their first name's place in the source."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in order:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(uses[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            name, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(uses[child]))))
                elif child in on_stack:
                    low[name] = min(low[name], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[name])
            if low[name] == index[name]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == name:
                        break
                found.append(group)
    place = {name: number for number, name in enumerate(order)}
    groups = [sorted(group, key=place.__getitem__) for group in found]
    return sorted(groups, key=lambda group: place[group[0]])


def _merge_single_use(groups: list[list[str]], uses: Mapping[str, set[str]]) -> list[list[str]]:
    """Groups with the groups that only they use (a model's inline types and enums), so that a
    module holds a model with its own parts and the package has no one-line modules of them."""
    group_of = {name: number for number, group in enumerate(groups) for name in group}
    into = list(range(len(groups)))

    def root(number: int) -> int:
        while into[number] != number:
            number = into[number]
        return number

    changed = True
    while changed:
        changed = False
        users: dict[int, set[int]] = {root(number): set() for number in range(len(groups))}
        for name, used in uses.items():
            for other in used:
                user, target = root(group_of[name]), root(group_of[other])
                if user != target:
                    users[target].add(user)
        for number, found in users.items():
            if len(found) == 1 and into[number] == number:
                into[number] = next(iter(found))
                changed = True
    merged: dict[int, list[str]] = {}
    for number, group in enumerate(groups):
        merged.setdefault(root(number), []).extend(group)
    place = {name: index for index, name in enumerate(name for group in groups for name in group)}
    # Each module is named after its first member in the source, the group that took the others.
    return [
        sorted(merged[number], key=lambda name: (group_of[name] != number, place[name]))
        for number in sorted(merged)
    ]


def _merge_by_operation(
    groups: list[list[str]], uses: Mapping[str, set[str]], operation_of: Mapping[str, str]
) -> list[list[str]]:
    used = {other for name, found in uses.items() for other in found if other != name}
    merged: list[list[str]] = []
    by_operation: dict[str, list[str]] = {}
    for group in groups:
        operations = {operation_of.get(name) for name in group}
        operation = next(iter(operations)) if len(operations) == 1 else None
        if operation is None or used & set(group):
            merged.append(group)
        elif operation in by_operation:
            by_operation[operation].extend(group)
        else:
            by_operation[operation] = list(group)
            merged.append(by_operation[operation])
    return merged


def _names_used(node: ast.AST, known: set[str] | None = None) -> set[str]:
    """The names a statement reads, also inside string annotations (forward references); only
    the ``known`` ones when given (then only the strings that name one are parsed)."""
    names: set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            names.add(inner.id)
        elif isinstance(inner, ast.Constant) and isinstance(inner.value, str) and inner.value.isascii():
            # Only a string with a known name among its words can read one (most are descriptions).
            if known is not None and known.isdisjoint(_WORD.findall(inner.value)):
                continue
            try:
                expression = ast.parse(inner.value.strip(), mode="eval")
            except SyntaxError:
                continue
            names.update(found.id for found in ast.walk(expression) if isinstance(found, ast.Name))
    return names if known is None else names & known


def split_models(code: str, operation_of: Mapping[str, str] | None = None) -> dict[str, str]:
    """The single models module split into a package that loads each model on first use.

    Every strongly connected group of definitions (a model with the aliases and models that
    refer back to it) gets a private module that imports the groups it uses; statements about a
    model (its rules, its enums) go with it. ``__init__.py`` imports nothing at run time: its
    ``__getattr__`` imports the module of the name asked for, and an ``if TYPE_CHECKING:`` block
    gives type checkers every name, so ``from pkg.models import X`` stays typed. Groups that no
    model uses and that one operation alone uses (``operation_of``: its parameters', body's or
    answers' types) share one module, ``_<operation>_types``.
    """
    tree = ast.parse(code)
    lines = code.split("\n")

    def source(node: ast.stmt) -> str:
        # Top-level statements span whole lines (ast.get_source_segment re-splits the code per call).
        first = min([node.lineno] + [item.lineno for item in getattr(node, "decorator_list", [])])
        return "\n".join(lines[first - 1 : node.end_lineno])

    header: list[str] = []
    statements: list[tuple[ast.stmt, set[str]]] = []
    order: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            line = source(node)
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                line = "from ." + line[len("from ") :]
            header.append(line)
            continue
        defined: set[str] = set()
        if isinstance(node, ast.ClassDef):
            defined = {node.name}
        elif isinstance(node, ast.Assign):
            defined = {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined = {node.target.id}
        statements.append((node, defined))
        order += sorted(defined - set(order))
    defined_all = set(order)
    place = {name: number for number, name in enumerate(order)}
    uses: dict[str, set[str]] = {name: set() for name in order}
    owners: list[str] = []
    for node, defined in statements:
        refs = _names_used(node, defined_all)
        if defined:
            owner = min(defined, key=place.__getitem__)
        else:
            # A statement about models (rules, enums): with the first model it names.
            owner = min(refs, key=place.__getitem__) if refs else order[0]
        owners.append(owner)
        for name in defined or {owner}:
            uses[name] |= refs - {name}
    inherited = inherited_names(
        statements, {node.name: _names_used(node) for node, _ in statements if isinstance(node, ast.ClassDef)}
    )
    header_names = imported_names(header)
    groups = _merge_single_use(_groups(order, uses), uses)
    groups = _merge_by_operation(groups, uses, operation_of or {})
    taken: set[str] = set()
    module_of: dict[str, str] = {}
    used = {other for name, found in uses.items() for other in found if other != name}
    for group in groups:
        operations = {(operation_of or {}).get(name) for name in group}
        shared = len(group) > 1 and len(operations) == 1 and None not in operations and not used & set(group)
        module = _module_name(f"{operations.pop()}_types" if shared else group[0], taken)
        for name in group:
            module_of[name] = module
    bodies: dict[str, list[str]] = {}
    for (node, _), owner in zip(statements, owners, strict=True):
        bodies.setdefault(module_of[owner], []).append(source(node))
    files: dict[str, str] = {}
    for group in groups:
        module = module_of[group[0]]
        body = bodies.get(module, [])
        needed: dict[str, set[str]] = {}
        for name in group:
            for dependency in uses[name]:
                if module_of[dependency] != module:
                    needed.setdefault(module_of[dependency], set()).add(dependency)
        imports = [
            f"from .{other} import {', '.join(sorted(names))}" for other, names in sorted(needed.items())
        ]
        # What the bases' fields name, for pydantic: "X as X" so that ruff keeps the import.
        reexported = {name for member in group for name in inherited.get(member, ())}
        reexported -= {name for names in needed.values() for name in names}
        for name in sorted(reexported):
            if name in module_of and module_of[name] != module:
                imports.append(f"from .{module_of[name]} import {name} as {name}")
            elif name not in module_of and name in header_names:
                imports.append(header_names[name])
        files[f"{module}.py"] = "\n".join([*header, *imports, "", "", "\n\n\n".join(body)]) + "\n"
    files["__init__.py"] = _models_init(order, module_of)
    return files


def _models_init(order: list[str], module_of: Mapping[str, str]) -> str:
    names = sorted(name for name in order if not name.startswith("_"))
    lines = [
        '"""The spec\'s models. Each is imported on first use (``models.Task`` or',
        "``from .models import Task``), with only the models it refers to, so importing the package",
        'costs the same whatever the size of the spec."""',
        "",
        "from __future__ import annotations",
        "",
        "from importlib import import_module",
        "from typing import TYPE_CHECKING, Any",
        "",
        "if TYPE_CHECKING:",
    ]
    lines += [f"    from .{module_of[name]} import {name} as {name}" for name in names] or ["    pass"]
    lines += ["", "__all__ = [" + ", ".join(json.dumps(name) for name in names) + "]", ""]
    lines += ["# The module that defines each name."]
    lines += [
        "_MODULES: dict[str, str] = {"
        + ", ".join(f"{json.dumps(name)}: {json.dumps(module_of[name])}" for name in order)
        + "}"
    ]
    lines += [
        "",
        "if not TYPE_CHECKING:",
        "",
        "    def __getattr__(name: str) -> Any:",
        "        module = _MODULES.get(name)",
        "        if module is None:",
        '            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        '        value = getattr(import_module(f".{module}", __name__), name)',
        "        globals()[name] = value",
        "        return value",
        "",
        "",
        "def __dir__() -> list[str]:",
        "    return sorted({*globals(), *_MODULES})",
        "",
    ]
    return "\n".join(lines)
