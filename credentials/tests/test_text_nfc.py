"""The credentials data migration (issue #17, decision 0009) puts the free text people typed in
NFC and never touches a signed document."""

import importlib
import unicodedata

import pytest
from django.apps import apps as django_apps

from credentials.models import Achievement, Credential


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.django_db
def test_achievement_text_and_revocation_reasons_become_nfc_and_documents_stay_as_signed(
    issued,
) -> None:
    achievement = issued.achievement
    Achievement.objects.filter(pk=achievement.pk).update(
        name_vi=nfd("Chứng nhận hoàn thành: Tin học cơ bản"),
        description_vi=nfd("Hoàn thành khóa Tin học cơ bản."),
    )
    signed = dict(issued.document)
    signed_nfd = {**signed, "name": nfd("Chứng nhận hoàn thành")}  # as an older issuance signed
    Credential.objects.filter(pk=issued.pk).update(
        document=signed_nfd, revoke_reason=nfd("Cấp nhầm người học")
    )

    importlib.import_module("credentials.migrations.0007_text_nfc").text_nfc(
        django_apps, None, out=lambda line: None
    )

    achievement.refresh_from_db()
    issued.refresh_from_db()
    assert (achievement.name_vi, achievement.description_vi) == (
        "Chứng nhận hoàn thành: Tin học cơ bản",
        "Hoàn thành khóa Tin học cơ bản.",
    )
    assert issued.revoke_reason == "Cấp nhầm người học"
    assert issued.document == signed_nfd
