"""A regional administrator's broadcast form."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from learnprofile.forms import form_field
from notices.channels import channels_available
from notices.models import Broadcast
from profiles.data import AdministrativeUnitData


# Not subscriptable at runtime (no django_stubs_ext.monkeypatch), hence the bare generic.
class BroadcastForm(forms.ModelForm):  # type: ignore[type-arg]
    """A regional administrator's message: the area is one of theirs."""

    unit = forms.TypedChoiceField(label=_("Gửi tới người dân ở"), coerce=int)

    class Meta:
        model = Broadcast
        fields = ["channel", "subject_vi", "body_vi", "subject_en", "body_en", "per_minute"]
        widgets = {
            "body_vi": forms.Textarea(attrs={"rows": 8}),
            "body_en": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "subject_en": _(
                "Người chọn tiếng Anh nhận bản này; để trống thì họ nhận bản tiếng Việt."
            ),
            "per_minute": _("Gửi dần để máy chủ thư và nhà mạng không bị quá tải."),
        }

    def __init__(self, *args: Any, units: list[AdministrativeUnitData], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "unit", forms.ChoiceField).choices = [
            (unit.id, f"{unit.name}, {unit.province_name}" if unit.province_name else unit.name)
            for unit in units
        ]
        # Only the channels that deliver here (SMS and Zalo when their backend is set).
        channel = form_field(self, "channel", forms.ChoiceField)
        channel.choices = [(option.value, option.label) for option in channels_available()]
        channel.error_messages["invalid_choice"] = _(
            "Hệ thống chưa bật gửi qua kênh “%(value)s”. Vui lòng chọn một kênh có trong danh sách."
        )
        self.order_fields(["unit"])
