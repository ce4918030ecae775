"""The models stage runs datamodel-code-generator on groups of schemas that do not refer to each
other (generator/chunking.py): the package is the same as one run on every schema writes.

specs/groups.yaml has seven such groups, two inline models that want one name across groups
(``Pet.owner_info``, ``Pet_owner.info``), a field named ``date`` in one group (another group
imports datetime's ``date``, which is then ``date_aliased``), two recursive models in different groups
(their ``model_rebuild()`` calls come after every model), an enum alias with a docstring and a
discriminated union with a JSON-pointer reference into one of its schemas.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from generator import chunking, cli, models, overrides
from generator.chunking import schema_groups

GROUPS = Path(__file__).parent / "specs" / "groups.yaml"
ZOO = Path(__file__).parent / "specs" / "zoo.yaml"
IDIOMS = Path(__file__).parent / "specs" / "idioms.yaml"


def _built(spec: Path, size: int, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], list[list[str]]]:
    """The package's files with groups of at most ``size`` schemas, and the schemas of each run."""
    runs: list[list[str]] = []
    real = models.generate

    def counted(document: Any, **options: Any) -> Any:
        runs.append(list(document["components"]["schemas"]))
        return real(document, **options)

    with monkeypatch.context() as patch:
        patch.setattr(chunking, "GROUP_SIZE", size)
        patch.setattr(models, "generate", counted)
        patch.setattr(cli, "_BUILT", [spec])  # in this process, where the runs are counted
        files = cli.build(spec, "groups_pkg", Path("out")).files
    return files, runs


@pytest.mark.parametrize("spec", [GROUPS, ZOO, IDIOMS], ids=["groups", "zoo", "idioms"])
def test_the_package_is_what_one_run_writes(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, one = _built(spec, 10**6, monkeypatch)
    grouped, runs = _built(spec, 1, monkeypatch)
    assert len(one) == 1
    assert len(runs) > 3, runs
    assert grouped == whole


def test_names_wanted_across_groups_are_made_unique_as_one_run_does(monkeypatch: pytest.MonkeyPatch) -> None:
    files, runs = _built(GROUPS, 1, monkeypatch)
    pets = files["groups_pkg/models/_pet.py"] + files["groups_pkg/models/_pet_owner.py"]
    assert "class Pet_owner_info(SpecModel):" in pets
    assert "class Pet_owner_info1(SpecModel):" in pets
    # Both groups alone named their model Pet_owner_info: they ran again, together.
    assert ["Pet", "Pet_owner"] in runs
    # Event's field named date makes one run import datetime's date under another name: the
    # group that imports it ran again with Event's.
    assert "day: date_aliased | None = None" in files["groups_pkg/models/_birthday.py"]
    assert ["Event", "Birthday"] in runs
    # Separate groups are generated alone.
    assert ["Node"] in runs and ["Tree"] in runs


def test_groups_follow_every_reference() -> None:
    schemas = {
        "A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
        "B": {"type": "string"},
        "C": {"oneOf": [{"$ref": "#/components/schemas/D~1x"}], "discriminator": {"mapping": {"e": "E"}}},
        "D/x": {"type": "object"},
        "E": {"type": "object"},
        "F": {"properties": {"g": {"$ref": "#/components/schemas/G/properties/h"}}},
        "G": {"properties": {"h": {"type": "integer"}}},
        "H": {"type": "integer"},
    }
    assert schema_groups(schemas, 1) == [["A", "B"], ["C", "D/x", "E"], ["F", "G"], ["H"]]
    assert schema_groups(schemas, 5) == [["A", "B", "C", "D/x", "E"], ["F", "G", "H"]]


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#/components/schemas/Missing"},
        {"$ref": "#/components/parameters/P"},
        {"$id": "https://example.com/a", "type": "object"},
        # Named like an import: one run would import pydantic's Field under another name.
        {"properties": {"Field": {"type": "string"}}},
    ],
)
def test_a_reference_that_cannot_be_followed_or_an_import_name_makes_one_group(
    schema: dict[str, Any],
) -> None:
    assert schema_groups({"A": schema, "B": {"type": "string"}}, 1) is None


def test_a_failing_group_falls_back_to_one_run() -> None:
    calls: list[int] = []

    def generate(document: Any, **options: Any) -> str:
        calls.append(len(document["components"]["schemas"]))
        if len(calls) == 2:
            raise ValueError("a group failed")
        return "class A:\n    pass"

    document = {"components": {"schemas": {"A": {"type": "object"}, "B": {"type": "object"}}}}
    assert chunking.generate_in_groups(document, {}, generate, size=1) == "class A:\n    pass"
    assert calls == [1, 1, 2]


def test_a_module_read_in_pieces_is_the_module_parsed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lines at column 0 that start no statement: inside a string, closing brackets, comments,
    # a decorator's class, an else (the module is then parsed whole).
    code = '''from __future__ import annotations

# A comment
Alias = TypeAliasType("Alias", list[int])
"""
A docstring with lines
at column 0
"""


@decorated
class Model(SpecModel):
    x: int = {
"key": 1
}
    y: list[
int
] = []
X = (
    1,
)
if X:
    pass
else:
    pass
Model.model_rebuild()'''
    monkeypatch.setattr(overrides, "_PIECE_LINES", 1)
    for text in (code, code.split("if X:", maxsplit=1)[0]):
        pieces = [ast.dump(node, include_attributes=True) for node in overrides.top_level_statements(text)]
        assert pieces == [ast.dump(node, include_attributes=True) for node in ast.parse(text).body]
