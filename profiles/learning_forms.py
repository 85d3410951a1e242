"""Forms of the learning profile, households and data rights pages (thin: values only)."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from learnprofile.forms import form_field
from learnprofile.text import typed_code_normalise
from profiles.data import LearningCategory
from profiles.evidence import CheckedEvidence, evidence_check
from profiles.models import ConsentRecord, LearningRecord, Organization


class LearningFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Năm"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("Lĩnh vực"), required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = form_field(self, "year", forms.ChoiceField)
        year.choices = [("", _("Tất cả các năm")), *[(y, y) for y in years]]
        category = form_field(self, "category", forms.ChoiceField)
        category.choices = [("", _("Tất cả lĩnh vực")), *LearningCategory.choices]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files in one input; each is checked by size and by its bytes."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[CheckedEvidence]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(uploads) > settings.EVIDENCE_MAX_FILES:
            raise ValidationError(
                _("Chỉ được gửi tối đa %(count)d tệp.") % {"count": settings.EVIDENCE_MAX_FILES}
            )
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(evidence_check(super().clean(upload, initial)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class SelfReportForm(forms.Form):
    title = forms.CharField(label=_("Bạn đã học gì?"), max_length=300)
    category = forms.ChoiceField(label=_("Lĩnh vực"), choices=LearningCategory.choices)
    provider_name = forms.CharField(
        label=_("Học ở đâu (sách, trang web, nơi tổ chức)"), max_length=200, required=False
    )
    hours = forms.DecimalField(
        label=_("Số giờ học"),
        min_value=Decimal(0),
        max_value=Decimal(10000),
        decimal_places=2,
        initial=Decimal(1),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )
    started_on = forms.DateField(
        label=_("Ngày bắt đầu"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ended_on = forms.DateField(
        label=_("Ngày kết thúc"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    url = forms.URLField(
        label=_("Đường dẫn (nếu có)"), required=False, max_length=500, assume_scheme="https"
    )
    verifier_organization = forms.ModelChoiceField(
        label=_("Nhờ đơn vị xác nhận (không bắt buộc)"),
        queryset=Organization.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("— Không nhờ xác nhận —"),
    )
    evidence = EvidenceField(
        label=_("Minh chứng: ảnh hoặc PDF (không bắt buộc)"),
        required=False,
        help_text=_("Tối đa 5 tệp PDF, JPEG, PNG hoặc WebP, mỗi tệp không quá 10 MB."),
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        verifier = form_field(self, "verifier_organization", forms.ModelChoiceField)
        verifier.queryset = organizations


class GoalsForm(forms.Form):
    learning_interests = forms.MultipleChoiceField(
        label=_("Lĩnh vực bạn muốn học tiếp"),
        choices=LearningCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    yearly_hours_goal = forms.IntegerField(
        label=_("Mục tiêu số giờ học mỗi năm"),
        required=False,
        min_value=1,
        max_value=2000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


# Not subscriptable at runtime (no django_stubs_ext.monkeypatch), hence the bare generic.
class PublicRecordChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: LearningRecord) -> str:
        return f"{obj.title} ({obj.occurred_on:%Y})"


class PublicProfileForm(forms.Form):
    is_enabled = forms.BooleanField(
        label=_("Bật hồ sơ công khai (ai có đường dẫn đều xem được)"), required=False
    )
    display_name = forms.CharField(label=_("Tên hiển thị"), max_length=150, required=False)
    headline = forms.CharField(label=_("Giới thiệu ngắn"), max_length=200, required=False)
    records = PublicRecordChoiceField(
        label=_("Những mục hiện trên hồ sơ công khai"),
        queryset=LearningRecord.objects.none(),
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, records: QuerySet[LearningRecord], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "records", forms.ModelMultipleChoiceField).queryset = records


class HouseholdCreateForm(forms.Form):
    name = forms.CharField(label=_("Tên gia đình"), max_length=100)


class HouseholdInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email của người được mời"), required=False)
    phone = forms.CharField(
        label=_("Hoặc số điện thoại"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )


class JoinCodeForm(forms.Form):
    """A household invitation code as typed; `cleaned_data["code"]` is its stored form (ten
    ASCII letters and digits, upper case), whatever full-width forms, spaces or dashes were
    typed (learnprofile.text.typed_code_normalise)."""

    code = forms.CharField(
        label=_("Mã mời"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        code = typed_code_normalise(self.cleaned_data["code"]).upper()
        if not re.fullmatch(r"[A-Z0-9]{10}", code):
            raise forms.ValidationError(_("Mã mời gồm 10 chữ và số."), code="invalid")
        return code


class ConsentForm(forms.Form):
    """One checkbox per purpose; the page shows each with its notice."""

    def __init__(self, *args: Any, current: dict[str, ConsentRecord], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for purpose, label in ConsentRecord.Purpose.choices:
            record = current.get(purpose)
            self.fields[purpose] = forms.BooleanField(
                label=label,
                required=False,
                initial=record is not None and record.is_granted,
            )


class VerificationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[("verify", _("Xác nhận")), ("reject", _("Từ chối"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Lý do (bắt buộc khi từ chối)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeletionConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Tôi hiểu rằng sau thời gian chờ, tài khoản và dữ liệu cá nhân của tôi sẽ bị xóa.")
    )
