"""Re-normalise every stored phone number with libphonenumber (issue #17).

Before this migration phone numbers were checked by a regex: numbers that cannot exist were
stored, and pre-2018 11-digit mobile numbers (0162 xxx xxxx...) were stored as if they were
still live, so the same person's current number (032 xxx xxxx...) never matched them.

This migration rewrites ``CitizenProfile.phone`` and ``HouseholdInvitation.phone`` (the only
stored phone fields in the project) to E.164 (ITU-T E.164, ``+84912345678``), converting
numbers of the old 11-digit mobile plan to today's number per Quyết định 798/QĐ-BTTTT (2018).
It prints one line per changed row (model, pk, old -> new) and one line per number it cannot
normalise, which it leaves as it is: it never deletes a number. Reverse: nothing to undo.

The conversion is frozen here on purpose (a migration must not import code that may change):
it imports only ``phonenumbers``.
"""

import unicodedata

import phonenumbers
from django.db import migrations

# Quyết định 798/QĐ-BTTTT (2018): old 11-digit mobile prefix -> today's 10-digit prefix,
# both without the trunk 0 (national significant number).
OLD_MOBILE_PREFIXES = {
    "120": "70",
    "121": "79",
    "122": "77",
    "126": "76",
    "128": "78",
    "123": "83",
    "124": "84",
    "125": "85",
    "127": "81",
    "129": "82",
    "162": "32",
    "163": "33",
    "164": "34",
    "165": "35",
    "166": "36",
    "167": "37",
    "168": "38",
    "169": "39",
    "186": "56",
    "188": "58",
    "199": "59",
}
SEPARATORS = frozenset("\t.()/")
ACCEPTED_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)


def renormalise(raw):
    """The E.164 form of ``raw`` (a Vietnamese number as people write it), or None.

    Accepts ``0912 345 678``, ``+84 912 345 678``, ``84912345678``, ``+84 0912 345 678``,
    ``0912.345.678``, Unicode digits; converts ``0162 xxx xxxx`` to ``032 xxx xxxx``; only
    numbers libphonenumber knows as valid mobile or fixed-line numbers of Vietnam.
    """
    if not raw or len(raw) > 40:
        return None
    text = []
    for index, char in enumerate(unicodedata.normalize("NFKC", raw).strip()):
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            text.append(str(digit))
        elif char == "+" and index == 0:
            text.append("+")
        elif char in SEPARATORS or unicodedata.category(char) in ("Zs", "Pd"):
            continue
        else:
            return None
    digits = "".join(text)
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("+"):
        return None
    elif digits.startswith("0084"):
        national = digits[4:]
    elif digits.startswith("84") and len(digits) >= 11:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    if national.startswith("0"):
        national = national[1:]
    if len(national) == 10 and national[:3] in OLD_MOBILE_PREFIXES:
        national = OLD_MOBILE_PREFIXES[national[:3]] + national[3:]
    if not national.isdigit() or not 8 <= len(national) <= 10:
        return None
    number = phonenumbers.parse("+84" + national)
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in ACCEPTED_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _renormalise_model(apps, label, out):
    model = apps.get_model("profiles", label)
    changed = []
    for pk, old in model.objects.exclude(phone="").order_by("pk").values_list("pk", "phone"):
        new = renormalise(old)
        if new is None:
            out(f"profiles.{label} {pk}: {old!r} could not be normalised, left as it is")
        elif new != old:
            changed.append((pk, old, new))
    for pk, old, new in changed:
        model.objects.filter(pk=pk, phone=old).update(phone=new)
        out(f"profiles.{label} {pk}: {old} -> {new}")
    return changed


def renormalise_phones(apps, schema_editor, out=print):
    """Rewrite stored phone numbers; ``out`` receives one line per change or failure."""
    changed = _renormalise_model(apps, "CitizenProfile", out)
    _renormalise_model(apps, "HouseholdInvitation", out)
    # No unique constraint on CitizenProfile.phone; list a converted number another profile
    # already holds, since look-ups by phone leave out numbers shared by several people.
    profile = apps.get_model("profiles", "CitizenProfile")
    for pk, _old, new in changed:
        others = list(
            profile.objects.filter(phone=new)
            .exclude(pk=pk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if others:
            out(f"profiles.CitizenProfile {pk}: {new} is also on file for profile(s) {others}")


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0008_notice_in_flight_indexes"),
    ]

    operations = [
        migrations.RunPython(renormalise_phones, migrations.RunPython.noop, elidable=True),
    ]
