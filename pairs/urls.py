from django.urls import path

from .views import certificates, committee, my_data, orientation, pair, topics

app_name = "pairs"

urlpatterns = [
    path("", committee.pair_list, name="pair-list"),
    path("liaison/", committee.liaison_assign, name="liaison-assign"),
    path("mine/", pair.pair_mine, name="pair-mine"),
    path("evaluations/", committee.evaluation_summary, name="evaluation-summary"),
    path("orientation/", orientation.orientation, name="orientation"),
    path("my-data/", my_data.my_data, name="my-data"),
    path("my-data/download/", my_data.my_data_download, name="my-data-download"),
    path("my-data/delete-account/", my_data.account_delete, name="account-delete"),
    path("<int:pk>/", pair.pair_detail, name="pair-detail"),
    path("<int:pk>/calendar.ics", pair.pair_calendar_file, name="pair-calendar"),
    path("<int:pk>/end/", committee.pair_end, name="pair-end"),
    path("<int:pk>/check-ins/new/", pair.checkin_create, name="checkin-create"),
    path("<int:pk>/check-ins/<int:checkin_pk>/edit/", pair.checkin_edit, name="checkin-edit"),
    path("<int:pk>/check-ins/<int:checkin_pk>/delete/", pair.checkin_delete, name="checkin-delete"),
    path("<int:pk>/certificate/<str:role>/", certificates.certificate, name="certificate"),
    path("<int:pk>/certificate/<str:role>/reissue/", certificates.certificate_reissue, name="certificate-reissue"),
    path("certificates/verify/", certificates.certificate_verify, name="certificate-verify"),
    path("topics/", topics.topic_list, name="topic-list"),
    path("topics/new/", topics.topic_create, name="topic-create"),
    path("topics/<int:topic_pk>/edit/", topics.topic_edit, name="topic-edit"),
    path("topics/<int:topic_pk>/delete/", topics.topic_delete, name="topic-delete"),
    path("<int:pk>/goals/new/", pair.goal_edit, name="goal-create"),
    path("<int:pk>/goals/<int:goal_pk>/edit/", pair.goal_edit, name="goal-edit"),
    path("<int:pk>/report/", pair.pair_report, name="pair-report"),
    path("<int:pk>/evaluation/", pair.evaluation, name="evaluation"),
]
