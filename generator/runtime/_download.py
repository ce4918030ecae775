"""Binary answers written to a file as they arrive, without holding them in memory.

``client.download(_operations.<operation>(...), destination)`` sends the request that the
operation's builder makes (its arguments are validated the same way) and streams a 2xx answer
into ``destination``: a path, or a binary file object that stays open. Another status raises the
client's usual error. One attempt: a download is not retried.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient
    from ._types import RequestSpec

__all__ = ["Destination", "adownload", "download"]

Destination: TypeAlias = str | os.PathLike[str] | IO[bytes]
"""Where a download goes: a file path (created or replaced) or a binary file object."""


def _open(destination: Destination) -> tuple[IO[bytes], bool]:
    if isinstance(destination, str | os.PathLike):
        return Path(destination).open("wb"), True
    return destination, False


def download(client: SyncAPIClient, spec: RequestSpec[Any], destination: Destination) -> int:
    """Stream the answer to ``spec`` into ``destination``; return the number of bytes written."""
    request = client._build_request(spec)
    client._log_request(spec, request, 0)
    response = client._http_client.send(request, stream=True, follow_redirects=False)
    try:
        client._log_response(spec, response)
        if not response.is_success:
            response.read()
            client._finish(spec, response, 0)  # raises the status error
        target, owned = _open(destination)
        written = 0
        try:
            for chunk in response.iter_bytes():
                written += target.write(chunk)
        finally:
            if owned:
                target.close()
        return written
    finally:
        response.close()


async def adownload(client: AsyncAPIClient, spec: RequestSpec[Any], destination: Destination) -> int:
    """Like :func:`download`, for the async client (the file is written synchronously)."""
    request = client._build_request(spec)
    client._log_request(spec, request, 0)
    response = await client._http_client.send(request, stream=True, follow_redirects=False)
    try:
        client._log_response(spec, response)
        if not response.is_success:
            await response.aread()
            client._finish(spec, response, 0)
        target, owned = _open(destination)
        written = 0
        try:
            async for chunk in response.aiter_bytes():
                written += target.write(chunk)
        finally:
            if owned:
                target.close()
        return written
    finally:
        await response.aclose()
