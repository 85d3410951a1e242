from django.urls import path

from profiles import views
from profiles.views import households, learning, privacy, staff

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("places/wards/", views.ward_options, name="ward_options"),
    path("staff/", views.staff_home, name="staff_home"),
    path("language/", views.language_switch, name="language_switch"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # My learning
    path("learning/", learning.my_learning, name="my_learning"),
    path("learning/add/", learning.learning_add, name="learning_add"),
    path("learning/goals/", learning.learning_goals, name="learning_goals"),
    path("learning/public/", learning.public_profile_settings, name="public_profile_settings"),
    path("learning/records/<uuid:record_id>/", learning.learning_record, name="learning_record"),
    path(
        "learning/records/<uuid:record_id>/withdraw/",
        learning.learning_record_withdraw,
        name="learning_record_withdraw",
    ),
    path(
        "learning/evidence/<uuid:evidence_id>/",
        learning.evidence_download,
        name="evidence_download",
    ),
    path("p/<slug:slug>/", learning.public_profile, name="public_profile"),
    # Learning Family
    path("household/", households.household_home, name="household_home"),
    path("household/create/", households.household_create, name="household_create"),
    path("household/invite/", households.household_invite, name="household_invite"),
    path("household/join/", households.household_join, name="household_join_code"),
    path("household/join/<slug:code>/", households.household_join, name="household_join"),
    path(
        "household/invitations/<slug:code>/revoke/",
        households.household_invitation_revoke,
        name="household_invitation_revoke",
    ),
    path("household/sharing/", households.household_sharing, name="household_sharing"),
    path("household/leave/", households.household_leave, name="household_leave"),
    # My data
    path("privacy/", privacy.privacy_home, name="privacy_home"),
    path("privacy/notice/", privacy.privacy_notice, name="privacy_notice"),
    path("privacy/consents/", privacy.consents_update, name="consents_update"),
    path("privacy/export/", privacy.export_request, name="export_request"),
    path(
        "privacy/requests/<uuid:request_id>/",
        privacy.data_request_status,
        name="data_request_status",
    ),
    path(
        "privacy/requests/<uuid:request_id>/download/",
        privacy.export_download,
        name="export_download",
    ),
    path("privacy/delete/", privacy.account_delete, name="account_delete"),
    path(
        "privacy/delete/<uuid:request_id>/cancel/",
        privacy.account_delete_cancel,
        name="account_delete_cancel",
    ),
    # Center staff
    path("staff/verifications/", staff.verification_queue, name="verification_queue"),
    path(
        "staff/verifications/<uuid:record_id>/",
        staff.verification_decide,
        name="verification_decide",
    ),
    path("staff/learners/<uuid:public_id>/", staff.learner_summary, name="learner_summary"),
]
