from django.conf import settings
from django.db import migrations


def name_site(apps, schema_editor):
    site_model = apps.get_model("sites", "Site")
    site_model.objects.update_or_create(
        id=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN, "name": "Hồ sơ học tập suốt đời"},
    )


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(name_site, migrations.RunPython.noop)]
