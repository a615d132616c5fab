"""Reply events: the one stream every front door (HTTP, Gradio, evals) consumes."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

EventType = Literal[
    "token", "citations", "perception", "state", "handoff", "agent_message", "notice", "done", "error"
]


@dataclass(frozen=True)
class Citation:
    source_id: str
    title: str
    number: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReplyEvent:
    type: EventType
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.data}
