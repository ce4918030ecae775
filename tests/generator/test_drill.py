"""The drill of issue 8: realistic documentation changes, from the committed spec to a new client.

For each change: the spec is edited (as a dict, the way a person would edit the YAML), a package
is generated into a temporary folder with the in-process ``build()``, and then
- ``diff`` classifies the change with the expected rule ids and exit code;
- the version bump that ``changelog`` suggests is the expected one, and ``generate``'s warning
  goes away once ``info.version`` moves that far;
- the new client has what the change is about (a field in the method's signature, the model and
  the mock; a new method; a removed value refused);
- the contract replay of every example pair of the new spec passes against the new client;
- ``check --vendored`` reports the committed package stale against the new spec.
"""

from __future__ import annotations

import copy
import importlib
import re
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest
import yaml

from generator import cli
from generator.diff import BREAKING, INFO, diff_specs, load_side
from generator.output import write_atomically
from generator.versioning import MAJOR, MINOR, bump_warning, next_version, suggested_bump
from tests import fast_yaml

REPO = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO / "spec" / "openapi.yaml"
COMMITTED = REPO / "generated" / "seedance_client"
CONTRACT = REPO / "tests" / "contract"
if str(CONTRACT) not in sys.path:
    sys.path.insert(0, str(CONTRACT))

from replay import load_api, replay, replay_cases  # noqa: E402

Document = dict[str, Any]
# libyaml's emitter when PyYAML has it: ~6 ms for the spec, against ~38 ms for the pure-Python
# one. It may wrap a long string on another line; no line of an edited spec is asserted here.
DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
S20_PATH, P15_PATH = "/generate/vol/seedance-2.0", "/generate/vol/seedance-pro-1.5"


def schemas(spec: Document) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


def request_examples(spec: Document, path: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]
    return found


# --------------------------------------------------------------------------- the changes


def add_seed(spec: Document) -> None:
    """A new optional field on seedance-2.0, with an example that uses it."""
    schemas(spec)["Seedance20Request"]["properties"]["seed"] = {
        "type": "integer",
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed: the same seed and inputs give a similar video.",
        "examples": [42],
    }
    request_examples(spec, S20_PATH)["text_to_video"]["value"]["seed"] = 42


def add_lite_endpoint(spec: Document) -> None:
    """A new endpoint of the same family, with its own request schema and example pairs."""
    operation = copy.deepcopy(spec["paths"][P15_PATH]["post"])
    operation["operationId"] = "generate_seedance_lite_1_0"
    operation["summary"] = "Create a Seedance Lite 1.0 video task"
    reference = {"$ref": "#/components/schemas/SeedanceLite10Request"}
    operation["requestBody"]["content"]["application/json"]["schema"] = reference
    schema = copy.deepcopy(schemas(spec)["SeedancePro15Request"])
    schema["description"] = "Parameters of a Seedance Lite 1.0 task."
    schemas(spec)["SeedanceLite10Request"] = schema
    spec["paths"]["/generate/vol/seedance-lite-1.0"] = {"post": operation}


def remove_standard(spec: Document) -> None:
    """The model value `standard` is no longer offered; examples that used it move to another."""
    enum = schemas(spec)["Seedance20Model"]["enum"]
    enum.remove("standard")
    for example in request_examples(spec, S20_PATH).values():
        if example["value"].get("model") == "standard":
            example["value"]["model"] = enum[0]


def tighten_prompt(spec: Document) -> None:
    """Pro 1.5 prompts now stop at 1000 characters."""
    schemas(spec)["SeedancePro15Request"]["properties"]["prompt"]["maxLength"] = 1000


def rename_watermark(spec: Document) -> None:
    """`watermark` is now called `add_watermark` on seedance-2.0 (same type, same default)."""
    properties = schemas(spec)["Seedance20Request"]["properties"]
    schemas(spec)["Seedance20Request"]["properties"] = {
        ("add_watermark" if name == "watermark" else name): value for name, value in properties.items()
    }
    for example in request_examples(spec, S20_PATH).values():
        if "watermark" in example["value"]:
            example["value"]["add_watermark"] = example["value"].pop("watermark")


# ---------------------------------------------------------------- what the new client must do


def has_seed(package: ModuleType) -> None:
    assert "seed" in typing.get_type_hints(package.Client.generate_seedance_2_0)
    assert "seed" in package.models.Seedance20Request.model_fields
    with pytest.raises(pydantic.ValidationError):
        package.models.Seedance20Request(seed=-1)
    mock = importlib.import_module(f"{package.__name__}.testing").MockAPI()
    mock.client().generate_seedance_2_0(prompt="a fox", seed=7)
    [call] = mock.calls
    assert call.request.read() == b'{"prompt":"a fox","seed":7}'


def has_lite(package: ModuleType) -> None:
    mock = importlib.import_module(f"{package.__name__}.testing").MockAPI()
    created = mock.client().generate_seedance_lite_1_0(prompt="a fox")
    assert created.task_id
    assert [call.operation for call in mock.calls] == ["generate_seedance_lite_1_0"]


def refuses_standard(package: ModuleType) -> None:
    with pytest.raises(pydantic.ValidationError):
        package.models.Seedance20Request(model="standard")
    # The new client never sends it (the old copy's mock would have accepted it).
    mock = importlib.import_module(f"{package.__name__}.testing").MockAPI()
    with pytest.raises(pydantic.ValidationError):
        mock.client().generate_seedance_2_0(prompt="x", model="standard")
    assert mock.calls == []


