from django.apps import AppConfig


class MembersConfig(AppConfig):
    """Who takes part: accounts, profiles, membership terms, cycles and opt-ins.

    This app imports neither pairs nor matching.
    """

    name = "members"
