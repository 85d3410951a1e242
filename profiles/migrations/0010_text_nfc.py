"""Unicode NFC for the free text people typed, and one form for e-mail addresses (issue #17,
decision 0009).

1. Text typed decomposed (NFD: macOS, Unikey in "composite" mode) was stored as typed. The
   columns in ``TEXT_FIELDS`` (names, titles, descriptions, addresses, notes people typed; no
   identifier, no code, nothing signed) are rewritten in NFC, in batches, only the rows that
   change. None of them is unique; a column in a unique constraint would be saved row by row,
   and a row whose NFC form collides with another is left as it is and printed.
2. An e-mail address with an IDN domain was stored in the form typed: ``an@trường.vn`` and
   ``an@xn--trng-rib8295b.vn`` could be two accounts. ``User.email``, allauth's
   ``EmailAddress.email`` and ``HouseholdInvitation.email`` are rewritten in the canonical form
   (lower case, NFC, the domain in Unicode labels). Two accounts (or two addresses) for one
   mailbox are never merged here: both are left as they are and printed, for administrators
   to merge; until then the account holding the canonical form is the one that signs in.

Frozen here on purpose (a migration must not import code that may change): only ``unicodedata``
and Python's ``idna`` codec (the one Django uses to send mail). Reverse: nothing to undo.
"""

import unicodedata

from django.db import IntegrityError, migrations, transaction
from django.db.models import Q

BATCH_SIZE = 500
NON_ASCII = r"[^\x01-\x7f]"

TEXT_FIELDS = {
    "CitizenProfile": ("full_name",),
    "Organization": ("name", "address"),
    "LearningRecord": (
        "title",
        "description",
        "provider_name",
        "verification_note",
        "revoke_reason",
    ),
    "EvidenceFile": ("original_name",),
    "PublicProfile": ("display_name", "headline"),
    "Household": ("name",),
    "Broadcast": ("subject_vi", "body_vi", "subject_en", "body_en"),
}


def nfc(value):
    if not value or unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def email_canonical(address):
    """Frozen copy of learnprofile.text.email_canonical (decision 0009)."""
    text = nfc(address).strip().lower()
    local_part, at, domain = text.rpartition("@")
    if not at or not domain:
        return text
    try:
        domain = domain.encode("idna").decode("idna")
    except UnicodeError:
        return text
    return f"{local_part}@{domain}"


def _unique_fields(model):
    unique = {field.name for field in model._meta.fields if field.unique}
    for constraint in model._meta.constraints:
        unique.update(getattr(constraint, "fields", ()) or ())
    for fields in model._meta.unique_together:
        unique.update(fields)
    return unique


def rows_nfc(model, fields, out=print):
    """Rewrite `fields` of `model` in NFC; returns the number of rows changed. Only rows with a
    non-ASCII character are read (ASCII is NFC)."""
    has_non_ascii = Q()
    for field in fields:
        has_non_ascii |= Q(**{f"{field}__regex": NON_ASCII})
    one_by_one = bool(_unique_fields(model) & set(fields))
    changed, pending = 0, []
    rows = model.objects.filter(has_non_ascii).only("pk", *fields).order_by("pk")
    for row in rows.iterator(chunk_size=BATCH_SIZE):
        updates = {
            field: nfc(getattr(row, field))
            for field in fields
            if nfc(getattr(row, field)) != getattr(row, field)
        }
        if not updates:
            continue
        for field, value in updates.items():
            setattr(row, field, value)
        if one_by_one:
            try:
                with transaction.atomic():
                    row.save(update_fields=list(updates))
            except IntegrityError:
                out(
                    f"{model._meta.label} {row.pk}: its NFC text equals another row's; "
                    "left as it is"
                )
                continue
            changed += 1
            continue
        pending.append(row)
        if len(pending) >= BATCH_SIZE:
            model.objects.bulk_update(pending, fields)
            changed, pending = changed + len(pending), []
    if pending:
        model.objects.bulk_update(pending, fields)
        changed += len(pending)
    return changed


def text_nfc(apps, schema_editor, app_label="profiles", text_fields=None, out=print):
    for model_name, fields in (text_fields or TEXT_FIELDS).items():
        model = apps.get_model(app_label, model_name)
        changed = rows_nfc(model, fields, out=out)
        if changed:
            out(f"{model._meta.label}: {changed} row(s) rewritten in NFC")


def _may_change(field):
    return Q(**{f"{field}__regex": NON_ASCII}) | Q(**{f"{field}__icontains": "xn--"})


def emails_canonical(apps, schema_editor, out=print):
    """User.email, EmailAddress.email, HouseholdInvitation.email in their canonical form; two
    accounts or two addresses for one mailbox are printed and left as they are."""
    user_model = apps.get_model("profiles", "User")
    address_model = apps.get_model("account", "EmailAddress")
    invitation_model = apps.get_model("profiles", "HouseholdInvitation")

    users = {}  # canonical -> [(pk, email)]
    for pk, email in user_model.objects.filter(_may_change("email")).values_list("pk", "email"):
        users.setdefault(email_canonical(email), []).append((pk, email))
    for pk, email in user_model.objects.filter(email__in=list(users)).values_list("pk", "email"):
        if (pk, email) not in users[email]:
            users[email].append((pk, email))
    for canonical, holders in users.items():
        if len(holders) > 1:
            listed = ", ".join(f"user {pk} ({email})" for pk, email in sorted(holders))
            out(
                f"profiles.User: {len(holders)} accounts for the mailbox {canonical}: {listed}; "
                "left as they are, merge them"
            )
            continue
        pk, email = holders[0]
        if email != canonical:
            user_model.objects.filter(pk=pk).update(email=canonical)

    addresses = {}  # canonical -> [(pk, user_id, email)]
    for row in address_model.objects.filter(_may_change("email")).values_list(
        "pk", "user_id", "email"
    ):
        addresses.setdefault(email_canonical(row[2]), []).append(row)
    for row in address_model.objects.filter(email__in=list(addresses)).values_list(
        "pk", "user_id", "email"
    ):
        if row not in addresses[row[2]]:
            addresses[row[2]].append(row)
    for canonical, rows in addresses.items():
        if len(rows) > 1:
            listed = ", ".join(
                f"address {pk} of user {user_id} ({email})" for pk, user_id, email in sorted(rows)
            )
            out(
                f"account.EmailAddress: {len(rows)} addresses for the mailbox {canonical}: "
                f"{listed}; left as they are, merge them"
            )
            continue
        pk, _user_id, email = rows[0]
        if email != canonical:
            address_model.objects.filter(pk=pk).update(email=canonical)

    for pk, email in invitation_model.objects.filter(_may_change("email")).values_list(
        "pk", "email"
    ):
        if email_canonical(email) != email:
            invitation_model.objects.filter(pk=pk).update(email=email_canonical(email))


def forward(apps, schema_editor):
    text_nfc(apps, schema_editor)
    emails_canonical(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0009_phone_renormalise"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=True),
    ]
