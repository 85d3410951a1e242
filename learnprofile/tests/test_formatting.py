"""Dates, times and numbers for people: one way per language, always in Vietnam's time."""

import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from learnprofile import formatting

# 22:19 UTC on Sunday 29 November is 05:19 on Monday 30 November in Vietnam.
LATE_EVENING_UTC = datetime(2026, 11, 29, 22, 19, tzinfo=UTC)


@pytest.fixture
def vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_a_moment_late_in_the_utc_evening_is_the_next_day_in_vietnam(vietnamese) -> None:
    assert formatting.date_for_people(LATE_EVENING_UTC) == "30/11/2026"
    assert formatting.datetime_for_people(LATE_EVENING_UTC) == "30/11/2026 05:19"
    assert formatting.time_for_people(LATE_EVENING_UTC) == "05:19"


def test_a_moment_in_another_zone_is_shown_in_vietnams_time(vietnamese) -> None:
    in_paris = LATE_EVENING_UTC.astimezone(timezone(timedelta(hours=1)))

    assert formatting.datetime_for_people(in_paris) == "30/11/2026 05:19"


def test_english_writes_the_month_as_a_word(english) -> None:
    assert formatting.date_for_people(LATE_EVENING_UTC) == "30 Nov 2026"
    assert formatting.datetime_for_people(LATE_EVENING_UTC) == "30 Nov 2026, 05:19"
    assert formatting.time_for_people(LATE_EVENING_UTC) == "05:19"


def test_the_long_date_starts_with_the_weekday_in_vietnamese(vietnamese) -> None:
    assert formatting.long_date_for_people(LATE_EVENING_UTC) == "Thứ 2, 30/11/2026"
    assert formatting.long_datetime_for_people(LATE_EVENING_UTC) == "Thứ 2, 30/11/2026 05:19"


def test_the_long_date_starts_with_the_weekday_in_english(english) -> None:
    assert formatting.long_date_for_people(LATE_EVENING_UTC) == "Monday, 30 November 2026"
    assert (
        formatting.long_datetime_for_people(LATE_EVENING_UTC) == "Monday, 30 November 2026, 05:19"
    )


def test_a_date_is_the_same_day_whatever_the_zone(vietnamese) -> None:
    assert formatting.date_for_people(date(2026, 3, 5)) == "05/03/2026"
    assert formatting.datetime_for_people(date(2026, 3, 5)) == "05/03/2026"
    assert formatting.long_datetime_for_people(date(2026, 3, 5)) == "Thứ 5, 05/03/2026"


def test_a_naive_datetime_is_taken_as_utc(vietnamese) -> None:
    naive = datetime(2026, 11, 29, 22, 19)  # noqa: DTZ001 - what the test is about

    assert formatting.datetime_for_people(naive) == "30/11/2026 05:19"
    assert formatting.time_for_people(naive) == "05:19"


def test_an_iso_string_as_signed_in_a_credential_is_read(vietnamese) -> None:
    assert formatting.datetime_for_people("2026-11-29T22:19:00Z") == "30/11/2026 05:19"
    assert formatting.date_for_people("2026-11-29T22:19:00+00:00") == "30/11/2026"
    assert formatting.time_for_people("2026-11-29T22:19:00Z") == "05:19"


def test_an_iso_string_of_a_day_is_that_day_not_a_moment(vietnamese) -> None:
    assert formatting.date_for_people("2026-11-29") == "29/11/2026"
    assert formatting.datetime_for_people("2026-11-29") == "29/11/2026"


def test_a_time_of_day_is_shown_as_it_is(english) -> None:
    assert formatting.time_for_people(time(7, 5)) == "07:05"


@pytest.mark.parametrize("empty", [None, "", "not a date", "30/11/2026"])
def test_nothing_readable_shows_nothing(vietnamese, empty) -> None:
    assert formatting.date_for_people(empty) == ""
    assert formatting.long_date_for_people(empty) == ""
    assert formatting.long_datetime_for_people(empty) == ""
    assert formatting.datetime_for_people(empty) == ""
    assert formatting.time_for_people(empty) == ""


def test_numbers_group_thousands_the_vietnamese_way(vietnamese) -> None:
    assert formatting.number_for_people(1234567) == "1.234.567"
    assert formatting.number_for_people(Decimal("1234.50")) == "1.234,5"
    assert formatting.number_for_people(Decimal("12.0")) == "12"
    assert formatting.number_for_people(2, 1) == "2,0"


def test_numbers_group_thousands_the_english_way(english) -> None:
    assert formatting.number_for_people(1234567) == "1,234,567"
    assert formatting.number_for_people(Decimal("1234.50")) == "1,234.5"