def refuses_long_prompt(package: ModuleType) -> None:
    package.models.SeedancePro15Request(prompt="a" * 1000)
    with pytest.raises(pydantic.ValidationError):
        package.models.SeedancePro15Request(prompt="a" * 1001)


def has_add_watermark(package: ModuleType) -> None:
    hints = typing.get_type_hints(package.Client.generate_seedance_2_0)
    assert "add_watermark" in hints and "watermark" not in hints


@dataclass(frozen=True)
class Drill:
    name: str
    edit: Callable[[Document], None]
    rules: frozenset[str]  # the breaking and non-breaking rules expected (worth-a-look ones aside)
    exit_code: int
    bump: str
    check: Callable[[ModuleType], None]


DRILLS = [
    Drill("new-optional-field", add_seed, frozenset({"new-optional-request-property"}), 0, MINOR, has_seed),
    Drill("new-endpoint", add_lite_endpoint, frozenset({"operation-added"}), 0, MINOR, has_lite),
    Drill("enum-value-removed", remove_standard, frozenset({"request-property-enum-value-removed"}), 1, MAJOR, refuses_standard),
    Drill("bound-tightened", tighten_prompt, frozenset({"request-property-max-length-decreased"}), 1, MAJOR, refuses_long_prompt),
    Drill("field-renamed", rename_watermark, frozenset({"request-property-renamed"}), 1, MAJOR, has_add_watermark),
]  # fmt: skip


@pytest.mark.parametrize("drill", DRILLS, ids=[drill.name for drill in DRILLS])
def test_drill(
    drill: Drill,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    generate_package: Callable[..., ModuleType],
) -> None:
    document = fast_yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    drill.edit(document)
    new_spec = tmp_path / "openapi.yaml"
    new_spec.write_text(
        yaml.dump(document, Dumper=DUMPER, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )

    # diff: the classification, the rule ids and the exit code
    changes = diff_specs(load_side(str(SPEC_PATH)), load_side(str(new_spec)))
    assert {change.rule for change in changes if change.level != INFO} == drill.rules, changes
    assert cli.main(["diff", str(SPEC_PATH), str(new_spec)]) == drill.exit_code
    assert any(change.level == BREAKING for change in changes) is (drill.exit_code == 1)
    capsys.readouterr()

    # the version: the bump suggested, and the warning gone once info.version moves that far
    assert suggested_bump(changes) == drill.bump
    version = document["info"]["version"]
    assert bump_warning(version, version, changes) is not None
    assert bump_warning(version, next_version(version, drill.bump), changes) is None

    # the new client, and the contract replay of the new spec's pairs against it
    package_name = f"drill_{drill.name.replace('-', '_')}"
    package = generate_package(new_spec, package_name)
    drill.check(package)
    api = load_api(new_spec, package_name)
    cases = replay_cases(api)
    assert cases
    for case in cases:
        replay(package, api, case)

    # the committed package is stale against the new spec, and says what changed
    assert cli.main(["check", "--vendored", str(COMMITTED), "--spec", str(new_spec)]) == 1
    report = capsys.readouterr().out
    assert "is stale" in report and next(iter(drill.rules)) in report


def test_a_spec_edit_leaves_the_files_it_does_not_change_untouched(tmp_path: Path) -> None:
    """The hash stands in _version.py only: adding a field leaves the runtime modules as they were."""
    document = fast_yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    add_seed(document)
    new_spec = tmp_path / "openapi.yaml"
    new_spec.write_text(
        yaml.dump(document, Dumper=DUMPER, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    out = tmp_path / "out"
    write_atomically(cli.build(new_spec, "seedance_client", out).files, out)

    def body(path: Path) -> str:
        # The command in the header names --spec/--out when they are not the defaults, as here.
        return "".join(line for line in path.read_text().splitlines(True) if not line.startswith("# "))

    package = out / "seedance_client"
    # A file of the models package counts as "models" (the new field changes one model's module).
    changed = {
        "models.py" if path.parent.name == "models" else path.name
        for path in package.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and body(path) != body(COMMITTED / path.relative_to(package))
    }
    assert changed <= {"_version.py", "_spec.json", "models.py", "_client.py", "_operations.py", "testing.py"}
    assert {"_version.py", "_spec.json", "models.py"} <= changed
    runtime = {
        path.name for path in (REPO / "generator" / "runtime").glob("_*.py") if path.name != "__init__.py"
    }
    assert not runtime & changed
    # A copy vendored elsewhere, with its headers edited, is still recognised as current.
    vendored = tmp_path / "myapp" / "_vendor" / "seedance_client"
    vendored.parent.mkdir(parents=True)
    write_atomically(
        {path.name: path.read_text() for path in COMMITTED.iterdir() if path.is_file()}, vendored
    )
    client = vendored / "_client.py"
    client.write_text("# vendored by myapp on 2026-11-21\n" + client.read_text())
    assert cli.main(["check", "--vendored", str(vendored)]) == 0


def test_a_copy_made_before_packages_carried_their_spec_is_checked_by_its_hash(tmp_path: Path) -> None:
    copy_folder = tmp_path / "seedance_client"
    write_atomically(
        {
            path.name: path.read_text()
            for path in COMMITTED.iterdir()
            if path.is_file() and path.name != "_spec.json"
        },
        copy_folder,
    )
    assert cli.main(["check", "--vendored", str(copy_folder)]) == 0
    version = copy_folder / "_version.py"
    version.write_text(re.sub(r'SPEC_SHA256 = "\w+"', f'SPEC_SHA256 = "{"0" * 64}"', version.read_text()))
    assert cli.main(["check", "--vendored", str(copy_folder)]) == 1
