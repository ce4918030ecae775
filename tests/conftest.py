"""Fixtures shared by every test folder: packages generated from specs of the tests' own."""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
_counter = itertools.count()

# At exit, the cycle collector's last passes over all that a worker built (~300,000 objects,
# generated packages, the corpus' models) took ~1.5 s per process after the last test, which
# pytest-xdist waits for; frozen, they are skipped. The process ends anyway: every atexit
# handler still runs, and the memory goes back to the system with the process.
atexit.register(gc.freeze)

# Hypothesis runs the entry points of its "hypothesis" group when first imported; the only one
# installed is trio's, which registers trio's scheduler's Random so that trio code under @given
# runs deterministically (no test here runs trio under @given). Its ``register_random`` looked
# through ``gc.get_referrers`` at everything collection had made: ~0.25 s of CPU per process.
os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")


def _hypothesis_constants_from_the_repository() -> None:
    """Hypothesis mixes into its inputs literals that it reads from the source of every "local"
    module loaded (anything outside site-packages and the standard library), parsing each new
    one before the next test's first example. In a worker that has imported generated packages
    from temporary folders (the corpus alone is ~740 modules), that was ~4 s of parsing on a fresh
    clone, and the literals offered to a test depended on what its worker had run before it.
    Only the repository's own modules (generator/, generated/) count as local now. Hypothesis
    6.170's private hook; if it goes, hypothesis reads every module again, as before. Set after
    collection, once the test modules have imported hypothesis (none of a process without it
    uses it; importing it inside a test would turn a warning of its plugins into an error)."""
    if "hypothesis" not in sys.modules:
        return
    from hypothesis.internal.conjecture import providers  # noqa: PLC0415

    local = getattr(providers, "is_local_module_file", None)
    if local is None or getattr(local, "repository_only", False):
        return
    inside = f"{REPO}{os.sep}"

    def repository_only(path: str) -> bool:
        return path.startswith(inside) and bool(local(path))

    repository_only.repository_only = True  # type: ignore[attr-defined]
    providers.is_local_module_file = repository_only


def _hypothesis_utf8_without_a_scan() -> None:
    """``text()`` draws from ``characters(codec="utf-8")`` (schemathesis' strings too), and
    hypothesis learns which characters UTF-8 encodes by encoding and decoding all 1,114,112 code
    points: ~1.8 s of CPU in each process, cached only under .hypothesis/, so paid again on every
    fresh clone. The answer is known (every code point but the surrogates, each decoding back to
    itself) and given here: the very intervals that the scan finds. Hypothesis 6.170's private
    function; if it goes, hypothesis scans as before."""
    from hypothesis.internal import charmap  # noqa: PLC0415
    from hypothesis.internal.intervalsets import IntervalSet  # noqa: PLC0415

    scan = getattr(charmap, "intervals_from_codec", None)
    if scan is None or getattr(scan, "utf8_known", False):
        return
    utf8 = (IntervalSet([(0, 0xD7FF), (0xE000, sys.maxunicode)]), IntervalSet([]))

    def intervals_from_codec(codec_name: str) -> Any:
        return utf8 if codec_name == "utf-8" else scan(codec_name)

    intervals_from_codec.utf8_known = True  # type: ignore[attr-defined]
    charmap.intervals_from_codec = intervals_from_codec


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection loaded (the modules of every library the tests import, the test items)
    stays to the end: frozen, the collector's full passes during the tests skip it.

    Only once hypothesis is imported: importing it later (its pytest plugin does, for the
    summary of a run whose tests did not) runs trio's hook, whose ``register_random`` finds no
    referrer of trio's generator among frozen objects and warns, an error under this config."""
    _hypothesis_constants_from_the_repository()
    if "hypothesis" in sys.modules:
        _hypothesis_utf8_without_a_scan()
        gc.collect()
        gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def _one_tls_context_per_setting() -> Iterator[None]:
    """Every ``httpx.Client()`` without a transport of its own (the generated clients make one
    when given none) builds a TLS context, loading the whole CA bundle: ~45 ms of CPU, ~50 times
    in a run, for clients that only ever talk plain HTTP to a mock or a local server. The
    context of the default setting (verify=True, no client certificate) is made once per
    setting of the environment and shared; any other setting is built as httpx builds it."""
    from httpx._transports import default  # noqa: PLC0415 - private: where HTTPTransport looks it up

    build = default.create_ssl_context
    made: dict[tuple[object, ...], Any] = {}

    def shared(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        if verify is not True or cert is not None:
            return build(verify=verify, cert=cert, trust_env=trust_env)
        key = (trust_env, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if key not in made:
            made[key] = build(verify=verify, cert=cert, trust_env=trust_env)
        return made[key]

    default.create_ssl_context = shared
    yield
    default.create_ssl_context = build


@pytest.fixture(scope="session")
def generate_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., ModuleType]]:
    """``generate_package(spec, package=None) -> module``: generate a package from a spec (a path or
    a dict) into a temporary folder and import it. A package named by the caller is made once."""
    root = tmp_path_factory.mktemp("generated_packages")
    made: dict[str, ModuleType] = {}

    def generate(spec: dict[str, Any] | Path, package: str | None = None) -> ModuleType:
        package = package or f"generated_pkg_{next(_counter)}"
        if package in made:
            return made[package]
        if isinstance(spec, dict):
            spec_path = root / f"{package}.yaml"
            spec_path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
        else:
            spec_path = spec
        out = root / f"out_{package}"
        # Imported on first use: pytest loads this file in xdist's controller too, which runs no test.
        from generator.cli import build  # noqa: PLC0415
        from generator.output import write_atomically  # noqa: PLC0415

        write_atomically(build(spec_path, package, out).files, out)
        sys.path.insert(0, str(out))
        made[package] = importlib.import_module(package)
        return made[package]

    yield generate
    for package in made:
        sys.path.remove(str(root / f"out_{package}"))
        for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="session")
