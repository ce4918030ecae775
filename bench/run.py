"""``make bench``: every measure of issue 12 side by side in one run, written to bench/results.md.

Pairs are measured interleaved (A, B, A, B, ...) and reported as medians, because the machine is
shared and noisy: absolute times drift between runs, ratios hold. Figures:

- per call, sync and async, both operations, against raw httpx through the same MockTransport;
- import of the package in fresh interpreters (bytecode compiled) against httpx + pydantic;
- generation (time and peak memory) against openapi-python-client, on this spec and on synthetic
  specs (bench/synthetic.py), with a plot of both against the number of operations;
- beside it, the floors (bench/floors.py): openapi-spec-validator alone on each spec,
  datamodel-code-generator alone on its schemas, and the imports of the required libraries;
- the MockAPI case (1,000 scripted tasks created and awaited);
- import of the package generated from the 400-operation spec, against the peer's;
- the test suite: `make test` on a fresh clone of the committed HEAD, after `make install`, and
  `make test-spec` (the loop after a spec edit) in the same clone.

``BENCH_QUICK=1`` runs fewer rounds (to try the script, not to quote); ``BENCH_ONLY=generation``
(or ``per-call``, ``import``, ``mock``, ``suite``, comma-separated) runs only those parts and writes nothing.
"""

from __future__ import annotations

import asyncio
import compileall
import datetime
import importlib.metadata
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "generated"), str(REPO), str(REPO / "bench")]

import httpx  # noqa: E402
from synthetic import write_synthetic_spec  # noqa: E402

SPEC = REPO / "spec" / "openapi.yaml"
FLOORS = REPO / "bench" / "floors.py"
RESULTS = REPO / "bench" / "results.md"
PLOT = REPO / "bench" / "generation.png"
BIN = Path(sys.executable).parent
ENVIRONMENT = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
QUICK = os.environ.get("BENCH_QUICK") == "1"
SIZES = (50, 200, 400)
PARTS = ("per-call", "import", "generation", "mock", "suite")
BASE = "https://api.sinancode.com/v1"
PRO_BODY = {"prompt": "a fox in the snow", "duration": 5, "ratio": "16:9", "camera_fixed": True}
CREATED = b'{"task_id": "01234567-89ab-cdef-0123-456789abcdef"}'
TASK = b'{"id": "t", "status": "completed", "result": ["https://x/y.mp4"]}'

Row = tuple[str, str, str, str, str]
rows: list[Row] = []


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _answer(request: httpx.Request) -> httpx.Response:
    content = CREATED if request.method == "POST" else TASK
    return httpx.Response(200, content=content, headers={"content-type": "application/json"})


def _ratio(ours: float, reference: float) -> str:
    return f"{ours / reference:.2f}"


def _time(value: float) -> str:
    return (
        f"{value * 1e6:.1f} us"
        if value < 1e-3
        else f"{value * 1e3:.0f} ms"
        if value < 1
        else f"{value:.2f} s"
    )


# -- per call -------------------------------------------------------------------------------------


