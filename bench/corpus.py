"""Operations generated, time and peak memory: ours (``--lenient``) against openapi-python-client,
on every spec in ../shared/corpus and ../shared/corpus/real (the table of issue 9), beside the
floors of our two stages (bench/floors.py), each alone in a fresh interpreter: openapi-spec-validator
on the spec, and datamodel-code-generator on the input and options that the generator gives it.
The generator runs them one after the other (side by side, their memory would add up), so their
sum is about the least time a generation can take while it validates the spec and uses that
library (a little less: the sum pays twice for the interpreter's start and pydantic's import,
which one generation pays once).

``make bench`` runs it after bench/run.py (it installs the peer) and writes bench/corpus.md.
Each pair runs interleaved, ``BENCH_ROUNDS`` rounds (3 by default), and the table shows medians:
the machine is shared, so compare the ratios of one run. ``BENCH_MORE_SPECS`` (paths separated
by ``:``) adds specs kept outside the repository (too large, or under terms of their own), each
measured the same way after the corpus, named by its path in the table.
"""

from __future__ import annotations

import compileall
import datetime
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from run import _held_at_once, nothing_kept
from run import _run as measured  # from a small launcher process: see run.py

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
RESULTS = REPO / "bench" / "corpus.md"
BIN = Path(sys.executable).parent
FLOORS = REPO / "bench" / "floors.py"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
FIGURES = ("ours", "peer", "validator", "models")
PEER = [str(BIN / "openapi-python-client"), "generate", "--meta", "none"]


def operations_in(spec: Path) -> int:
    text = spec.read_text(encoding="utf-8")
    document = json.loads(text) if spec.suffix == ".json" else yaml.safe_load(text)
    paths = document.get("paths") or {}
    return sum(1 for item in paths.values() if isinstance(item, dict) for method in item if method in METHODS)


def ours_command(spec: Path, out: Path) -> list[str]:
    command = [sys.executable, "-m", "generator", "generate", "--lenient", "--spec", str(spec)]
    return [*command, "--out", str(out), "--package", "corpus_client"]


def peer_command(spec: Path, out: Path) -> list[str]:
    return [*PEER, "--path", str(spec), "--output-path", str(out), "--overwrite"]


def ours(spec: Path, out: Path) -> tuple[float, int, int]:
    command = ours_command(spec, out)
    elapsed, peak = measured(command, cwd=REPO, env=nothing_kept(out.parent / "tmp"))
    said = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True).stdout
    match = re.search(r": (\d+) operations,", said)
    assert match, said
    return elapsed, peak, int(match.group(1))


def peer(spec: Path, out: Path) -> tuple[float, int, int]:
    elapsed, peak = measured(peer_command(spec, out), cwd=out.parent)
    endpoints = [path for path in (out / "api").rglob("*.py") if path.name != "__init__.py"]
    return elapsed, peak, len(endpoints)


def floor(*arguments: str) -> tuple[float, int, int]:
    elapsed, peak = measured([sys.executable, str(FLOORS), *arguments], cwd=REPO)
    return elapsed, peak, 0


def _sha(path: Path) -> str:
    """What names a spec kept outside the repository: the sha256 of its bytes."""
    return f"sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"


