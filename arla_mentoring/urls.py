from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "ArLA Mentoring administration"
admin.site.site_title = "ArLA Mentoring admin"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("outbox/", include("outbox.urls")),
    path("pairs/", include("pairs.urls")),
    path("matching/", include("matching.urls")),
    path("", include("members.urls")),
]
