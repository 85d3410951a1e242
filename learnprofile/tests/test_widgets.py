"""QuickSelect writes what Django's Select writes: same options, selection and escaping."""

import re

from django import forms

from learnprofile.widgets import QuickSelect

CHOICES = [("", "Cả nước"), ("66", "Đắk Lắk"), ("1", 'Hà Nội & "<b>"')]


def options(html: str) -> list[tuple[str, bool, str]]:
    return [
        (value, bool(selected), label)
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html
        )
    ]


def test_quick_select_renders_the_options_of_djangos_select() -> None:
    attrs = {"id": "id_province", "aria-describedby": "province-help"}
    django_html = forms.Select(choices=CHOICES).render("province", "1", attrs)
    quick_html = QuickSelect(choices=CHOICES).render("province", "1", attrs)

    assert options(quick_html) == options(django_html)
    assert options(quick_html)[2] == ("1", True, "Hà Nội &amp; &quot;&lt;b&gt;&quot;")
    assert quick_html.startswith('<select name="province"')
    assert ' id="id_province"' in quick_html
    assert ' aria-describedby="province-help"' in quick_html


def test_quick_select_without_a_value_selects_the_empty_choice_as_django_does() -> None:
    django_html = forms.Select(choices=CHOICES).render("p", None)
    quick_html = QuickSelect(choices=CHOICES).render("p", None)
    assert options(quick_html) == options(django_html)
    assert [value for value, selected, _ in options(quick_html) if selected] == [""]
