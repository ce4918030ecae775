"""The suite's own plumbing (make test runs pytest-xdist with ``--dist loadgroup``)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from hypothesis.internal.conjecture import providers

from tests import beside_mypy, fast_yaml

pytestmark = pytest.mark.xdist_group("suite")
REPO = Path(__file__).resolve().parents[1]


def test_an_xdist_group_reaches_the_scheduler(request: pytest.FixtureRequest) -> None:
    """The scheduler groups tests by a suffix that the worker adds to the node id. Under pytest
    9.2 that suffix was silently lost and the groups were spread over the workers, each
    building the module's fixtures again."""
    if getattr(request.config.option, "loadgroup", False):  # on an xdist worker under loadgroup
        assert request.node.nodeid.endswith("::test_an_xdist_group_reaches_the_scheduler@suite")
    else:
        assert request.node.get_closest_marker("xdist_group").args == ("suite",)


class _Process:
    """A stand-in for the processes that ``beside_mypy`` starts: its exit status, and what the
    lock allowed while it ran."""

    def __init__(self, command: list[str], status: int, env: dict[str, str] | None, lock: Path) -> None:
        self.command, self.returncode, self.env, self.lock = command, status, env, lock
        self.copy_allowed: bool | None = None

    def communicate(self) -> tuple[str, None]:  # mypy: a copy of its cache must wait
        with self.lock.open() as held:
            try:
                fcntl.flock(held, fcntl.LOCK_SH | fcntl.LOCK_NB)
                self.copy_allowed = True
            except BlockingIOError:
                self.copy_allowed = False
        return "Success\n", None

    def wait(self) -> int:
        return self.returncode


@pytest.mark.parametrize(
    ("mypy_status", "pytest_status", "expected"), [(0, 0, 0), (1, 0, 1), (0, 1, 1), (0, 5, 5)]
)
def test_make_test_fails_when_mypy_or_pytest_fails_and_copies_wait_for_mypy(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mypy_status: int,
    pytest_status: int,
    expected: int,
) -> None:
    started: list[_Process] = []

    def popen(command: list[str], *, env: dict[str, str] | None = None, **_: object) -> _Process:
        status = mypy_status if command[2] == "mypy" else pytest_status
        started.append(_Process(command, status, env, tmp_path / "lock"))
        return started[-1]

    monkeypatch.setattr(beside_mypy, "LOCK", tmp_path / "lock")
    monkeypatch.setattr(beside_mypy.subprocess, "Popen", popen)
    assert beside_mypy.main(["--strict", "pkg", "--", "-n", "2"]) == expected
    mypy, tests = started
    assert mypy.command[1:] == ["-m", "mypy", "--strict", "pkg"] and mypy.copy_allowed is False
    assert tests.command[1:] == ["-m", "pytest", "-n", "2"]
    assert tests.env is not None and tests.env["SEEDANCE_MYPY_LOCK"] == str(tmp_path / "lock")
    assert "Success" in capsys.readouterr().out


def test_fast_yaml_reads_each_spec_of_the_tests_as_yaml_safe_load_does() -> None:
    assert fast_yaml.LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
    specs = REPO / "tests" / "generator" / "specs"
    # The specs that the tests read with it (alias_bomb.yaml, which no test reads as a document,
    # expands to more nodes than a comparison can walk).
    for path in (
        REPO / "spec" / "openapi.yaml",
        specs / "zoo.yaml",
        specs / "lenient.yaml",
        specs / "music.yaml",
    ):
        text = path.read_text(encoding="utf-8")
        assert fast_yaml.safe_load(text) == yaml.safe_load(text), path


def test_hypothesis_takes_literals_from_the_repositorys_modules_only(tmp_path: Path) -> None:
    """tests/conftest.py: a package generated into a temporary folder is not read for literals
    (fails when a hypothesis upgrade drops the hook, which would bring back that cost)."""
    assert providers.is_local_module_file(str(REPO / "generator" / "cli.py"))
    assert not providers.is_local_module_file(str(tmp_path / "generated_pkg" / "_client.py"))


def test_hypothesis_is_told_what_utf8_encodes_and_it_is_what_a_scan_finds() -> None:
    """tests/conftest.py answers for UTF-8 instead of hypothesis encoding every code point (fails
    when a hypothesis upgrade drops the hook, which would bring back that cost): every code point
    encodes and decodes back but the surrogates. Checked on a sample and at each boundary."""
    from hypothesis.internal import charmap  # noqa: PLC0415

    assert getattr(charmap.intervals_from_codec, "utf8_known", False)
    encodable, not_round_tripping = charmap.intervals_from_codec("utf-8")
    assert len(not_round_tripping) == 0
    for point in [*range(0, sys.maxunicode + 1, 97), 0xD7FF, 0xD800, 0xDFFF, 0xE000, sys.maxunicode]:
        try:
            round_trips = chr(point).encode("utf-8").decode("utf-8") == chr(point)
        except UnicodeError:
            round_trips = False
        assert (point in encodable) is round_trips, hex(point)


def test_clients_without_a_transport_share_one_tls_context() -> None:
    """tests/conftest.py: one CA bundle load per process, not one per client."""
    with httpx.Client() as first, httpx.Client() as second, httpx.Client(verify=False) as unverified:
        contexts = [client._transport._pool._ssl_context for client in (first, second, unverified)]  # type: ignore[attr-defined]
    assert contexts[0] is contexts[1]
    assert contexts[2] is not contexts[0]


def test_a_part_of_the_suite_that_does_not_use_hypothesis_passes_on_its_own(tmp_path: Path) -> None:
    """`make test-spec` runs a few folders alone, whose tests never import hypothesis; its plugin
    then imports it for the summary, after collection froze what was loaded (tests/conftest.py).
    That once ended every such run with a warning turned error, exit 1, all tests passed. One test
    of such a folder shows it (the whole module is still imported): its other 179 were ~0.25 s."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/spec/test_spec.py::test_root_metadata",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTEST_ADDOPTS": "", "TMPDIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout
    assert "Traceback" not in done.stderr
