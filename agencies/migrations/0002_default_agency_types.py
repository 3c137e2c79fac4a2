from django.db import migrations


def create_default_agency_types(apps, schema_editor):
    from agencies.defaults import DEFAULT_AGENCY_TYPES

    agency_type = apps.get_model("agencies", "AgencyType")
    for order, (code, name_vi, name_en) in enumerate(DEFAULT_AGENCY_TYPES):
        agency_type.objects.get_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en, "sort_order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]

    operations = [migrations.RunPython(create_default_agency_types, migrations.RunPython.noop)]
