"""Command line: ``python -m generator generate`` and ``python -m generator check``."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from . import __version__
from .ir import build_api
from .lenient import Triage, operation_of, triage
from .load import iter_operations, lint, load_spec, validate
from .models import generate_models
from .output import Header, compare, format_files, write_atomically
from .problems import GenerationError, Problem
from .render import render_package

__all__ = ["Result", "build", "main"]

DEFAULT_SPEC = Path("spec/openapi.yaml")
DEFAULT_OUT = Path("generated")
DEFAULT_PACKAGE = "seedance_client"
_SKIP_HINT = "--lenient (or --skip-unsupported) would generate the other operations and leave these out."


@dataclass(frozen=True)
class Result:
    files: dict[str, str]
    skipped: tuple[Problem, ...]
    operations: int
    notes: tuple[str, ...]
    warnings: tuple[Problem, ...] = ()
    """Problems that lenient mode loosened or worked around, each reported once."""
    left_out: int = 0
    """Operations left out; ``skipped`` lists every reason for each."""


class Progress:
    """Stage and count on stderr for a long run: quiet for the first seconds and when stderr
    is not a terminal (CI logs and pipes stay clean)."""

    quiet_for = 2.0

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        self.enabled = self.stream.isatty()

    def stage(self, name: str, detail: str) -> None:
        elapsed = time.monotonic() - self.start
        if self.enabled and elapsed >= self.quiet_for:
            print(f"[{elapsed:5.1f} s] {name}: {detail}", file=self.stream, flush=True)


def _display(path: Path) -> str:
    """The path as a user typed it relative to the working folder, so headers do not vary by machine."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def build(
    spec_path: Path,
    package: str,
    out: Path = DEFAULT_OUT,
    *,
    lenient: bool = False,
    skip_unsupported: bool = False,
    progress: Progress | None = None,
) -> Result:
    """Every stage but writing: the output files for ``spec_path``. Raises ``GenerationError``.

    By default (strict, for the project's own spec) any problem refuses the spec. With ``lenient``
    (``skip_unsupported`` is its older name), for specs written elsewhere, each problem is a
    warning and only the smallest thing it touches is loosened or left out (see ``lenient.py``):
    the spec is refused whole only when it cannot be read, is not OpenAPI 3.0/3.1, or leaves no
    operation at all.
    """
    lenient = lenient or skip_unsupported
    if not package.isidentifier():
        raise GenerationError(package, [Problem("", f"package name {package!r} is not a Python identifier")])
    progress = progress or Progress()
    spec = load_spec(spec_path)
    operations = [pointer for pointer, *_ in iter_operations(spec)]
    progress.stage("validating", f"{len(operations)} operations")
    problems = validate(spec)
    if not lenient:
        problems += lint(spec) if not problems else []
        if problems:
            raise GenerationError(str(spec_path), problems)
        triaged = Triage()
    else:
        if any(problem.pointer == "/openapi" for problem in problems):
            raise GenerationError(str(spec_path), [p for p in problems if p.pointer == "/openapi"])
        triaged = triage(spec, problems, operations)
        linted = triage(spec, lint(spec), operations, lint=True)
        triaged.warnings += [problem for problem in linted.warnings if problem not in triaged.warnings]
        # The loosened document is what the later stages read.
        operations = [pointer for pointer, *_ in iter_operations(spec)]
    progress.stage("building the model", f"{len(operations)} operations")
    api = build_api(spec, package, exclude=triaged.excluded)
    if api.skipped and not lenient:
        raise GenerationError(str(spec_path), list(api.skipped), hint=_SKIP_HINT)
    if not api.operations and operations:
        raise GenerationError(
            str(spec_path),
            [*api.skipped, Problem("/paths", "no operation is left to generate")],
        )
    schemas = len((spec.document.get("components") or {}).get("schemas") or {}) + len(api.hoisted)
    progress.stage("generating models", f"{schemas} schemas")
    models = generate_models(spec, api, lenient=lenient)
    progress.stage("rendering", f"{len(api.operations)} operations")
    files = render_package(api, models)
    command = "python -m generator generate"
    if (spec_path, out, package) != (DEFAULT_SPEC, DEFAULT_OUT, DEFAULT_PACKAGE):
        command += f" --spec {_display(spec_path)} --out {_display(out)} --package {package}"
    if lenient:
        command += " --skip-unsupported" if skip_unsupported else " --lenient"
    header = Header(
        spec_name=_display(spec_path), spec_sha256=spec.sha256, generator_version=__version__, command=command
    )
    progress.stage("formatting", f"{len(files)} files")
    formatted = format_files({path: header.apply(path, text) for path, text in files.items()})
    progress.stage("done", f"{len(api.operations)} operations")
    left_out = {problem.pointer for problem in api.skipped}
    return Result(
        formatted,
        api.skipped,
        len(api.operations),
        models.warnings,
        warnings=(*triaged.warnings, *models.problems),
        left_out=len({operation_of(pointer, operations) or pointer for pointer in left_out}),
    )


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
            "--lenient",
            action="store_true",
            help="for specs written elsewhere: report problems as warnings and leave out or loosen "
            "only what they touch, instead of refusing the spec",
        )
        command.add_argument("--skip-unsupported", action="store_true", help="the older name of --lenient")
    return parser


def _report_skipped(result: Result) -> None:
    for problem in result.warnings:
        print(f"warning: {problem}", file=sys.stderr)
    for problem in result.skipped:
        print(f"skipped operation: {problem}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        result = build(
            arguments.spec,
            arguments.package,
            arguments.out,
            lenient=arguments.lenient,
            skip_unsupported=arguments.skip_unsupported,
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
            f"{len(result.files)} files ({result.left_out} operations skipped, "
            f"{len(result.warnings)} warnings)"
        )
        return 0
    reports = compare(result.files, arguments.out)
    if reports:
        print("\n".join(reports))
        print(f"{arguments.out} is out of date with {arguments.spec}: run `make generate`.", file=sys.stderr)
        return 1
    print(f"{arguments.out} is up to date with {arguments.spec}.")
    return 0
