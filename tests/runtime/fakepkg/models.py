"""Two small models shaped like the API's task answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Task(BaseModel):
    """A task's state, as returned by ``GET /tasks/{id}``."""

    model_config = ConfigDict(extra="allow")

    id: str
    status: str
    error_code: str | None = None
    error_msg: str | None = None
    result: list[str] | None = None


class TaskCreated(BaseModel):
    """The answer of a generate call."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    task_id: str = Field(alias="taskId")


class TaskRequest(BaseModel):
    """The body of a generate call."""

    prompt: str
    ratio: Literal["16:9", "1:1"] = "16:9"
