from django.urls import path

from courses.views import attendance, catalog, checkin, manage, walk_ins

urlpatterns = [
    path("courses/", catalog.catalog, name="catalog"),
    path("courses/<uuid:course_id>/", catalog.course_detail, name="course_detail"),
    # No trailing slash: the evidence URL signed into credentials is exactly this.
    path("courses/offerings/<uuid:offering_id>", catalog.offering_page, name="offering_page"),
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
        "staff/sessions/<uuid:session_id>/change/",
        manage.session_change,
        name="session_change",
    ),
    path(
        "staff/offerings/<uuid:offering_id>/cancel/",
        manage.offering_cancel,
        name="offering_cancel",
    ),
    path("staff/offerings/<uuid:offering_id>/roster/", manage.roster, name="roster"),
    # Attendance, under /staff/ (MFA required)
    path("staff/attendance/", attendance.attendance_home, name="attendance_home"),
    path("staff/sw.js", attendance.roster_service_worker, name="roster_service_worker"),
    path("staff/sessions/<uuid:session_id>/", attendance.session_roster, name="session_roster"),
    path(
        "staff/sessions/<uuid:session_id>/check-in/",
        attendance.session_checkin_screen,
        name="session_checkin_screen",
    ),
    path("staff/sessions/<uuid:session_id>/print/", attendance.session_print, name="session_print"),
    path(
        "staff/sessions/<uuid:session_id>/attendance.csv",
        attendance.session_export,
        name="session_export",
    ),
    path(
        "staff/sessions/<uuid:session_id>/attendance.xlsx",
        attendance.session_export,
        {"file_format": "xlsx"},
        name="session_export_xlsx",
    ),
    path(
        "staff/sessions/<uuid:session_id>/import/", attendance.session_import, name="session_import"
    ),
    path(
        "staff/offerings/<uuid:offering_id>/attendance.csv",
        attendance.offering_export,
        name="offering_export",
    ),
    path(
        "staff/offerings/<uuid:offering_id>/attendance.xlsx",
        attendance.offering_export,
        {"file_format": "xlsx"},
        name="offering_export_xlsx",
    ),
    path(
        "staff/offerings/<uuid:offering_id>/close/",
        attendance.offering_close,
        name="offering_close",
    ),
    path("staff/offerings/<uuid:offering_id>/walk-in/", walk_ins.walk_in_new, name="walk_in_new"),
    path(
        "staff/offerings/<uuid:offering_id>/walk-in/enroll/",
        walk_ins.walk_in_enroll,
        name="walk_in_enroll",
    ),
    path("staff/walk-ins/<uuid:walk_in_id>/", walk_ins.walk_in_detail, name="walk_in_detail"),
    # The learner's side
    path("check-in/", checkin.checkin_code, name="checkin_code"),
    path("check-in/<uuid:session_id>/<str:token>/", checkin.checkin_scan, name="checkin_scan"),
    path("my-courses/claim/", checkin.walk_in_claim, name="walk_in_claim"),
]
