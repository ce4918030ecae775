"""Reading an answer's body whatever its bytes: text and JSON that never raise a stray error.

A server (or a proxy in front of it) may send a charset label that does not match the bytes
(``charset=utf-16`` on UTF-8 text: httpx raises ``UnicodeError``), an unknown charset, or JSON
nested deeper than Python's recursion limit. The client turns every answer into a model or one
of its documented errors, which keep the raw body; these helpers make that possible.
"""

from __future__ import annotations

import json

import httpx

__all__ = ["body_json", "body_text"]


def body_text(response: httpx.Response) -> str:
    """The body as text: decoded by its charset label, else as UTF-8 with replacement characters."""
    try:
        return response.text
    except (UnicodeError, LookupError):
        return response.content.decode("utf-8", errors="replace")


def body_json(response: httpx.Response) -> object:
    """The body parsed as JSON; raises ``ValueError`` for anything that is not (too deep included)."""
    try:
        return json.loads(response.content)
    except RecursionError:
        raise ValueError("the JSON body is nested too deeply") from None
