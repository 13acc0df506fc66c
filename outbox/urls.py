from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("", views.email_list, name="email-list"),
    path("<int:pk>/resend/", views.email_resend, name="email-resend"),
]
