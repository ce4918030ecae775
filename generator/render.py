"""Stage 4: the package's files, rendered from the intermediate model (templates never see the spec).

Static runtime modules (``generator/runtime/``) are copied as they are; the rest is rendered
from ``generator/templates/``. The result is a mapping of relative path -> text, unformatted.
"""

from __future__ import annotations

import contextlib
import json
import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2

from .ir import Api, Operation
from .models import ModelsModule

__all__ = ["CLIENT_PART_OPERATIONS", "cache_folder", "environment", "render_package", "runtime_paths"]

_PATH_PARAMETER = re.compile(r"\{([^{}]+)\}")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_STDLIB_MODULE = re.compile(r"\b(datetime|uuid)\.")
# In a Python expression: a string literal (left as it is), or a name that is read (not an
# attribute after a dot, not a keyword argument's name).
_EXPRESSION_NAME = re.compile(
    r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?<![\w.])([A-Za-z_]\w*)(?!\w|\s*=(?!=))"""
)
_TEMPLATES = ("__init__.py", "_client.py", "_operations.py", "_version.py", "testing.py")
CLIENT_PART_OPERATIONS = 50
"""Past this many operations, the client's methods are written in modules of this many (in the
spec's order) that ``_client.py`` composes: one module of 400 operations was 2.7 MB, and ruff
held 65 MiB formatting it, more than the generator itself (issue 12)."""


def _python_literal(value: Any) -> str:
    """A Python literal for a JSON-like value: strings in double quotes, None, True/False."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple):
        return "(" + "".join(f"{_python_literal(item)}, " for item in value).rstrip(" ") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_python_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{_python_literal(key)}: {_python_literal(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"no Python literal for {type(value).__name__}")


def _docstring(text: str) -> str:
    """Text that is safe inside a triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()


@jinja2.pass_context
def _path_expression(context: jinja2.runtime.Context, operation: Operation) -> str:
    """Python expression for the request path: literal parts plus validated, escaped parameters."""
    arguments = {argument.wire_name: argument for argument in operation.path_args}
    parts: list[str] = []
    position = 0
    for match in _PATH_PARAMETER.finditer(operation.path):
        if match.start() > position:
            parts.append(_python_literal(operation.path[position : match.start()]))
        argument = arguments[match.group(1)]
        how = (
            ""
            if argument.default_style
            else f", {argument.wire_name!r}, {argument.style!r}, {argument.explode}"
        )
        parts.append(f"path_value({_model_names(context, argument.validator)}, {argument.name}{how})")
        position = match.end()
    if position < len(operation.path) or not parts:
        parts.append(_python_literal(operation.path[position:]))
    return " + ".join(parts)


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """The templates compiled by Jinja, kept between runs in Jinja's own folder for them (a
    private one in the temporary folder): compiling them took a quarter of a second per run, as
    long as all the rest of rendering a small spec. Jinja checks each against its template's
    source; a cache that cannot be read or written is compiled around, never an error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable, or cut short (a full disk, a killed run): compile again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled_templates() -> _CompiledTemplates | None:
    try:
        return _CompiledTemplates(pattern="__seedance_codegen_%s.cache")
    except (OSError, RuntimeError):  # no private temporary folder: compile every run
        return None


def cache_folder() -> Path | None:
    """The private folder (the user's own, in the temporary folder) that Jinja keeps compiled
    templates in between runs, where the formatter keeps its cache too; None when there is no
    safe one."""
    cache = _compiled_templates()
    return Path(cache.directory) if cache is not None else None


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        bytecode_cache=_compiled_templates(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - the output is Python source, not HTML
    )
    environment.filters["py"] = _python_literal
    environment.filters["docstring"] = _docstring
    environment.filters["path_expression"] = _path_expression
    environment.filters["model_names"] = _model_names
    return environment


@jinja2.pass_context
def _model_names(context: jinja2.runtime.Context, expression: Any) -> str:
    """A type or value expression of the intermediate model with each model ``X`` it names read
    as ``_models.X``, in the templates that set ``qualified_models`` (the client modules).

    They read each model from the lazy ``models`` package when it is used: the first read
    imports ``X``'s module, later reads are a plain attribute lookup, and annotations (strings
    under ``from __future__ import annotations``) still resolve with ``typing.get_type_hints``.
    """
    text = str(expression)
    names: frozenset[str] = context.get("qualified_models", frozenset())
    if not names:
        return text
    return _EXPRESSION_NAME.sub(
        lambda match: f"_models.{match.group(2)}" if match.group(2) in names else match.group(), text
    )


