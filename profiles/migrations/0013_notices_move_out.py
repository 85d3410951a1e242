# The outbox moves to the notices app (issue 19): notices 0001 takes over its three tables,
# which stay where they are; here profiles only forgets them (no SQL).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0012_constraint_messages"),
        ("notices", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="notification",
                    name="recipient",
                ),
                migrations.RemoveField(
                    model_name="notificationpreference",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="Broadcast",
                ),
                migrations.DeleteModel(
                    name="Notification",
                ),
                migrations.DeleteModel(
                    name="NotificationPreference",
                ),
            ],
            database_operations=[],
        ),
    ]
