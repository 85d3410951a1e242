"""Pages that must stay readable without JavaScript and in the person's language when
something is asked the wrong way: a GET on a POST-only action, the API documentation."""

import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

# The home link's wording is already in both catalogs: it shows the page's language.
HOME_LINK = {"vi": "Về trang chủ", "en": "Back to the home page"}


def client_in(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_get_on_post_only_page_answers_405_page_in_the_persons_language(
    personas, language: str
) -> None:
    client = client_in(language)
    client.force_login(personas.learner)
    my_courses = "http://testserver" + reverse("my_courses")

    response = client.get(
        reverse("enrollment_cancel", args=[uuid.uuid4()]), headers={"referer": my_courses}
    )

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert f'href="{my_courses}"' in page
    assert HOME_LINK[language] in page
    assert f'lang="{language}"' in page


@pytest.mark.django_db
def test_405_page_offers_no_way_back_to_another_site(personas) -> None:
    client = client_in("vi")
    client.force_login(personas.learner)

    response = client.get(
        reverse("enrollment_cancel", args=[uuid.uuid4()]),
        headers={"referer": "https://evil.example/phish"},
    )

    assert response.status_code == 405
    page = response.content.decode()
    assert "<h1>Không mở được trang này bằng đường liên kết</h1>" in page
    assert "evil.example" not in page


@pytest.mark.django_db
def test_api_405_stays_the_json_envelope(personas) -> None:
    client = client_in("vi")
    client.force_login(personas.learner)

    response = client.get(reverse("api_enrollment_cancel", args=[uuid.uuid4()]))

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_api_docs_link_to_the_schema_for_a_browser_without_javascript(language: str) -> None:
    response = client_in(language).get(reverse("api_docs"))

    assert response.status_code == 200
    page = response.content.decode()
    noscript = page[page.index("<noscript>") : page.index("</noscript>")]
    assert f'href="{reverse("api_schema")}"' in noscript
    assert f'lang="{language}"' in noscript


CSRF_TITLE = {"vi": "Biểu mẫu đã hết hạn", "en": "This form has expired"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_form_without_its_csrf_token_answers_403_page_in_the_persons_language(
    personas, language: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(personas.learner)

    response = client.post(reverse("profile_edit"), {"full_name": "x"})

    assert response.status_code == 403
    page = response.content.decode()
    assert f'lang="{language}"' in page
    assert HOME_LINK[language] in page
    assert "CSRF verification failed" not in page
    assert f"<h1>{CSRF_TITLE[language]}</h1>" in page
