"""Command line: ``python -m generator generate`` and ``python -m generator check``."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import pickle
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .diff import BREAKING, SPEC_FILE, compact_spec, diff_specs, format_changes, load_side, summary
from .isolation import run_isolated
from .lenient import Triage, operation_of, separate_schema_names, triage
from .load import Spec, iter_operations, lint, load_spec, validate
from .naming import package_problem
from .output import Header, OutputError, compare, format_files, write_atomically
from .problems import GenerationError, Problem
from .read import Lines
from .versioning import bump_warning, changelog_entry, package_version, suggested_bump, update_changelog

__all__ = ["Result", "build", "main"]

# ``models`` (datamodel-code-generator) and ``render`` (jinja2) are imported by ``build`` when it
# reaches them, and validation runs in a child process (``isolation``), then the models in
# another: the validator's imports and datamodel-code-generator's are never alive at once, and
# the rendering and formatting that follow start from a small process again, which keeps the
# peak memory down. While a child works, this process does what needs no spec and the child
# does not need (``_while_validating``, ``_while_generating_models``): on a second core. A child pays only for the first build of a process that has none of them
# yet (the command line builds once); a test run or another long-lived caller works in process,
# or each build's children would import the libraries again.
_STAGE_MODULES = ("openapi_spec_validator", "jsonschema", "datamodel_code_generator.parser.openapi")
_MODEL_MODULES = ("datamodel_code_generator.parser.openapi",)
_BUILT: list[Path] = []
"""The specs built in this process so far."""

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
    spec: Spec | None = field(default=None, compare=False, repr=False)
    """The document as the package carries it (``_spec.json``), loosened in lenient mode."""


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
    refused = package_problem(package)
    if refused:
        raise GenerationError("--package", [Problem("", refused)])
    progress = progress or Progress()
    apart = not _BUILT
    _BUILT.append(spec_path)
    # Both children need pydantic (openapi-spec-validator through pydantic-settings, and
    # datamodel-code-generator), its fields, types and dataclasses: imported once here, not once
    # in each.
    import pydantic.dataclasses  # noqa: PLC0415
    import pydantic.root_model  # noqa: F401, PLC0415

    parent = os.getpid()
    (read, checked), apart = run_isolated(
        lambda: _read_and_checked(spec_path, lenient, progress, keep_as_bytes=os.getpid() != parent),
        modules=_STAGE_MODULES,
        allowed=apart,
        meanwhile=_while_validating,
    )
    spec = _spec_read(read, spec_path)
    operations = [pointer for pointer, *_ in iter_operations(spec)]
    if apart and checked.lines is not None and isinstance(spec.lines, Lines):
        spec.lines.take(checked.lines)  # a large JSON spec's line scan, done once
    problems = checked.problems
    if not lenient:
        problems += checked.linted
        if problems:
            raise GenerationError(str(spec_path), problems)
        triaged = Triage()
    else:
        if any(problem.pointer == "/openapi" for problem in problems):
            raise GenerationError(str(spec_path), [p for p in problems if p.pointer == "/openapi"])
        # What only weakens a schema (an unknown keyword, a field typed Any) stays a warning:
        # the keyword is ignored, the field typed loosely, and nothing is left out for it.
        # A child loosened its own copy of the document: this one is loosened the same way.
        errors = [problem for problem in problems if not problem.warning]
        triaged = triage(spec, errors, operations) if apart or checked.triaged is None else checked.triaged
        for problem in problems:
            if problem.warning:
                triaged.warn(problem)
        linted = triage(spec, checked.linted, operations, lint=True)
        triaged.warnings += [problem for problem in linted.warnings if problem not in triaged.warnings]
        # The loosened document is what the later stages read.
        operations = [pointer for pointer, *_ in iter_operations(spec)]
        for problem in separate_schema_names(spec):
            triaged.warn(problem)
    progress.stage("building the model", f"{len(operations)} operations")
    from .ir import build_api  # noqa: PLC0415 - imported while validating (see _while_validating)

    api = build_api(spec, package, exclude=triaged.excluded)
    if api.skipped and not lenient:
        raise GenerationError(str(spec_path), list(api.skipped), hint=_SKIP_HINT)
    if not api.operations and operations:
        raise GenerationError(
            str(spec_path),
            [*api.skipped, Problem("/paths", "no operation is left to generate")],
        )
    version, version_warning = package_version((spec.document.get("info") or {}).get("version"))
    api = replace(api, version=version)
    schemas = len((spec.document.get("components") or {}).get("schemas") or {}) + len(api.hoisted)
    progress.stage("generating models", f"{schemas} schemas")
    from .models import generate_models  # noqa: PLC0415 - see _STAGE_MODULES

    templates: list[Any] = []
    models, _ = run_isolated(
        lambda: generate_models(spec, api, lenient=lenient),
        modules=_MODEL_MODULES,
        allowed=apart,
        meanwhile=lambda: templates.append(_while_generating_models()),
    )
    progress.stage("rendering", f"{len(api.operations)} operations")
    from .render import cache_folder, render_package, runtime_paths  # noqa: PLC0415 - see _STAGE_MODULES

    files = render_package(api, models, templates[0])
    files[f"{package}/{SPEC_FILE}"] = compact_spec(spec)
    command = "python -m generator generate"
    if (spec_path, out, package) != (DEFAULT_SPEC, DEFAULT_OUT, DEFAULT_PACKAGE):
        command += f" --spec SPEC --out OUT --package {package}"
    if lenient:
        command += " --skip-unsupported" if skip_unsupported else " --lenient"
    header = Header(generator_version=__version__, command=command)
    progress.stage("formatting", f"{len(files)} files")
    formatted = format_files(
        {path: header.apply(path, text) for path, text in files.items()},
        cache=cache_folder(),
        as_is=runtime_paths(package),
    )
    progress.stage("done", f"{len(api.operations)} operations")
    left_out = {problem.pointer for problem in api.skipped}
    notes = api.renamed + models.warnings + ((version_warning,) if version_warning else ())
    return Result(
        formatted,
        api.skipped,
        len(api.operations),
        notes,
        warnings=(*triaged.warnings, *models.problems),
        left_out=len({operation_of(pointer, operations) or pointer for pointer in left_out}),
        spec=spec,
    )


def _while_validating() -> None:
    """What the parent does while a child validates: what later stages need and no spec decides.

    The intermediate model's modules (the validating child does without them), datamodel-code-
    generator's package (the models child that starts next has it from here), and the names the
    generated package reserves for itself (read from the runtime modules and the templates, for
    the model and the models)."""
    from . import ir, models  # noqa: F401, PLC0415 - see _STAGE_MODULES
    from .naming import reserved_argument_names, reserved_class_names, reserved_method_names  # noqa: PLC0415

    reserved_method_names()
    reserved_argument_names()
    reserved_class_names()


def _while_generating_models() -> Any:
    """What the parent does while a child generates the models: Jinja and the templates (imported
    here, after the child started, which does not need them)."""
    from .render import environment  # noqa: PLC0415 - see _STAGE_MODULES

    return environment()


@dataclass(frozen=True)
class _Checked:
    """What validation found, for ``build``: picklable, so that a child process can answer it."""

    problems: list[Problem]
    linted: list[Problem]
    """Example lint: in strict mode only when validation found nothing; in lenient mode on the
    document loosened by ``triaged``."""
    triaged: Triage | None = None
    lines: dict[str, int] | None = None
    """The lines of a JSON spec, when locating a problem scanned them (see ``read.Lines``)."""


def _read_and_checked(
    spec_path: Path, lenient: bool, progress: Progress, *, keep_as_bytes: bool
) -> tuple[Spec | bytes | None, _Checked]:
    """The spec read, and what validation found. In a child (``keep_as_bytes``), the document
    goes back pickled as it was read, before validation loosens it in lenient mode: the parent
    then holds only the document, not what parsing it left behind (a 3 MB YAML spec raised a
    process by 64 MiB, of which 20 stayed in use; the rest, freed in a fragmented heap, was
    never given back, and stayed beside the models child). ``None`` instead of the document
    when it is nested too deeply to pickle (the parent reads it again)."""
    spec = load_spec(spec_path)
    operations = [pointer for pointer, *_ in iter_operations(spec)]
    progress.stage("validating", f"{len(operations)} operations")
    read: Spec | bytes | None = spec
    if keep_as_bytes:
        try:
            read = pickle.dumps(spec, pickle.HIGHEST_PROTOCOL)
        except RecursionError:
            read = None
    return read, _checked(spec, operations, lenient)


def _spec_read(read: Spec | bytes | None, spec_path: Path) -> Spec:
    """The document that ``_read_and_checked`` handed back: pickled by a child, itself in
    process, or ``None`` (too deeply nested to pickle: read here again)."""
    if isinstance(read, bytes):
        spec: Spec = pickle.loads(read)  # noqa: S301 - written by our own child, through a pipe
        return spec
    return load_spec(spec_path) if read is None else read


def _checked(spec: Spec, operations: list[str], lenient: bool) -> _Checked:
    """Validation and example lint, in the order and on the document that ``build`` needs."""
    problems = validate(spec)
    if not lenient:
        linted = lint(spec) if not problems else []
        return _Checked(problems, linted, lines=_scanned_lines(spec))
    if any(problem.pointer == "/openapi" for problem in problems):
        return _Checked(problems, [], lines=_scanned_lines(spec))
    triaged = triage(spec, [problem for problem in problems if not problem.warning], operations)
    return _Checked(problems, lint(spec), triaged, _scanned_lines(spec))


def _scanned_lines(spec: Spec) -> dict[str, int] | None:
    return spec.lines.scanned() if isinstance(spec.lines, Lines) else None


def _parser(*, every_command: bool = True) -> argparse.ArgumentParser:
    """The command line. Without ``every_command``, only ``generate`` and ``check`` (and the
    review commands), which need neither ``verify`` nor ``examples`` (nor what they import: the
    intermediate model, which a generation imports while a child validates)."""
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
        if name == "check":
            command.add_argument(
                "--vendored",
                type=Path,
                metavar="PATH",
                help="instead: does this copy of a generated package (anywhere) match the spec? exit 1 when stale",
            )
    _add_review_commands(commands)
    if every_command:
        from . import examples, verify  # noqa: PLC0415 - see above

        verify.add_parser(commands)
        examples.add_parser(commands)
    return parser


def _report_skipped(result: Result) -> None:
    for problem in result.warnings:
        print(f"warning: {problem}", file=sys.stderr)
    for problem in result.skipped:
        print(f"skipped operation: {problem}", file=sys.stderr)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cycle collector, told that what is already loaded (the imported modules) stays
    and run less often: a build allocates many objects that live to its end (the document, the
    models), and the default thresholds had the collector scan them again and again (about a
    sixth of a large spec's time). Peak memory measured the same on the corpus specs.

    A caller that froze objects of its own (a server before it forks, a test run) keeps them
    frozen: ``gc.unfreeze`` would release all of them, not only what this froze."""
    threshold = gc.get_threshold()
    ours = gc.get_freeze_count() == 0
    if ours:
        gc.freeze()
    gc.set_threshold(10_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if ours:
            gc.unfreeze()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    arguments = _parser(every_command=argv[:1] not in (["generate"], ["check"])).parse_args(argv)
    if arguments.command in _REVIEW_COMMANDS or getattr(arguments, "vendored", None) is not None:
        return _review(arguments)
    if getattr(arguments, "run", None) is not None:  # a subcommand with a module of its own
        status: int = arguments.run(arguments)
        return status
    try:
        with _fewer_collections():
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
    files = _with_changelog(result.files, arguments.out)
    if arguments.command == "generate":
        _report_skipped(result)
        carried = result.files.get(f"{arguments.package}/{SPEC_FILE}")
        _warn_about_version(result.spec, arguments.out / arguments.package, result.notes, carried)
        try:
            kept = write_atomically(files, arguments.out, protect=[arguments.spec])
        except OutputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except OSError as error:  # read-only folder, disk full...: the old output is still in place
            print(f"error: cannot write {arguments.out}: {error}; it was left as it was", file=sys.stderr)
            return 2
        if kept:
            print(f"kept {len(kept)} files the generator did not write: {', '.join(kept)}", file=sys.stderr)
        print(
            f"generated {arguments.out}/{arguments.package}: {result.operations} operations, "
            f"{len(result.files)} files ({result.left_out} operations skipped, "
            f"{len(result.warnings)} warnings)"
        )
        return 0
    reports = compare(files, arguments.out)
    if reports:
        print("\n".join(reports))
        print(f"{arguments.out} is out of date with {arguments.spec}: run `make generate`.", file=sys.stderr)
        return 1
    print(f"{arguments.out} is up to date with {arguments.spec}.")
    return 0


# ------------------------------------------------- reviewing a change: diff, changelog, check --vendored

_REVIEW_COMMANDS = ("diff", "changelog")
_SOURCE_HELP = "a spec file, git:REV (the spec at a revision), or a generated package folder"


def _add_review_commands(commands: Any) -> None:
    text = "what changes for code that calls the client, from OLD to NEW; exit 1 when anything breaks"
    diff = commands.add_parser("diff", help=text, description=text)
    text = "the version bump that the changes from OLD to NEW call for, and a changelog entry"
    changelog = commands.add_parser("changelog", help=text, description=text)
    for command in (diff, changelog):
        command.add_argument("old", metavar="OLD", help=_SOURCE_HELP)
        command.add_argument("new", metavar="NEW", help=_SOURCE_HELP)
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    changelog.add_argument(
        "--update",
        type=Path,
        metavar="FILE",
        help="write the entry into FILE (replacing the one for the same version)",
    )


def _review(arguments: argparse.Namespace) -> int:
    try:
        if arguments.command == "check":
            return _check_vendored(arguments.spec, arguments.vendored)
        old = load_side(arguments.old, arguments.new)
        new = load_side(arguments.new, arguments.old)
        changes = diff_specs(old, new)
        if arguments.command == "diff":
            shown = format_changes(changes, arguments.format, old=arguments.old, new=arguments.new)
            sys.stdout.write(shown)
            return 1 if any(change.level == BREAKING for change in changes) else 0
        old_version, new_version = _version_of(old), _version_of(new)
        entry = changelog_entry(old_version, new_version, changes)
        warning = bump_warning(old_version, new_version, changes)
        print(f"suggested bump: {suggested_bump(changes)} ({summary(changes)})")
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
        if arguments.update is not None:
            existing = arguments.update.read_text(encoding="utf-8") if arguments.update.exists() else ""
            arguments.update.write_text(update_changelog(existing, entry), encoding="utf-8")
            print(f"updated {arguments.update} ({new_version}).")
        else:
            print()
            sys.stdout.write(entry)
        return 0
    except GenerationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    except Exception as error:  # a bug of the generator: say so plainly
        print(f"internal error of the generator: {type(error).__name__}: {error}", file=sys.stderr)
        print("Please report this with the specs that caused it.", file=sys.stderr)
        return 3


def _version_of(spec: Spec) -> str:
    return package_version((spec.document.get("info") or {}).get("version"))[0]


def _check_vendored(spec_path: Path, vendored: Path) -> int:
    """Exit 0 when the copy was generated from this spec, 1 when it is stale (with what changed)."""
    current = load_side(str(spec_path))
    digest = _older_copy_digest(vendored)
    if digest is not None:  # made before packages carried their spec: the hash still tells
        if digest == current.sha256:
            print(f"{vendored} is current: generated from {spec_path} ({_version_of(current)}).")
            return 0
        print(f"{vendored} is stale: generated from another spec (sha256 {digest[:12]}...); regenerate it.")
        return 1
    copy = load_side(str(vendored))
    if copy.document == current.document:
        print(f"{vendored} is current: generated from {spec_path} ({_version_of(current)}).")
        return 0
    changes = diff_specs(copy, current)
    print(
        f"{vendored} is stale: it was generated from version {_version_of(copy)}, the spec is now {_version_of(current)}."
    )
    if changes:
        sys.stdout.write(format_changes(changes))
    print(f"suggested bump: {suggested_bump(changes)}. Regenerate the copy to update it.")
    return 1


def _older_copy_digest(vendored: Path) -> str | None:
    """The SPEC_SHA256 of a package folder without ``_spec.json`` (made by an older generator)."""
    version = vendored / "_version.py"
    if (vendored / SPEC_FILE).exists() or not version.is_file():
        return None
    match = re.search(r'^SPEC_SHA256 = "([0-9a-f]{64})"', version.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else None


def _with_changelog(files: dict[str, str], out: Path) -> dict[str, str]:
    """The output files plus the folder's CHANGELOG.md, which `changelog --update` keeps, not `generate`."""
    changelog = out / "CHANGELOG.md"
    if not changelog.is_file():
        return files
    return {**files, "CHANGELOG.md": changelog.read_text(encoding="utf-8")}


def _warn_about_version(
    new: Spec | None, package: Path, notes: tuple[str, ...], carried: str | None = None
) -> None:
    """Warnings of this generation, and one when the changes call for a larger version bump.

    ``new`` is the spec that this run loaded (not read again): compared with the ``_spec.json``
    of the package generated before, both as the packages carry them; ``carried`` is the new
    package's ``_spec.json``: when it is the old one byte for byte, nothing changed."""
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    if new is None or not (package / SPEC_FILE).is_file():
        return
    with contextlib.suppress(OSError, UnicodeDecodeError):
        if carried is not None and (package / SPEC_FILE).read_text(encoding="utf-8") == carried:
            return
    try:
        old = load_side(str(package))
    except GenerationError:  # the committed copy cannot be read: nothing to compare with
        return
    changes = diff_specs(old, new)
    warning = bump_warning(_version_of(old), _version_of(new), changes)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
