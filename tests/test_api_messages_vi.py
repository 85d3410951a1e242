"""DRF's English-only refusals reach API clients in the person's language (issue 18, finding 9):
a body DRF cannot parse, a session request without its CSRF token."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_multipart_body_without_boundary_is_refused_in_vietnamese(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.put("/api/v1/me/", "full_name=x", content_type="multipart/form-data")

    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith(
        "Không đọc được biểu mẫu gửi lên (multipart/form-data). Chi tiết kỹ thuật: "
    )
    assert "Multipart form parse error" not in message


def test_a_session_write_without_csrf_token_is_refused_in_vietnamese(personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.learner)

    response = client.put("/api/v1/me/", {"full_name": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Yêu cầu bị từ chối vì thiếu hoặc sai mã chống giả mạo (CSRF). Hãy tải lại trang rồi"
        " thử lại. (CSRF cookie not set.)"
    )


def test_vendor_vietnamese_spells_ky_tu_and_khoa_as_the_site_does() -> None:
    from django import forms
    from django.utils import translation
    from django.utils.translation import gettext

    field = forms.CharField(max_length=3)
    with translation.override("vi"):
        with pytest.raises(forms.ValidationError) as refusal:
            field.clean("abcd")
        message = refusal.value.messages[0]
        assert message == "Giá trị này chỉ được có tối đa 3 ký tự (hiện có 4)."
        assert gettext("Key") == "Khóa"
        assert gettext("Authenticator secret") == "Khóa bí mật của ứng dụng xác thực"
