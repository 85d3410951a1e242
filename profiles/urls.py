from django.urls import path

from profiles import views

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("places/wards/", views.ward_options, name="ward_options"),
    path("staff/", views.staff_home, name="staff_home"),
    path("language/", views.language_switch, name="language_switch"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
