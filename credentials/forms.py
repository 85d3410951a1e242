"""Forms of the issuer's pages: the certificate template, the three ways to issue, revoking."""

import io
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from credentials.models import Achievement
from credentials.services.batches import REASON_MAX_LENGTH, REASON_MIN_LENGTH
from learnprofile.forms import form_field
from learnprofile.spreadsheets import UPLOAD_ACCEPT

IMAGE_MAX_BYTES = 512 * 1024
IMAGE_MAX_SIDE = 512
# A small file can still hold a huge image (PNG compresses flat colour well): refuse it
# before its pixels are decoded.
IMAGE_MAX_SOURCE_SIDE = 4096


# Not subscriptable at runtime (no django_stubs_ext.monkeypatch), hence the bare generic.
class AchievementForm(forms.ModelForm):  # type: ignore[type-arg]
    course_ids = forms.TypedMultipleChoiceField(
        label=_("Khóa học được cấp chứng chỉ này"),
        coerce=uuid.UUID,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Người học hoàn thành một lớp của các khóa này được cấp tự động."),
    )
    image = forms.FileField(label=_("Hình huy hiệu (PNG hoặc JPEG, tối đa 512 KB)"), required=False)

    class Meta:
        model = Achievement
        fields = [
            "name_vi",
            "name_en",
            "description_vi",
            "description_en",
            "criteria",
            "achievement_type",
            "category",
            "hours",
            "credits",
            "valid_for_days",
            "is_active",
        ]
        labels = {
            "hours": _("số giờ"),
            "credits": _("số tín chỉ"),
            "is_active": _("đang dùng (bỏ chọn để ngừng cấp)"),
        }

    def __init__(self, *args: Any, courses: list[tuple[uuid.UUID, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "course_ids", forms.ChoiceField).choices = courses
        if self.instance.pk:
            self.initial["course_ids"] = list(self.instance.course_ids)

    def clean_image(self) -> bytes | None:
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        if upload.size > IMAGE_MAX_BYTES:
            raise ValidationError(_("Hình quá lớn (tối đa 512 KB)."))
        try:
            with Image.open(upload) as image:
                if image.format not in ("PNG", "JPEG"):
                    raise ValidationError(_("Hình phải là PNG hoặc JPEG."))
                if max(image.size) > IMAGE_MAX_SOURCE_SIDE:
                    raise ValidationError(_("Hình quá lớn (tối đa 4096 điểm ảnh mỗi chiều)."))
                image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
                output = io.BytesIO()
                # Re-encoded: nothing of the upload but its pixels is kept or served.
                image.convert("RGBA").save(output, format="PNG", optimize=True)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
            raise ValidationError(_("Không đọc được hình này.")) from error
        return output.getvalue()

    def save(self, commit: bool = True) -> Achievement:
        achievement: Achievement = super().save(commit=False)
        achievement.course_ids = list(self.cleaned_data["course_ids"])
        if self.cleaned_data.get("image"):
            achievement.image_png = self.cleaned_data["image"]
        if commit:
            achievement.save()
        return achievement


class IssueOneForm(forms.Form):
    contact = forms.CharField(
        label=_("Email hoặc số điện thoại của người học"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    offering = forms.TypedChoiceField(
        label=_("Lớp đã hoàn thành"),
        coerce=uuid.UUID,
        required=False,
        empty_value=None,
        help_text=_(
            "Để trống khi đơn vị tự xác nhận, không theo một lớp học: khi đó cần ghi lý do ở "
            "bước xem trước."
        ),
    )

    def __init__(self, *args: Any, offerings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offering = form_field(self, "offering", forms.ChoiceField)
        offering.choices = [("", _("— Không theo lớp học —")), *offerings]


class IssueConfirmForm(forms.Form):
    """The preview's confirmation: the written reason when someone is issued without a class,
    and the administrator's confirmation of it for people with no tie to the organization
    (`credentials.services.batches.batch_create` decides; the browser is only told)."""

    reason = forms.CharField(
        label=_("Lý do cấp không theo lớp học"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_reason = forms.BooleanField(
        label=_(
            "Tôi xác nhận lý do trên là xác đáng để cấp cho người chưa từng học lớp nào của đơn vị"
        ),
        required=False,
    )

    def __init__(self, *args: Any, needs_reason: bool, untied_count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not needs_reason:
            del self.fields["reason"]
        else:
            # In the active language when shown (a lazy text would be formatted on import).
            self.fields["reason"].help_text = gettext(
                "Ghi rõ căn cứ cấp chứng chỉ (ít nhất %(min)d ký tự). Lý do được lưu cùng đợt "
                "cấp và trong nhật ký."
            ) % {"min": REASON_MIN_LENGTH}
            # Told in the browser too; the service decides.
            self.fields["reason"].widget.attrs.update(
                {"required": True, "minlength": REASON_MIN_LENGTH}
            )
        if not untied_count:
            del self.fields["confirm_reason"]
        else:
            self.fields["confirm_reason"].widget.attrs["required"] = True


class IssueOfferingForm(forms.Form):
    offering = forms.TypedChoiceField(label=_("Lớp"), coerce=uuid.UUID)

    def __init__(self, *args: Any, offerings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "offering", forms.ChoiceField).choices = offerings


class IssueCsvForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV hoặc Excel (.xlsx)"),
        help_text=_(
            "Cột “contact”: email hoặc số điện thoại; cột “offering” (không bắt buộc): mã lớp. "
            "Dòng không có mã lớp là cấp không theo lớp học, cần ghi lý do ở bước xem trước. "
            "Tối đa 1 MB; tệp CSV mã hóa UTF-8."
        ),
        widget=forms.FileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Lý do được lưu trong nhật ký. Trang kiểm tra công khai chỉ ghi chứng chỉ đã bị thu hồi và ngày thu hồi."
        ),
    )
