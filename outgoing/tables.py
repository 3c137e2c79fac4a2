"""Tables of issued documents, formatted for printing: every cell in the Vietnamese way (1.234, 16,7 %,
dd/mm/yyyy), the ordinal column when the table has one (templates/documents/_table.html prints it)."""

from config import vietnamese


def cell_text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "percent":
        return vietnamese.percent(value)
    if kind == "date":
        return vietnamese.date(value)
    if kind in ("count", "number"):
        return vietnamese.number(value)
    return str(value)


def for_print(table: dict) -> dict:
    """TABLE (reports/indicators/base.table) with "body" and "total_cells": lists of (text, kind) to print."""
    kinds = table["kinds"]
    styles = table.get("row_styles") or []
    body = []
    for index, row in enumerate(table["rows"]):
        cells = [(cell_text(value, kind), kind) for value, kind in zip(row, kinds, strict=False)]
        if table.get("numbered"):
            cells.insert(0, (str(index + 1), "ordinal"))
        body.append({"cells": cells, "style": styles[index] if index < len(styles) else ""})
    total = None
    if table.get("total"):
        total = [(cell_text(value, kind), kind) for value, kind in zip(table["total"], kinds, strict=False)]
        if table.get("numbered"):
            total.insert(0, ("", "ordinal"))
    return {**table, "body": body, "total_cells": total, "head_rows": len(table["head"]), "widths": _widths(table)}


def _widths(table: dict) -> list[float]:
    """Column widths in percent: the label column wide enough for words, the figures sharing the rest."""
    figures = len(table["kinds"]) - 1
    ordinal = 6.0 if table.get("numbered") else 0.0
    label = 58.0 if figures <= 2 else 46.0 if figures <= 4 else 34.0 if figures <= 6 else 26.0
    each = round((100 - ordinal - label) / max(figures, 1), 2)
    return [*([ordinal] if ordinal else []), label, *([each] * figures)]
