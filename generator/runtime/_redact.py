"""Keeping the api key out of text: error messages, this client's log records, and while a client
is open, the log records of httpx and httpcore underneath it.

The key is replaced by ``<redacted>`` wherever it stands as a whole token (so that ``api_key="k"``
leaves ``keep-alive`` alone), also in the escaped forms in which libraries print it: ``repr``
(``\\n``, ``\\\\``), JSON, and URL-encoded (``%2B``, ``+``).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import weakref
from collections.abc import Iterable, Sequence
from typing import Protocol
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "LibraryLogRedactor", "SecretHolder", "library_log_redactor", "redact"]

REDACTED = "<redacted>"

# A token ends where these characters end: "k" is not a token of "keep-alive".
_WORD = "0-9A-Za-z_"

# Where httpx and httpcore log. A logger's filters see only the records logged on that logger
# (not those propagated from its children), so each one gets the filter.
_LIBRARY_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def _escaped_forms(secret: str) -> set[str]:
    return {
        secret,
        repr(secret)[1:-1],
        repr(secret.encode("utf-8", "backslashreplace"))[2:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
    }


@functools.lru_cache(maxsize=64)
def _pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    forms = {form for secret in secrets if secret for form in _escaped_forms(secret) if form}
    if not forms:
        return None
    word = re.compile(f"[{_WORD}]")
    alternatives = []
    for form in sorted(forms, key=lambda form: (-len(form), form)):  # longest first
        before = f"(?<![{_WORD}])" if word.match(form[0]) else ""
        after = f"(?![{_WORD}])" if word.match(form[-1]) else ""
        alternatives.append(before + re.escape(form) + after)
    return re.compile("|".join(alternatives))


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with each whole-token occurrence of a secret (or an escaped form of it) redacted."""
    pattern = _pattern(tuple(secrets))
    return text if pattern is None else pattern.sub(REDACTED, text)


class SecretHolder(Protocol):
    """A client: the secrets it currently sends (read on each log record, so a new key counts)."""

    _secrets: tuple[str, ...]


class LibraryLogRedactor(logging.Filter):
    """A filter on the httpx and httpcore loggers that redacts the secrets of the open clients.

    Installed when the first client registers; a client unregisters when it is closed (or
    garbage-collected), and the filter is removed when none is left.
    """

    def __init__(self) -> None:
        super().__init__()
        self._clients: weakref.WeakSet[SecretHolder] = weakref.WeakSet()
        self._lock = threading.Lock()

    def register(self, client: SecretHolder) -> None:
        with self._lock:
            if not self._clients:
                for name in _LIBRARY_LOGGERS:
                    logging.getLogger(name).addFilter(self)
            self._clients.add(client)

    def unregister(self, client: SecretHolder) -> None:
        with self._lock:
            self._clients.discard(client)
            if not self._clients:
                for name in _LIBRARY_LOGGERS:
                    logging.getLogger(name).removeFilter(self)

    def _secrets(self) -> tuple[str, ...]:
        with self._lock:
            clients: Iterable[SecretHolder] = list(self._clients)
        return tuple(sorted({secret for client in clients for secret in client._secrets}))

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self._secrets()
        if not secrets:
            return True
        message = record.getMessage()
        redacted = redact(message, secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), secrets)
        return True


library_log_redactor = LibraryLogRedactor()
"""The one filter shared by every client of this package."""
