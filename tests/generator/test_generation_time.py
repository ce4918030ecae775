"""What a generation does once: read the spec, scan a JSON spec for line numbers (only when a
problem needs one), and compare with the package generated before."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import jinja2.bccache
import pytest

from generator import cli, diff, output, read, render
from generator.diff import Change
from generator.load import Spec, load_spec
from generator.problems import GenerationError
from tests import fast_yaml, fresh

SPECS = Path(__file__).parent / "specs"
REPO = Path(__file__).resolve().parents[2]


def test_a_generation_reads_the_spec_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "lenient.yaml"
    spec.write_text((SPECS / "lenient.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    arguments = [
        "generate",
        "--spec",
        str(spec),
        "--out",
        str(out),
        "--package",
        "lenient_client",
        "--lenient",
    ]
    assert cli.main(arguments) == 0  # the first time: no package to compare with
    capsys.readouterr()
    reads: list[Path] = []
    original = Path.read_bytes

    def counted(path: Path) -> bytes:
        reads.append(path)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    compared: list[Spec] = []
    original_diff = diff.diff_specs

    def counted_diff(old: Spec, new: Spec) -> list[Change]:
        compared.append(new)
        return original_diff(old, new)

    monkeypatch.setattr(cli, "diff_specs", counted_diff)
    assert cli.main(arguments) == 0
    assert reads.count(spec) == 1
    assert compared == []  # the same _spec.json as before: nothing to compare
    # The package's own copy of the spec (loosened in lenient mode) is compared with the
    # document as this run loosened it: the same spec again has no changes to warn about.
    assert "info.version" not in capsys.readouterr().err
    # A changed spec is compared (with the document this run loaded).
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("title:", "description: changed\n  title:", 1), "utf-8"
    )
    assert cli.main(arguments) == 0
    assert len(compared) == 1
    assert compared[0].document["info"]["description"] == "changed"


def test_line_numbers_of_a_json_spec_are_scanned_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "spec.json"
    path.write_text('{"openapi": "3.1.0",\n "info": {"title": "t", "version": "1"},\n "paths": {}}', "utf-8")
    scans: list[str] = []
    original = read._json_lines

    def counted(text: str) -> dict[str, int]:
        scans.append(text)
        return original(text)

    monkeypatch.setattr(read, "_json_lines", counted)
    spec = load_spec(path)
    assert scans == []
    assert spec.problem("/info/version", "x").line == 2
    assert spec.lines["/paths"] == 3
    assert "/info/title" in spec.lines
    assert len(scans) == 1


@pytest.mark.parametrize(("depth", "refused"), [(read.DEPTH_LIMIT - 1, False), (read.DEPTH_LIMIT, True)])
def test_a_json_spec_is_refused_at_load_from_the_depth_limit_on(
    tmp_path: Path, depth: int, refused: bool
) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"openapi": "3.1.0",\n "x-deep": ' + "[" * depth + "]" * depth + "}", "utf-8")
    if not refused:
        assert load_spec(path).lines["/x-deep" + "/0" * (depth - 1)] == 2
        return
    with pytest.raises(GenerationError) as caught:
        load_spec(path)
    [problem] = caught.value.problems
    assert "nests deeper than 1000 levels" in problem.message
    assert problem.line == 2


def test_compiled_templates_are_kept_between_runs_and_render_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cold = cli.build(SPECS / "small.yaml", "small_client")
    kept = sorted(tmp_path.glob("_jinja2-cache-*/__seedance_codegen_*.cache"))
    assert len(kept) == len(list((Path(render.__file__).parent / "templates").glob("*.jinja")))
    assert cli.build(SPECS / "small.yaml", "small_client").files == cold.files
    # A cache that cannot be read, or no folder to keep one in, is compiled around.
    for path in kept:
        path.write_bytes(b"not bytecode")
    assert cli.build(SPECS / "small.yaml", "small_client").files == cold.files
    for path in kept:  # Jinja's header, then a checksum cut short
        path.write_bytes(jinja2.bccache.bc_magic + b"\x80\x04\x95")
    assert cli.build(SPECS / "small.yaml", "small_client").files == cold.files
    shutil.rmtree(kept[0].parent)
    kept[0].parent.write_text("", "utf-8")  # where the folder was: no safe place for a cache
    assert cli.build(SPECS / "small.yaml", "small_client").files == cold.files


@pytest.fixture
def formatted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Python files that ``ruff format`` is run on, in order, from here on."""
    names: list[str] = []
    original = output._run_ruff

    def counted(arguments: list[str], cwd: Path) -> None:
        if arguments[0] == "format":
            names.extend(argument for argument in arguments if argument.endswith(".py"))
        original(arguments, cwd)

    monkeypatch.setattr(output, "_run_ruff", counted)
    return names


