"""How this app reaches the apps whose deadlines it watches, without importing them.

An app registers, for its target model, a handler that says who a recipient role is for one
deadline and how to describe the deadline to them.
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Description:
    title: str
    body: str
    url: str


class EscalationHandler(Protocol):
    def recipients(self, deadline, role: str) -> list: ...

    def describe(self, deadline) -> Description: ...


_HANDLERS: dict[str, EscalationHandler] = {}


def register_escalation_handler(model_label: str, handler: EscalationHandler) -> None:
    """MODEL_LABEL like "cases.casefile"; called from the app's AppConfig.ready()."""
    _HANDLERS[model_label.lower()] = handler


def handler_for(deadline) -> EscalationHandler | None:
    target_type = deadline.target_type
    return _HANDLERS.get(f"{target_type.app_label}.{target_type.model}")
