"""Importing a generated package costs the same whatever the size of its spec (issue 9, issue 12).

``models`` is a package of one module per strongly connected group of schemas; nothing imports
a model until it is used, and then only with the models it refers to. The checks look at
``sys.modules`` in a fresh interpreter, never at a clock.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from generator import cli, render
from generator.models import split_models

# The module's fixtures are made once per run: under xdist (make test) its tests share one worker.
pytestmark = pytest.mark.xdist_group("test_lazy_models")

REPO = Path(__file__).resolve().parents[2]


def _synthetic() -> ModuleType:
    spec = importlib.util.spec_from_file_location("synthetic", REPO / "bench" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(result: cli.Result, folder: Path) -> Path:
    for relative, text in result.files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    return folder


# What a call imports does not depend on how many operations the spec has, only on how the
# package is laid out: 16 operations, with the methods in client modules of 6 operations (three,
# as 120 operations make with the default 50): a build of ~0.2 s of CPU instead of ~2.
OPERATIONS, PART_OPERATIONS = 16, 6


@pytest.fixture(scope="module")
def synthetic_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lazy")
    spec = _synthetic().write_synthetic_spec(OPERATIONS, folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "CLIENT_PART_OPERATIONS", PART_OPERATIONS)
        result = cli.build(spec, "synthetic_client", folder / "out")
    return _write(result, folder / "out")


def _run(folder: Path, script: str) -> list[object]:
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


_CALL_ONE = """
import json, sys
import httpx
import synthetic_client

def loaded():
    prefix = "synthetic_client.models."
    return sorted(name[len(prefix):] for name in sys.modules if name.startswith(prefix))

print(json.dumps(loaded()))
def answer(request):
    return httpx.Response(200, json={"id": "7", "name": "seven", "size": 3})
http = httpx.Client(transport=httpx.MockTransport(answer))
client = synthetic_client.Client("key", http_client=http, max_retries=0)
item = client.get_item_7("7", limit=5)
print(json.dumps([type(item).__name__, item.name]))
print(json.dumps(loaded()))
print(json.dumps(sorted(name for name in ("anyio", "asyncio", "synthetic_client.testing") if name in sys.modules)))
"""


def test_import_and_one_call_load_only_the_models_of_that_call(synthetic_package: Path) -> None:
    models = synthetic_package / "synthetic_client" / "models"
    # A module per model (its inline parts with it), one per GET for its parameters' types.
    assert len([path for path in models.glob("_*.py") if path.name != "__init__.py"]) == OPERATIONS // 2 * 3
    # The methods are spread over client modules (get_item_7 is in the last).
    parts = sorted(path.name for path in (synthetic_package / "synthetic_client").glob("_client_*.py"))
    assert parts == ["_client_1.py", "_client_2.py", "_client_3.py"]
    before, answer, after, others = _run(synthetic_package, _CALL_ONE)
    assert before == []
    assert answer == ["Item7", "seven"]
    assert after == ["_get_item_7_types", "_item7"]
    # The async machinery and the testing helpers are not imported by a sync call either.
    assert others == []


_FROM_IMPORTS = """
import json, sys
from synthetic_client.models import Item3Create
from synthetic_client import Item5
print(json.dumps(sorted(name for name in sys.modules if name.startswith("synthetic_client.models."))))
print(json.dumps([Item3Create(name="a", size=2).size, Item5.__module__]))
"""


def test_from_imports_of_models_work_at_the_package_and_its_root(synthetic_package: Path) -> None:
    loaded, values = _run(synthetic_package, _FROM_IMPORTS)
    assert loaded == ["synthetic_client.models._item3_create", "synthetic_client.models._item5"]
    assert values == [2, "synthetic_client.models._item5"]


def test_models_referring_to_each_other_share_a_module_and_import_the_rest() -> None:
    code = (
        "from __future__ import annotations\n\n"
        "from typing import Literal\n\n"
        "from ._model_base import SpecModel\n\n"
        'Colour = Literal["red", "blue"]\n\n'
        "class Leaf(SpecModel):\n    colour: Colour\n\n"
        "class Node(SpecModel):\n    children: list[Node]\n    parent: 'Tree | None'\n    leaf: Leaf\n\n"
        "class Tree(SpecModel):\n    root: Node\n\n"
        "class Forest(SpecModel):\n    trees: list[Tree]\n\n"
        "class Other(SpecModel):\n    tree: Tree\n    leaf: Leaf\n\n"
        "Node.__spec_rules__ = ()\n"
    )
    files = split_models(code)
    # Node and Tree refer to each other (Tree in a string annotation); Colour is Leaf's alone.
    assert sorted(files) == ["__init__.py", "_forest.py", "_leaf.py", "_node.py", "_other.py"]
    assert "class Node" in files["_node.py"] and "class Tree" in files["_node.py"]
    assert "Colour = " in files["_leaf.py"] and "class Leaf" in files["_leaf.py"]
    assert "Node.__spec_rules__" in files["_node.py"]
    assert "from .._model_base import SpecModel" in files["_node.py"]
    assert "from ._leaf import Leaf" in files["_node.py"]
    assert "from ._leaf import Leaf" in files["_other.py"] and "from ._node import Tree" in files["_other.py"]
    assert '"Tree": "_node"' in files["__init__.py"] and '"Colour": "_leaf"' in files["__init__.py"]
    assert "    from ._node import Tree as Tree" in files["__init__.py"]


_TYPED = """
from synthetic_client import Item1
from synthetic_client.models import Item1Create

body = Item1Create(name="a", size=2)
wrong: int = body.name
root: str = Item1(id="1", name="n").id
"""


def test_lazy_models_stay_typed_for_mypy(tmp_path: Path, run_mypy) -> None:
    spec = _synthetic().write_synthetic_spec(4, tmp_path)
    out = _write(cli.build(spec, "synthetic_client", tmp_path / "out"), tmp_path / "out")
    (out / "use.py").write_text(_TYPED, encoding="utf-8")
    result = run_mypy("use.py", "synthetic_client", cwd=out)
    # Exactly the one wrong line is reported: the names are the models' classes, not Any.
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout
    assert errors[0].startswith("use.py:6:") and '"str"' in errors[0] and '"int"' in errors[0]