def test_the_runtime_modules_are_not_run_through_ruff_and_are_what_ruff_would_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, formatted: list[str]
) -> None:
    # An empty format cache: what earlier runs kept would leave ruff nothing to run on.
    monkeypatch.setattr(render, "cache_folder", lambda: tmp_path / "kept")
    result = cli.build(SPECS / "small.yaml", "as_is_client", tmp_path / "out")
    runtime = render.runtime_paths("as_is_client")
    assert len(runtime) > 20 and runtime <= set(result.files)
    assert formatted and not runtime & set(formatted)  # the rendered modules only
    # Everything through ruff, the runtime modules too: nothing changes. This fails when a runtime
    # module is edited out of the package's style (make check's ruff holds generator/ to it).
    formatted.clear()
    assert output.format_files(result.files) == result.files
    assert runtime <= set(formatted)
    # A file named as is comes back as it was given, unformatted, and is not cached.
    files = {"pkg/a.py": "x = {'a':1}\n", "pkg/b.py": "y = ( 2 )\n", "pyproject.toml": ""}
    done = output.format_files(files, cache=tmp_path, as_is=["pkg/a.py"])
    assert done == {**files, "pkg/b.py": "y = 2\n"}
    assert len(list((tmp_path / "seedance-codegen-formatted").iterdir())) == 1


def test_formatted_files_are_kept_between_runs_and_redone_when_anything_they_depend_on_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, formatted: list[str]
) -> None:
    settings = "[tool.ruff]\nline-length = 110\n"
    files = {
        "pkg/__init__.py": "from .a import x\n",
        "pkg/b.py": "import sys\nimport os\nprint(sys)\n",
        "pkg/a.py": "x = {'a':1}\n",
        "pyproject.toml": settings,
        "pkg/py.typed": "",
    }
    cache = tmp_path / "cache"
    cache.mkdir()
    uncached = output.format_files(files)
    assert uncached["pkg/a.py"] == 'x = {"a": 1}\n' and uncached["pkg/b.py"] == "import sys\n\nprint(sys)\n"
    assert uncached["pyproject.toml"] == settings and uncached["pkg/py.typed"] == ""
    formatted.clear()
    assert output.format_files(files, cache=cache) == uncached
    assert sorted(formatted) == ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]
    formatted.clear()
    assert output.format_files(files, cache=cache) == uncached  # from the cache: ruff does not run
    assert formatted == []
    # A changed file is formatted again, alone; changed settings redo every file.
    changed = {**files, "pkg/a.py": "y = ( 1 )\n"}
    assert output.format_files(changed, cache=cache)["pkg/a.py"] == "y = 1\n"
    assert formatted == ["pkg/a.py"]
    formatted.clear()
    narrow = {**files, "pyproject.toml": "[tool.ruff]\nline-length = 10\n"}
    assert output.format_files(narrow, cache=cache)["pkg/a.py"] == 'x = {\n    "a": 1\n}\n'
    assert sorted(formatted) == ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]
    # Another ruff (another binary, or the same one installed again) redoes every file too.
    other = tmp_path / "ruff"
    shutil.copy2(output.find_ruff_bin(), other)
    monkeypatch.setattr(output, "find_ruff_bin", lambda: other)
    for _reinstalled in range(2):
        formatted.clear()
        assert output.format_files(files, cache=cache) == uncached
        assert sorted(formatted) == ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]
        os.utime(other, ns=(other.stat().st_atime_ns, other.stat().st_mtime_ns + 10**9))
    # An entry cut short or changed is formatted again; no folder for the cache is no error.
    for entry in (cache / "seedance-codegen-formatted").iterdir():
        entry.write_bytes(entry.read_bytes()[:-3])
    formatted.clear()
    assert output.format_files(files, cache=cache) == uncached
    assert sorted(formatted) == ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]
    shutil.rmtree(cache)
    cache.write_text("", "utf-8")
    assert output.format_files(files, cache=cache) == uncached
    assert output.format_files(files, cache=cache) == uncached


