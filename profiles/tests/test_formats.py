"""Hours, percents and dates as people read them on their learning and privacy pages and in
the printable transcript: grouped thousands, "61 %" in Vietnamese, Vietnam's day."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from profiles.forms import ProfileForm
from profiles.models import CitizenProfile, DataRequest, LearningRecord
from profiles.services.privacy.export import transcript_pdf
from profiles.tests.factories import learning_records_bulk

pytestmark = pytest.mark.django_db

# 22:19 UTC on 29 November is 05:19 on 30 November in Vietnam.
LATE_EVENING_UTC = datetime(2026, 11, 29, 22, 19, tzinfo=UTC)


def _a_big_year(user) -> LearningRecord:
    """One verified record of 1,234.5 hours today, against a goal of 2,000 hours (61 %)."""
    (record,) = learning_records_bulk(user, 1)
    record.hours = Decimal("1234.5")
    record.occurred_on = timezone.localdate()
    record.save(update_fields=["hours", "occurred_on"])
    CitizenProfile.objects.filter(user=user).update(yearly_hours_goal=2000)
    return record


@pytest.mark.parametrize(
    ("language", "hours", "percent"),
    [("vi", "1.234,5", "61\u00a0%"), ("en", "1,234.5", "61%")],
)
def test_my_learning_groups_the_thousands_of_hours_and_writes_the_goal_as_a_percent(
    client, personas, language: str, hours: str, percent: str
) -> None:
    record = _a_big_year(personas.learner)
    client.force_login(personas.learner)
    client.cookies["learnprofile_language"] = language

    body = client.get(reverse("my_learning")).content.decode()

    assert f"<dd>\n      {hours}\n    </dd>" in body  # this year, and overall
    assert body.count(f"<dd>\n      {hours}\n    </dd>") == 2
    assert f'<progress id="goal-progress" max="100" value="61">{percent}</progress>' in body
    day = timezone.localdate().strftime("%d/%m/%Y" if language == "vi" else "%-d %b %Y")
    assert f"{day} · " in body
    assert f" · {hours} {'giờ' if language == 'vi' else 'hours'}" in body
    assert record.title in body


@pytest.mark.parametrize(
    ("language", "day", "hours"),
    [("vi", "30/11/2026", "1.234,25"), ("en", "30 Nov 2026", "1,234.25")],
)
def test_the_transcript_writes_every_digit_of_the_hours_and_the_day_on_one_line(
    personas, language: str, day: str, hours: str
) -> None:
    personas.learner.preferred_language = language
    personas.learner.save(update_fields=["preferred_language"])
    (record,) = learning_records_bulk(personas.learner, 1)
    record.hours = Decimal("1234.25")
    record.occurred_on = date(2026, 11, 30)
    record.save(update_fields=["hours", "occurred_on"])

    with pdfplumber.open(io.BytesIO(transcript_pdf(user=personas.learner))) as pdf:
        rows = [row for table in pdf.pages[0].extract_tables() for row in table]

    assert (rows[1][0], rows[1][3]) == (day, hours)


def test_a_data_request_shows_vietnams_day_and_its_progress_as_a_vietnamese_percent(
    client, personas
) -> None:
    client.force_login(personas.learner)
    client.post(reverse("export_request"))
    DataRequest.objects.update(
        requested_at=LATE_EVENING_UTC, acknowledged_at=LATE_EVENING_UTC, progress=40
    )

    body = client.get(reverse("privacy_home")).content.decode()

    assert "Gửi lúc 30/11/2026 05:19; đã xác nhận tiếp nhận lúc 30/11/2026 05:19." in body
    assert 'value="40">40\u00a0%</progress>\n      40\u00a0%\n' in body


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("typed", ["1990-03-05", "05/03/1990", "05-03-1990"])
def test_a_typed_date_of_birth_is_read_day_first_in_either_language(
    language: str, typed: str
) -> None:
    field = ProfileForm.base_fields["date_of_birth"]

    with translation.override(language):
        assert field.clean(typed) == date(1990, 3, 5)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_date_picker_gets_the_iso_date_it_needs_in_either_language(language: str) -> None:
    field = ProfileForm.base_fields["date_of_birth"]

    with translation.override(language):
        html = field.widget.render("date_of_birth", date(1990, 3, 5))

    assert 'type="date"' in html
    assert 'value="1990-03-05"' in html
