"""Checks of the api key, given as a string or as a callable that returns the current one.

A key with whitespace or a control character is almost always a key read from a file with its
newline: sent as it is, it breaks the header, or leaks in escaped form where plain redaction
misses it. It is refused at construction (or when the callable returns it), and the error never
contains the key itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from ._exceptions import InvalidArgumentError

__all__ = ["APIKey", "check_api_key"]

APIKey: TypeAlias = str | Callable[[], str]
"""An api key, or a function returning the current key (called before every attempt)."""


def _kind(char: str) -> str | None:
    if char in "\r\n":
        return "a line break"
    if char.isspace():
        return "whitespace"
    if ord(char) < 0x20 or ord(char) == 0x7F or not char.isprintable():
        return "a control character"
    if ord(char) > 0x7E:
        return "a non-ASCII character"
    return None


def check_api_key(value: object, *, source: str) -> str:
    """Return ``value`` when it can be sent as an api key; else raise :class:`InvalidArgumentError`.

    ``source`` names where the key came from (``api_key``, the environment variable...).
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(
            f"{source} must be a str (or a callable returning one), got {type(value).__name__}"
        )
    if not value:
        raise InvalidArgumentError(f"{source} is empty")
    for index, char in enumerate(value):
        kind = _kind(char)
        if kind is not None:
            raise InvalidArgumentError(
                f"{source} contains {kind} at position {index + 1} of {len(value)}: an api key is "
                "printable ASCII without spaces (a key read from a file may end with a newline)"
            )
    return value
