"""The registry of indicators: a new indicator is one definition in one module and one `register` call."""

from .base import Indicator

_INDICATORS: dict[str, Indicator] = {}
# The groups, in the order documents show them; within a group, indicators keep the order they were registered in.
GROUPS = {
    "abuse": "Tình hình xâm hại trẻ em",
    "support": "Hỗ trợ, can thiệp",
    "procedure": "Quy trình và phối hợp",
    "plans": "Thực hiện kế hoạch",
}


def register(indicator: Indicator) -> Indicator:
    if indicator.group not in GROUPS:
        raise ValueError(f"indicator {indicator.id}: unknown group {indicator.group}")
    if indicator.id in _INDICATORS:
        raise ValueError(f"indicator {indicator.id} is registered twice")
    _INDICATORS[indicator.id] = indicator
    return indicator


# Indicators no longer computed: kept so that reports frozen before definitions were frozen with them
# can still be read. Removing an indicator means moving its definition here (`retire`), never deleting it.
_RETIRED: dict[str, Indicator] = {}


def unregister(indicator_id: str) -> None:
    """For tests that add an indicator for a while."""
    _INDICATORS.pop(indicator_id, None)


def retire(indicator_id: str) -> None:
    """Stop computing an indicator, keeping its definition to read old reports by."""
    _RETIRED[indicator_id] = _INDICATORS.pop(indicator_id)


def definition(indicator_id: str) -> Indicator | None:
    """A registered or retired indicator: how to read figures that were computed with it."""
    return _INDICATORS.get(indicator_id) or _RETIRED.get(indicator_id)


def indicators() -> list[Indicator]:
    """Every registered indicator, in the order documents show them."""
    order = list(GROUPS)
    return sorted(_INDICATORS.values(), key=lambda indicator: order.index(indicator.group))


def get(indicator_id: str) -> Indicator | None:
    return _INDICATORS.get(indicator_id)
