"""The site's Django admin: Django's own, with its list of apps built once a request.

Django's admin asks for the list of apps and models a user may see twice on its index page,
once for the page and once for its sidebar (`each_context`): each time a permission check and
two `reverse()` calls for each of the ~30 models, a sixth of the page. The list depends on the
user and the request only, so one request reads one list. Installed through `apps.AdminConfig`
(settings.INSTALLED_APPS), as Django's documentation says to replace the default site.
"""

from django.contrib import admin
from django.http import HttpRequest


class AdminSite(admin.AdminSite):
    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        built = request.__dict__.setdefault("_admin_app_lists", {})
        key = (self.name, app_label)
        if key not in built:
            built[key] = super().get_app_list(request, app_label)
        return built[key]
