"""Command line: ``python -m generator generate`` and ``python -m generator check``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .ir import build_api
from .load import lint, load_spec, validate
from .models import generate_models
from .output import Header, compare, format_files, write_atomically
from .problems import GenerationError, Problem
from .render import render_package

__all__ = ["Result", "build", "main"]

DEFAULT_SPEC = Path("spec/openapi.yaml")
DEFAULT_OUT = Path("generated")
DEFAULT_PACKAGE = "seedance_client"


@dataclass(frozen=True)
class Result:
    files: dict[str, str]
    skipped: tuple[Problem, ...]
    operations: int
    notes: tuple[str, ...]


def _display(path: Path) -> str:
    """The path as a user typed it relative to the working folder, so headers do not vary by machine."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def build(spec_path: Path, package: str, out: Path = DEFAULT_OUT) -> Result:
    """Every stage but writing: the output files for ``spec_path``. Raises ``GenerationError``."""
    if not package.isidentifier():
        raise GenerationError(package, [Problem("", f"package name {package!r} is not a Python identifier")])
    spec = load_spec(spec_path)
    problems = validate(spec)
    if not problems:
        problems = lint(spec)
    if problems:
        raise GenerationError(str(spec_path), problems)
    api = build_api(spec, package)
    models = generate_models(spec, api)
    files = render_package(api, models)
    command = "python -m generator generate"
    if (spec_path, out, package) != (DEFAULT_SPEC, DEFAULT_OUT, DEFAULT_PACKAGE):
        command += f" --spec {_display(spec_path)} --out {_display(out)} --package {package}"
    header = Header(
        spec_name=_display(spec_path), spec_sha256=spec.sha256, generator_version=__version__, command=command
    )
    formatted = format_files({path: header.apply(path, text) for path, text in files.items()})
    return Result(formatted, api.skipped, len(api.operations), models.warnings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("generate", "write the client package generated from the spec"),
        ("check", "exit 1 when the output folder differs from what the spec generates"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "--spec", type=Path, default=DEFAULT_SPEC, help="OpenAPI document (YAML or JSON)"
        )
        command.add_argument(
            "--out", type=Path, default=DEFAULT_OUT, help="output folder (replaced as a whole)"
        )
        command.add_argument("--package", default=DEFAULT_PACKAGE, help="Python package name")
    return parser


def _report_skipped(result: Result) -> None:
    for problem in result.skipped:
        print(f"skipped operation: {problem}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        result = build(arguments.spec, arguments.package, arguments.out)
    except GenerationError as error:
        print(f"error: {error}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return 2
    if arguments.command == "generate":
        _report_skipped(result)
        write_atomically(result.files, arguments.out)
        print(
            f"generated {arguments.out}/{arguments.package}: {result.operations} operations, "
            f"{len(result.files)} files ({len(result.skipped)} operations skipped)"
        )
        return 0
    reports = compare(result.files, arguments.out)
    if reports:
        print("\n".join(reports))
        print(f"{arguments.out} is out of date with {arguments.spec}: run `make generate`.", file=sys.stderr)
        return 1
    print(f"{arguments.out} is up to date with {arguments.spec}.")
    return 0
