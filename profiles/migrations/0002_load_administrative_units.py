from django.db import migrations


def load_units(apps, schema_editor):
    from profiles.places import administrative_units_sync

    administrative_units_sync(unit_model=apps.get_model("profiles", "AdministrativeUnit"))


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    operations = [migrations.RunPython(load_units, migrations.RunPython.noop)]
