from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "pairs"

urlpatterns = [
    path("", views.pair_list, name="pair-list"),
    path("new/", views.pair_create, name="pair-create"),
    path("mine/", views.pair_mine, name="pair-mine"),
    # The Outbox page moved to the outbox app: old bookmarks still find it.
    path("emails/", RedirectView.as_view(pattern_name="outbox:email-list", permanent=True, query_string=True)),
    path("evaluations/", views.evaluation_summary, name="evaluation-summary"),
    path("orientation/", views.orientation, name="orientation"),
    path("my-data/", views.my_data, name="my-data"),
    path("my-data/download/", views.my_data_download, name="my-data-download"),
    path("my-data/delete-account/", views.account_delete, name="account-delete"),
    path("<int:pk>/", views.pair_detail, name="pair-detail"),
    path("<int:pk>/calendar.ics", views.pair_calendar_file, name="pair-calendar"),
    path("<int:pk>/end/", views.pair_end, name="pair-end"),
    path("<int:pk>/check-ins/new/", views.checkin_create, name="checkin-create"),
    path("<int:pk>/goals/new/", views.goal_edit, name="goal-create"),
    path("<int:pk>/goals/<int:goal_pk>/edit/", views.goal_edit, name="goal-edit"),
    path("<int:pk>/report/", views.pair_report, name="pair-report"),
    path("<int:pk>/evaluation/", views.evaluation, name="evaluation"),
]