def test_negative_decimal_places_round_and_drop_trailing_zeros(vietnamese) -> None:
    assert formatting.number_for_people(Decimal("12.25"), -1) == "12,3"
    assert formatting.number_for_people(Decimal("12.00"), -1) == "12"
    assert formatting.number_for_people(Decimal("1234.04"), -1) == "1.234"


@pytest.mark.parametrize("empty", [None, "", "many", float("nan"), float("inf")])
def test_a_number_that_is_not_one_shows_nothing(vietnamese, empty) -> None:
    assert formatting.number_for_people(empty) == ""
    assert formatting.percent_for_people(empty) == ""
    assert formatting.money_for_people(empty) == ""


def test_fixed_decimal_places_round_half_up_rather_than_cut_the_digits(vietnamese) -> None:
    assert formatting.number_for_people(Decimal("66.7"), 0) == "67"
    assert formatting.number_for_people(Decimal("2.45"), 1) == "2,5"
    assert formatting.money_for_people(Decimal("299999.6")) == "300.000\u00a0đ"


def test_percent_in_vietnamese_has_a_no_break_space_before_the_sign(vietnamese) -> None:
    assert formatting.percent_for_people(100) == "100\u00a0%"
    assert formatting.percent_for_people(Decimal("66.7")) == "66,7\u00a0%"


def test_percent_in_english_sticks_to_the_number(english) -> None:
    assert formatting.percent_for_people(100) == "100%"
    assert formatting.percent_for_people(Decimal("66.7")) == "66.7%"


def test_money_is_in_dong_with_grouped_thousands(vietnamese) -> None:
    assert formatting.money_for_people(300000) == "300.000\u00a0đ"
    assert formatting.money_for_people(0) == "0\u00a0đ"


def test_money_in_english_is_written_vnd(english) -> None:
    assert formatting.money_for_people(300000) == "300,000\u00a0VND"


def render(source: str, **context: object) -> str:
    return Template("{% load people %}" + source).render(Context(context))


def test_the_template_filters_format_as_the_module_does(vietnamese) -> None:
    moment = LATE_EVENING_UTC

    assert render("{{ x|people_date }}", x=moment) == "30/11/2026"
    assert render("{{ x|people_datetime }}", x=moment) == "30/11/2026 05:19"
    assert render("{{ x|people_long_date }}", x=moment) == "Thứ 2, 30/11/2026"
    assert render("{{ x|people_long_datetime }}", x=moment) == "Thứ 2, 30/11/2026 05:19"
    assert render("{{ x|people_time }}", x=moment) == "05:19"
    assert render("{{ x|people_money }}", x=300000) == "300.000\u00a0đ"


def test_the_number_filters_take_decimal_places_as_floatformat_does(vietnamese) -> None:
    hours = Decimal("1234.25")

    assert render("{{ x|people_number }}", x=hours) == "1.234,25"
    assert render("{{ x|people_number:1 }}", x=Decimal(12)) == "12,0"
    assert render('{{ x|people_number:"-1" }}', x=hours) == "1.234,3"
    assert render("{{ x|people_number:-1 }}", x=Decimal("12.00")) == "12"
    assert render('{{ x|people_percent:"0" }}', x=Decimal("66.7")) == "67\u00a0%"


# --- Masked names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Thị Lan", "Nguyễn T. L."),
        ("Đỗ đình Đạt", "Đỗ Đ. Đ."),
        ("Lò Văn Páo", "Lò V. P."),
        ("Nguyễn Ánh", "Nguyễn Á."),
        ("Lan", "L."),
        ("  Nguyễn   Thị\tLan  ", "Nguyễn T. L."),
        ("Nguye\u0302\u0303n Thi\u0323 \u0111a\u0300o", "Nguyễn T. Đ."),
        ("Nguyễn Thị\x00Lan", "Nguyễn T. L."),
        ("Trần - Bình", "Trần B."),
        ("", ""),
        ("   ", ""),
    ],
    ids=[
        "three-words",
        "d-with-stroke",
        "minority-name",
        "accented-initial",
        "one-word",
        "extra-spaces",
        "decomposed",
        "control-character",
        "lone-dash",
        "empty",
        "blank",
    ],
)
def test_a_masked_name_keeps_the_family_name_and_the_initials(name, masked) -> None:
    assert formatting.person_name_masked(name) == masked


def test_a_masked_name_is_in_nfc() -> None:
    masked = formatting.person_name_masked("Nguye\u0302\u0303n e\u0302\u0301 Lan")

    assert masked == "Nguyễn Ế. L."
    assert masked == unicodedata.normalize("NFC", masked)
