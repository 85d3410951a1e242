from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from learnprofile.forms import form_field
from learnprofile.text import person_name_normalise
from profiles.models import (
    AdministrativeUnit,
    CitizenProfile,
    Language,
    validate_date_of_birth,
)
from profiles.national_id import national_id_normalise
from profiles.phone import PhoneNumber, phone_parse
from profiles.selectors import ward_search


class ProfileForm(forms.Form):
    """The citizen's own profile. The ward is picked from a short list of matches for what
    was typed in `ward_query` (works without JavaScript; htmx refreshes the list as you type)."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    ward_query = forms.CharField(
        label=_("Tìm xã/phường (gõ không dấu cũng được)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    residence_ward = forms.ModelChoiceField(
        label=_("Xã/phường nơi cư trú"),
        queryset=AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.WARD),
        required=False,
        empty_label=_("— Chưa chọn —"),
    )
    preferred_language = forms.ChoiceField(label=_("Ngôn ngữ"), choices=Language.choices)
    national_id = forms.CharField(
        label=_("Số định danh cá nhân (CCCD, 12 chữ số)"),
        required=False,
        max_length=20,
        help_text=_("Chỉ lưu dạng mã hoá một chiều và 4 số cuối. Để trống nếu không đổi."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(
        self, *args: Any, profile: CitizenProfile, ward_query: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.profile = profile
        self.phone_number: PhoneNumber | None = None
        query = (self.data.get("ward_query") if self.is_bound else ward_query) or ""
        choices = list(ward_search(query=query)) if query else []
        current = profile.residence_ward
        source = self.data if self.is_bound else self.initial
        try:
            selected_id = int(source.get("residence_ward") or 0)
        except (TypeError, ValueError):
            selected_id = 0  # not a number: the field's own validation reports it
        if selected_id:
            selected = (
                AdministrativeUnit.objects.select_related("parent")
                .filter(pk=selected_id, level=AdministrativeUnit.Level.WARD)
                .first()
            )
            if selected is not None:
                current = selected
        if current is not None and current not in choices:
            choices.insert(0, current)
        field = form_field(self, "residence_ward", forms.ModelChoiceField)
        field.widget.choices = [("", field.empty_label)] + [
            (unit.pk, str(unit)) for unit in choices
        ]

    def clean_date_of_birth(self) -> date | None:
        value: date | None = self.cleaned_data["date_of_birth"]
        if value is not None:
            validate_date_of_birth(value)
        return value

    def clean_phone(self) -> str:
        """E.164, or "" for no number; `phone_number` keeps the parsed number (its `note`
        says when an old 11-digit mobile number was converted)."""
        phone: str = self.cleaned_data["phone"]
        self.phone_number = phone_parse(phone) if phone.strip() else None
        return self.phone_number.e164 if self.phone_number is not None else ""

    def clean_national_id(self) -> str | None:
        raw: str = self.cleaned_data["national_id"]
        return national_id_normalise(raw) if raw else None

    def clean_full_name(self) -> str:
        name = person_name_normalise(self.cleaned_data["full_name"])
        if not name:
            raise ValidationError(_("Vui lòng nhập họ và tên."))
        return name
