"""The provider's id of an accepted SMS or Zalo message, on its outbox row."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0010_text_nfc"),
    ]

    operations = [
        # A default in the database: the outbox's own INSERT ... SELECT (notices_plan) need
        # not name the column, and PostgreSQL adds it without rewriting the table.
        migrations.AddField(
            model_name="notification",
            name="provider_message_id",
            field=models.CharField(blank=True, db_default="", max_length=100),
        ),
    ]