def runtime_paths(package: str) -> frozenset[str]:
    """The static runtime modules' paths in the output folder. They are copied as they are, and
    make check already holds them to the package's style (ruff format and import order with the
    same line length and target as the package's pyproject.toml), so formatting leaves them out."""
    return frozenset(f"{package}/{entry.name}" for entry in _runtime_entries())


def _runtime_files() -> dict[str, str]:
    return {entry.name: entry.read_text(encoding="utf-8") for entry in _runtime_entries()}


def _runtime_entries() -> list[Traversable]:
    """The modules of ``generator/runtime/`` that every package gets, by name."""
    runtime = resources.files("generator") / "runtime"
    return sorted(
        (entry for entry in runtime.iterdir() if entry.name.endswith(".py") and entry.name != "__init__.py"),
        key=lambda entry: entry.name,
    )


def _exception_names(source: str) -> list[str]:
    match = re.search(r"__all__ = \[(.*?)\]", source, re.DOTALL)
    return re.findall(r'"(\w+)"', match.group(1)) if match else []


def environment() -> jinja2.Environment:
    """The templates loaded (from Jinja's compiled cache when it has them), for
    ``render_package``: they need nothing of the spec, so ``cli.build`` loads them while a child
    process generates the models."""
    loaded = _environment()
    for name in (*_TEMPLATES, "_client_part.py", "pyproject.toml"):
        loaded.get_template(f"{name}.jinja")
    return loaded


def render_package(
    api: Api, models: ModelsModule, environment: jinja2.Environment | None = None
) -> dict[str, str]:
    """Every file of the output folder, by path relative to it (unformatted, without headers)."""
    environment = environment or _environment()
    package = api.package
    runtime = _runtime_files()
    context: dict[str, Any] = {
        "api": api,
        "api_imports": sorted({module for operation in api.operations for module in _imports(operation)}),
        "exceptions": _exception_names(runtime["_exceptions.py"]),
        "model_exports": sorted(name for name in models.names if not name.startswith("_")),
        "model_imports": _model_imports(api, models),
        "content_imports": _content_imports(api),
        "client_content_imports": sorted(set(_content_imports(api)) - {"file_parts"}),
        "distribution": package.replace("_", "-"),
        "parts": _client_parts(api.operations),
        "part_size": CLIENT_PART_OPERATIONS,
    }
    files = {f"{package}/{name}": text for name, text in runtime.items()}
    for name, text in models.modules.items():
        files[f"{package}/models/{name}"] = text
    qualified = frozenset(context["model_imports"])
    for name in _TEMPLATES:
        template = environment.get_template(f"{name}.jinja")
        if name in ("_client.py", "_operations.py"):
            text = template.render(context, qualified_models=qualified)
        else:
            text = template.render(context)
        files[f"{package}/{name}"] = text
    part_template = environment.get_template("_client_part.py.jinja")
    for part in context["parts"]:
        files[f"{package}/_client_{part['number']}.py"] = part_template.render(
            context, part=part, qualified_models=qualified
        )
    files[f"{package}/py.typed"] = ""
    files["pyproject.toml"] = environment.get_template("pyproject.toml.jinja").render(context)
    return files


def _client_parts(operations: tuple[Operation, ...]) -> list[dict[str, Any]]:
    """The modules ``_client_1.py``, ... that hold the client's methods, ``CLIENT_PART_OPERATIONS``
    operations each in the spec's order; none when there are no more operations than that (the
    methods are then in ``_client.py`` itself)."""
    size = CLIENT_PART_OPERATIONS
    if len(operations) <= size:
        return []
    return [
        {"number": index // size + 1, "operations": list(operations[index : index + size])}
        for index in range(0, len(operations), size)
    ]


def _model_imports(api: Api, models: ModelsModule) -> list[str]:
    """Models names that the client modules use: bodies, responses, validators and annotations."""
    names = set(api.model_names)
    for operation in api.operations:
        for argument in operation.arguments:
            names.update(_IDENTIFIER.findall(argument.annotation))
    return sorted(names & models.names)


def _content_imports(api: Api) -> list[str]:
    """Names of ``_content`` that the client modules use: body types and the file parts helper."""
    names: set[str] = set()
    for operation in api.operations:
        body = operation.body
        if body is None:
            continue
        if body.model == "BinaryContent":
            names.add("BinaryContent")
        if body.file_fields:
            names.update(("FileUpload", "file_parts"))
    return sorted(names)


def _imports(operation: Operation) -> set[str]:
    """Standard modules that the operation's argument annotations name (datetime, uuid)."""
    annotations = (argument.annotation for argument in operation.arguments)
    return {module for annotation in annotations for module in _STDLIB_MODULE.findall(annotation)}
