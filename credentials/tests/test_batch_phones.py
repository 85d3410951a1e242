"""A batch row names its learner by a phone typed in any accepted form (issue #17): the rows
go through `profiles.api.persons_by_contact`, which owns the phone rules."""

import pytest
from django.apps import apps

from credentials.services import batches

pytestmark = pytest.mark.django_db

# By label: credentials (tests included) may not import profiles.models.
CitizenProfile = apps.get_model("profiles", "CitizenProfile")


@pytest.mark.parametrize(
    "typed",
    [
        "0329 123 456",
        "+84 329 123 456",
        "84329123456",
        "+84 0329 123 456",
        "0329.123.456",
        "0162 912 3456",
        "+84 1629 123 456",
    ],
)
def test_a_row_names_the_completer_by_any_form_of_their_number(completed_class, typed) -> None:
    klass, achievement = completed_class
    completer = klass.enrollments[0].learner_id
    CitizenProfile.objects.filter(user_id=completer).update(phone="+84329123456")

    preview = batches.preview_contacts(
        achievement=achievement, rows=[(1, typed, klass.offering.public_id)]
    )

    assert [(row.contact, row.outcome, row.learner_id) for row in preview.rows] == [
        (typed, batches.Outcome.ISSUE, completer)
    ]


@pytest.mark.parametrize("typed", ["0912 345 6789", "0111 111 111", "số lạ", "9" * 5000])
def test_a_row_with_an_impossible_number_names_nobody(completed_class, typed) -> None:
    klass, achievement = completed_class
    CitizenProfile.objects.filter(user_id=klass.enrollments[0].learner_id).update(
        phone="+84912345678"
    )

    preview = batches.preview_contacts(
        achievement=achievement, rows=[(1, typed, klass.offering.public_id)]
    )

    assert [(row.contact, row.outcome, row.learner_id) for row in preview.rows] == [
        (typed, batches.Outcome.UNKNOWN, None)
    ]
