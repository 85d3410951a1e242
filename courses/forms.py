"""Forms of the catalog, the manager pages and enrollment. They parse and validate input;
the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Course, CourseMode, Offering
from courses.selectors import SORT_NEAR, SORT_RELEVANCE, SORT_SOON, CatalogFilters
from learnprofile.spreadsheets import UPLOAD_ACCEPT
from learnprofile.widgets import QuickSelect
from profiles import api as profiles_api
from profiles.data import AdministrativeUnitData, LearningCategory

STARTS_WITHIN_CHOICES = [
    ("", _("Bất kỳ lúc nào")),
    ("7", _("Trong 7 ngày tới")),
    ("30", _("Trong 30 ngày tới")),
    ("90", _("Trong 3 tháng tới")),
]
SORT_CHOICES = [
    ("", _("Tự động")),
    (SORT_RELEVANCE, _("Phù hợp nhất")),
    (SORT_NEAR, _("Gần tôi nhất")),
    (SORT_SOON, _("Khai giảng sớm nhất")),
]
WEEKDAY_CHOICES = [
    ("0", _("Thứ Hai")),
    ("1", _("Thứ Ba")),
    ("2", _("Thứ Tư")),
    ("3", _("Thứ Năm")),
    ("4", _("Thứ Sáu")),
    ("5", _("Thứ Bảy")),
    ("6", _("Chủ Nhật")),
]


def _code(value: str) -> int | None:
    """An official unit code from a URL; anything but plain ASCII digits is no code."""
    value = value.strip()
    if not value or not value.isascii() or not value.isdigit() or len(value) > 6:
        return None
    return int(value)


class CatalogFilterForm(forms.Form):
    """The catalog's query string. Never invalid as a whole: a bad value is ignored and the
    other filters still apply, so a shared or mistyped URL still shows courses."""

    q = forms.CharField(label=_("Tìm khóa học"), required=False, max_length=200)
    province = forms.ChoiceField(label=_("Tỉnh/thành phố"), required=False, widget=QuickSelect)
    ward = forms.ChoiceField(label=_("Xã/phường"), required=False, widget=QuickSelect)
    category = forms.ChoiceField(
        label=_("Lĩnh vực"),
        required=False,
        widget=QuickSelect,
        choices=[("", _("Tất cả lĩnh vực")), *LearningCategory.choices],
    )
    mode = forms.ChoiceField(
        label=_("Hình thức"),
        required=False,
        widget=QuickSelect,
        choices=[("", _("Mọi hình thức")), *CourseMode.choices],
    )
    starts_within = forms.ChoiceField(
        label=_("Khai giảng"), required=False, choices=STARTS_WITHIN_CHOICES, widget=QuickSelect
    )
    free = forms.BooleanField(label=_("Chỉ khóa học miễn phí"), required=False)
    has_seats = forms.BooleanField(label=_("Chỉ lớp còn chỗ"), required=False)
    sort = forms.ChoiceField(
        label=_("Sắp xếp"), required=False, choices=SORT_CHOICES, widget=QuickSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provinces = profiles_api.provinces_list()
        self.fields["province"].choices = [
            ("", _("Cả nước")),
            *[(str(unit.code), unit.name) for unit in self.provinces],
        ]
        self.province: AdministrativeUnitData | None = None
        self.ward: AdministrativeUnitData | None = None
        province_code = _code(str(self.data.get("province", "")))
        if province_code is not None:
            self.province = next(
                (unit for unit in self.provinces if unit.code == province_code), None
            )
        wards = (
            profiles_api.wards_of_province(province_id=self.province.id)
            if self.province is not None
            else []
        )
        ward_code = _code(str(self.data.get("ward", "")))
        if ward_code is not None:
            self.ward = next((unit for unit in wards if unit.code == ward_code), None)
            if self.ward is None and self.province is None:
                self.ward = profiles_api.administrative_unit_by_code(level="ward", code=ward_code)
                if self.ward is not None:
                    wards = [self.ward]
        self.fields["ward"].choices = [
            ("", _("Mọi xã/phường")),
            *[(str(unit.code), unit.name) for unit in wards],
        ]

    def filters(self) -> CatalogFilters:
        self.is_valid()  # fields with a bad value are left out of cleaned_data
        data = getattr(self, "cleaned_data", {})  # none on a first visit (unbound form)
        starts_within = data.get("starts_within") or ""
        return CatalogFilters(
            query=str(self.data.get("q", ""))[:200],
            province_id=self.province.id if self.province is not None else None,
            ward_id=self.ward.id if self.ward is not None else None,
            category=data.get("category") or "",
            mode=data.get("mode") or "",
            free_only=bool(data.get("free")),
            starts_within_days=int(starts_within) if starts_within else None,
            has_seats=bool(data.get("has_seats")),
            sort=data.get("sort") or "",
        )


class CourseForm(forms.ModelForm):
    tags_text = forms.CharField(
        label=_("Kỹ năng, từ khóa"),
        required=False,
        max_length=600,
        help_text=_("Cách nhau bằng dấu phẩy, ví dụ: Zalo, thanh toán điện tử."),
    )

    class Meta:
        model = Course
        fields = [
            "title",
            "summary",
            "description",
            "category",
            "level",
            "language",
            "hours",
            "mode",
            "fee",
            "audience",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tags_text"].initial = ", ".join(self.instance.tags)

    def course_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["tags"] = [tag for tag in self.cleaned_data["tags_text"].split(",") if tag.strip()]
        return fields


class WardPickerMixin(forms.Form):
    """A ward chosen among the matches of a typed name (htmx refreshes the list as one
    types; without JavaScript the "Find" button reloads the form with the matches)."""

    ward_query = forms.CharField(label=_("Tìm xã/phường"), required=False, max_length=100)
    ward = forms.TypedChoiceField(label=_("Xã/phường"), coerce=int, choices=[])

    def ward_choices_set(self, current: AdministrativeUnitData | None) -> None:
        query = str(self.data.get("ward_query", "")) if self.is_bound else ""
        units = profiles_api.wards_search(query=query) if query else []
        if current is not None and current.id not in {unit.id for unit in units}:
            units.insert(0, current)
        submitted = _code(str(self.data.get("ward", ""))) if self.is_bound else None
        if submitted is not None and submitted not in {unit.id for unit in units}:
            unit = profiles_api.administrative_unit_get(unit_id=submitted)
            if unit is not None and unit.province_id is not None:
                units.append(unit)
        self.fields["ward"].choices = [
            ("", _("— Chọn trong danh sách —")),
            *[(unit.id, f"{unit.name}, {unit.province_name}") for unit in units],
        ]


class OfferingForm(WardPickerMixin, forms.ModelForm):
    # The bounds of the database's offering_capacity_range, with its message: the phone's
    # number pad gets min and max, and -5 is told the same rule as 0 or 20,000.
    capacity = forms.IntegerField(
        label=_("Số chỗ"),
        min_value=1,
        max_value=10_000,
        error_messages={
            "min_value": _("Số chỗ phải từ 1 đến 10.000."),
            "max_value": _("Số chỗ phải từ 1 đến 10.000."),
        },
    )

    class Meta:
        model = Offering
        fields = [
            "venue",
            "starts_on",
            "ends_on",
            "capacity",
            "enrollment_opens_at",
            "enrollment_closes_at",
            "minimum_attendance_percent",
            "requires_assessment",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "enrollment_opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "enrollment_closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    field_order = ["ward_query", "ward", *Meta.fields]

    def __init__(self, *args: Any, default_ward_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ward_id = self.instance.ward_id if self.instance.pk else default_ward_id
        current = profiles_api.administrative_unit_get(unit_id=ward_id) if ward_id else None
        self.ward_choices_set(current)
        if current is not None and not self.is_bound:
            self.fields["ward"].initial = current.id

    def offering_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


SESSION_END_HELP = _(
    "Sớm hơn giờ bắt đầu nghĩa là buổi học kết thúc vào ngày hôm sau; dài tối đa 12 giờ."
)


class RecurrenceForm(forms.Form):
    weekdays = forms.MultipleChoiceField(
        label=_("Các ngày trong tuần"),
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.TimeField(
        label=_("Giờ bắt đầu"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends_at = forms.TimeField(
        label=_("Giờ kết thúc"),
        help_text=SESSION_END_HELP,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    first_day = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    weeks = forms.IntegerField(label=_("Số tuần"), min_value=1, max_value=52, initial=8)
    room = forms.CharField(label=_("Phòng học"), required=False, max_length=100)


class OfferingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do hủy (gửi cho người học)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OfferingImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV hoặc Excel (.xlsx)"),
        help_text=_(
            "Tối đa 2 MB; dòng đầu là tên cột. Tệp Excel: trang tính đầu tiên. Tệp CSV: mã hóa "
            "UTF-8, phân cách bằng dấu phẩy, dấu chấm phẩy hoặc tab."
        ),
        widget=forms.FileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )


# --- Attendance and walk-in learners --------------------------------------------------------


class MarksImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV hoặc Excel (.xlsx)"),
        help_text=_(
            "Tối đa 1 MB; tệp CSV mã hóa UTF-8. Hãy tải danh sách của buổi học (CSV hoặc Excel) "
            "làm mẫu."
        ),
        widget=forms.FileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )


class LearnerFindForm(forms.Form):
    phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=20)
    national_id = forms.CharField(
        label=_("Số CCCD"),
        required=False,
        max_length=20,
        help_text=_("Chỉ dùng để tìm; hệ thống không lưu số này ở dạng đọc được."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("phone", "").strip() and not cleaned.get("national_id", "").strip():
            raise forms.ValidationError(_("Hãy nhập số điện thoại hoặc số CCCD để tìm."))
        return cleaned


class WalkInForm(WardPickerMixin, forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    birth_year = forms.IntegerField(label=_("Năm sinh"), min_value=1900, max_value=2100)
    phone = forms.CharField(
        label=_("Số điện thoại"),
        required=False,
        max_length=20,
        help_text=_("Không bắt buộc, nhưng giúp tìm lại người học."),
    )
    national_id = forms.CharField(
        label=_("Số CCCD (không bắt buộc)"),
        required=False,
        max_length=20,
        help_text=_("Chỉ lưu dạng mã hóa một chiều, để tìm lại người học."),
    )
    # Shown once the number turned out to be on other people's profiles (PhoneShared).
    confirm_shared_phone = forms.BooleanField(label=_("Vẫn đăng ký với số này"), required=False)

    field_order = [
        "full_name",
        "birth_year",
        "phone",
        "confirm_shared_phone",
        "ward_query",
        "ward",
        "national_id",
    ]

    def __init__(self, *args: Any, default_ward_id: int | None = None, **kwargs: Any) -> None:
        # On the walk-in page the look-up form has fields of the same names: its own ids
        # (the field names, and so what is posted, stay) keep each label on its own input.
        kwargs.setdefault("auto_id", "register_%s")
        super().__init__(*args, **kwargs)
        self.phone_note = ""
        # Set by the view when the number is on other people's profiles: the confirmation
        # box is shown.
        self.phone_is_shared = False
        current = (
            profiles_api.administrative_unit_get(unit_id=default_ward_id)
            if default_ward_id
            else None
        )
        self.ward_choices_set(current)
        if current is not None and not self.is_bound:
            self.fields["ward"].initial = current.id

    def clean_phone(self) -> str:
        """E.164 or ""; `phone_note` says when an old 11-digit mobile number was converted."""
        phone: str = self.cleaned_data["phone"]
        if not phone.strip():
            return ""
        number = profiles_api.phone_parse(phone)
        self.phone_note = number.note
        return number.e164

    def service_fields(self) -> dict[str, Any]:
        return {
            "full_name": self.cleaned_data["full_name"],
            "birth_year": self.cleaned_data["birth_year"],
            "phone": self.cleaned_data["phone"],
            "ward_id": self.cleaned_data["ward"],
            "national_id": self.cleaned_data["national_id"],
            "confirm_shared_phone": self.cleaned_data["confirm_shared_phone"],
        }


class ClaimUndoForm(forms.Form):
    claim = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Lý do hoàn tác"), max_length=300)


class SessionMoveForm(forms.Form):
    """Move one session (or change its room); everyone enrolled is told."""

    day = forms.DateField(label=_("Ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.TimeField(
        label=_("Giờ bắt đầu"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends_at = forms.TimeField(
        label=_("Giờ kết thúc"),
        help_text=SESSION_END_HELP,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    room = forms.CharField(label=_("Phòng học"), required=False, max_length=100)
    reason = forms.CharField(label=_("Lý do (gửi cho người học)"), required=False, max_length=300)


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do hủy buổi học (gửi cho người học)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
