"""What a type checker sees of the generated client: required fields are required, types are exact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

USAGE = """\
from seedance_client import AsyncClient, Client, SeedancePro15Request, Task

client = Client(api_key="k")
client.generate_seedance_pro_1_5(prompt="x", draft=True, resolution="480p")
client.generate_seedance_pro_1_5(SeedancePro15Request(prompt="x"))
client.generate_seedance_2_0(model="standard", ratio="16:9", duration=-1)
task: Task = client.wait_for_task("t1", poll_interval=1.0)
raw_status: int = client.with_raw_response.get_task("t1").status_code


async def main(async_client: AsyncClient) -> Task:
    return await async_client.get_task("t1")


client.generate_seedance_pro_1_5(draft=True)  # error: prompt is required
client.generate_seedance_2_0(duration="5")  # error: not an int
client.generate_seedance_2_0(model="turbo")  # error: not a model
client.generate_seedance_2_0(resolution="1080p")  # error: not on 2.0
client.generate_seedance_2_0(promt="x")  # error: no such field
"""


def test_type_checker_accepts_valid_calls_and_flags_invalid_ones(tmp_path: Path) -> None:
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(usage)],
        env={"MYPYPATH": str(REPO / "generated"), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    flagged = {int(line.split(":")[1]) for line in result.stdout.splitlines() if ": error:" in line}
    expected = {number for number, line in enumerate(USAGE.splitlines(), 1) if "# error:" in line}
    assert flagged == expected, result.stdout
