from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from courses.rest import attendance as attendance_rest
from courses.rest import catalog as courses_rest
from credentials import rest as credentials_rest
from learnprofile import views
from learnprofile.access import public_view
from learnprofile.health import healthz
from profiles import rest as profiles_rest
from profiles.views import mfa as profiles_mfa

# The admin signs in through allauth: same rate limits, same MFA, no second login form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "LearnProfile"

api_v1 = [
    path("me/", profiles_rest.MyProfileApi.as_view(), name="api_my_profile"),
    path("places/wards/", profiles_rest.WardListApi.as_view(), name="api_wards"),
    path(
        "me/learning-records/",
        profiles_rest.MyLearningRecordListApi.as_view(),
        name="api_my_learning_records",
    ),
    path(
        "me/data-requests/", profiles_rest.MyDataRequestListApi.as_view(), name="api_data_requests"
    ),
    path(
        "me/data-requests/export/",
        profiles_rest.MyDataExportApi.as_view(),
        name="api_data_export",
    ),
    path(
        "staff/learning-records/<uuid:record_id>/verification/",
        profiles_rest.StaffVerificationApi.as_view(),
        name="api_staff_verification",
    ),
    # Catalog and enrollment
    path("offerings/", courses_rest.OfferingListApi.as_view(), name="api_offerings"),
    path(
        "offerings/<uuid:offering_id>/",
        courses_rest.OfferingDetailApi.as_view(),
        name="api_offering",
    ),
    path(
        "offerings/<uuid:offering_id>/enrollment/",
        courses_rest.EnrollApi.as_view(),
        name="api_enroll",
    ),
    path("courses/<uuid:course_id>/", courses_rest.CourseDetailApi.as_view(), name="api_course"),
    path("me/enrollments/", courses_rest.MyEnrollmentListApi.as_view(), name="api_my_enrollments"),
    path(
        "me/enrollments/<uuid:enrollment_id>/cancel/",
        courses_rest.EnrollmentCancelApi.as_view(),
        name="api_enrollment_cancel",
    ),
    path("manage/courses/", courses_rest.ManagedCourseListApi.as_view(), name="api_manage_courses"),
    path(
        "manage/courses/<uuid:course_id>/",
        courses_rest.ManagedCourseDetailApi.as_view(),
        name="api_manage_course",
    ),
    path(
        "manage/courses/<uuid:course_id>/offerings/",
        courses_rest.ManagedOfferingListApi.as_view(),
        name="api_manage_offerings",
    ),
    path(
        "manage/offerings/<uuid:offering_id>/",
        courses_rest.ManagedOfferingDetailApi.as_view(),
        name="api_manage_offering",
    ),
    path(
        "manage/offerings/<uuid:offering_id>/publish/",
        courses_rest.ManagedOfferingPublishApi.as_view(),
        name="api_manage_offering_publish",
    ),
    path(
        "manage/offerings/<uuid:offering_id>/cancel/",
        courses_rest.ManagedOfferingCancelApi.as_view(),
        name="api_manage_offering_cancel",
    ),
    # Attendance
    path(
        "staff/sessions/", attendance_rest.StaffSessionListApi.as_view(), name="api_staff_sessions"
    ),
    path(
        "staff/sessions/<uuid:session_id>/roster/",
        attendance_rest.SessionRosterApi.as_view(),
        name="api_session_roster",
    ),
    path(
        "staff/sessions/<uuid:session_id>/marks/",
        attendance_rest.SessionMarksApi.as_view(),
        name="api_session_marks",
    ),
    path(
        "staff/attendance/sync/",
        attendance_rest.AttendanceSyncApi.as_view(),
        name="api_attendance_sync",
    ),
    path("staff/walk-ins/", attendance_rest.WalkInRegisterApi.as_view(), name="api_walk_ins"),
    path(
        "sessions/<uuid:session_id>/check-in/",
        attendance_rest.CheckInApi.as_view(),
        name="api_check_in",
    ),
    path("check-in/", attendance_rest.CheckInCodeApi.as_view(), name="api_check_in_code"),
    # Credentials
    path(
        "credentials/verify",
        credentials_rest.CredentialVerifyApi.as_view(),
        name="api_credential_verify",
    ),
    path(
        "issuer/achievements/<uuid:achievement_id>/issuances/",
        credentials_rest.IssueApi.as_view(),
        name="api_issue",
    ),
    path(
        "issuer/batches/<uuid:batch_id>/",
        credentials_rest.BatchApi.as_view(),
        name="api_issuance_batch",
    ),
    path(
        "issuer/credentials/<uuid:credential_id>/revoke/",
        credentials_rest.RevokeApi.as_view(),
        name="api_credential_revoke",
    ),
]

urlpatterns = [
    path("", include("profiles.urls")),
    path("", include("notices.urls")),
    path("", include("courses.urls")),
    path("", include("credentials.urls")),
    # allauth's TOTP set-up and recovery codes, leading back to the page the MFA gate kept.
    path("accounts/2fa/totp/activate/", profiles_mfa.activate_totp, name="mfa_activate_totp"),
    path(
        "accounts/2fa/recovery-codes/",
        profiles_mfa.recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", public_view(SpectacularAPIView.as_view()), name="api_schema"),
    path(
        "api/docs/",
        public_view(
            SpectacularSwaggerView.as_view(
                url_name="api_schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api_docs",
    ),
    path("healthz", healthz, name="healthz"),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
