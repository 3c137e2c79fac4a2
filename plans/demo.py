"""Both seed plans, transcribed in full as YAML, loaded for the embedded default."""

from pathlib import Path

from django.db import transaction

from .importer import parse
from .models import Plan
from .services import plan_import

SEEDS = sorted((Path(__file__).parent / "demo").glob("*.yaml"))


@transaction.atomic
def seed() -> dict[str, int]:
    created = 0
    for path in SEEDS:
        spec = parse(path.read_text(encoding="utf-8"))
        if not Plan.objects.filter(number=spec.number, issued_on=spec.issued_on).exists():
            plan_import(actor=None, spec=spec)
            created += 1
    return {"plans": created}
