"""Request builders shaped like the generated ones (one per operation)."""

from __future__ import annotations

from urllib.parse import quote

from ._types import AuthScheme, RequestSpec
from .models import Task, TaskCreated, TaskRequest


def get_task(id: str) -> RequestSpec[Task]:
    return RequestSpec(
        operation="get_task",
        method="GET",
        path="/tasks/" + quote(id, safe=""),
        responses={"200": Task},
        idempotent=True,
        security=(AuthScheme.bearer(),),
    )


def create_task(body: TaskRequest) -> RequestSpec[TaskCreated]:
    return RequestSpec(
        operation="create_task",
        method="POST",
        path="/generate/task",
        json=body.model_dump(mode="json", by_alias=True, exclude_unset=True),
        has_body=True,
        responses={"200": TaskCreated},
        idempotent=False,
        security=(AuthScheme.bearer(),),
    )


def delete_task(id: str) -> RequestSpec[None]:
    return RequestSpec(
        operation="delete_task",
        method="DELETE",
        path="/tasks/" + quote(id, safe=""),
        responses={"204": None},
        idempotent=True,
        security=(AuthScheme.bearer(),),
    )


def search_tasks(q: str, tags: list[str]) -> RequestSpec[list[Task]]:
    return RequestSpec(
        operation="search_tasks",
        method="GET",
        path="/tasks",
        params={"q": q, "tag": tags},
        headers={"X-Trace": "abc"},
        responses={"2XX": list[Task]},
        idempotent=True,
        security=(AuthScheme.query("api_key"),),
    )
