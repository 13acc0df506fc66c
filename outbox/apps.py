from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Every email of the site: the rows, rendering, sending, retries, the sweep, the Outbox page.

    The bottom of the house: it imports only Django. `members` and `pairs` write
    their emails through `outbox.services.email_write`.
    """

    name = "outbox"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the start-up check of the kinds)
