from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The rate-limit cache lives in PostgreSQL (settings.CACHES); createcachetable is
    # idempotent and skips tables that exist.
    call_command("createcachetable", verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("learnprofile", "0001_site_name")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
