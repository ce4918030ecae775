"""What a type checker sees of the generated client: required fields are required, types are exact."""

from __future__ import annotations

from pathlib import Path

from tests import fast_yaml

REPO = Path(__file__).resolve().parents[2]
_SCHEMAS = fast_yaml.safe_load((REPO / "spec" / "openapi.yaml").read_text(encoding="utf-8"))["components"][
    "schemas"
]


def _enum(request: str, field: str) -> list[str]:
    """The values of the enum that a request field names, read from the spec (not pinned here)."""
    reference = _SCHEMAS[request]["properties"][field]["$ref"]
    return list(_SCHEMAS[reference.rpartition("/")[2]]["enum"])


# A value that only the other request accepts (1080p today), and a model value of the spec.
_ONLY_PRO = sorted(
    set(_enum("SeedancePro15Request", "resolution")) - set(_enum("Seedance20Request", "resolution"))
)[0]
_MODEL = _enum("Seedance20Request", "model")[-1]
_RATIO = _enum("Seedance20Request", "ratio")[0]

USAGE = f"""\
from seedance_client import AsyncClient, Client, SeedancePro15Request, Task

client = Client(api_key="k")
client.generate_seedance_pro_1_5(prompt="x", draft=True, resolution="480p")
client.generate_seedance_pro_1_5(SeedancePro15Request(prompt="x"))
client.generate_seedance_2_0(model="{_MODEL}", ratio="{_RATIO}", duration=-1)
task: Task = client.wait_for_task("t1", poll_interval=1.0)
raw_status: int = client.with_raw_response.get_task("t1").status_code


async def main(async_client: AsyncClient) -> Task:
    return await async_client.get_task("t1")


client.generate_seedance_pro_1_5(draft=True)  # error: prompt is required
client.generate_seedance_2_0(duration="5")  # error: not an int
client.generate_seedance_2_0(model="not-a-model")  # error: not a model
client.generate_seedance_2_0(resolution="{_ONLY_PRO}")  # error: not on 2.0
client.generate_seedance_2_0(promt="x")  # error: no such field
"""


def test_type_checker_accepts_valid_calls_and_flags_invalid_ones(tmp_path: Path, run_mypy) -> None:
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE)
    result = run_mypy(str(usage), env={"MYPYPATH": str(REPO / "generated"), "PATH": ""})
    flagged = {int(line.split(":")[1]) for line in result.stdout.splitlines() if ": error:" in line}
    expected = {number for number, line in enumerate(USAGE.splitlines(), 1) if "# error:" in line}
    assert flagged == expected, result.stdout
