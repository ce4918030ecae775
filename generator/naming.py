"""Python names for things the spec names: classes, methods, arguments, and the package itself.

The generated package has names of its own: the client's methods and attributes, the helpers and
types its modules import, the exports of its root. A name from the spec that would take one of
them is renamed with a trailing underscore (``close`` -> ``close_``, a schema ``Client`` ->
``Client_``), and the caller reports the rename as a warning. The reserved names are read from
the runtime modules and the templates themselves, so that they cannot drift from what the
package really uses.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib.util
import keyword
import re
import sys
from collections.abc import Iterable
from importlib import metadata, resources

__all__ = [
    "class_name",
    "is_reserved_class_name",
    "package_problem",
    "reserved_argument_names",
    "reserved_class_names",
    "reserved_method_names",
    "snake_name",
    "unreserved",
]

_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# The client classes whose attributes the generated ``Client``/``AsyncClient`` inherit.
_CLIENT_CLASSES = ("_BaseAPIClient", "SyncAPIClient", "AsyncAPIClient")
# The templates of the client's classes: _client.py, its parts (_client_N.py) and their methods.
_CLIENT_TEMPLATES = ("_client.py.jinja", "_client_part.py.jinja", "_client_methods.jinja")
# Standard modules that the client modules import for argument annotations (see
# ``render._STDLIB_MODULE``; a test keeps the two in step).
_ANNOTATION_MODULES = frozenset({"datetime", "uuid"})
# Modules whose names datamodel-code-generator may import into the models modules.
_MODEL_IMPORT_SOURCES = ("pydantic", "typing", "typing_extensions")
# The generated package's runtime dependencies (its pyproject.toml), whose imports a package
# name must not shadow, with everything they require in turn.
_DEPENDENCIES = ("httpx", "pydantic")

_IMPORT = re.compile(r"^\s*from\s+\S+\s+import\s+(.+)$|^\s*import\s+(\w+)", re.MULTILINE)
_ASSIGNED = re.compile(r"^\s*(\w+(?:, \w+)*) = ", re.MULTILINE)
_DEFINED = re.compile(r"\bdef (\w+)|\bself\.(\w+)")
_CALLED = re.compile(r"\b(\w+)\(")
_QUOTED = re.compile(r'"(\w+)"')


def _normal_class_name(name: str) -> str:
    if name.isidentifier() and name[:1].isupper() and not keyword.iskeyword(name) and name.isascii():
        return name
    result = "".join(part[:1].upper() + part[1:] for part in _WORD.findall(name))
    if not result or result[0].isdigit() or keyword.iskeyword(result):
        result = "Model" + result
    return result


def class_name(name: str) -> str:
    """A class name for a schema: kept as is when it is already a capitalised identifier.

    ``Seedance20Request`` stays; ``pet-info`` becomes ``PetInfo``; ``None`` becomes ``NoneModel``;
    a name of the package's own (``Client``, ``APIError``, ``MISSING``) gets a trailing underscore.
    """
    return unreserved(_normal_class_name(name), reserved_class_names())


def is_reserved_class_name(name: str) -> bool:
    """Whether ``class_name`` renames ``name`` because it is one of the package's own names."""
    return _normal_class_name(name) in reserved_class_names()


def snake_name(name: str) -> str:
    """A snake_case identifier: ``listPets`` -> ``list_pets``, ``X-Rate-Limit`` -> ``x_rate_limit``.

    Keywords get a trailing underscore (``from`` -> ``from_``).
    """
    words = [word.lower() for part in _WORD.findall(name) for word in _CAMEL_BOUNDARY.split(part) if word]
    result = "_".join(words) or "value"
    if result[0].isdigit():
        result = "_" + result
    if keyword.iskeyword(result):
        result += "_"
    return result


def unreserved(name: str, reserved: Iterable[str]) -> str:
    """``name``, with trailing underscores until it is not one of ``reserved``."""
    taken = reserved if isinstance(reserved, frozenset | set) else set(reserved)
    while name in taken:
        name += "_"
    return name


# -- the generated package's own names, read from the runtime and the templates -------------------


def _sources(folder: str) -> dict[str, str]:
    root = resources.files("generator") / folder
    return {entry.name: entry.read_text(encoding="utf-8") for entry in root.iterdir() if entry.is_file()}


def _imported(source: str) -> set[str]:
    names: set[str] = set()
    for match in _IMPORT.finditer(source):
        if match.group(2):
            names.add(match.group(2))
        else:
            names.update(
                part.split(" as ")[-1].strip()
                for part in match.group(1).strip("()").split(",")
                if part.strip()
            )
    return {name for name in names if name.isidentifier()}


