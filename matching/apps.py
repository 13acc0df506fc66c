from django.apps import AppConfig


class MatchingConfig(AppConfig):
    """The committee's decision layer, on top of pairs and members."""

    name = "matching"
