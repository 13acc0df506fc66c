from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "matching"

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("<int:cycle_id>/", views.dashboard, name="dashboard"),
    path("<int:cycle_id>/weights/", views.weights, name="weights"),
    path("<int:cycle_id>/mentees/<int:pk>/", views.suggestions, name="suggestions"),
    path("<int:cycle_id>/mentees/<int:pk>/pair/<int:mentor_pk>/", views.pair, name="pair"),
    path("<int:cycle_id>/proposal/", views.proposal, name="proposal"),
    path("<int:cycle_id>/proposal/solve/", views.proposal_solve, name="proposal-solve"),
    path("<int:cycle_id>/proposal/edit/", views.proposal_edit, name="proposal-edit"),
    path("<int:cycle_id>/proposal/confirm/", views.proposal_confirm, name="proposal-confirm"),
    path("<int:cycle_id>/proposal/discard/", views.proposal_discard, name="proposal-discard"),
    path("health/", views.health_home, name="health-home"),
    path("<int:cycle_id>/health/", views.health, name="health"),
    path("<int:cycle_id>/export/<slug:what>.<slug:fmt>", views.export, name="export"),
    # Importing members moved beside the members (members:import): old bookmarks still find it.
    path("import/", RedirectView.as_view(pattern_name="members:import", permanent=True)),
]
