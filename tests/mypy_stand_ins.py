"""What every ``mypy --strict`` run of the tests (``run_mypy`` in tests/conftest.py) need not check
again: the modules of a checked package that are the same code as the committed package's.

Most modules of a generated package (the runtime the generator copies in) are the same code in
every package, under the package's own name, and checking them was most of each run. Each run
also gets ``generated/seedance_client`` (STAND_IN) as a target: its modules come fresh from the
run's cache, seeded from the ``.mypy_cache`` that make check's mypy has just written (with no
seed, mypy checks them in full: correct, only slower). A module of a checked package that is the
same code as STAND_IN's module of the same name (but for its header comments), and whose imports
within its package all are such modules too, is read with ``ignore_errors`` (mypy then skips its
function bodies, keeping what other modules can see of them, as it does for installed libraries).

Why the verdict is the same as a full check: such a module and its stand-in are the same text
(but for header comments, which mypy does not read), with the same options (no
per-module setting of the project or of the caller names either package; see ``plan``), and all
that they import is the same too: the same library modules, and, within their packages, modules
that are again the same code (the rule holds for every module they import, so by induction over
the imports the two see the same names with the same types). mypy's errors in the module are
then exactly its stand-in's, under the other package's name. The stand-in is checked in full in
the same run (or found fresh in the cache, which mypy's incremental mode answers the same way: it
never caches a module with errors), and ``run_mypy`` fails on any error in it, naming it and the
packages it stood in for: the run fails whenever a full check would, and the checked package's other modules see its
stood-in modules as a full check does (mypy keeps any function body that can change what a
module exports: one that sets attributes, or is trivial, or yields in a coroutine).
"""

from __future__ import annotations

import ast
import configparser
import functools
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
STAND_IN = REPO / "generated" / "seedance_client"

# mypy's options that take a value in the next argument: that value is not a target.
_VALUED = frozenset(
    {
        "--config-file", "--cache-dir", "-p", "--package", "-m", "--module", "-c", "--command",
        "--python-version", "--python-executable", "--platform", "--exclude", "--follow-imports",
        "--custom-typeshed-dir", "--junit-xml", "--always-true", "--always-false", "--shadow-file",
        "--enable-error-code", "--disable-error-code", "--html-report", "--txt-report",
        "--linecount-report", "--any-exprs-report", "--cobertura-xml-report", "--xml-report",
        "--xslt-html-report", "--xslt-txt-report", "--lineprecision-report", "--linecoverage-report",
        "--package-root", "--untyped-calls-exclude", "--enable-incomplete-feature",
    }
)  # fmt: skip


class Plan(NamedTuple):
    """The arguments of one mypy run, and the modules it reads with ``ignore_errors``:
    {module of a checked package: (its file, the file of STAND_IN that stands in for it)}."""

    arguments: list[str]
    stand_ins: dict[str, tuple[Path, Path]]


def plan(arguments: Sequence[str], cwd: Path, config: Path) -> Plan:
    """The run's arguments with STAND_IN among the targets and ``--config-file config``, which
    this writes: the caller's config file (``--config-file``, INI or TOML) or else the project's
    settings (pyproject.toml), and ``ignore_errors`` for the modules that STAND_IN stands in for.

    A checked package is a target that is a folder with an ``__init__.py`` (modules named with
    ``-p``/``-m`` are checked in full). Nothing stands in when STAND_IN is a target already, when
    another package of its name is, or when a per-module section of the config names (by its
    first part) STAND_IN or the checked package: the two modules' options could then differ."""
    arguments = list(arguments)
    caller_config = None
    if "--config-file" in arguments:
        at = arguments.index("--config-file")
        caller_config = cwd / arguments[at + 1]
        del arguments[at : at + 2]
    elif given := [argument for argument in arguments if argument.startswith("--config-file=")]:
        caller_config = cwd / given[0].partition("=")[2]
        arguments.remove(given[0])
    settings, sections = _settings(caller_config)
    named = {pattern.split(".")[0] for pattern in sections}
    packages = [target for target in _targets(arguments, cwd) if (target / "__init__.py").is_file()]
    packages = [package for package in packages if not (package.parent / "__init__.py").is_file()]
    stand_ins: dict[str, tuple[Path, Path]] = {}
    if not any(package.name == STAND_IN.name for package in packages):
        if "*" not in named and STAND_IN.name not in named:
            checked = [package for package in packages if package.name not in named]
            stand_ins = _stand_ins(STAND_IN, checked)
        arguments.append(str(STAND_IN))
    if stand_ins:
        sections[",".join(sorted(stand_ins))] = {"ignore_errors": "True"}
    parser = configparser.RawConfigParser()
    parser.read_dict(
        {"mypy": settings, **{f"mypy-{pattern}": values for pattern, values in sections.items()}}
    )
    with config.open("w", encoding="utf-8") as written:
        parser.write(written)
    return Plan(["--config-file", str(config), *arguments], stand_ins)