def _template_names(*templates: str) -> set[str]:
    """Names that the given templates import, define, export, assign or call."""
    sources = _sources("templates")
    names: set[str] = set(_ANNOTATION_MODULES)
    for template in templates:
        source = sources[template]
        names |= _imported(source) | _all_of(source)
        names.update(name for match in _ASSIGNED.finditer(source) for name in match.group(1).split(", "))
        names.update(name for match in _DEFINED.finditer(source) for name in match.groups() if name)
        names.update(name for name in _CALLED.findall(source) if hasattr(builtins, name))
    return names


def _client_attributes() -> set[str]:
    """Every attribute of the runtime's client classes: methods, properties, class and instance
    attributes (private ones too: an operation must not replace ``_send``)."""
    tree = ast.parse(_sources("runtime")["_base_client.py"])
    names: set[str] = set(dir(object))
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name not in _CLIENT_CLASSES:
            continue
        for item in ast.walk(node):
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item in node.body:
                names.add(item.name)
            elif isinstance(item, ast.AnnAssign | ast.Assign) and item in node.body:
                targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                names.update(target.id for target in targets if isinstance(target, ast.Name))
            elif (
                isinstance(item, ast.Attribute)
                and isinstance(item.value, ast.Name)
                and item.value.id == "self"
                and isinstance(item.ctx, ast.Store)
            ):
                names.add(item.attr)
    return names


def _all_of(source: str) -> set[str]:
    match = re.search(r"__all__ = \[(.*?)\]", source, re.DOTALL)
    if not match or "{{" in match.group(1):  # a list the template fills in is the spec's names
        return set()
    return set(_QUOTED.findall(match.group(1)))


@functools.cache
def reserved_method_names() -> frozenset[str]:
    """Names an operation's method (or an ``x-wait`` helper) must not take: the client's own
    attributes, the names its modules import or define (a method shadows them in the class body,
    a request builder at module level), and the builtins that annotations use."""
    names = _client_attributes() | _template_names(*_CLIENT_TEMPLATES, "_operations.py.jinja")
    return frozenset(names | set(dir(builtins)) | set(keyword.kwlist))


@functools.cache
def reserved_argument_names() -> frozenset[str]:
    """Names a keyword argument must not take: those the generated method bodies use."""
    names = _template_names(*_CLIENT_TEMPLATES, "_operations.py.jinja", "_macros.jinja")
    return frozenset(names | {"self"} | set(keyword.kwlist))


@functools.cache
def reserved_class_names() -> frozenset[str]:
    """Names a model must not take: the package root's exports, the names that the client
    modules import next to the models, and the names the models modules import themselves."""
    runtime = _sources("runtime")
    names = _template_names(*_sources("templates"))
    names |= _all_of(_sources("templates")["__init__.py.jinja"])
    for module in ("_exceptions.py", "_model_base.py", "_types.py", "_mock.py"):
        names |= _all_of(runtime[module])
    for module in _MODEL_IMPORT_SOURCES:
        names.update(getattr(sys.modules.get(module) or __import__(module), "__all__", ()))
    return frozenset(names | set(dir(builtins)))


# -- the package name --------------------------------------------------------------------------


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s;\[<>=!~(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


@functools.cache
def _dependency_modules() -> frozenset[str]:
    """Top-level modules of the generated package's dependencies and of what they require, read
    from these distributions' file lists only (``packages_distributions`` reads every installed
    one: 0.25 s)."""
    seen: set[str] = set()
    modules = set(_DEPENDENCIES)
    pending = list(_DEPENDENCIES)
    while pending:
        name = _requirement_name(pending.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        pending.extend(
            requirement for requirement in distribution.requires or () if "extra ==" not in requirement
        )
        for file in distribution.files or ():
            top = file.parts[0]
            module = top if len(file.parts) > 1 else top.split(".", 1)[0]
            if module.isidentifier() and not top.endswith((".dist-info", ".data")):
                modules.add(module)
    return frozenset(modules)


def package_problem(package: str) -> str | None:
    """Why ``package`` cannot name the generated package, or None when it can."""
    if not package.isidentifier() or not package.isascii():
        return f"package name {package!r} is not a Python identifier"
    if keyword.iskeyword(package):
        return f"package name {package!r} is a Python keyword"
    if package in sys.stdlib_module_names:
        return f"package name {package!r} would shadow the standard library's module {package}"
    # Reading the dependencies' file lists takes a few hundredths of a second: a name that no
    # module on the path has (the usual case) is in none of them.
    if importlib.util.find_spec(package) is not None and package in _dependency_modules():
        dependencies = " and ".join(_DEPENDENCIES)
        return (
            f"package name {package!r} would shadow the module {package}, which the generated package "
            f"needs (it depends on {dependencies})"
        )
    return None
