"""The floors of generation: what the libraries that the project requires cost on their own.

``bench/run.py`` runs these in fresh interpreters, interleaved with both generators, so that
the table shows which targets lie below what the mandated libraries need by themselves:

- ``python bench/floors.py imports all|validator|models``: import openapi-spec-validator,
  datamodel-code-generator's OpenAPI parser and jinja2 together, or the validator alone, or
  datamodel-code-generator's parser and jinja2 alone (the generator loads these two groups in
  different processes, one after the other: see generator/isolation.py);
- ``python bench/floors.py validator SPEC``: read SPEC and validate it with openapi-spec-validator
  alone (every problem its validator finds: the validation the spec demands, without our located
  messages, example lint or the faster meta-check);
- ``python bench/floors.py models INPUT [--one-run]``: datamodel-code-generator alone, on the
  schemas and with the options that the generator gives it, in the groups the generator runs it
  on (generator/chunking.py), or in one run on them all; INPUT is saved by
  ``python bench/floors.py prepare SPEC INPUT [--lenient]`` (which runs the generator up to that
  call).
"""

from __future__ import annotations

import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


class _Captured(BaseException):  # passes through the generator's own "except Exception"
    pass


def imports(which: str) -> None:
    if which in ("all", "validator"):
        import openapi_spec_validator  # noqa: F401
    if which in ("all", "models"):
        import jinja2  # noqa: F401
        from datamodel_code_generator.parser.openapi import OpenAPIParser  # noqa: F401


def validator(spec: Path) -> None:
    """Every problem openapi-spec-validator finds in SPEC (a spec written elsewhere may have some:
    lenient mode must find them all, so the floor does not stop at the first)."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from openapi_spec_validator.readers import read_from_filename

    document, base_uri = read_from_filename(str(spec))
    version = str(document.get("openapi", ""))
    chosen = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    for _ in chosen(document, base_uri=base_uri).iter_errors():
        pass


def prepare(spec: Path, target: Path, *, lenient: bool = False) -> None:
    """Save what the generator hands datamodel-code-generator for ``spec``: (input, options);
    ``lenient`` as ``generate --lenient`` (the corpus specs need it)."""
    sys.path.insert(0, str(REPO))
    from generator import cli, models

    def capture(document: Any, options: Any, *_: Any) -> str:
        target.write_bytes(pickle.dumps((document, dict(options))))
        raise _Captured

    models.generate_in_groups = capture  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as out:
        try:
            cli.build(spec, "floor", Path(out), lenient=lenient)
        except _Captured:
            return
    raise SystemExit("bench: the models stage no longer calls generate_in_groups")


def run_models(saved: Path, *, one_run: bool = False) -> None:
    sys.path.insert(0, str(REPO))  # the options name the generator's class-name function
    from datamodel_code_generator import generate

    from generator.chunking import generate_in_groups

    document, options = pickle.loads(saved.read_bytes())
    code = generate(document, **options) if one_run else generate_in_groups(document, options, generate)
    assert isinstance(code, str) and "class " in code


if __name__ == "__main__":
    what, *rest = sys.argv[1:]
    if what == "imports":
        imports(rest[0])
    elif what == "validator":
        validator(Path(rest[0]))
    elif what == "prepare":
        prepare(Path(rest[0]), Path(rest[1]), lenient="--lenient" in rest[2:])
    elif what == "models":
        run_models(Path(rest[0]), one_run="--one-run" in rest[1:])
    else:
        raise SystemExit(
            f"usage: {sys.argv[0]} imports all|validator|models | validator SPEC | models INPUT | prepare SPEC INPUT [--lenient]"
        )