def _interleaved(cases: dict[str, Callable[[int], float]], rounds: int, calls: int) -> dict[str, float]:
    """Median seconds per call of each case; each round runs every case for ``calls`` calls."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for run in cases.values():
        run(calls // 10)  # warm up: first-use costs (deferred schemas, connection pools) are not per call
    for _ in range(rounds):
        for name, run in cases.items():
            samples[name].append(run(calls) / calls)
    return {name: statistics.median(values) for name, values in samples.items()}


def _sync_loop(call: Callable[[], Any]) -> Callable[[int], float]:
    def run(count: int) -> float:
        start = time.perf_counter()
        for _ in range(count):
            call()
        return time.perf_counter() - start

    return run


def _async_loop(call: Callable[[], Any]) -> Callable[[int], float]:
    loop = asyncio.new_event_loop()

    async def many(count: int) -> float:
        start = time.perf_counter()
        for _ in range(count):
            await call()
        return time.perf_counter() - start

    return lambda count: loop.run_until_complete(many(count))


def bench_per_call() -> None:
    from seedance_client import AsyncClient, Client

    rounds, calls = (4, 500) if QUICK else (20, 600)
    headers = {"Authorization": "Bearer k"}
    raw = httpx.Client(transport=httpx.MockTransport(_answer), base_url=BASE, headers=headers)
    ours = Client(api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(_answer)))
    araw = httpx.AsyncClient(transport=httpx.MockTransport(_answer), base_url=BASE, headers=headers)
    aours = AsyncClient(api_key="k", http_client=httpx.AsyncClient(transport=httpx.MockTransport(_answer)))
    post = "/generate/vol/seedance-pro-1.5"
    sync = _interleaved(
        {
            "raw post": _sync_loop(lambda: raw.post(post, json=PRO_BODY).json()),
            "ours post": _sync_loop(lambda: ours.generate_seedance_pro_1_5(**PRO_BODY)),
            "raw get": _sync_loop(lambda: raw.get("/tasks/t").json()),
            "ours get": _sync_loop(lambda: ours.get_task("t")),
        },
        rounds,
        calls,
    )

    async def araw_post() -> Any:
        return (await araw.post(post, json=PRO_BODY)).json()

    async def araw_get() -> Any:
        return (await araw.get("/tasks/t")).json()

    asynchronous = _interleaved(
        {
            "raw post": _async_loop(araw_post),
            "ours post": _async_loop(lambda: aours.generate_seedance_pro_1_5(**PRO_BODY)),
            "raw get": _async_loop(araw_get),
            "ours get": _async_loop(lambda: aours.get_task("t")),
        },
        rounds,
        calls,
    )
    total = rounds * calls
    for flavour, found, reference in (
        ("sync", sync, "httpx.Client"),
        ("async", asynchronous, "httpx.AsyncClient"),
    ):
        for operation, ref_call, key in (
            ("generate_seedance_pro_1_5(**4 fields)", "post(json=...)", "post"),
            ('get_task("t")', "get", "get"),
        ):
            rows.append(
                (
                    f"per call, {flavour}, {total:,} calls: `{operation}`",
                    _time(found[f"ours {key}"]),
                    f"raw `{reference}.{ref_call}`+`.json()` {_time(found[f'raw {key}'])}",
                    _ratio(found[f"ours {key}"], found[f"raw {key}"]),
                    "<= 1.05",
                )
            )


# -- fresh interpreters ----------------------------------------------------------------------------


# Commands are started by a small launcher process, not by this one: Linux carries the peak
# resident set of the process that forks (vfork: its whole peak) into the started command's
# ru_maxrss, so every figure would be at least this process's own size (about 60 MiB once
# httpx, pydantic and the client are loaded), the peer's and ours alike. The launcher is a bare
# interpreter (about 10 MiB, less than any measured command).
_LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    command, cwd, env = json.loads(line)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    tail = error.decode(errors="replace")[-2000:]
    answer = [elapsed, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), tail]
    print(json.dumps(answer), flush=True)
"""
_launcher: list[subprocess.Popen[str]] = []


