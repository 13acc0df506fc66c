from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MembersConfig(AppConfig):
    """Who takes part: accounts, profiles, membership terms, cycles, opt-ins, resources, the
    public program pages and the roster import.

    It imports only the outbox (below it), never pairs nor matching.
    """

    name = "members"

    def ready(self) -> None:
        # This app's kinds of email, declared to the outbox (which imports nothing of ours).
        from . import emails

        emails.register()
        # Django's own way of keeping the sites table in step (django.contrib.sites creates
        # the default site on post_migrate): after every migrate, the domain is SITE_URL's.
        from .accounts import site_follows_site_url

        post_migrate.connect(site_follows_site_url, sender=self, dispatch_uid="members.site_follows_site_url")
