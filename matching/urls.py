from django.urls import path

from .views import dashboard, health, pairing, proposal

app_name = "matching"

urlpatterns = [
    path("", dashboard.dashboard_home, name="home"),
    path("<int:cycle_id>/", dashboard.dashboard, name="dashboard"),
    path("<int:cycle_id>/weights/", dashboard.weights, name="weights"),
    path("<int:cycle_id>/mentees/<int:pk>/", dashboard.suggestions, name="suggestions"),
    path("<int:cycle_id>/mentees/<int:pk>/pair/<int:mentor_pk>/", dashboard.pair, name="pair"),
    path("<int:cycle_id>/offers/<int:pk>/withdraw/", dashboard.offer_withdraw, name="offer-withdraw"),
    path("<int:cycle_id>/proposal/", proposal.proposal, name="proposal"),
    path("<int:cycle_id>/proposal/solve/", proposal.proposal_solve, name="proposal-solve"),
    path("<int:cycle_id>/proposal/edit/", proposal.proposal_edit, name="proposal-edit"),
    path("<int:cycle_id>/proposal/confirm/", proposal.proposal_confirm, name="proposal-confirm"),
    path("<int:cycle_id>/proposal/discard/", proposal.proposal_discard, name="proposal-discard"),
    path("health/", health.health_home, name="health-home"),
    path("<int:cycle_id>/health/", health.health, name="health"),
    path("<int:cycle_id>/export/<slug:what>.<slug:fmt>", health.export, name="export"),
    path("pair/", pairing.pair_create, name="pair-create"),
]
