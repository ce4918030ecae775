"""Clients shaped like the generated ones."""

from __future__ import annotations

from functools import cached_property

from . import _operations
from ._base_client import AsyncAPIClient, SyncAPIClient
from ._response import APIResponse
from ._types import ClientConfig, WaitRule
from ._version import PACKAGE, __version__
from .models import Task, TaskCreated, TaskRequest

__all__ = ["AsyncClient", "AsyncClientWithRawResponse", "Client", "ClientWithRawResponse"]

_CONFIG = ClientConfig(
    api_key_env="FAKEPKG_API_KEY",
    base_url_env="FAKEPKG_BASE_URL",
    default_base_url="https://api.example.com/v1",
    package=PACKAGE,
    version=__version__,
    requires_api_key=True,
)


def _task_rule(id: str) -> WaitRule:
    return WaitRule(
        status_field="status",
        success=("completed",),
        failure=("failed",),
        error_code_field="error_code",
        error_message_field="error_msg",
        subject=id,
    )


class Client(SyncAPIClient):
    """Blocking client."""

    _config = _CONFIG

    def get_task(self, id: str) -> Task:
        """Query a task."""
        return self._send(_operations.get_task(id))

    def create_task(self, body: TaskRequest) -> TaskCreated:
        """Create a (billed) task."""
        return self._send(_operations.create_task(body))

    def delete_task(self, id: str) -> None:
        """Delete a task."""
        return self._send(_operations.delete_task(id))

    def search_tasks(self, q: str, tags: list[str]) -> list[Task]:
        """Search tasks."""
        return self._send(_operations.search_tasks(q, tags))

    def wait_for_task(self, id: str, *, poll_interval: float = 2.0, timeout: float = 600.0) -> Task:
        """Poll a task until it is completed or failed."""
        return self._wait(
            lambda: self.get_task(id), _task_rule(id), poll_interval=poll_interval, timeout=timeout
        )

    @cached_property
    def with_raw_response(self) -> ClientWithRawResponse:
        """The same operations, returning the raw response."""
        return ClientWithRawResponse(self)


class ClientWithRawResponse:
    """Operations of :class:`Client` returning :class:`APIResponse`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def get_task(self, id: str) -> APIResponse[Task]:
        """Query a task."""
        return self._client._send_raw(_operations.get_task(id))

    def create_task(self, body: TaskRequest) -> APIResponse[TaskCreated]:
        """Create a (billed) task."""
        return self._client._send_raw(_operations.create_task(body))


class AsyncClient(AsyncAPIClient):
    """Async client."""

    _config = _CONFIG

    async def get_task(self, id: str) -> Task:
        """Query a task."""
        return await self._send(_operations.get_task(id))

    async def create_task(self, body: TaskRequest) -> TaskCreated:
        """Create a (billed) task."""
        return await self._send(_operations.create_task(body))

    async def delete_task(self, id: str) -> None:
        """Delete a task."""
        return await self._send(_operations.delete_task(id))

    async def search_tasks(self, q: str, tags: list[str]) -> list[Task]:
        """Search tasks."""
        return await self._send(_operations.search_tasks(q, tags))

    async def wait_for_task(self, id: str, *, poll_interval: float = 2.0, timeout: float = 600.0) -> Task:
        """Poll a task until it is completed or failed."""
        return await self._wait(
            lambda: self.get_task(id), _task_rule(id), poll_interval=poll_interval, timeout=timeout
        )

    @cached_property
    def with_raw_response(self) -> AsyncClientWithRawResponse:
        """The same operations, returning the raw response."""
        return AsyncClientWithRawResponse(self)


class AsyncClientWithRawResponse:
    """Operations of :class:`AsyncClient` returning :class:`APIResponse`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def get_task(self, id: str) -> APIResponse[Task]:
        """Query a task."""
        return await self._client._send_raw(_operations.get_task(id))

    async def create_task(self, body: TaskRequest) -> APIResponse[TaskCreated]:
        """Create a (billed) task."""
        return await self._client._send_raw(_operations.create_task(body))
