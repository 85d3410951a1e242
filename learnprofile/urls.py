from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from learnprofile import views
from learnprofile.health import healthz
from profiles import rest as profiles_rest

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
]

urlpatterns = [
    path("", include("profiles.urls")),
    path("", include("courses.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("healthz", healthz, name="healthz"),
]

handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