_PROBES = """
import json, sys
from pathlib import Path
from generator import cli, load, read

small, lenient_json, lenient_yaml, out = json.loads(sys.argv[1])
found = {}
isolated = cli.run_isolated
loaded, apart = [], []
later = ("generator.ir", "generator.verify", "generator.examples", "jinja2", "datamodel_code_generator")

def recording(work, **options):
    loaded.append([name for name in later if name in sys.modules])
    value, in_child = isolated(work, **options)
    apart.append(in_child)
    return value, in_child

cli.run_isolated = recording

# The command's first build in this fresh interpreter: what was imported as each child started.
status = cli.main(["generate", "--spec", small, "--out", out])
found["later"] = [status, list(loaded), list(apart), "verify" in cli._parser().format_help()]

# Validation in this process: requests is not imported by it (nor by what ran before).
spec = load.load_spec(Path(small))
checked = load.validate(spec) == [] and load.lint(spec) == []
imported = sorted(name for name in ("requests", "urllib3") if name in sys.modules)
import requests
found["requests"] = [checked, imported, requests.__name__]

# The next builds fork as if each were the first build of a fresh process, with a function of
# this process counting its calls (a child counts in its own copy).
cli._STAGE_MODULES = cli._MODEL_MODULES = ("a_module_nobody_imports",)

def first_build(module, name, path):
    calls = []
    original = getattr(module, name)

    def counted(text, **options):
        calls.append(len(text))
        return original(text, **options)

    setattr(module, name, counted)
    cli._BUILT.clear()
    apart.clear()
    try:
        result = cli.build(Path(path), "client", lenient=True)
    finally:
        setattr(module, name, original)
    warnings = [[w.pointer, w.line, w.message] for w in result.warnings]
    return [len(calls), list(apart), result.files, warnings]

found["lines"] = first_build(read, "_json_lines", lenient_json)
found["document"] = first_build(load, "read_document", lenient_yaml)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """What one fresh interpreter found, for the tests below: its first build (as the command
    line makes it), validation in it, then two more builds that fork as a first build does. One
    interpreter for the four (each was ~0.4-1.3 s of CPU, mostly the same imports); the JSON spec
    (``lenient.yaml`` written as JSON) and the output are in the folder answered."""
    folder = tmp_path_factory.mktemp("probes")
    spec = fast_yaml.safe_load((SPECS / "lenient.yaml").read_text(encoding="utf-8"))
    lenient_json = folder / "lenient.json"
    lenient_json.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    paths = [str(SPECS / "small.yaml"), str(lenient_json), str(SPECS / "lenient.yaml"), str(folder / "out")]
    found: dict[str, Any] = fresh.fresh_python(_PROBES, json.dumps(paths))
    return folder, found


@pytest.mark.xdist_group("test_generation_time-probed")  # one fresh interpreter per run
def test_validating_does_without_requests_and_leaves_it_importable(
    probed: tuple[Path, dict[str, Any]],
) -> None:
    """jsonschema-path imports ``requests`` (an optional extra of it) when it is installed, to
    fetch remote references, which the generator refuses: validation imports it no more."""
    assert importlib.util.find_spec("requests") is not None  # installed here (by schemathesis)
    checked, imported, name = probed[1]["requests"]
    assert checked
    assert imported == [], "requests imported"
    assert name == "requests"


def test_the_command_ends_without_teardown_and_says_everything_with_its_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m generator`` leaves by ``os._exit`` (no interpreter teardown): what it printed
    to a pipe is all there, and the status is main's: 0, 1 and 2, each with what it said (1 from
    ``diff``, which reads two specs: ``check`` builds the package, ~0.8 s more of CPU for the
    same exit). What ``check`` says of an output is the same command's, here."""

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "generator", *arguments]
        return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)

    small = SPECS / "small.yaml"
    out = tmp_path / "out"
    made = run("generate", "--spec", str(small), "--out", str(out), "--package", "small")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"generated {out}/small: ") and made.stdout.endswith(" warnings)\n")
    assert (out / "small" / "__init__.py").is_file()
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(
        small.read_text(encoding="utf-8").replace("operationId: getThing", "operationId: fetchThing"), "utf-8"
    )
    changed = run("diff", str(small), str(renamed))
    assert changed.returncode == 1, changed.stderr
    assert changed.stdout.startswith("breaking: operation-id-changed: fetchThing (line 14, ")
    assert changed.stdout.endswith("changed from getThing to fetchThing.\n1 breaking.\n")
    refused = run("generate", "--spec", str(tmp_path / "nope.yaml"), "--out", str(out))
    assert refused.returncode == 2
    assert refused.stderr.endswith("nothing was written.\n") and "cannot read the spec" in refused.stderr
    checking = ["check", "--spec", str(small), "--out", str(out), "--package", "small"]
    capsys.readouterr()
    assert (cli.main(checking), capsys.readouterr().out) == (0, f"{out} is up to date with {small}.\n")
    (out / "small" / "py.typed").write_text("changed", "utf-8")
    assert cli.main(checking) == 1
    assert "run `make generate`" in capsys.readouterr().err


