"""Scripted answers: what the next calls of an operation get, looked up in constant time.

``MockAPI.script(operation, answers, path=...)`` stores the answers under the operation and the
path parameters it is limited to. A request finds its script by trying each subset of its own
path parameters as a key (operations have few), so 1,000 scripted tasks cost 1,000 dictionary
entries and no scan. The newest matching script wins.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["Scripts", "check_answer", "send_answer"]

_Key = tuple[tuple[str, str], ...]
_SCAN_ABOVE = 8  # path parameters; beyond this, subsets outnumber any sensible count of scripts


@dataclass
class _Script:
    order: int
    path: dict[str, str]
    answers: list[Any]


def check_answer(answer: Any) -> None:
    """Refuse, when scripted rather than later, an answer the mock could not send."""
    if isinstance(answer, httpx.Response | BaseException):
        return
    if isinstance(answer, type) and issubclass(answer, BaseException):
        return
    try:
        json.dumps(answer)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"a scripted answer is a JSON value, an httpx.Response or an exception, not {type(answer).__name__}: {error}"
        ) from None


def send_answer(answer: Any, status: int, request: httpx.Request) -> httpx.Response:
    """The response for a scripted answer; an exception (class or instance) is raised instead."""
    if isinstance(answer, type) and issubclass(answer, BaseException):
        if issubclass(answer, httpx.RequestError):
            raise answer(f"{answer.__name__} scripted in the mock", request=request)
        raise answer(f"{answer.__name__} scripted in the mock")
    if isinstance(answer, BaseException):
        raised = copy.copy(answer)  # the last answer repeats: each raise gets its own traceback
        if isinstance(raised, httpx.RequestError) and getattr(raised, "_request", None) is None:
            raised.request = request
        raise raised
    if isinstance(answer, httpx.Response):
        # A copy: one Response object cannot be sent twice (the last answer repeats).
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.read())
    return httpx.Response(status, json=answer)


class Scripts:
    """The scripts of every operation, by operation and path filter."""

    def __init__(self) -> None:
        self._scripts: dict[str, dict[_Key, _Script]] = {}
        self._order = itertools.count()
        self._lock = threading.Lock()

    def set(self, operation: str, path: Mapping[str, str], answers: Sequence[Any]) -> None:
        """Script ``operation`` for requests with these path parameters (as text); replaces any old one."""
        key = tuple(sorted(path.items()))
        with self._lock:
            self._scripts.setdefault(operation, {})[key] = _Script(
                next(self._order), dict(path), list(answers)
            )

    def clear(self) -> None:
        with self._lock:
            self._scripts.clear()

    def next(self, operation: str, path: Mapping[str, str]) -> tuple[bool, Any]:
        """``(True, answer)`` with the next answer scripted for this request, else ``(False, None)``."""
        with self._lock:
            scripts = self._scripts.get(operation)
            if not scripts:
                return False, None
            script = self._find(scripts, path)
            if script is None:
                return False, None
            return True, script.answers.pop(0) if len(script.answers) > 1 else script.answers[0]

    @staticmethod
    def _find(scripts: dict[_Key, _Script], path: Mapping[str, str]) -> _Script | None:
        items = sorted(path.items())
        if len(items) > _SCAN_ABOVE:
            candidates = [
                script for script in scripts.values() if all(path.get(n) == t for n, t in script.path.items())
            ]
        else:
            found = (
                scripts.get(key)
                for size in range(len(items) + 1)
                for key in itertools.combinations(items, size)
            )
            candidates = [script for script in found if script is not None]
        return max(candidates, key=lambda script: script.order, default=None)
