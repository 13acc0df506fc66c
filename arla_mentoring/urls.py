from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from members.accounts import AdminLoginForm
from members.program import program

from . import views

# The program's own name, read when a page is drawn (a lazy string: the settings live in the database).
admin.site.site_header = lazy(lambda: f"{program().program_name} administration", str)()
admin.site.site_title = lazy(lambda: f"{program().association_short_name} Mentoring admin", str)()
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("health/", views.health, name="health"),
    # Before the admin's own login URL, which it shadows (and which keeps the name admin:login).
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Pages that moved when the apps were cut by concept: old bookmarks still find them.
    path("pairs/emails/", RedirectView.as_view(pattern_name="outbox:email-list", permanent=True, query_string=True)),
    path("pairs/new/", RedirectView.as_view(pattern_name="matching:pair-create", permanent=True, query_string=True)),
    path("matching/import/", RedirectView.as_view(pattern_name="members:import", permanent=True)),
    path("outbox/", include("outbox.urls")),
    path("pairs/", include("pairs.urls")),
    path("matching/", include("matching.urls")),
    path("", include("members.urls")),
]