def main() -> None:
    started = datetime.datetime.now(datetime.UTC)
    load = os.getloadavg()[0]
    specs = sorted(CORPUS.glob("*.y*ml")) + sorted((CORPUS / "real").glob("*.*"))
    more = [Path(path).resolve() for path in os.environ.get("BENCH_MORE_SPECS", "").split(os.pathsep) if path]
    missing = [str(path) for path in more if not path.is_file()]
    if missing:
        raise SystemExit(f"bench: BENCH_MORE_SPECS names no file at {', '.join(missing)}")
    specs += more
    compileall.compile_dir(REPO / "generator", quiet=1)  # as in run.py: compiled, as the peer is
    rows = [
        "| spec | operations in it | ours (`--lenient`) | the peer | time, ours / the peer (ratio) "
        "| peak memory, ours / the peer (ratio) | memory held at once, ours / the peer (ratio) "
        "| floor: openapi-spec-validator alone "
        "| floor: datamodel-code-generator alone | the two floors, one after the other / the peer |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    print(*rows, sep="\n")
    with tempfile.TemporaryDirectory(prefix="seedance-corpus-") as folder:
        for spec in specs:
            samples: dict[str, list[tuple[float, int, int]]] = {name: [] for name in FIGURES}
            models_input = Path(folder) / f"{spec.stem}.models.pickle"
            command = [sys.executable, str(FLOORS), "prepare", str(spec), str(models_input), "--lenient"]
            # It fails for a spec without schemas (nothing is given to datamodel-code-generator).
            subprocess.run(command, cwd=REPO, capture_output=True, check=False)
            ours_held: list[int] = []
            peer_held: list[int] = []
            for index in range(ROUNDS):
                scratch = Path(folder) / f"{spec.stem}-{index}"
                scratch.mkdir()
                samples["ours"].append(ours(spec, scratch / "ours"))
                samples["peer"].append(peer(spec, scratch / "peer_client"))
                samples["validator"].append(floor("validator", str(spec)))
                if models_input.exists():
                    samples["models"].append(floor("models", str(models_input)))
                # Apart from the timed runs (sampling costs a little CPU): all the processes of a
                # run at once (run.py), in a scratch folder of their own.
                held_scratch = Path(folder) / f"{spec.stem}-{index}-held"
                held_scratch.mkdir()
                ours_held.append(
                    _held_at_once(
                        ours_command(spec, held_scratch / "ours"),
                        cwd=REPO,
                        env=nothing_kept(held_scratch / "tmp"),
                    )[1]
                )
                peer_held.append(
                    _held_at_once(peer_command(spec, held_scratch / "peer_client"), cwd=held_scratch)[1]
                )
            held = (statistics.median(ours_held), statistics.median(peer_held))
            found = {
                name: (
                    statistics.median(s[0] for s in taken),
                    statistics.median(s[1] for s in taken),
                    taken[0][2],
                )
                for name, taken in samples.items()
                if taken
            }
            (t1, m1, n1), (t2, m2, n2) = found["ours"], found["peer"]
            cells = [
                f"{found[name][0]:.2f} s, {found[name][1] / 2**20:.0f} MiB" if name in found else "no schemas"
                for name in ("validator", "models")
            ]
            floors = found["validator"][0] + (found["models"][0] if "models" in found else 0.0)
            rows.append(
                f"| {spec.relative_to(CORPUS) if spec.is_relative_to(CORPUS) else spec} "
                f"| {operations_in(spec)} | {n1} | {n2} "
                f"| {t1:.2f} s / {t2:.2f} s ({t1 / t2:.2f}) | {m1 / 2**20:.0f} / {m2 / 2**20:.0f} MiB ({m1 / m2:.2f}) "
                f"| {held[0] / 2**20:.0f} / {held[1] / 2**20:.0f} MiB ({held[0] / held[1]:.2f}) "
                f"| {cells[0]} | {cells[1]} | {floors:.2f} s ({floors / t2:.2f}) |"
            )
            print(rows[-1], flush=True)
    RESULTS.write_text(
        "# Corpus specs: ours against openapi-python-client (`make bench`, bench/corpus.py)\n\n"
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; load average at the start {load:.1f}\n"
        f"- {ROUNDS} rounds, interleaved, medians; peak memory and memory held at once as in results.md\n"
        "  (held at once: all processes summed); each of our runs starts\n"
        "  with an empty cache (no compiled templates or formatted files of an earlier run), like the peer's\n"
        + "".join(
            f"- Outside the repository (`BENCH_MORE_SPECS`): {path.name}, {_sha(path)}\n" for path in more
        )
        + "- Operations: ours is what `generate --lenient` reports; the peer's, the endpoint modules it wrote\n\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
