from django.contrib import admin
from django.urls import include, path

from members.accounts import AdminLoginForm

from . import views

admin.site.site_header = "ArLA Mentoring administration"
admin.site.site_title = "ArLA Mentoring admin"
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("health/", views.health, name="health"),
    # Before the admin's own login URL, which it shadows (and which keeps the name admin:login).
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("outbox/", include("outbox.urls")),
    path("pairs/", include("pairs.urls")),
    path("matching/", include("matching.urls")),
    path("", include("members.urls")),
]
