from django.apps import AppConfig


class PairsConfig(AppConfig):
    """The pair and its year. Depends on members; knows nothing of matching."""

    name = "pairs"

    def ready(self) -> None:
        # This app's kinds of email, declared to the outbox (which imports nothing of ours).
        from . import emails

        emails.register()

        # The presets' [[surveys]] are this app's to load (members may not import pairs).
        from members.presets.loading import register

        from .presets import load_surveys

        register("surveys", ("surveys",), load_surveys)
