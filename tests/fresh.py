"""Tests whose point is a fresh interpreter: the generator's imports, forks and hash seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def fresh_python(code: str, *arguments: str, env: dict[str, str] | None = None) -> Any:
    """What ``python -c code *arguments``, run at the repository's root in a fresh interpreter
    (with ``env`` added to the environment), prints as JSON on its last line. Fails the test with
    the interpreter's stderr when it does not exit with status 0."""
    done = subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=REPO,
        env={**os.environ, **env} if env else None,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])
