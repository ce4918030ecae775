"""A stage run in a forked child process, so that what it imports and allocates is given back to
the system before the next stage starts.

Peak memory is what is alive at once. Validation (openapi-spec-validator, jsonschema: about
30 MiB of imports, plus their working state) and datamodel-code-generator (about 35 MiB of
imports, plus its own) need not be alive together: ``cli.build`` validates in a child that exits
before the models are generated, so the peak is the larger of the two stages, not their sum. The
parent only waits while the child works (nothing overlaps), and the child starts as a copy of a
small process. The validating child also reads the spec, and hands the document back pickled:
the parent never holds what parsing a large document leaves behind.

Forking is not safe everywhere, and it pays only for imports not yet made: where it is not safe
or would save nothing (see ``isolating``), the work runs in this process, with the same result.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

__all__ = ["isolating", "run_isolated"]

T = TypeVar("T")


def isolating(modules: Iterable[str] = ()) -> bool:
    """Whether ``run_isolated`` forks: on a system with ``fork`` (not macOS, whose system
    libraries are not fork-safe), from the only thread of the process (forking while other
    threads hold locks can leave the child stuck: pytest plugins, servers, a caller's pool), and
    only while none of ``modules`` is imported (a process that has some already, such as a test
    run, is not a fresh command and would save little)."""
    return (
        hasattr(os, "fork")
        and sys.platform != "darwin"
        and threading.active_count() == 1
        and threading.current_thread() is threading.main_thread()
        and all(name not in sys.modules for name in modules)
    )


def run_isolated(
    work: Callable[[], T],
    *,
    modules: Iterable[str] = (),
    allowed: bool = True,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[T, bool]:
    """``work()``'s result, and True when it ran in a child process (then what it changed in
    objects of this process stays in the child: the caller redoes what it must). It runs in
    process when not ``allowed`` or not ``isolating(modules)``.

    ``work`` returns a picklable value; an exception it raises is raised here (same type and
    message when it pickles, a ``RuntimeError`` saying both otherwise).

    ``meanwhile()`` is work of this process that the child need not have: it runs while the
    child works (on another core), or after ``work`` when that runs in process. What it imports
    or allocates is not in the child, which started before it.
    """
    if not allowed or not isolating(modules):
        value = work()
        if meanwhile is not None:
            meanwhile()
        return value, False
    for stream in (sys.stdout, sys.stderr):  # or the child would write what is buffered again
        stream.flush()
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child, measured by its effects in tests
        _child(work, reading, writing)
    os.close(writing)
    try:
        with os.fdopen(reading, "rb") as answer:
            if meanwhile is not None:
                meanwhile()
            payload = answer.read()
    except BaseException:  # interrupted: the child must not outlive the parent
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    if not payload:
        raise RuntimeError(f"a child process of the generator ended without an answer ({_said(status)})")
    succeeded, value = pickle.loads(payload)  # noqa: S301 - written by our own child, through a pipe
    if not succeeded:
        raise value
    result: T = value
    return result, True


def _child(work: Callable[[], T], reading: int, writing: int) -> None:  # pragma: no cover
    """Runs in the child: ``work``'s outcome into the pipe, then exit without the parent's exit
    handlers (pytest's, atexit's: they belong to the parent)."""
    status = 0
    try:
        os.close(reading)
        try:
            payload = pickle.dumps((True, work()))
        except BaseException as error:  # the parent raises it
            try:
                payload = pickle.dumps((False, error))
                pickle.loads(payload)  # noqa: S301 - an exception with its own __init__ may not come back
            except Exception:
                payload = pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))
        with os.fdopen(writing, "wb") as answer:
            answer.write(payload)
    except BaseException:  # the parent says that no answer came
        status = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                status = status or 1
        os._exit(status)


def _said(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"killed by {name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
