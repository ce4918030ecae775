"""Command line: ``python -m generator generate`` and ``python -m generator check``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .ir import build_api
from .load import iter_operations, lint, load_spec, validate
from .models import generate_models
from .output import Header, compare, format_files, write_atomically
from .problems import GenerationError, Problem
from .render import render_package

__all__ = ["Result", "build", "main"]

DEFAULT_SPEC = Path("spec/openapi.yaml")
DEFAULT_OUT = Path("generated")
DEFAULT_PACKAGE = "seedance_client"
_SKIP_HINT = "--skip-unsupported would generate the other operations and leave these out."


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


def build(
    spec_path: Path, package: str, out: Path = DEFAULT_OUT, *, skip_unsupported: bool = False
) -> Result:
    """Every stage but writing: the output files for ``spec_path``. Raises ``GenerationError``.

    By default any problem refuses the spec. With ``skip_unsupported``, an operation that is
    invalid or uses a construct the generator does not support is left out (and listed in
    ``Result.skipped``); problems outside operations still refuse the spec.
    """
    if not package.isidentifier():
        raise GenerationError(package, [Problem("", f"package name {package!r} is not a Python identifier")])
    spec = load_spec(spec_path)
    # A problem inside one operation leaves that operation out; any other refuses the spec.
    problems = validate(spec)
    # What only weakens a schema (an unknown keyword, a field typed Any) is a warning there.
    warnings = [problem for problem in problems if problem.warning] if skip_unsupported else []
    problems = [problem for problem in problems if problem not in warnings]
    problems += lint(spec) if not problems else []
    operations = [pointer for pointer, *_ in iter_operations(spec)]
    invalid = {
        pointer: problem
        for problem in problems
        for pointer in operations
        if problem.pointer == pointer or problem.pointer.startswith(pointer + "/")
    }
    fatal = (
        problems
        if not skip_unsupported
        else [problem for problem in problems if problem not in invalid.values()]
    )
    if fatal:
        raise GenerationError(str(spec_path), fatal)
    api = build_api(spec, package, exclude=invalid)
    if api.skipped and not skip_unsupported:
        raise GenerationError(str(spec_path), list(api.skipped), hint=_SKIP_HINT)
    models = generate_models(spec, api)
    files = render_package(api, models)
    command = "python -m generator generate"
    if (spec_path, out, package) != (DEFAULT_SPEC, DEFAULT_OUT, DEFAULT_PACKAGE):
        command += f" --spec {_display(spec_path)} --out {_display(out)} --package {package}"
    if skip_unsupported:
        command += " --skip-unsupported"
    header = Header(
        spec_name=_display(spec_path), spec_sha256=spec.sha256, generator_version=__version__, command=command
    )
    formatted = format_files({path: header.apply(path, text) for path, text in files.items()})
    notes = models.warnings + tuple(f"warning: {problem}" for problem in warnings)
    return Result(formatted, api.skipped, len(api.operations), notes)


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
        command.add_argument(
            "--skip-unsupported",
            action="store_true",
            help="leave out operations that are invalid or use unsupported constructs, instead of refusing the spec",
        )
    return parser


def _report_skipped(result: Result) -> None:
    for problem in result.skipped:
        print(f"skipped operation: {problem}", file=sys.stderr)
    for note in result.notes:
        if note.startswith("warning: "):
            print(note, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        result = build(
            arguments.spec, arguments.package, arguments.out, skip_unsupported=arguments.skip_unsupported
        )
    except GenerationError as error:
        print(f"error: {error}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return 2
    except Exception as error:  # a bug of the generator: say so plainly, write nothing
        print(f"internal error of the generator: {type(error).__name__}: {error}", file=sys.stderr)
        print("nothing was written. Please report this with the spec that caused it.", file=sys.stderr)
        return 3
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
