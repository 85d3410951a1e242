"""Unicode NFC for the free text people typed in courses (issue #17, decision 0009): course
titles and descriptions, venues, rooms, reasons and attendance notes. Only rows that change are
written, in batches; nothing here is unique or signed. The row rewriting is the one frozen in
profiles' 0010 migration (a migration module never changes). Reverse: nothing to undo.
"""

import importlib

from django.db import migrations

TEXT_FIELDS = {
    "Course": ("title", "summary", "description", "audience"),
    "Offering": ("venue", "cancel_reason"),
    "Session": ("room",),
    "Enrollment": ("cancel_reason", "completion_reason"),
    "AttendanceMark": ("note",),
    "AttendanceChange": ("before_note", "after_note"),
    "WalkInClaim": ("undo_reason",),
}


def text_nfc(apps, schema_editor, out=print):
    profiles_0010 = importlib.import_module("profiles.migrations.0010_text_nfc")
    profiles_0010.text_nfc(
        apps, schema_editor, app_label="courses", text_fields=TEXT_FIELDS, out=out
    )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_session_duration_limit"),
        ("profiles", "0010_text_nfc"),
    ]

    operations = [
        migrations.RunPython(text_nfc, migrations.RunPython.noop, elidable=True),
    ]
