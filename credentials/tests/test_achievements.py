"""Certificate templates are saved through a service that writes an audit row with each
save, and refuses anyone who does not issue for the template's organization."""

import pytest
from django.test import Client
from django.urls import reverse

from credentials.models import Achievement
from credentials.services.achievements import achievement_create, achievement_update
from learnprofile.audit.models import AuditEvent
from learnprofile.errors import NotPermitted
from profiles.tests.factories import with_mfa

pytestmark = pytest.mark.django_db

FIELDS = {
    "name_vi": "Huy hiệu: An toàn trên mạng",
    "description_vi": "Nhận biết tin nhắn lừa đảo.",
    "criteria": "Dự đủ 80% số buổi.",
    "achievement_type": "Badge",
    "category": "digital_skills",
    "is_active": "on",
}


def _issuer_client(personas) -> Client:
    with_mfa(personas.issuer_admin)
    client = Client()
    client.force_login(personas.issuer_admin)
    return client


def test_creating_a_template_from_the_issuer_page_writes_an_audit_row(personas) -> None:
    response = _issuer_client(personas).post(reverse("achievement_new"), FIELDS)

    assert response.status_code == 302
    created = Achievement.objects.get(name_vi=FIELDS["name_vi"])
    event = AuditEvent.objects.get(action="achievement.created")
    assert event.actor_id == personas.issuer_admin.pk
    assert event.object_type == "achievement"
    assert event.object_id == str(created.public_id)
    assert event.details == {
        "organization_id": created.organization_id,
        "name_vi": FIELDS["name_vi"],
    }


def test_editing_a_template_writes_an_audit_row_naming_the_changed_fields(personas) -> None:
    client = _issuer_client(personas)
    client.post(reverse("achievement_new"), FIELDS)
    created = Achievement.objects.get(name_vi=FIELDS["name_vi"])

    response = client.post(
        reverse("achievement_edit", args=[created.public_id]),
        {**FIELDS, "criteria": "Dự đủ 90% số buổi."},
    )

    assert response.status_code == 302
    created.refresh_from_db()
    assert created.criteria == "Dự đủ 90% số buổi."
    event = AuditEvent.objects.get(action="achievement.updated")
    assert event.actor_id == personas.issuer_admin.pk
    assert event.object_id == str(created.public_id)
    assert event.details == {"changed": ["criteria"]}


def test_someone_who_does_not_issue_for_the_organization_saves_nothing(personas) -> None:
    organization_id = personas.issuer_admin.memberships.get().organization_id
    template = Achievement(
        organization_id=organization_id,
        name_vi=FIELDS["name_vi"],
        description_vi=FIELDS["description_vi"],
        criteria=FIELDS["criteria"],
    )

    with pytest.raises(NotPermitted):
        achievement_create(actor=personas.center_staff, achievement=template)

    assert not Achievement.objects.filter(name_vi=FIELDS["name_vi"]).exists()
    assert not AuditEvent.objects.filter(action__startswith="achievement.").exists()


def test_an_edit_by_someone_who_does_not_issue_for_the_organization_is_refused(
    personas,
) -> None:
    organization_id = personas.issuer_admin.memberships.get().organization_id
    template = achievement_create(
        actor=personas.issuer_admin,
        achievement=Achievement(
            organization_id=organization_id,
            name_vi=FIELDS["name_vi"],
            description_vi=FIELDS["description_vi"],
            criteria=FIELDS["criteria"],
        ),
    )
    template.criteria = "Không cần dự buổi nào."

    with pytest.raises(NotPermitted):
        achievement_update(
            actor=personas.center_staff, achievement=template, changed_fields=["criteria"]
        )

    template.refresh_from_db()
    assert template.criteria == FIELDS["criteria"]
    assert not AuditEvent.objects.filter(action="achievement.updated").exists()
