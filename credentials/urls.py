from django.urls import path

from credentials.views import issuer, issuing, learner, public

urlpatterns = [
    # Public, no account
    path("credentials/<uuid:credential_id>", public.credential_page, name="credential_page"),
    path(
        "credentials/<uuid:credential_id>/credential.json",
        public.credential_json,
        name="credential_json",
    ),
    path(
        "credentials/<uuid:credential_id>/certificate.pdf",
        public.credential_pdf,
        name="credential_pdf",
    ),
    path("credentials/<uuid:credential_id>/qr.svg", public.credential_qr, name="credential_qr"),
    path("verify/", public.verify_upload, name="credential_verify_upload"),
    path("achievements/<uuid:achievement_id>", public.achievement_page, name="achievement_page"),
    path(
        "achievements/<uuid:achievement_id>/image.png",
        public.achievement_image,
        name="achievement_image",
    ),
    path("issuers/<slug:slug>/did.json", public.issuer_did_document, name="issuer_did_document"),
    path(
        "credentials/status/<uuid:list_id>",
        public.status_list_credential,
        name="status_list_credential",
    ),
    # The holder
    path("my-credentials/", learner.my_credentials, name="my_credentials"),
    path(
        "my-credentials/<uuid:credential_id>/visibility/",
        learner.credential_visibility,
        name="credential_visibility",
    ),
    # Issuer administrators, under /staff/ (MFA required)
    path("staff/credentials/", issuer.issuer_home, name="issuer_home"),
    path("staff/credentials/achievements/new/", issuer.achievement_new, name="achievement_new"),
    path(
        "staff/credentials/achievements/<uuid:achievement_id>/",
        issuer.achievement_detail,
        name="issuer_achievement",
    ),
    path(
        "staff/credentials/achievements/<uuid:achievement_id>/edit/",
        issuer.achievement_edit,
        name="achievement_edit",
    ),
    path(
        "staff/credentials/achievements/<uuid:achievement_id>/issue/",
        issuing.issue_preview,
        name="issue_preview",
    ),
    path(
        "staff/credentials/achievements/<uuid:achievement_id>/issue/confirm/",
        issuing.issue_confirm,
        name="issue_confirm",
    ),
    path(
        "staff/credentials/achievements/<uuid:achievement_id>/credentials.csv",
        issuer.credentials_export,
        name="issuer_credentials_export",
    ),
    path(
        "staff/credentials/achievements/<uuid:achievement_id>/credentials.xlsx",
        issuer.credentials_export,
        {"file_format": "xlsx"},
        name="issuer_credentials_export_xlsx",
    ),
    path(
        "staff/credentials/credentials/<uuid:credential_id>/reissue/",
        issuer.credential_reissue,
        name="issuer_credential_reissue",
    ),
    path("staff/credentials/batches/<uuid:batch_id>/", issuing.batch_detail, name="issuer_batch"),
    path(
        "staff/credentials/credentials/<uuid:credential_id>/",
        issuer.credential_manage,
        name="issuer_credential",
    ),
]