def errors_in_stand_in(said: str, cwd: Path) -> list[str]:
    """The error lines of mypy's output that are in STAND_IN's files."""
    return [
        line
        for line in said.splitlines()
        if ": error:" in line and (cwd / line.split(":")[0]).resolve().is_relative_to(STAND_IN)
    ]


def _targets(arguments: Sequence[str], cwd: Path) -> list[Path]:
    targets, valued = [], False
    for argument in arguments:
        if not valued and not argument.startswith("-"):
            targets.append((cwd / argument).resolve())
        valued = argument in _VALUED
    return targets


def _ini_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)


def _settings(config: Path | None) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The global settings and the per-module sections ({module patterns: settings}) of a mypy
    config file (the project's pyproject.toml when None), as INI values."""
    path = config or REPO / "pyproject.toml"
    if path.suffix == ".toml":
        table = dict(tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("mypy", {}))
        sections = {}
        for override in table.pop("overrides", []):
            modules = override.pop("module")
            pattern = ",".join(modules) if isinstance(modules, list) else modules
            sections[pattern] = {key: _ini_value(value) for key, value in override.items()}
        return {key: _ini_value(value) for key, value in table.items()}, sections
    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8")
    settings = dict(parser["mypy"]) if parser.has_section("mypy") else {}
    sections = {
        name.removeprefix("mypy-"): dict(parser[name])
        for name in parser.sections()
        if name.startswith("mypy-")
    }
    return settings, sections


def package_modules(package: Path) -> dict[str, Path]:
    """The package's modules by dotted name relative to it ("" for its ``__init__``)."""
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _code(path: Path) -> str:
    """The module's text without its leading comment lines (the header names the package and
    the command that made it), but for any ``type:``/``mypy:`` directive among them: nothing else
    in a comment is read by mypy, and nothing before a module's first line of code can be inside
    a string. Line numbers stay as they are (each line left out leaves an empty one)."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    for at, line in enumerate(lines):
        if not line.startswith("#"):
            break
        if not _DIRECTIVE.search(line):
            lines[at] = ""
    return "\n".join(lines)


_DIRECTIVE = re.compile(r"#\s*(type|mypy)\s*:")


@functools.cache
def _imports(code: str) -> tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]:
    """Every import of the code as (level, module, names); ``import a.b`` is (0, (a, b), ())."""
    found: list[tuple[int, tuple[str, ...], tuple[str, ...]]] = []
    for node in _statements(ast.parse(code).body):
        if isinstance(node, ast.ImportFrom):
            module = tuple(node.module.split(".")) if node.module else ()
            found.append((node.level, module, tuple(alias.name for alias in node.names)))
        elif isinstance(node, ast.Import):
            found += [(0, tuple(alias.name.split(".")), ()) for alias in node.names]
    return tuple(found)


def _statements(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every statement of ``body`` and of the blocks inside it, functions' and classes' too (an
    import is a statement: walking the expressions as well was most of the time)."""
    for node in body:
        yield node
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, block, None)
            if isinstance(inner, list):
                yield from _statements(inner)


def _names(path: Path) -> set[str]:
    """Every identifier in the module's text: more than the names it binds (which is on the safe
    side here), without parsing it."""
    return set(_IDENTIFIER.findall(path.read_text(encoding="utf-8")))


_IDENTIFIER = re.compile(r"[^\W\d]\w*")


def _imports_within(package: Path, path: Path, code: str, modules: Mapping[str, Path]) -> set[str]:
    """The modules of ``package`` (by relative name) whose code the module at ``path`` reads."""
    here = path.relative_to(package).parts[:-1]  # the package that its relative imports start from
    found: set[str] = set()
    for level, module, names in _imports(code):
        if level:
            target = (*here[: len(here) - level + 1], *module)
        elif module[:1] == (package.name,):
            target = module[1:]
        else:
            continue
        found.add(".".join(target))
        submodules = {name: ".".join((*target, name)) for name in names}
        found.update(submodules.values())
        # ``from . import name`` reads the submodule, unless the package binds the name itself.
        if not module and names and level:
            init = modules.get(".".join(target))
            if init and all(sub in modules and name not in _names(init) for name, sub in submodules.items()):
                found.discard(".".join(target))
    return found & set(modules)


def _stand_ins(reference: Path, packages: Sequence[Path]) -> dict[str, tuple[Path, Path]]:
    """{module of one of ``packages``: (its file, the file of ``reference`` that is the same
    code)}, for the modules whose imports within their package all have one too (so mypy's
    answer for them is the same: all that they refer to is the same code)."""
    first = package_modules(reference)
    first_codes = {name: _code(path) for name, path in first.items()}
    stand_ins = {}
    for package in packages:
        modules = package_modules(package)
        codes = {name: _code(path) for name, path in modules.items() if name in first}
        same = {name for name, code in codes.items() if code == first_codes[name]}
        imports = {name: _imports_within(package, modules[name], codes[name], modules) for name in same}
        while unsure := {name for name in same if not imports[name] <= same}:
            same -= unsure
        for name in same:
            stand_ins[".".join(filter(None, (package.name, name)))] = (modules[name], first[name])
    return stand_ins