@pytest.mark.xdist_group("test_generation_time-probed")  # one fresh interpreter per run
def test_a_json_specs_lines_scanned_by_the_validating_child_are_not_scanned_again(
    probed: tuple[Path, dict[str, Any]],
) -> None:
    """A problem's line in a JSON spec needs a scan of the text (a tenth of a second on a large
    spec); the child that validates sends its scan back with the problems."""
    folder, found = probed
    scans, apart, _, warnings = found["lines"]
    assert apart == [True, True]  # validated (and the models made) in children
    assert scans == 0
    in_process = cli.build(folder / "lenient.json", "client", lenient=True)  # scans here: the same lines
    assert [[pointer, line] for pointer, line, _ in warnings] == [
        [warning.pointer, warning.line] for warning in in_process.warnings
    ]
    assert warnings and all(isinstance(line, int) and line > 1 for _, line, _ in warnings)


@pytest.mark.xdist_group("test_generation_time-probed")  # one fresh interpreter per run
def test_the_parent_takes_the_document_from_the_validating_child_without_parsing_it(
    probed: tuple[Path, dict[str, Any]],
) -> None:
    """The validating child reads the spec and hands the document back pickled, as it was read
    (before lenient mode loosens it): the parent never holds what parsing left behind. The
    package is the one an in-process build makes."""
    parsed, apart, files, warnings = probed[1]["document"]
    assert apart == [True, True]
    assert parsed == 0
    in_process = cli.build(SPECS / "lenient.yaml", "client", lenient=True)
    assert files == in_process.files
    assert warnings == [[w.pointer, w.line, w.message] for w in in_process.warnings]
    assert warnings


@pytest.mark.xdist_group("test_generation_time-probed")  # one fresh interpreter per run
def test_the_validating_child_starts_before_what_only_later_stages_import(
    probed: tuple[Path, dict[str, Any]],
) -> None:
    """``generate`` forks the validating child before importing the intermediate model, the
    models' library and Jinja (imported while the child works), and ``verify`` and ``examples``
    only for their own commands; the command line still lists every command."""
    status, loaded, apart, listed = probed[1]["later"]
    assert status == 0 and listed
    assert apart == [True, True]
    assert loaded == [[], ["generator.ir", "datamodel_code_generator"]]


def test_the_formatted_files_kept_are_the_ones_used_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, formatted: list[str]
) -> None:
    monkeypatch.setattr(output, "_FORMATTED_KEPT", 4)
    files = {f"pkg/{name}.py": f"{name} = ( 1 )\n" for name in "abc"}
    output.format_files(files, cache=tmp_path)
    kept = tmp_path / "seedance-codegen-formatted"
    for entry in kept.iterdir():
        os.utime(entry, (1, 1))  # long ago
    output.format_files({"pkg/a.py": files["pkg/a.py"]}, cache=tmp_path)  # a is used again
    output.format_files({f"pkg/{name}.py": f"{name} = ( 2 )\n" for name in "de"}, cache=tmp_path)
    assert len(list(kept.iterdir())) == 3  # past 4 entries, down to 3: b and c, used longest ago, go
    formatted.clear()
    output.format_files({"pkg/a.py": files["pkg/a.py"]}, cache=tmp_path)
    assert formatted == []
    output.format_files({"pkg/b.py": files["pkg/b.py"], "pkg/c.py": files["pkg/c.py"]}, cache=tmp_path)
    assert sorted(formatted) == ["pkg/b.py", "pkg/c.py"]
