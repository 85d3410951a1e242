"""Vietnamese search: accents and case optional, đ folds to d, places searchable."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Personas
from courses.models import Offering
from courses.search import search_terms
from courses.selectors import CatalogFilters, Place, catalog_search, search_planner
from courses.selectors import search as search_module
from courses.services.catalog import course_update
from courses.tests.factories import course_make, offering_make
from profiles.tests.factories import OrganizationFactory, province, ward

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog() -> dict[str, object]:
    hanoi = OrganizationFactory(name="Trung tâm học tập cộng đồng phường Hoàn Kiếm")
    daklak = OrganizationFactory(
        name="Trung tâm học tập cộng đồng xã Ea Kar", ward=ward("xa_ea_kar")
    )
    computing = course_make(hanoi, title="Tin học cơ bản")
    phone = course_make(
        hanoi,
        title="Sử dụng điện thoại thông minh",
        summary="Gọi video, Zalo, thanh toán an toàn cho người cao tuổi.",
    )
    coffee = course_make(
        daklak,
        title="Kỹ thuật trồng cà phê bền vững",
        summary="Tưới tiết kiệm, bón phân hữu cơ.",
        category="agriculture",
    )
    return {
        "computing": offering_make(computing),
        "phone": offering_make(phone),
        "coffee": offering_make(coffee, ward_codename="xa_ea_kar"),
    }


def titles(query: str, **filters: object) -> list[str]:
    page = catalog_search(CatalogFilters(query=query, **filters))  # type: ignore[arg-type]
    return [offering.course.title for offering in page.offerings]


def test_query_without_diacritics_finds_tin_hoc_co_ban(catalog: dict[str, object]) -> None:
    assert titles("tin hoc co ban") == ["Tin học cơ bản"]


def test_query_without_diacritics_finds_smartphone_course(catalog: dict[str, object]) -> None:
    assert titles("dien thoai thong minh") == ["Sử dụng điện thoại thông minh"]


def test_province_name_without_diacritics_finds_offerings_in_dak_lak(
    catalog: dict[str, object],
) -> None:
    assert titles("dak lak") == ["Kỹ thuật trồng cà phê bền vững"]


def test_upper_case_and_d_with_stroke_fold(catalog: dict[str, object]) -> None:
    assert titles("ĐIỆN THOẠI") == titles("dien thoai") == ["Sử dụng điện thoại thông minh"]


def test_last_word_is_a_prefix_for_typing_on_a_phone(catalog: dict[str, object]) -> None:
    assert titles("dien thoai thon") == ["Sử dụng điện thoại thông minh"]


def test_short_last_word_is_a_whole_word_not_a_prefix() -> None:
    # "ho" as a prefix would match hoa, hoc, hong, ...: hundreds of words.
    assert search_terms("buon ho").all_words() == "buon & ho"
    assert search_terms("tin hoc co ban").all_words() == "tin & hoc & co & ban:*"
    assert search_terms("tin hoc co ban").any_word() == "tin | hoc | co | ban:*"


def test_title_match_ranks_before_summary_match(catalog: dict[str, object]) -> None:
    hanoi = OrganizationFactory()
    offering_make(course_make(hanoi, title="Nấu ăn", summary="Dùng điện thoại để tra công thức"))
    assert titles("dien thoai")[0] == "Sử dụng điện thoại thông minh"


def test_mistyped_query_falls_back_to_any_word_marked_approximate(
    catalog: dict[str, object],
) -> None:
    page = catalog_search(CatalogFilters(query="tin hpc co ban"))
    assert page.is_approximate is True
    assert "Tin học cơ bản" in [offering.course.title for offering in page.offerings]


def test_query_of_only_symbols_lists_the_catalog(catalog: dict[str, object]) -> None:
    page = catalog_search(CatalogFilters(query="&|!:*()'\x00"))
    assert page.total == 3
    assert page.words == ()


def test_text_and_province_filter_combine(catalog: dict[str, object]) -> None:
    assert titles("ca phe", province_id=province("dak_lak").pk) == [
        "Kỹ thuật trồng cà phê bền vững"
    ]
    assert titles("ca phe", province_id=province("ha_noi").pk) == []


def test_course_change_is_searchable_at_once(personas: Personas) -> None:
    center = personas.center_manager.memberships.get().organization
    offering = offering_make(course_make(center, title="Tin học cơ bản"))

    course_update(actor=personas.center_manager, course=offering.course, title="Tin học văn phòng")

    assert titles("van phong") == ["Tin học văn phòng"]
    offering.refresh_from_db()
    assert offering.search_title == "tin hoc van phong"


def test_near_me_lists_my_ward_then_my_province_then_elsewhere() -> None:
    center = OrganizationFactory()
    course = course_make(center, title="Kỹ năng sống")
    elsewhere = offering_make(course, ward_codename="phuong_hoan_kiem", venue="Hà Nội")
    same_province = offering_make(course, ward_codename="phuong_buon_ma_thuot", venue="BMT")
    same_ward = offering_make(course, ward_codename="xa_ea_kar", venue="Ea Kar")
    home = ward("xa_ea_kar")
    page = catalog_search(
        CatalogFilters(), place=Place(ward_id=home.pk, province_id=home.parent_id)
    )
    assert page.sort == "near"
    assert [offering.pk for offering in page.offerings] == [
        same_ward.pk,
        same_province.pk,
        elsewhere.pk,
    ]


WINDOW_SQL = "q(query)"  # only the date-ordered walk of the covering index says this


@pytest.fixture
def staggered() -> dict[str, list[int]]:
    """Twelve computing offerings and twelve cooking ones, interleaved by start date."""
    center = OrganizationFactory()
    computing = course_make(center, title="Tin học cơ bản")
    cooking = course_make(center, title="Nấu ăn gia đình")
    soon = date.today() + timedelta(days=1)  # noqa: DTZ011 - a plain date for test data
    made: dict[str, list[int]] = {"computing": [], "cooking": []}
    for day in range(12):
        for name, course in (("cooking", cooking), ("computing", computing)):
            offering = offering_make(course, starts_on=soon + timedelta(days=day))
            made[name].append(offering.pk)
    return made


def search_ids(query: str, **filters: object) -> tuple[list[int], list[str]]:
    with CaptureQueriesContext(connection) as queries:
        page = catalog_search(
            CatalogFilters(query=query, sort="soon", **filters),  # type: ignore[arg-type]
            page_size=50,
        )
    return [offering.pk for offering in page.offerings], [q["sql"] for q in queries]


def test_common_words_are_found_walking_the_dates_without_the_gin_index(
    staggered: dict[str, list[int]],
) -> None:
    ids, sql = search_ids("tin hoc")
    assert ids == staggered["computing"]
    assert any(WINDOW_SQL in statement for statement in sql)
    assert not any("@@" in statement and WINDOW_SQL not in statement for statement in sql)


def test_a_full_window_with_too_few_matches_hands_over_to_the_gin_index(
    staggered: dict[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_planner, "MATCH_WINDOW_ROWS", 4)  # holds 2 of the 12 matches
    ids, sql = search_ids("tin hoc")
    assert ids == staggered["computing"]  # the ones beyond the window too
    assert any(WINDOW_SQL in statement for statement in sql)
    assert any("@@" in statement and WINDOW_SQL not in statement for statement in sql)


def test_enough_matches_in_the_window_stop_the_walk_and_cap_the_count(
    staggered: dict[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_planner, "MATCH_WINDOW_ROWS", 10)
    monkeypatch.setattr(search_module, "CATALOG_MAX_RESULTS", 3)
    page = catalog_search(CatalogFilters(query="tin hoc", sort="soon"))
    assert (page.total, page.total_is_capped) == (3, True)
    assert [offering.pk for offering in page.offerings] == staggered["computing"][:3]


def test_seat_filter_applies_to_the_walk(staggered: dict[str, list[int]]) -> None:
    full = staggered["computing"][0]
    Offering.objects.filter(pk=full).update(enrolled_count=10, capacity=10)
    ids, _ = search_ids("tin hoc", has_seats=True)
    assert ids == staggered["computing"][1:]


def test_rare_words_by_the_column_statistics_go_straight_to_the_gin_index(
    staggered: dict[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    gong = offering_make(course_make(OrganizationFactory(), title="Gốm Chăm Bàu Trúc"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE courses_offering")
    monkeypatch.setattr(search_planner, "_frequencies_cache", (float("-inf"), {}, 0.0))
    monkeypatch.setattr(search_planner, "MATCH_WINDOW_ROWS", 30)
    frequencies, floor = search_planner._word_frequencies()
    assert frequencies["tin"] == pytest.approx(12 / 25)
    assert frequencies.get("gom", floor) <= 1 / 25

    # 30 rows hold about 14 "tin" but not even 2 "gom cham": no walk for those.
    assert search_planner._may_be_common(search_terms("tin"), any_word=False, limit=10)
    assert not search_planner._may_be_common(search_terms("gom cham"), any_word=False, limit=10)
    assert search_planner._may_be_common(search_terms("gom cham tin"), any_word=True, limit=10)
    ids, sql = search_ids("gom cham")
    assert ids == [gong.pk]
    assert not any(WINDOW_SQL in statement for statement in sql)


def test_near_me_with_text_lists_my_ward_then_my_province_then_elsewhere() -> None:
    center = OrganizationFactory()
    course = course_make(center, title="Kỹ năng sống")
    other = course_make(center, title="Nấu ăn gia đình")
    later = date.today() + timedelta(days=20)  # noqa: DTZ011 - a plain date for test data
    elsewhere = offering_make(course, ward_codename="phuong_hoan_kiem")
    same_province = offering_make(course, ward_codename="phuong_buon_ma_thuot")
    same_ward = offering_make(course, ward_codename="xa_ea_kar", starts_on=later)
    offering_make(other, ward_codename="xa_ea_kar")
    home = ward("xa_ea_kar")
    page = catalog_search(
        CatalogFilters(query="ky nang song", sort="near"),
        place=Place(ward_id=home.pk, province_id=home.parent_id),
    )
    assert [offering.pk for offering in page.offerings] == [
        same_ward.pk,
        same_province.pk,
        elsewhere.pk,
    ]
