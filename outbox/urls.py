from django.urls import path

from .views import emails, preferences, wording

app_name = "outbox"

urlpatterns = [
    path("", emails.email_list, name="email-list"),
    path("<int:pk>/", emails.email_detail, name="email-detail"),
    path("<int:pk>/resend/", emails.email_resend, name="email-resend"),
    path("emails/", wording.template_list, name="template-list"),
    path("emails/<slug:kind>/", wording.template_edit, name="template-edit"),
    path("emails/<slug:kind>/restore/", wording.template_restore, name="template-restore"),
    path("emails/<slug:kind>/switches/", wording.template_switch, name="template-switch"),
    path("my-emails/", preferences.preferences, name="preferences"),
    path("stop/<str:token>/", preferences.unsubscribe, name="unsubscribe"),
]
