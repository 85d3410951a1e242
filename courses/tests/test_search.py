"""Vietnamese search: accents and case optional, đ folds to d, places searchable."""

import pytest

from conftest import Personas
from courses.selectors import CatalogFilters, Place, catalog_search
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
    assert titles("tin hoc co ba") == ["Tin học cơ bản"]


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
