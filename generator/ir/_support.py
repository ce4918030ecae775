"""What the intermediate model's builders share: the error for an unsupported construct, and
the collection of every reason why one operation cannot be generated."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["SCHEMA_REF", "Reasons", "UnsupportedError", "UnsupportedOperationError", "text"]

T = TypeVar("T")

SCHEMA_REF = re.compile(r"^#/components/schemas/([^/]+)$")


class UnsupportedError(Exception):
    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.message = message


class UnsupportedOperationError(Exception):
    """Every reason why one operation cannot be generated."""

    def __init__(self, reasons: list[UnsupportedError]) -> None:
        super().__init__("; ".join(reason.message for reason in reasons))
        self.reasons = reasons


class Reasons:
    """Collects the reasons of one operation, so that each is reported, not just the first."""

    def __init__(self) -> None:
        self.found: list[UnsupportedError] = []

    def attempt(self, step: Callable[[], T], fallback: T) -> T:
        try:
            return step()
        except UnsupportedError as reason:
            self.found.append(reason)
            return fallback
        except UnsupportedOperationError as reasons:
            self.found.extend(reasons.reasons)
            return fallback


def text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str) else ""
