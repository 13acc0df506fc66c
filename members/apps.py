from django.apps import AppConfig


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
