from django.apps import AppConfig


class PairsConfig(AppConfig):
    """The pair and its year. Depends on members; knows nothing of matching."""

    name = "pairs"

    def ready(self) -> None:
        # This app's kinds of email, declared to the outbox (which imports nothing of ours).
        from . import emails

        emails.register()
