from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.program, name="program"),
    path("program/mentors/", views.program_mentor, name="program-mentor"),
    path("program/mentees/", views.program_mentee, name="program-mentee"),
    path("me/", views.profile, name="profile"),
    path("me/edit/", views.profile_edit, name="profile-edit"),
    path("membership/join/", views.membership_join, name="membership-join"),
    path("membership/renew/", views.membership_renew, name="membership-renew"),
    path("opt-in/", views.enrollment_create, name="enrollment-create"),
    path("opt-ins/<int:pk>/edit/", views.enrollment_edit, name="enrollment-edit"),
    path("opt-ins/<int:pk>/withdraw/", views.enrollment_withdraw, name="enrollment-withdraw"),
    path("resources/", views.resource_list, name="resource-list"),
    path("resources/suggest/", views.resource_suggest, name="resource-suggest"),
    path("resources/<int:pk>/file/", views.resource_file, name="resource-file"),
    path("committee/resources/", views.resource_review, name="resource-review"),
    path("committee/resources/<int:pk>/decide/", views.resource_decide, name="resource-decide"),
    path("committee/opt-ins/", views.enrollment_list, name="enrollment-list"),
    path("committee/cycles/", views.cycle_list, name="cycle-list"),
    path("committee/cycles/new/", views.cycle_create, name="cycle-create"),
    path("committee/cycles/<int:pk>/edit/", views.cycle_edit, name="cycle-edit"),
    path("committee/cycles/<int:pk>/opt-ins/", views.cycle_toggle, name="cycle-toggle"),
]
