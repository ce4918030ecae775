"""The example of the README's section on ``seedance_client.testing`` runs and passes."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "## Testing your code against the API's examples"


def _files() -> dict[str, str]:
    """The section's python blocks, by the file name in their first line (``# my_app.py``)."""
    text = README.read_text(encoding="utf-8")
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    return {block.splitlines()[0].removeprefix("# ").strip(): block for block in blocks}


def test_the_readme_example_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files()
    assert set(files) == {"my_app.py", "test_my_app.py"}
    for name, code in files.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        module = importlib.import_module("test_my_app")
        tests = [getattr(module, name) for name in dir(module) if name.startswith("test_")]
        assert len(tests) >= 2
        for test in tests:
            test()
    finally:
        for name in ("my_app", "test_my_app"):
            sys.modules.pop(name, None)
