"""A case file still open always has a responsible officer, and the database refuses one without.

Files received before (from the hotline, a collaborator or a chairman in a commune with several officers)
could wait with nobody answering for them until an officer acted. They get one now: the officer who
received the report when they are an officer of the file's commune; else the commune's officer with the
fewest open files; else its chairman; else the nearest coordinator over it; else (nobody works for that
area in BaoVe yet) whoever received the report, so that the file is never without a person a coordinator can see and hand over."""

from django.db import migrations, models
from django.db.models import Q

from cases.migrations._constraints import add_check_not_valid

ENDED = ["closed", "not_child_protection"]


def fill(apps, schema_editor):
    case_file = apps.get_model("cases", "CaseFile")
    membership = apps.get_model("agencies", "StaffMembership")
    unit = apps.get_model("agencies", "AdministrativeUnit")
    waiting = list(
        case_file.objects.filter(officer__isnull=True)
        .exclude(state__in=ENDED)
        .order_by("pk")  # the oldest first: the load of each officer grows in the order files came in
        .values_list("pk", "commune_id", "report__received_by_id")
    )
    if not waiting:
        return
    communes = {commune for _, commune, _ in waiting}
    people = membership.objects.filter(unit_id__in=communes, is_active=True, user__is_active=True)
    officers: dict[int, list[int]] = {}
    chairmen: dict[int, int] = {}
    for user, where, role in people.order_by("user_id").values_list("user_id", "unit_id", "role"):
        if role == "commune_officer":
            officers.setdefault(where, []).append(user)
        elif role == "chairman":
            chairmen.setdefault(where, user)
    above = {
        pk: [int(part) for part in path.strip("/").split("/")][::-1]  # the commune first, the province last
        for pk, path in unit.objects.filter(pk__in=communes).values_list("pk", "path")
    }
    coordinators: dict[int, int] = {}
    for user, where in (
        membership.objects.filter(
            role="coordinator", is_active=True, user__is_active=True, unit_id__in={u for units in above.values() for u in units}
        )
        .order_by("user_id")
        .values_list("user_id", "unit_id")
    ):
        coordinators.setdefault(where, user)
    load: dict[int, int] = {}
    for officer, count in (
        case_file.objects.filter(officer__isnull=False)
        .exclude(state__in=ENDED)
        .values("officer_id")
        .annotate(n=models.Count("pk"))
        .values_list("officer_id", "n")
    ):
        load[officer] = count
    for pk, commune, received_by in waiting:
        candidates = officers.get(commune, [])
        if received_by in candidates:
            chosen = received_by
        elif candidates:
            chosen = min(candidates, key=lambda user: (load.get(user, 0), user))
        else:
            nearest = [coordinators[where] for where in above.get(commune, []) if where in coordinators]
            chosen = chairmen.get(commune) or (nearest[0] if nearest else received_by)
        load[chosen] = load.get(chosen, 0) + 1
        case_file.objects.filter(pk=pk).update(officer_id=chosen)
    if schema_editor.connection.vendor == "postgresql":
        # The foreign keys' deferred checks, run now: ALTER TABLE refuses a table with pending trigger events.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_safety_plans"),
        ("agencies", "0002_default_agency_types"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        add_check_not_valid(
            "cases",
            "CaseFile",
            models.CheckConstraint(
                condition=Q(state__in=["closed", "not_child_protection"]) | Q(officer__isnull=False),
                name="case_open_has_officer",
            ),
        ),
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(fields=["actor", "at"], name="case_event_actor_at_idx"),
        ),
    ]
