from django.apps import AppConfig


class PairsConfig(AppConfig):
    """The pair and its year. Depends on members; knows nothing of matching."""

    name = "pairs"

    def ready(self) -> None:
        # This app's kinds of email, declared to the outbox (which imports nothing of ours).
        from members.presets import loading

        from . import emails
        from .services import topics

        emails.register()
        # The presets' [[topics]]: the program's schedule (members may not import pairs).
        loading.register("topics", ("topics",), topics.topics_from_preset)
