"""``python tests/beside_mypy.py MYPY_ARGUMENTS -- PYTEST_ARGUMENTS`` (make test): the project's
``mypy`` and ``pytest`` side by side, failing when either fails.

mypy is one core for ~3 s after make install's warm-up (tests/mypy_dependencies.py), ~10 s
from an empty cache; run alone, before pytest, it left the other core idle. The
test runs of mypy (``run_mypy`` in tests/conftest.py) seed their cache from the ``.mypy_cache``
this mypy writes, so they must not copy it while it is being written: this process holds an
exclusive lock on a file of the environment (``.venv/mypy_cache.lock``) from before pytest starts
until mypy has ended, and ``run_mypy`` takes a shared lock on it (named by ``SEEDANCE_MYPY_LOCK``)
before copying.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCK = Path(sys.prefix) / "mypy_cache.lock"


def main(arguments: list[str]) -> int:
    split = arguments.index("--")
    mypy_arguments, pytest_arguments = arguments[:split], arguments[split + 1 :]
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        mypy = subprocess.Popen(
            [sys.executable, "-m", "mypy", *mypy_arguments],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        pytest = subprocess.Popen(
            [sys.executable, "-m", "pytest", *pytest_arguments],
            cwd=REPO,
            env={**os.environ, "SEEDANCE_MYPY_LOCK": str(LOCK)},
        )
        said, _ = mypy.communicate()
        fcntl.flock(lock, fcntl.LOCK_UN)
    print(f"mypy {' '.join(mypy_arguments)}\n{said}", end="", flush=True)
    tested = pytest.wait()
    if mypy.returncode:
        print(f"mypy failed (exit status {mypy.returncode})", file=sys.stderr)
    return mypy.returncode or tested


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
