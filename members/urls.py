from django.urls import path

from .views import correct, cycles, membership, program, questions, resources, roster, settings

app_name = "members"

urlpatterns = [
    path("", program.program_page, name="program"),
    path("program/mentors/", program.program_mentor, name="program-mentor"),
    path("program/mentees/", program.program_mentee, name="program-mentee"),
    path("me/", membership.profile, name="profile"),
    path("me/edit/", membership.profile_edit, name="profile-edit"),
    path("membership/join/", membership.membership_join, name="membership-join"),
    path("membership/renew/", membership.membership_renew, name="membership-renew"),
    path("opt-in/", membership.enrollment_create, name="enrollment-create"),
    path("opt-ins/<int:pk>/edit/", membership.enrollment_edit, name="enrollment-edit"),
    path("opt-ins/<int:pk>/withdraw/", membership.enrollment_withdraw, name="enrollment-withdraw"),
    path("resources/", resources.resource_list, name="resource-list"),
    path("resources/suggest/", resources.resource_suggest, name="resource-suggest"),
    path("resources/<int:pk>/file/", resources.resource_file, name="resource-file"),
    path("committee/resources/", resources.resource_review, name="resource-review"),
    path("committee/resources/<int:pk>/decide/", resources.resource_decide, name="resource-decide"),
    path("committee/resources/decide/", resources.resource_decide_many, name="resource-decide-many"),
    path("committee/opt-ins/", cycles.enrollment_list, name="enrollment-list"),
    path("committee/members/<int:pk>/correct/", correct.member_correct, name="member-correct"),
    path("committee/cycles/", cycles.cycle_list, name="cycle-list"),
    path("committee/cycles/new/", cycles.cycle_create, name="cycle-create"),
    path("committee/cycles/<int:pk>/edit/", cycles.cycle_edit, name="cycle-edit"),
    path("committee/cycles/<int:pk>/opt-ins/", cycles.cycle_toggle, name="cycle-toggle"),
    path("committee/cycles/<int:pk>/questions/", questions.question_list, name="question-list"),
    path("committee/cycles/<int:pk>/questions/new/", questions.question_create, name="question-create"),
    path("committee/questions/<int:pk>/edit/", questions.question_edit, name="question-edit"),
    path("committee/questions/<int:pk>/move/", questions.question_move, name="question-move"),
    path("committee/questions/<int:pk>/archive/", questions.question_archive, name="question-archive"),
    path("committee/questions/<int:pk>/delete/", questions.question_delete, name="question-delete"),
    path("committee/program/", settings.program_settings, name="program-settings"),
    path("committee/cycles/<int:pk>/archive/", cycles.cycle_archive, name="cycle-archive"),
    path("committee/import/", roster.roster_upload, name="import"),
    path("committee/import/confirm/", roster.roster_confirm, name="import-confirm"),
    path("committee/import/template.csv", roster.roster_template, name="import-template"),
]