def _run(
    command: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, int]:
    """Wall seconds and peak resident memory (bytes) of one command, which must succeed: the
    maximum resident set of the command and of the processes it waited for."""
    if not _launcher:
        _launcher.append(
            subprocess.Popen(
                [sys.executable, "-c", _LAUNCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
        )
    launcher = _launcher[0]
    assert launcher.stdin is not None and launcher.stdout is not None
    request = [list(command), str(cwd) if cwd else None, env or ENVIRONMENT]
    launcher.stdin.write(json.dumps(request) + "\n")
    launcher.stdin.flush()
    elapsed, peak, status, error = json.loads(launcher.stdout.readline())
    if status != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{error}")
    return elapsed, peak


def _medians(
    commands: dict[str, Callable[[], tuple[float, int]]], rounds: int
) -> dict[str, tuple[float, float]]:
    """Median (seconds, peak bytes) of each command, run interleaved ``rounds`` times."""
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            samples[name].append(command())
    return {
        name: (statistics.median(t for t, _ in values), statistics.median(m for _, m in values))
        for name, values in samples.items()
    }


def _importer(code: str, path: Path) -> Callable[[], tuple[float, int]]:
    env = {**ENVIRONMENT, "PYTHONPATH": str(path)}
    return lambda: _run([sys.executable, "-c", code], cwd=path, env=env)


def _compiled_copy(source: Path, scratch: Path) -> Path:
    """A copy of a package folder with its bytecode compiled, as an installed package has."""
    target = scratch / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(target, quiet=1)
    return target


def bench_import(scratch: Path) -> None:
    root = scratch / "import"
    root.mkdir()
    _compiled_copy(REPO / "generated" / "seedance_client", root)
    rounds = 5 if QUICK else 15
    found = _medians(
        {
            "ours": _importer("import seedance_client", root),
            "reference": _importer("import httpx; from pydantic import BaseModel", root),
            "nothing": _importer("pass", root),
        },
        rounds,
    )
    rows.append(
        (
            f"`import seedance_client`, fresh interpreter, bytecode compiled ({rounds} each)",
            _time(found["ours"][0]),
            f"`import httpx; from pydantic import BaseModel` {_time(found['reference'][0])} "
            f"(`python -c pass` {_time(found['nothing'][0])})",
            _ratio(found["ours"][0], found["reference"][0]),
            "<= 1.10",
        )
    )


# -- generation --------------------------------------------------------------------------------------


def nothing_kept(folder: Path) -> dict[str, str]:
    """An environment in which the generator finds nothing that an earlier run kept: its
    temporary folder, where it keeps compiled templates and formatted files, is a new empty one
    under ``folder``. The peer keeps nothing between runs; a comparison starts both from scratch."""
    folder.mkdir(parents=True, exist_ok=True)
    return {**ENVIRONMENT, "TMPDIR": tempfile.mkdtemp(prefix="run-", dir=folder)}


Measure = Callable[..., tuple[float, int]]


def _held_at_once(
    command: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, int]:
    """Wall seconds, and the most memory that the command and all its processes held at once:
    the sum of their proportional set sizes (a page that several share counted once in all),
    sampled every 10 ms from /proc. The peak resident set of ``_run`` is the largest single
    process; a parent alive beside its child (ours, while a child validates or generates the
    models; the peer, while ruff runs) counts here with it."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env or ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    held = 0
    while process.poll() is None:
        total, todo = 0, [process.pid]
        while todo:
            pid = todo.pop()
            try:
                for thread in os.listdir(f"/proc/{pid}/task"):
                    todo += map(int, Path(f"/proc/{pid}/task/{thread}/children").read_text().split())
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except (OSError, ValueError):  # ended meanwhile
                continue
            total += next(
                (int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0
            )
        held = max(held, total * 1024)
        time.sleep(0.01)
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed")
    return time.perf_counter() - start, held


def _ours(
    spec: Path, out: Path, package: str, *, kept: bool = False, measure: Measure = _run
) -> Callable[[], tuple[float, int]]:
    """Our generation of ``spec``: from scratch, or ``kept``, with what the runs before kept."""
    command = [sys.executable, "-m", "generator", "generate", "--spec", str(spec), "--out", str(out)]
    command += ["--package", package]
    if kept:
        return lambda: measure(command, cwd=REPO)
    return lambda: measure(command, cwd=REPO, env=nothing_kept(out.parent / "tmp"))


def _peer(spec: Path, out: Path, *, measure: Measure = _run) -> Callable[[], tuple[float, int]]:
    command = [str(BIN / "openapi-python-client"), "generate", "--path", str(spec), "--meta", "none"]
    return lambda: measure([*command, "--output-path", str(out), "--overwrite"], cwd=out.parent)


def _floor(*arguments: str) -> Callable[[], tuple[float, int]]:
    return lambda: _run([sys.executable, str(FLOORS), *arguments], cwd=REPO)


def _floor_row(what: str, floor: tuple[float, float], peer: tuple[float, float]) -> Row:
    """A floor next to the peer's total: the generation targets (time <= 0.5, memory <= 1 of
    the peer's) that lie below it cannot be met while the project requires that library."""
    ratios = (floor[0] / peer[0], floor[1] / peer[1])
    below = [
        name
        for name, ratio, target in zip(("time", "memory"), ratios, (0.5, 1.0), strict=True)
        if ratio > target
    ]
    return (
        f"floor: {what}",
        f"{_time(floor[0])}, {floor[1] / 2**20:.0f} MiB",
        f"the peer's generation {_time(peer[0])}, {peer[1] / 2**20:.0f} MiB",
        f"{ratios[0]:.2f}, {ratios[1]:.2f}",
        f"{' and '.join(below)} target below this floor" if below else "targets above this floor",
    )


def bench_generation(scratch: Path) -> dict[int, dict[str, tuple[float, float]]]:
    # The generator's bytecode, as an installed package (the peer) has it: with
    # PYTHONDONTWRITEBYTECODE set, every run compiled the generator's modules again.
    compileall.compile_dir(REPO / "generator", quiet=1)
    specs = {0: SPEC} | {size: write_synthetic_spec(size, scratch) for size in SIZES}
    results: dict[int, dict[str, tuple[float, float]]] = {}
    for size, spec in specs.items():
        rounds = (3 if QUICK else 7) if size == 0 else (1 if QUICK else 3)
        folder = scratch / f"generate_{size}"
        folder.mkdir()
        _say(f"bench: generation, {size or 'this'} spec, {rounds} rounds")
        # What the generator hands datamodel-code-generator, saved for its floor (not timed).
        models_input = folder / "models_input.pickle"
        _run([sys.executable, str(FLOORS), "prepare", str(spec), str(models_input)], cwd=REPO)
        cases = {
            "ours": _ours(spec, folder / "ours", f"syn{size}"),
            "peer": _peer(spec, folder / "peer_client"),
            "validator": _floor("validator", str(spec)),
            "models": _floor("models", str(models_input)),
        }
        if size == 0:  # the docs-change loop: the same spec again, with what earlier runs kept
            cases["ours, kept"] = _ours(spec, folder / "ours_kept", "syn0", kept=True)
        results[size] = _medians(cases, rounds)
        ours, peer = results[size]["ours"], results[size]["peer"]
        what = "this spec" if size == 0 else f"synthetic spec of {size} operations"
        rows.append(
            (
                f"`python -m generator generate`, {what} ({rounds} each): time",
                _time(ours[0]),
                f"openapi-python-client {_time(peer[0])}",
                _ratio(ours[0], peer[0]),
                "<= 0.5",
            )
        )
        rows.append(
            (
                f"generate, {what}: peak memory",
                f"{ours[1] / 2**20:.0f} MiB",
                f"{peer[1] / 2**20:.0f} MiB",
                _ratio(ours[1], peer[1]),
                "<= 1",
            )
        )
        # Apart from the timed rounds (sampling costs a little CPU): all processes at once.
        # A sample can fall between a fork and the exec that follows it (the pages then counted
        # twice): the median of the rounds, as for the other rows, leaves such a run out.
        held = _medians(
            {
                "ours": _ours(spec, folder / "ours_held", f"syn{size}", measure=_held_at_once),
                "peer": _peer(spec, folder / "peer_held", measure=_held_at_once),
            },
            rounds,
        )
        rows.append(
            (
                f"generate, {what}: memory held at once by the command and all its processes "
                f"(sum of proportional set sizes, sampled every 10 ms; {rounds} each)",
                f"{held['ours'][1] / 2**20:.0f} MiB",
                f"{held['peer'][1] / 2**20:.0f} MiB",
                _ratio(held["ours"][1], held["peer"][1]),
                "<= 1",
            )
        )
        if "ours, kept" in results[size]:
            kept = results[size]["ours, kept"]
            rows.append(
                (
                    f"generate {what} again, with the compiled templates and formatted files that "
                    "the runs before kept (the rows above start from an empty cache, as the peer does)",
                    f"{_time(kept[0])}, {kept[1] / 2**20:.0f} MiB",
                    f"openapi-python-client {_time(peer[0])}, {peer[1] / 2**20:.0f} MiB",
                    f"{kept[0] / peer[0]:.2f}, {kept[1] / peer[1]:.2f}",
                    "",
                )
            )
        rows.append(_floor_row(f"openapi-spec-validator alone on {what}", results[size]["validator"], peer))
        rows.append(
            _floor_row(
                f"datamodel-code-generator alone on the schemas of {what}", results[size]["models"], peer
            )
        )
    return results


def bench_floor_imports(peer: tuple[float, float]) -> None:
    """Importing the required libraries, against the peer's whole generation of this spec."""
    rounds = 3 if QUICK else 7
    found = _medians(
        {
            "all": _floor("imports", "all"),
            "validator": _floor("imports", "validator"),
            "models": _floor("imports", "models"),
        },
        rounds,
    )
    for key, what in (
        ("all", "import openapi-spec-validator, datamodel-code-generator's parser and jinja2 together"),
        ("validator", "import openapi-spec-validator alone"),
        ("models", "import datamodel-code-generator's parser and jinja2"),
    ):
        rows.append(_floor_row(f"{what} ({rounds} each)", found[key], peer))


def bench_large_import(scratch: Path) -> None:
    """Import of what a caller of one operation needs, from packages generated from 400 operations."""
    folder = scratch / "generate_400"
    ours = _compiled_copy(folder / "ours" / "syn400", scratch / "large_import")
    _compiled_copy(folder / "peer_client", ours.parent)  # with --meta none, the folder is the package
    rounds = 5 if QUICK else 11
    found = _medians(
        {
            "ours": _importer("import syn400", ours.parent),
            "peer": _importer(
                "import peer_client.models; from peer_client.api.group0 import create_item_0",
                ours.parent,
            ),
        },
        rounds,
    )
    rows.append(
        (
            f"import of the package generated from 400 operations ({rounds} each)",
            _time(found["ours"][0]),
            f"the peer's models + one endpoint {_time(found['peer'][0])}",
            _ratio(found["ours"][0], found["peer"][0]),
            "independent of spec size",
        )
    )


# -- MockAPI -------------------------------------------------------------------------------------------


def bench_mock(tasks: int = 1000) -> None:
    """The mock's own cost: the pauses between polls are skipped (they cost time, not work)."""
    from seedance_client import _base_client
    from seedance_client.testing import MockAPI

    _base_client._sleep = lambda _: None

    def scenario() -> float:
        start = time.perf_counter()
        mock = MockAPI()
        client = mock.client()
        ids = [f"task-{index}" for index in range(tasks)]
        mock.script("generate_seedance_pro_1_5", [{"task_id": task_id} for task_id in ids])
        for task_id in ids:
            mock.script_statuses(task_id, ["pending", "processing", "completed"])
        for _ in ids:
            created = client.generate_seedance_pro_1_5(prompt="a fox")
            task = client.wait_for_task(created.task_id, poll_interval=0.001)
            assert task.status == "completed" and task.id == created.task_id
        return time.perf_counter() - start

    rounds = 1 if QUICK else 3
    found = statistics.median(scenario() for _ in range(rounds))
    rows.append(
        (
            f"MockAPI, {tasks:,} scripted tasks created and awaited (3 polls each, pauses skipped; {rounds} runs)",
            _time(found),
            "",
            "",
            "linear in the number of calls",
        )
    )


# -- the test suite ----------------------------------------------------------------------------------


def bench_suite(scratch: Path) -> None:
    """``make test`` as a new user runs it: a clone of the committed HEAD next to ``shared/``
    (the corpus the tests read), with a temporary folder of its own, set up by ``make install``
    (timed apart), then ``make test-spec``
    there. Once each: a run is long and the suite is one figure, not a pair."""
    shared = (REPO.parent / "shared").resolve()
    if not shared.is_dir():
        raise SystemExit(f"bench: the suite needs {shared} (the corpus next to the repository)")
    home = scratch / "suite"
    home.mkdir()
    (home / "shared").symlink_to(shared)
    clone = home / REPO.name
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    # Nothing of this run's make (its jobserver, its level) or of this venv leaks into the clone's.
    leaked = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    env = {name: value for name, value in ENVIRONMENT.items() if name not in leaked}
    # An empty temporary folder, as on a new machine: nothing that earlier runs kept there (the
    # generator's compiled templates and formatted files, pytest's folders) counts.
    env["TMPDIR"] = str(home / "tmp")
    (home / "tmp").mkdir()
    found: dict[str, float] = {}
    cpu: dict[str, float] = {}
    passed = "?"
    for target in ("install", "test", "test-spec"):
        start, before = time.perf_counter(), _children_cpu()
        done = subprocess.run(
            ["make", target], check=False, cwd=clone, env=env, capture_output=True, text=True
        )
        found[target] = time.perf_counter() - start
        cpu[target] = _children_cpu() - before
        if done.returncode != 0:
            raise SystemExit(
                f"bench: make {target} failed in a fresh clone:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
        if target == "test":
            passed = next(
                (line.strip("= ") for line in reversed(done.stdout.splitlines()) if " passed" in line), "?"
            )
    rows.append(
        (
            f"`make test` on a fresh clone of HEAD, after `make install` ({found['install']:.0f} s,"
            f" CPU {cpu['install']:.0f} s, with mypy's warm-up); {passed}",
            _time(found["test"]),
            # The wall time cannot go below the CPU it takes shared by the cores.
            f"CPU of all its processes {cpu['test']:.0f} s, / {os.cpu_count()} cores"
            f" = {cpu['test'] / (os.cpu_count() or 1):.1f} s",
            "",
            "<= 45 s",
        )
    )
    rows.append(
        (
            "`make test-spec` in that clone: diff, generate, the spec's and the replay tests",
            _time(found["test-spec"]),
            "",
            "",
            "seconds",
        )
    )


def _children_cpu() -> float:
    """CPU seconds (user and system) of every process this one has waited for, so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


# -- report ---------------------------------------------------------------------------------------------


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def _versions() -> str:
    names = (
        "httpx",
        "pydantic",
        "datamodel-code-generator",
        "openapi-python-client",
        "ruff",
        "openapi-spec-validator",
    )
    found = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in names)
    return f"Python {platform.python_version()}, {found}"


def _plot(results: dict[int, dict[str, tuple[float, float]]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = list(SIZES)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, label in (("ours", "seedance-codegen"), ("peer", "openapi-python-client")):
        left.plot(sizes, [results[size][name][0] for size in sizes], marker="o", label=label)
        right.plot(sizes, [results[size][name][1] / 2**20 for size in sizes], marker="o", label=label)
    left.set(title="generation time", xlabel="operations", ylabel="seconds (median)")
    right.set(title="peak memory", xlabel="operations", ylabel="MiB (median)")
    for axes in (left, right):
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    figure.savefig(PLOT, dpi=100, metadata={"Software": None})
    plt.close(figure)


def _table() -> str:
    lines = ["| measure | this project | reference | ratio | target |", "| --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _parts() -> set[str]:
    """``BENCH_ONLY=generation,mock`` runs those parts alone (to iterate; nothing is written)."""
    chosen = {part.strip() for part in os.environ.get("BENCH_ONLY", "").split(",") if part.strip()}
    unknown = chosen - set(PARTS)
    if unknown:
        raise SystemExit(
            f"bench: BENCH_ONLY names unknown parts {sorted(unknown)}; parts: {', '.join(PARTS)}"
        )
    return chosen or set(PARTS)


def main() -> None:
    started = datetime.datetime.now(datetime.UTC)
    parts = _parts()
    try:
        with tempfile.TemporaryDirectory(prefix="seedance-bench-") as folder:
            scratch = Path(folder)
            if "per-call" in parts:
                _say("bench: per call")
                bench_per_call()
            if "import" in parts:
                _say("bench: import")
                bench_import(scratch)
            if "generation" in parts:
                results = bench_generation(scratch)
                _say("bench: floors of the required libraries' imports")
                bench_floor_imports(results[0]["peer"])
                _say("bench: import at 400 operations")
                bench_large_import(scratch)
            if "mock" in parts:
                _say("bench: MockAPI")
                bench_mock()
            if "suite" in parts:
                _say("bench: make test on a fresh clone")
                bench_suite(scratch)
    finally:
        for launcher in _launcher:
            assert launcher.stdin is not None
            launcher.stdin.close()
            launcher.wait()
    table = _table()
    print(table)
    if parts != set(PARTS):
        return
    _plot(results)
    minutes = (datetime.datetime.now(datetime.UTC) - started).total_seconds() / 60
    RESULTS.write_text(
        "# Benchmark results (`make bench`)\n\n"
        f"- Date: {started:%Y-%m-%d %H:%M} UTC ({minutes:.1f} min{', BENCH_QUICK' if QUICK else ''})\n"
        f"- CPU: {_cpu()}; load average at the start {os.getloadavg()[0]:.1f}\n"
        f"- Versions: {_versions()}\n\n"
        "Medians; pairs measured interleaved in one run (absolute times drift between runs on a\n"
        "shared machine, ratios hold). Peak memory is the maximum resident set of the command and\n"
        "the processes it waited for (ruff included, for both generators; our generator validates\n"
        "and generates its models in forked children, one after the other, each a copy of the\n"
        "parent and counted with it), measured from a small launcher process so that the bench's\n"
        "own size does not leak into the figures. That is the largest single process: the rows\n"
        "*memory held at once* add up all the processes alive together (our parent beside a child or\n"
        "ruff, the peer beside ruff), as the sum of their proportional set sizes, sampled.\n\n"
        "The *floor* rows are the libraries the project requires, alone, in fresh interpreters\n"
        "(bench/floors.py), beside the peer's whole generation: a target whose ratio lies below a\n"
        "floor's cannot be met while that library is required.\n\n"
        f"{table}\n\n"
        f"![generation time and peak memory against operations]({PLOT.name})\n",
        encoding="utf-8",
    )
    _say(f"bench: wrote {RESULTS.relative_to(REPO)} and {PLOT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
