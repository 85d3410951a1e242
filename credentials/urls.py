from django.urls import path

from credentials import views

urlpatterns = [
    path("issuers/<slug:slug>/did.json", views.issuer_did_document, name="issuer_did_document"),
    path(
        "credentials/status/<uuid:list_id>",
        views.status_list_credential,
        name="status_list_credential",
    ),
]
