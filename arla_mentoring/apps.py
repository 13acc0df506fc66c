from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with the site's own AdminSite (admin_site.py)."""

    default_site = "arla_mentoring.admin_site.AdminSite"
