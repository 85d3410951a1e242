from django.urls import path

from courses.views import catalog, manage

urlpatterns = [
    path("courses/", catalog.catalog, name="catalog"),
    path("courses/<uuid:course_id>/", catalog.course_detail, name="course_detail"),
    path("courses/offerings/<uuid:offering_id>/enroll/", catalog.enroll, name="enroll"),
    path("my-courses/", catalog.my_courses, name="my_courses"),
    path(
        "my-courses/<uuid:enrollment_id>/cancel/",
        catalog.enrollment_cancel,
        name="enrollment_cancel",
    ),
    # A center's catalog, under /staff/ (MFA required).
    path("staff/courses/", manage.manage_home, name="manage_home"),
    path("staff/courses/new/", manage.course_new, name="course_new"),
    path("staff/courses/import/", manage.offerings_import, name="offerings_import"),
    path("staff/courses/<uuid:course_id>/", manage.manage_course, name="manage_course"),
    path(
        "staff/courses/<uuid:course_id>/offerings/new/",
        manage.offering_new,
        name="offering_new",
    ),
    path("staff/offerings/<uuid:offering_id>/", manage.manage_offering, name="manage_offering"),
    path(
        "staff/offerings/<uuid:offering_id>/publish/",
        manage.offering_publish,
        name="offering_publish",
    ),
    path(
        "staff/offerings/<uuid:offering_id>/sessions/",
        manage.sessions_add,
        name="sessions_add",
    ),
    path(
        "staff/offerings/<uuid:offering_id>/cancel/",
        manage.offering_cancel,
        name="offering_cancel",
    ),
    path("staff/offerings/<uuid:offering_id>/roster/", manage.roster, name="roster"),
]
