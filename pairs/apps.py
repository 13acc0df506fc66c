from django.apps import AppConfig


class PairsConfig(AppConfig):
    """The pair and its year. Depends on members; knows nothing of matching."""

    name = "pairs"