def run_mypy(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_mypy(*arguments, cwd=None, env=None)``: ``python -m mypy --strict *arguments``.

    Every run of a test session shares one incremental cache (one per xdist worker, so no two
    processes write it at once), seeded from the repository's ``.mypy_cache`` that ``make check``
    has just filled: the standard library, httpx and pydantic are analysed once per session (or
    not at all), not once per test, which was 3-4 s of each run. The answer is the same as with
    ``--no-incremental``: mypy rechecks whatever changed, and never caches a module with errors.

    Each run also checks the committed package, whose modules (fresh from that cache) stand in
    for the same code in the packages checked (tests/mypy_stand_ins.py); an error in them fails
    the test, naming them and the packages they stood in for. The run's config is the caller's
    ``--config-file`` or the project's settings, with ``ignore_errors`` for the stood-in modules.
    """
    from tests import mypy_stand_ins  # noqa: PLC0415 - not in xdist's controller, which runs no test

    cache = tmp_path_factory.getbasetemp() / "mypy_cache"
    if not cache.exists():
        with _mypy_cache_written():
            if (REPO / ".mypy_cache").is_dir():
                shutil.copytree(REPO / ".mypy_cache", cache)
    configs = tmp_path_factory.mktemp("mypy_configs")

    def run(
        *arguments: str, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        here = Path(cwd or os.getcwd()).resolve()
        plan = mypy_stand_ins.plan(arguments, here, configs / f"mypy_{next(_counter)}.ini")
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), *plan.arguments],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if errors := mypy_stand_ins.errors_in_stand_in(result.stdout, here):
            stood_for = sorted({name.split(".")[0] for name in plan.stand_ins})
            pytest.fail(
                f"mypy --strict finds errors in {mypy_stand_ins.STAND_IN} (checked with every run;"
                f" its modules stood in for the same code of {stood_for or 'no package'}):\n"
                + "\n".join(errors),
                pytrace=False,
            )
        return result

    return run


@contextlib.contextmanager
def _mypy_cache_written() -> Iterator[None]:
    """Waits while the project's mypy writes ``.mypy_cache`` beside this run (make test, see
    tests/beside_mypy.py), then keeps it from starting again while the cache is copied."""
    lock = os.environ.get("SEEDANCE_MYPY_LOCK")
    if not lock:
        yield
        return
    import fcntl  # noqa: PLC0415 - POSIX only, as make test is

    with open(lock) as held:
        fcntl.flock(held, fcntl.LOCK_SH)
        yield


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
