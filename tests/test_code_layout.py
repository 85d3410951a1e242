"""A check-in or claim code is read aloud and typed from a phone: on a 360 px screen it
stays on one line (a claim code broke at its hyphen)."""

import pytest
from django.urls import reverse

from courses.tests.factories import class_make
from profiles.tests.factories import with_mfa
from tests.test_credential_journey import _signed_in


@pytest.mark.browser
@pytest.mark.parametrize("phone", [False], indirect=True, ids=["without-javascript"])
def test_the_check_in_code_stays_on_one_line_on_a_360_px_phone(
    live_server, personas, phone
) -> None:
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=1, sessions=1)
    with_mfa(personas.center_staff)
    _signed_in(phone, personas.center_staff, live_server)

    phone.goto(live_server.url + reverse("session_checkin_screen", args=[klass.current.public_id]))
    code = phone.locator(".checkin-code")
    # The widest code shown in this style: a walk-in's claim code (8 letters, a hyphen), shown
    # once after registration, set here in the same element.
    code.evaluate("(element, text) => { element.textContent = text; }", "WWWW-MMMM")
    lines = code.evaluate(
        "element => { const range = document.createRange(); range.selectNodeContents(element);"
        " return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size; }"
    )

    assert code.inner_text() == "WWWW-MMMM"
    assert lines == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
