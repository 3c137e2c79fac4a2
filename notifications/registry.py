"""How this app reaches the apps whose deadlines it watches, without importing them.

An app registers, for its target model, a handler that says, for a batch of deadlines, who each
recipient role is and how to describe each deadline. Batches keep a scan's query count flat.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Description:
    title: str  # in Vietnamese (notifications.services.worded)
    body: str
    url: str
    translations: dict = field(default_factory=dict)  # the same in the pages' other languages


@dataclass
class Resolution:
    # (deadline pk, recipient role) → users
    recipients: dict[tuple[int, str], list]
    # deadline pk → what to tell them (no entry: the target is gone, nobody is told)
    descriptions: dict[int, Description]


class EscalationHandler(Protocol):
    def resolve(self, deadlines: list, wanted: set[tuple[int, str]]) -> Resolution: ...


def roles_by_deadline(wanted: set[tuple[int, str]]) -> dict[int, set[str]]:
    """The recipient roles asked for each deadline of a batch, so handlers avoid a quadratic scan."""
    roles: dict[int, set[str]] = defaultdict(set)
    for pk, role in wanted:
        roles[pk].add(role)
    return roles


_HANDLERS: dict[str, EscalationHandler] = {}


def register_escalation_handler(model_label: str, handler: EscalationHandler) -> None:
    """MODEL_LABEL like "cases.casefile"; called from the app's AppConfig.ready()."""
    _HANDLERS[model_label.lower()] = handler


def handler_for_type(content_type) -> EscalationHandler | None:
    return _HANDLERS.get(f"{content_type.app_label}.{content_type.model}")
