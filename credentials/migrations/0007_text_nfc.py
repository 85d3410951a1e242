"""Unicode NFC for the free text people typed in credentials (issue #17, decision 0009):
achievement names, descriptions and criteria, and revocation reasons. Never a signed document:
``Credential.document`` and ``StatusList.signed_document`` stay byte for byte as signed (a
credential signed with an NFD name keeps it; re-issuing signs the NFC one). Issuer profiles'
names are organizations, rewritten by profiles' 0010. Only rows that change are written, in
batches; the row rewriting is the one frozen in profiles' 0010 migration. Reverse: nothing to
undo.
"""

import importlib

from django.db import migrations

TEXT_FIELDS = {
    "Achievement": ("name_vi", "name_en", "description_vi", "description_en", "criteria"),
    "Credential": ("revoke_reason",),
}


def text_nfc(apps, schema_editor, out=print):
    profiles_0010 = importlib.import_module("profiles.migrations.0010_text_nfc")
    profiles_0010.text_nfc(
        apps, schema_editor, app_label="credentials", text_fields=TEXT_FIELDS, out=out
    )


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0006_reissue_and_signed_status_lists"),
        ("profiles", "0010_text_nfc"),
    ]

    operations = [
        migrations.RunPython(text_nfc, migrations.RunPython.noop, elidable=True),
    ]
