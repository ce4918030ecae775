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

import jinja2.bccache
import pytest

from generator import cli, diff, output, read, render
from generator.diff import Change
from generator.load import Spec, load_spec
from generator.problems import GenerationError
from tests import fast_yaml

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


def test_validating_does_without_requests_and_leaves_it_importable() -> None:
    """jsonschema-path imports ``requests`` (an optional extra of it) when it is installed, to
    fetch remote references, which the generator refuses: validation imports it no more."""
    assert importlib.util.find_spec("requests") is not None  # installed here (by schemathesis)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from generator.load import lint, load_spec, validate\n"
        f"spec = load_spec(Path({str(SPECS / 'small.yaml')!r}))\n"
        "assert validate(spec) == [] and lint(spec) == []\n"
        "assert 'requests' not in sys.modules and 'urllib3' not in sys.modules, 'requests imported'\n"
        "import requests\n"
        "print(requests.__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "requests\n"


def test_the_command_ends_without_teardown_and_says_everything_with_its_status(tmp_path: Path) -> None:
    """``python -m generator`` leaves by ``os._exit`` (no interpreter teardown): what it printed
    to a pipe is all there, and the status is main's."""

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "generator", *arguments]
        return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)

    out = tmp_path / "out"
    made = run("generate", "--spec", str(SPECS / "small.yaml"), "--out", str(out), "--package", "small")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"generated {out}/small: ") and made.stdout.endswith(" warnings)\n")
    assert (out / "small" / "__init__.py").is_file()
    checked = run("check", "--spec", str(SPECS / "small.yaml"), "--out", str(out), "--package", "small")
    assert (checked.returncode, checked.stdout) == (0, f"{out} is up to date with {SPECS / 'small.yaml'}.\n")
    (out / "small" / "py.typed").write_text("changed", "utf-8")
    stale = run("check", "--spec", str(SPECS / "small.yaml"), "--out", str(out), "--package", "small")
    assert stale.returncode == 1 and "run `make generate`" in stale.stderr
    refused = run("generate", "--spec", str(tmp_path / "nope.yaml"), "--out", str(out))
    assert refused.returncode == 2
    assert refused.stderr.endswith("nothing was written.\n") and "cannot read the spec" in refused.stderr


def test_a_json_specs_lines_scanned_by_the_validating_child_are_not_scanned_again(tmp_path: Path) -> None:
    """A problem's line in a JSON spec needs a scan of the text (a tenth of a second on a large
    spec); the child that validates sends its scan back with the problems."""
    spec = fast_yaml.safe_load((SPECS / "lenient.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "lenient.json"
    path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    code = f"""
import json
from pathlib import Path
from generator import cli, read

scans = []
original = read._json_lines

def counted(text):
    scans.append(len(text))  # in this process only: a child counts in its own copy
    return original(text)

read._json_lines = counted
result = cli.build(Path({str(path)!r}), "client", lenient=True)
print(json.dumps([len(scans), [[w.pointer, w.line] for w in result.warnings]]))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    scans, warnings = json.loads(done.stdout.splitlines()[-1])
    assert scans == 0
    in_process = cli.build(path, "client", lenient=True)  # scans here: the same lines
    assert warnings == [[warning.pointer, warning.line] for warning in in_process.warnings]
    assert warnings and all(isinstance(line, int) and line > 1 for _, line in warnings)


def test_the_parent_takes_the_document_from_the_validating_child_without_parsing_it(tmp_path: Path) -> None:
    """The validating child reads the spec and hands the document back pickled, as it was read
    (before lenient mode loosens it): the parent never holds what parsing left behind. The
    package is the one an in-process build makes."""
    code = f"""
import json
from pathlib import Path
from generator import cli, load

parsed = []
original = load.read_document

def counted(text, **options):
    parsed.append(len(text))  # in this process only: a child counts in its own copy
    return original(text, **options)

load.read_document = counted
result = cli.build(Path({str(SPECS / "lenient.yaml")!r}), "client", lenient=True)
print(json.dumps([len(parsed), result.files, [[w.pointer, w.line, w.message] for w in result.warnings]]))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    parsed, files, warnings = json.loads(done.stdout.splitlines()[-1])
    assert parsed == 0
    in_process = cli.build(SPECS / "lenient.yaml", "client", lenient=True)
    assert files == in_process.files
    assert warnings == [[w.pointer, w.line, w.message] for w in in_process.warnings]
    assert warnings


def test_the_validating_child_starts_before_what_only_later_stages_import(tmp_path: Path) -> None:
    """``generate`` forks the validating child before importing the intermediate model, the
    models' library and Jinja (imported while the child works), and ``verify`` and ``examples``
    only for their own commands; the command line still lists every command."""
    code = f"""
import json, sys
from generator import cli

later = ("generator.ir", "generator.verify", "generator.examples", "jinja2", "datamodel_code_generator")
isolated = cli.run_isolated
loaded = []

def recording(work, **options):
    loaded.append([name for name in later if name in sys.modules])
    return isolated(work, **options)

cli.run_isolated = recording
status = cli.main(["generate", "--spec", {str(SPECS / "small.yaml")!r}, "--out", {str(tmp_path / "out")!r}])
print(json.dumps([status, loaded, "verify" in cli._parser().format_help()]))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    status, loaded, listed = json.loads(done.stdout.splitlines()[-1])
    assert status == 0 and listed
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
